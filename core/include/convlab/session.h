// What the page's worker drives: one model, its dataset and a training run, with JSON in
// and out so the wasm bindings only translate types. Every method that can fail throws
// std::exception with a message meant for a person; a failure never leaves the session
// half-changed (a bad spec or file keeps the current model).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convlab/model.h"
#include "convlab/preprocess.h"
#include "convlab/train.h"

namespace convlab {

Json model_info_json(const ModelInfo& info);
Json spec_report_json(const SpecReport& r);
// The worker's checkSpec: the budgeted report; classes > 0 adds the class rule.
std::string check_spec_json(const std::string& text, int classes = 0);
// The worker's learnCheckSpec: the lecture's nets are shown even beyond the budget, with
// over_budget, max_params and (when over) budget_error, the message training would give.
// A net within the parameter budget gets check_spec_json's error (activation budget, class
// rule); one over it is for reading, so classes does not apply to it.
std::string learn_check_spec_json(const std::string& text, int classes = 0);
// {width, height}: the size the page stores images at for this input (rules::stored_size).
Json stored_size_json(const InputSpec& in);

class Session {
 public:
  Session();

  // Replaces the model with a fresh one (seeded init). Returns info_json().
  std::string set_spec(const std::string& spec_json, uint64_t seed);
  std::string spec_json() const;
  std::string info_json() const;  // the per-layer table, and stored_size: {width, height}
  const Model& model() const { return *model_; }
  // A parameter tensor by its state_dict name ("0.weight"); throws for an unknown name.
  // Read-only, so the model's packed weights stay valid.
  const std::vector<float>& param(const std::string& name) const;
  Model& model() { return *model_; }

  // Images: preprocessed to the model input on arrival (the one preprocessing path).
  void clear_images();
  // rgba: `bytes` bytes of w×h RGBA (checked: check_rgba).
  void add_image(const uint8_t* rgba, size_t bytes, int w, int h, int label);
  // The same at position `at` (0 .. num_images()), and the removal of image `at`: refused while
  // a run is under way (or paused); a finished run's trainer is let go, as clear_images does
  // (it refers to the images). Training on images kept so equals training on them sent afresh.
  void insert_image(int at, const uint8_t* rgba, size_t bytes, int w, int h, int label);
  void remove_image(int at);
  int num_images() const { return data_->size(); }

  // Training in slices. begin re-initialises the model from the config's seed so the same
  // seed gives the same result.
  void train_begin(const std::string& config_json);
  // Runs up to `steps` mini-batches; returns progress JSON (epoch, step, history, done...).
  std::string train_run(int steps);
  bool training() const { return trainer_ != nullptr && !trainer_->done(); }
  // Ends the run; the model keeps its weights. Returns the first conv layer's filters kept so
  // far (looks::to_json of the trainer's FilterHistory; "{}" when no run): a run stopped before
  // its end keeps its filter history too, which is gone once the trainer is.
  std::string train_stop();
  // The current (or finished) training, for tests and tools; null before train_begin.
  const Trainer* trainer() const { return trainer_.get(); }

  // Class probabilities for one RGBA image of any size.
  std::vector<float> predict(const uint8_t* rgba, size_t bytes, int w, int h);

  // ---- inference on many images in one call (evaluating a set, grading a class, many files) ----
  struct Rgba {
    const uint8_t* rgba;
    size_t bytes;  // w * h * 4, checked
    int w, h;
  };
  // Class probabilities of n images, (n, classes) row after row: every image is checked first
  // (a bad one is named and nothing runs), then preprocessed (the one path) and run through
  // Model::predict in chunks of up to predict_chunk() images, threaded across the chunk. Row i
  // is what predict(image i) gives, bit for bit, with any thread count. The buffers are kept:
  // once a call of this size has run, nothing is allocated. Valid until the next call.
  const std::vector<float>& predict_batch(const Rgba* images, int n);
  // The same for images the session stores (add_image), by index.
  const std::vector<float>& predict_stored(const int* indices, int n);
  // The label a stored image was added with (evaluating stored images needs no labels sent).
  int stored_label(int index) const;
  // Images per Model::predict call: 32, or fewer when one image's activations are large.
  int predict_chunk() const;

  // The engine's threads: set_threads checks n against rules::kMaxThreads (throws outside
  // [1, kMaxThreads]) and returns the count now in use (1 in the single-threaded build).
  int set_threads(int n);
  int threads() const;

  // metadata_json: {"classes": [names], ...}, strings or JSON values (stored as their text).
  // The file's metadata also gets the training settings, the spec and the preprocessing.
  std::vector<uint8_t> save(const std::string& metadata_json) const;

  // ---- models out and in (onnx.h, torch_script.h) ----
  // The current model as ONNX; metadata_json as save()'s, in metadata_props.
  std::vector<uint8_t> export_onnx(const std::string& metadata_json) const;
  // NAME.py loading `weights_file` (NAME.safetensors); class names from metadata_json's "classes".
  std::string export_torch(const std::string& metadata_json, const std::string& weights_file) const;
  // What loading a safetensors file would do, without doing it: {"fits": true} when its
  // weights load into the current model (a ConvLab file of the same spec, or a PyTorch-written
  // file with the same names and shapes), else {"fits": false, "message": which tensor (or
  // layer, or input) differs and how, "adoptable": whether load(..., adopt = true) would take
  // the file's own model}. classes > 0: the project's class count, which an adopted model's
  // output must equal. Throws FormatError for a broken file.
  std::string load_check(const uint8_t* bytes, size_t size, int classes = 0) const;
  // Loads the file's weights; returns info JSON. A file of another model is refused with
  // load_check's message unless adopt is true (then the file's spec becomes the model). The
  // model changes only when the whole file is valid.
  std::string load(const uint8_t* bytes, size_t size, bool adopt = false, int classes = 0);

  // ---- the lecture views (learn.h), on the image of the last learn_run; each refuses
  // while training. Structured results are JSON (learn::to_json), tensors float vectors. ----
  // Runs the model on one RGBA image; returns the preprocessed input (C, H, W).
  std::vector<float> learn_run(const uint8_t* rgba, size_t bytes, int w, int h);
  std::vector<float> learn_activation(int layer);  // the last run's layer output (-1: the input)
  std::vector<float> learn_probabilities();         // softmax of the last run's logits
  std::string learn_conv_step(int layer, int filter, int oy, int ox);
  // + shifted_input: the shifted image (C, H, W); the unshifted one stays the last run.
  std::string learn_equivariance(int layer, int dx, int dy);
  // On the model's own detector stage: the input of pool layer `layer`.
  std::string learn_pool_invariance(int layer, int max_shift);
  std::string learn_predict_shifts(const std::vector<int>& shifts);  // [[probabilities] per shift]
  std::string learn_receptive_field(int layer, int oy, int ox) const;

  // Where the model looks (looks.h), on the image of the last learn_run; each refuses while
  // training and leaves that image as the last run. cls -1: the class the model predicts. ----
  std::string learn_saliency(int cls);                          // looks::to_json(Saliency)
  std::string learn_occlusion(int cls, int patch, int stride);  // patch/stride 0: the defaults
  // (train_run's JSON also carries "filters": looks::to_json(FilterHistory) once done)
  // (and "val_indices": the stored images, by the order they were added, held out for validation)

 private:
  Model& idle_model();               // throws while training
  // idle_model() with the last learn_run's image as its last forward: live prediction (or
  // training) may have run the model since, and the views read that image's activations.
  Model& learn_model();
  std::vector<float> last_input();   // (C, H, W) of the last learn_run; throws before any
  std::vector<float> learn_x_;       // the last learn_run's input (C, H, W)
  std::unique_ptr<Model> model_;
  std::unique_ptr<Dataset> data_;
  std::unique_ptr<Trainer> trainer_;
  TrainConfig config_;
  std::vector<uint8_t> input_;  // (C, H, W) bytes: predict's preprocessed image
  // predict_batch / predict_stored: (chunk, C, H, W) input bytes, (n, classes) probabilities,
  // and one preprocessing scratch per thread
  std::vector<uint8_t> batch_in_;
  std::vector<float> batch_probs_;
  std::vector<PreprocessScratch> pre_;
  // fill(dst, i, thread) returns image i's (C, H, W) input bytes: written into dst, or where they
  // already are (a stored image); defined in session.cc
  template <class Fill>
  const std::vector<float>& run_batch(int n, Fill&& fill);
};

}  // namespace convlab
