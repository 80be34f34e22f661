// Training over a dataset of stored 8-bit images: seeded split, shuffling and augmentation,
// mini-batches, per-epoch metrics and a confusion matrix, run in slices of a few steps so a
// page can show progress and stop at any moment.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "convlab/looks.h"
#include "convlab/model.h"
#include "convlab/optim.h"
#include "convlab/rng.h"
#include "convlab/rules.h"

namespace convlab {

// Images stored as preprocessed bytes (C, H, W) of one input size, with integer labels.
class Dataset {
 public:
  explicit Dataset(const InputSpec& in) : in_(in) {}
  const InputSpec& input() const { return in_; }
  int64_t image_size() const { return int64_t(in_.channels) * in_.height * in_.width; }
  // Preprocesses RGBA of any size (the one preprocessing path) and stores it.
  void add_rgba(const uint8_t* rgba, int w, int h, int label);
  void add_bytes(const uint8_t* chw, int label);  // already (C, H, W) at this input size
  // The same at position `at` (0 .. size()): the images from `at` on move up one. The page
  // keeps the worker's copy in its own order (class by class) as images come and go, instead
  // of sending every image again.
  void insert_rgba(int at, const uint8_t* rgba, int w, int h, int label);
  void remove(int at);  // 0 .. size() - 1; the images after it move down one
  void clear() { images_.clear(); labels_.clear(); }
  int size() const { return static_cast<int>(labels_.size()); }
  int label(int i) const { return labels_[size_t(i)]; }
  const uint8_t* image(int i) const { return images_[size_t(i)].data(); }

 private:
  InputSpec in_;
  // one buffer per image: an insert or a removal moves pointers, not the other images' bytes
  std::vector<std::vector<uint8_t>> images_;  // (size) of (C, H, W)
  std::vector<int32_t> labels_;               // (size)
};

// The product's defaults (rules.h): the page's settings start from these.
struct TrainConfig {
  int epochs = rules::kDefaultEpochs;
  int batch_size = rules::kDefaultBatchSize;
  OptimConfig optim;
  // per class, rounded, at least one image of each class kept for training
  double val_fraction = rules::kDefaultValFraction;
  int shift = rules::kDefaultShift;  // random shift in [-shift, shift] pixels, zero fill
  bool flip = rules::kDefaultFlip;   // random horizontal flip
  uint64_t seed = rules::kDefaultSeed;
};

struct EpochStats {
  int epoch = 0;  // 1-based
  float train_loss = 0, train_acc = 0;
  float val_loss = 0, val_acc = 0;  // NaN when there is no validation set
};

// The settings as the page and a saved model's metadata write them (JSON); keys that are
// missing get TrainConfig's defaults. Throws std::invalid_argument naming the bad setting.
TrainConfig parse_train_config(const std::string& json);
Json train_config_json(const TrainConfig& c);

// Seeded augmentation of one (C, H, W) image: optional horizontal flip, then a shift by
// (dx, dy) with zero fill. out and in must not overlap.
void augment(float* out, const float* in, int c, int h, int w, int dx, int dy, bool flip);

class Trainer {
 public:
  // Throws std::invalid_argument with a message for a config or dataset that cannot train
  // (the ranges of rules.h, a shift of at most half the input, every class with images).
  Trainer(Model& model, const Dataset& data, const TrainConfig& cfg);

  // Runs up to max_steps mini-batches; evaluates at each epoch end. Returns done().
  // A step whose loss is not finite, or an epoch that ends with a non-finite weight, stops
  // the run as diverged: the model gets back the weights of the last good epoch (the initial
  // ones when none ended), so what is saved afterwards is always finite.
  bool run(int max_steps);
  bool done() const { return epoch_ >= cfg_.epochs || diverged_; }
  bool diverged() const { return diverged_; }
  // What happened and what to do (a smaller learning rate), for the page; empty unless diverged().
  std::string divergence_message() const;

  int epoch() const { return epoch_; }                    // completed epochs
  int step_in_epoch() const { return pos_ / cfg_.batch_size; }
  int steps_per_epoch() const { return (int(train_.size()) + cfg_.batch_size - 1) / cfg_.batch_size; }
  int64_t images_seen() const { return images_seen_; }
  const std::vector<EpochStats>& history() const { return history_; }
  // (classes, classes): rows the true class, columns the predicted one; on the validation
  // set (the training set when there is none), as of the last completed epoch.
  const std::vector<int>& confusion() const { return confusion_; }
  const std::vector<int>& train_indices() const { return train_; }
  const std::vector<int>& val_indices() const { return val_; }
  const TrainConfig& config() const { return cfg_; }

  // Loss, accuracy and confusion of the model on the given images, no augmentation.
  struct Eval { float loss, acc; std::vector<int> confusion; };
  Eval evaluate(const std::vector<int>& indices);

  // Where the model looks (looks.h): saliency, occlusion and the filters kept across training.
  // The first conv layer's filters at the start (epoch 0) and the end of every epoch, thinned
  // to at most rules::kFilterEpochsKept snapshots. Only copies: the run's numbers are unchanged.
  const looks::FilterHistory& filter_history() const { return filters_; }

 private:
  bool step(int count);  // false: the loss was not finite
  bool weights_finite() const;
  void keep_good_weights();     // the last good epoch's weights, copied into good_
  void restore_good_weights();  // ... and back into the model
  void diverge(bool in_loss);    // stops the run and restores the good weights
  Model& model_;
  const Dataset& data_;
  TrainConfig cfg_;
  Optimizer opt_;
  Rng rng_;
  std::vector<int> train_, val_;
  std::vector<int> order_;
  int epoch_ = 0, pos_ = 0;
  int64_t images_seen_ = 0;
  double run_loss_ = 0;
  int64_t run_correct_ = 0, run_count_ = 0;
  std::vector<EpochStats> history_;
  std::vector<int> confusion_;
  std::vector<float> x_, tmp_, probs_, dlogits_;  // (batch, C, H, W), (C, H, W), (batch, classes) x2
  std::vector<int32_t> labels_;                   // (batch)
  std::vector<std::vector<float>> good_;          // per param: the values at the last good epoch end
  bool diverged_ = false;
  looks::FilterHistory filters_;  // the first conv layer's filters across epochs (looks.h)
  int diverged_epoch_ = 0;                        // 1-based epoch in which it diverged
  bool diverged_in_loss_ = true;                  // the loss (else a weight) stopped being finite
};

}  // namespace convlab
