#include "convlab/train.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "convlab/layers.h"
#include "convlab/preprocess.h"
#include "convlab/rules.h"

namespace convlab {

void Dataset::add_rgba(const uint8_t* rgba, int w, int h, int label) { insert_rgba(size(), rgba, w, h, label); }

void Dataset::add_bytes(const uint8_t* chw, int label) {
  if (label < 0) throw std::invalid_argument("an image label must be 0 or more");
  images_.emplace_back(chw, chw + image_size());
  labels_.push_back(label);
}

void Dataset::insert_rgba(int at, const uint8_t* rgba, int w, int h, int label) {
  if (at < 0 || at > size())
    throw std::invalid_argument("an image can be inserted at 0 to " + std::to_string(size()) + ", not at " + std::to_string(at));
  if (label < 0) throw std::invalid_argument("an image label must be 0 or more");
  std::vector<uint8_t> chw(static_cast<size_t>(image_size()));
  preprocess_rgba_u8(chw.data(), rgba, w, h, in_);
  images_.insert(images_.begin() + at, std::move(chw));
  labels_.insert(labels_.begin() + at, label);
}

void Dataset::remove(int at) {
  if (at < 0 || at >= size())
    throw std::invalid_argument("there is no image " + std::to_string(at) + " to remove (" + std::to_string(size()) + " held)");
  images_.erase(images_.begin() + at);
  labels_.erase(labels_.begin() + at);
}

void augment(float* out, const float* in, int c, int h, int w, int dx, int dy, bool flip) {
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < h; ++y) {
      int sy = y - dy;
      float* o = out + (ch * h + y) * w;
      if (sy < 0 || sy >= h) {
        std::memset(o, 0, sizeof(float) * size_t(w));
        continue;
      }
      const float* row = in + (ch * h + sy) * w;
      for (int x = 0; x < w; ++x) {
        int sx = x - dx;
        if (sx < 0 || sx >= w) { o[x] = 0.0f; continue; }
        o[x] = row[flip ? w - 1 - sx : sx];
      }
    }
}

namespace {
// Fisher-Yates with the seeded generator: the same order everywhere.
void shuffle(std::vector<int>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(static_cast<uint32_t>(i))]);
}
}  // namespace

Trainer::Trainer(Model& model, const Dataset& data, const TrainConfig& cfg)
    : model_(model), data_(data), cfg_(cfg), opt_(cfg.optim, model), rng_(cfg.seed, /*stream=*/2) {
  const InputSpec &a = data.input(), &b = model.input();
  if (a.channels != b.channels || a.height != b.height || a.width != b.width)
    throw std::invalid_argument("the images are stored at a different input size than the model's: re-add them");
  // the optimiser (constructed above) has refused what makes no sense at all (lr <= 0, ...)
  rules::check_range(rules::kEpochs, cfg.epochs);
  rules::check_range(rules::kBatchSize, cfg.batch_size, std::to_string(rules::kDefaultBatchSize));
  rules::check_range(rules::kLr, cfg.optim.lr, "0.001 for Adam or 0.01 for SGD");
  rules::check_range(rules::kMomentum, cfg.optim.momentum, "0.9");
  rules::check_range(rules::kValFraction, cfg.val_fraction, "0.2");
  rules::check_range(rules::kShift, cfg.shift);
  if (cfg.shift > std::min(b.height, b.width) / 2)
    throw std::invalid_argument("shift must be between 0 and half the input size (" +
                                std::to_string(std::min(b.height, b.width) / 2) + " pixels here)");
  const int classes = model.num_classes();
  std::vector<std::vector<int>> per_class(static_cast<size_t>(classes));
  for (int i = 0; i < data.size(); ++i) {
    if (data.label(i) >= classes)
      throw std::invalid_argument("an image has label " + std::to_string(data.label(i)) + " but the model's last layer has " +
                                  std::to_string(classes) + " outputs: set its out_features to the number of classes");
    per_class[size_t(data.label(i))].push_back(i);
  }
  for (int c = 0; c < classes; ++c)
    if (per_class[size_t(c)].empty())
      throw std::invalid_argument("class " + std::to_string(c) + " has no images: add some, or remove the class");
  // Stratified split: each class gives round(fraction * count) images to validation,
  // keeping at least one for training.
  Rng split(cfg.seed, /*stream=*/3);
  for (auto& idx : per_class) {
    shuffle(idx, split);
    int nval = static_cast<int>(std::lround(cfg.val_fraction * double(idx.size())));
    nval = std::min(nval, int(idx.size()) - 1);
    val_.insert(val_.end(), idx.begin(), idx.begin() + nval);
    train_.insert(train_.end(), idx.begin() + nval, idx.end());
  }
  order_ = train_;
  shuffle(order_, rng_);
  const int bs = cfg.batch_size;
  model_.reserve(bs);
  x_.assign(size_t(model.input_size() * bs), 0.0f);
  tmp_.assign(size_t(model.input_size()), 0.0f);
  probs_.assign(size_t(classes * bs), 0.0f);
  dlogits_.assign(size_t(classes * bs), 0.0f);
  labels_.assign(size_t(bs), 0);
  confusion_.assign(size_t(classes * classes), 0);
  good_.resize(model.params().size());
  keep_good_weights();  // the initial weights are the fallback until an epoch ends
  filters_.reset(model);  // the first conv layer's filters across training (looks.h): epoch 0, the initial ones
}

bool Trainer::weights_finite() const {
  const Model& m = model_;
  for (const Param& p : m.params())
    for (float v : p.value)
      if (!std::isfinite(v)) return false;
  return true;
}

// Sized once (here in the constructor's first call): later calls copy without allocating.
void Trainer::keep_good_weights() {
  const Model& m = model_;
  for (size_t i = 0; i < good_.size(); ++i) good_[i].assign(m.params()[i].value.begin(), m.params()[i].value.end());
}

void Trainer::restore_good_weights() {
  std::vector<Param>& ps = model_.params();  // marks the packed copies stale
  for (size_t i = 0; i < good_.size(); ++i) std::copy(good_[i].begin(), good_[i].end(), ps[i].value.begin());
}

std::string Trainer::divergence_message() const {
  if (!diverged_) return "";
  char lr[32];
  std::snprintf(lr, sizeof lr, "%g", cfg_.optim.lr / 10);
  const std::string kept = epoch_ > 0 ? "the model of epoch " + std::to_string(epoch_) + " is kept"
                                      : "no epoch ended, so the model is untrained";
  return std::string("training diverged in epoch ") + std::to_string(diverged_epoch_) + ": the " +
         (diverged_in_loss_ ? "loss" : "weights") + " stopped being a finite number (the steps grew too large). " +
         "Training stopped and " + kept + ". Try a smaller learning rate, for example " + lr +
         (cfg_.optim.kind == "sgd" && cfg_.optim.momentum > 0.9 ? ", or less momentum" : "") + ".";
}

bool Trainer::step(int count) {
  const InputSpec& in = model_.input();
  const int64_t isz = model_.input_size();
  for (int b = 0; b < count; ++b) {
    int idx = order_[size_t(pos_ + b)];
    labels_[size_t(b)] = data_.label(idx);
    bytes_to_input(tmp_.data(), data_.image(idx), isz);
    int dx = 0, dy = 0;
    bool flip = false;
    if (cfg_.shift > 0) {
      dx = int(rng_.below(uint32_t(2 * cfg_.shift + 1))) - cfg_.shift;
      dy = int(rng_.below(uint32_t(2 * cfg_.shift + 1))) - cfg_.shift;
    }
    if (cfg_.flip) flip = rng_.below(2) == 1;
    augment(x_.data() + b * isz, tmp_.data(), in.channels, in.height, in.width, dx, dy, flip);
  }
  const int classes = model_.num_classes();
  const float* logits = model_.forward(x_.data(), count);
  float loss = softmax_cross_entropy_forward(probs_.data(), logits, labels_.data(), count, classes);
  // NaN or inf: the weights already are (or the gradient would make them) garbage
  if (!std::isfinite(loss)) return false;
  softmax_cross_entropy_backward(dlogits_.data(), probs_.data(), labels_.data(), count, classes);
  model_.zero_grad();
  model_.backward(dlogits_.data());
  opt_.step(model_);
  run_loss_ += double(loss) * count;
  for (int b = 0; b < count; ++b) {
    const float* p = probs_.data() + b * classes;
    int best = 0;
    for (int c = 1; c < classes; ++c) best = p[c] > p[best] ? c : best;
    run_correct_ += best == labels_[size_t(b)];
  }
  run_count_ += count;
  images_seen_ += count;
  return true;
}

Trainer::Eval Trainer::evaluate(const std::vector<int>& indices) {
  const int classes = model_.num_classes(), bs = cfg_.batch_size;
  const int64_t isz = model_.input_size();
  Eval e{0, 0, std::vector<int>(size_t(classes * classes), 0)};
  double loss = 0;
  int64_t correct = 0;
  for (size_t start = 0; start < indices.size(); start += size_t(bs)) {
    int count = static_cast<int>(std::min(indices.size() - start, size_t(bs)));
    for (int b = 0; b < count; ++b) {
      int idx = indices[start + size_t(b)];
      labels_[size_t(b)] = data_.label(idx);
      bytes_to_input(x_.data() + b * isz, data_.image(idx), isz);
    }
    const float* logits = model_.predict(x_.data(), count);
    loss += double(softmax_cross_entropy_forward(probs_.data(), logits, labels_.data(), count, classes)) * count;
    for (int b = 0; b < count; ++b) {
      const float* p = probs_.data() + b * classes;
      int best = 0;
      for (int c = 1; c < classes; ++c) best = p[c] > p[best] ? c : best;
      correct += best == labels_[size_t(b)];
      e.confusion[size_t(labels_[size_t(b)] * classes + best)]++;
    }
  }
  if (!indices.empty()) {
    e.loss = static_cast<float>(loss / double(indices.size()));
    e.acc = static_cast<float>(double(correct) / double(indices.size()));
  }
  return e;
}

bool Trainer::run(int max_steps) {
  for (int s = 0; s < max_steps && !done(); ++s) {
    int count = std::min(cfg_.batch_size, int(order_.size()) - pos_);
    if (!step(count)) {
      diverge(true);
      break;
    }
    pos_ += count;
    if (pos_ >= int(order_.size())) {
      if (!weights_finite()) {
        diverge(false);
        break;
      }
      EpochStats st;
      st.epoch = ++epoch_;
      st.train_loss = static_cast<float>(run_loss_ / double(run_count_));
      st.train_acc = static_cast<float>(double(run_correct_) / double(run_count_));
      if (!val_.empty()) {
        Eval e = evaluate(val_);
        st.val_loss = e.loss;
        st.val_acc = e.acc;
        confusion_ = e.confusion;
      } else {
        st.val_loss = st.val_acc = std::numeric_limits<float>::quiet_NaN();
        confusion_ = evaluate(train_).confusion;
      }
      history_.push_back(st);
      run_loss_ = 0;
      run_correct_ = run_count_ = 0;
      pos_ = 0;
      shuffle(order_, rng_);
      keep_good_weights();
      filters_.keep(model_, epoch_);  // this epoch's filters, for the filters-across-epochs view
    }
  }
  return done();
}

void Trainer::diverge(bool in_loss) {
  diverged_ = true;
  diverged_epoch_ = epoch_ + 1;
  diverged_in_loss_ = in_loss;
  restore_good_weights();
}

TrainConfig parse_train_config(const std::string& text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const JsonError& e) {
    throw std::invalid_argument(std::string("training settings are not valid JSON: ") + e.what());
  }
  TrainConfig c;
  auto num = [&](const char* key, double def) {
    const Json* v = j.find(key);
    if (!v) return def;
    if (!v->is_number() || !std::isfinite(v->as_number()))
      throw std::invalid_argument(std::string("setting \"") + key + "\" must be a number, not " + v->dump());
    return v->as_number();
  };
  auto whole = [&](const char* key, double def) {
    double d = num(key, def);
    if (d != std::floor(d)) throw std::invalid_argument(std::string("setting \"") + key + "\" must be a whole number");
    return d;
  };
  c.epochs = int(whole("epochs", c.epochs));
  c.batch_size = int(whole("batch_size", c.batch_size));
  c.val_fraction = num("val_fraction", c.val_fraction);
  c.shift = int(whole("shift", c.shift));
  double seed = whole("seed", double(c.seed));
  rules::check_range(rules::kSeed, seed);
  c.seed = uint64_t(seed);
  if (const Json* f = j.find("flip")) {
    if (!f->is_bool()) throw std::invalid_argument("setting \"flip\" must be true or false");
    c.flip = f->as_bool();
  }
  if (const Json* o = j.find("optimizer")) {
    if (!o->is_string()) throw std::invalid_argument("setting \"optimizer\" must be \"sgd\" or \"adam\"");
    c.optim.kind = o->as_string();
  }
  c.optim.lr = num("lr", rules::default_lr(c.optim.kind));
  c.optim.momentum = num("momentum", c.optim.momentum);
  c.optim.weight_decay = num("weight_decay", c.optim.weight_decay);
  return c;
}

Json train_config_json(const TrainConfig& c) {
  return Json::object({{"epochs", c.epochs}, {"batch_size", c.batch_size}, {"optimizer", c.optim.kind},
                       {"lr", c.optim.lr}, {"momentum", c.optim.momentum}, {"weight_decay", c.optim.weight_decay},
                       {"val_fraction", c.val_fraction}, {"shift", c.shift}, {"flip", c.flip},
                       {"seed", int64_t(c.seed)}});
}

}  // namespace convlab
