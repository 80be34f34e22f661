// The Session: its model and images, training in slices, and prediction (one image or many).
// Model files in and out are in model_files.cc, the lecture views in session_learn.cc.
#include "convlab/session.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "convlab/layers.h"
#include "convlab/learn.h"
#include "convlab/looks.h"
#include "convlab/preprocess.h"
#include "convlab/rules.h"
#include "convlab/threadpool.h"

namespace convlab {

Session::Session() {
  // Start with the page's default net (the "webcam" preset), so the worker is ready to use
  // before the page sends its own spec.
  ModelSpec s = parse_spec(learn::presets().front().spec);
  model_ = std::make_unique<Model>(s, 1);
  data_ = std::make_unique<Dataset>(s.input);
}

std::string Session::set_spec(const std::string& spec_json, uint64_t seed) {
  auto m = std::make_unique<Model>(parse_spec(spec_json), seed);  // throws before touching anything
  const InputSpec &a = m->input(), &b = model_->input();
  bool same_input = a.channels == b.channels && a.height == b.height && a.width == b.width;
  trainer_.reset();
  model_ = std::move(m);
  if (!same_input) data_ = std::make_unique<Dataset>(model_->input());  // the page re-sends its images
  return info_json();
}

const std::vector<float>& Session::param(const std::string& name) const {
  const Model& m = *model_;
  for (const Param& p : m.params())
    if (p.name == name) return p.value;
  std::string names;
  for (const Param& p : m.params()) names += (names.empty() ? "" : ", ") + p.name;
  throw std::invalid_argument("the model has no parameter \"" + name + "\": it has " + names);
}

std::string Session::spec_json() const { return spec_to_json(model_->spec()).dump(2); }
std::string Session::info_json() const {
  Json j = model_info_json(model_->info());
  j["stored_size"] = stored_size_json(model_->input());
  return j.dump();
}

void Session::clear_images() {
  trainer_.reset();  // the trainer refers to the dataset
  data_->clear();
}

void Session::add_image(const uint8_t* rgba, size_t bytes, int w, int h, int label) {
  if (trainer_) throw std::invalid_argument("cannot add images while training: stop training first");
  check_rgba(bytes, w, h);
  data_->add_rgba(rgba, w, h, label);
}

void Session::insert_image(int at, const uint8_t* rgba, size_t bytes, int w, int h, int label) {
  if (training()) throw std::invalid_argument("cannot change the images while training: stop training first");
  check_rgba(bytes, w, h);
  trainer_.reset();
  data_->insert_rgba(at, rgba, w, h, label);
}

void Session::remove_image(int at) {
  if (training()) throw std::invalid_argument("cannot change the images while training: stop training first");
  trainer_.reset();
  data_->remove(at);
}

void Session::train_begin(const std::string& config_json) {
  TrainConfig c = parse_train_config(config_json);
  auto fresh = std::make_unique<Model>(model_->spec(), c.seed);
  trainer_.reset();
  auto t = std::make_unique<Trainer>(*fresh, *data_, c);  // throws on a bad config or dataset
  model_ = std::move(fresh);
  trainer_ = std::move(t);
  config_ = c;
}

std::string Session::train_run(int steps) {
  if (!trainer_) throw std::invalid_argument("no training in progress: start training first");
  trainer_->run(steps);
  const Trainer& t = *trainer_;
  Json j = Json::object({{"epoch", t.epoch()},
                         {"epochs", t.config().epochs},
                         {"step", t.step_in_epoch()},
                         {"steps_per_epoch", t.steps_per_epoch()},
                         {"images_seen", t.images_seen()},
                         {"train_size", int(t.train_indices().size())},
                         {"val_size", int(t.val_indices().size())},
                         {"done", t.done()},
                         {"diverged", t.diverged()}});
  if (t.diverged()) j.append("diverged_message", t.divergence_message());
  Json hist = Json::array();
  for (const auto& e : t.history())
    hist.push_back(Json::object({{"epoch", e.epoch},
                                 {"train_loss", double(e.train_loss)},
                                 {"train_acc", double(e.train_acc)},
                                 {"val_loss", std::isnan(e.val_loss) ? Json() : Json(double(e.val_loss))},
                                 {"val_acc", std::isnan(e.val_acc) ? Json() : Json(double(e.val_acc))}}));
  j.append("history", std::move(hist));
  j.append("confusion", json_numbers(t.confusion()));
  j.append("classes", model_->num_classes());
  if (t.done()) {
    // the first conv's filters over the run, for the page's "where it looks" view (looks.h)
    j.append("filters", looks::to_json(t.filter_history()));
    // Which stored images (indices in the order they were added) the trainer held out for
    // validation, so the page can show the validation confusion cells' images.
    j.append("val_indices", json_numbers(t.val_indices()));
  }
  return j.dump();
}

std::string Session::train_stop() {
  if (!trainer_) return "{}";
  // taken before the trainer, which holds the filter history, is let go
  std::string filters = looks::to_json(trainer_->filter_history()).dump();
  trainer_.reset();
  return filters;
}

std::vector<float> Session::predict(const uint8_t* rgba, size_t bytes, int w, int h) {
  if (trainer_ && !trainer_->done())
    throw std::invalid_argument("cannot predict while training is running: wait for it or stop it");
  check_rgba(bytes, w, h);
  input_.resize(size_t(model_->input_size()));
  preprocess_rgba_u8(input_.data(), rgba, w, h, model_->input());
  const float* logits = model_->predict_bytes(input_.data(), 1);  // bytes: converted by the threads
  std::vector<float> probs(size_t(model_->num_classes()));
  softmax_forward(probs.data(), logits, 1, model_->num_classes());
  return probs;
}

namespace {
// predict_batch's chunk: 32 images, or as many as keep one chunk's activations within 8M floats
// (32 MB), so a large input cannot make the batch buffers huge.
constexpr int kPredictChunkMax = 32;
constexpr int64_t kPredictChunkFloats = int64_t(8) << 20;
}  // namespace

int Session::predict_chunk() const {
  int64_t per = model_->input_size();
  for (const LayerInfo& l : model_->info().layers) per += l.out.size();
  return int(std::clamp<int64_t>(kPredictChunkFloats / per, 1, kPredictChunkMax));
}

template <class Fill>
const std::vector<float>& Session::run_batch(int n, Fill&& fill) {
  if (trainer_ && !trainer_->done())
    throw std::invalid_argument("cannot predict while training is running: wait for it or stop it");
  Model& m = *model_;
  const int classes = m.num_classes(), chunk = predict_chunk();
  const int64_t isz = m.input_size();
  batch_probs_.resize(size_t(n) * size_t(classes));
  batch_in_.resize(size_t(isz) * size_t(std::min(n, chunk)));
  if (pre_.size() < size_t(max_threads())) pre_.resize(size_t(max_threads()));
  for (int i0 = 0; i0 < n; i0 += chunk) {
    const int c = std::min(chunk, n - i0);
    // one image per piece: preprocessing is independent per image, so any split gives the same
    // bytes; the model converts them to floats on its threads (for one image, in its row bands).
    // One image already held as bytes (a stored one) goes to the model as it is, uncopied.
    const uint8_t* in = batch_in_.data();
    if (c == 1) {
      in = fill(batch_in_.data(), i0, 0);
    } else {
      parallel_for(c, [&](int b, int e, int t) {
        for (int i = b; i < e; ++i) {
          uint8_t* dst = batch_in_.data() + int64_t(i) * isz;
          if (const uint8_t* src = fill(dst, i0 + i, t); src != dst) std::memcpy(dst, src, size_t(isz));
        }
      });
    }
    const float* logits = m.predict_bytes(in, c);
    softmax_forward(batch_probs_.data() + int64_t(i0) * classes, logits, c, classes);
  }
  return batch_probs_;
}

const std::vector<float>& Session::predict_batch(const Rgba* images, int n) {
  if (n < 0) throw std::invalid_argument("the number of images must not be negative");
  for (int i = 0; i < n; ++i) {  // every check before any work: a bad image is named, nothing runs
    try {
      check_rgba(images[i].bytes, images[i].w, images[i].h);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("image " + std::to_string(i + 1) + " of " + std::to_string(n) + ": " + e.what());
    }
  }
  const InputSpec in = model_->input();
  // Every thread's scratch grown to the largest image up front (whichever thread takes it):
  // a resize tap list has at most src + 2 * out weights (each output reaches scale + 2 pixels).
  int max_w = 1, max_h = 1;
  for (int i = 0; i < n; ++i) max_w = std::max(max_w, images[i].w), max_h = std::max(max_h, images[i].h);
  if (pre_.size() < size_t(max_threads())) pre_.resize(size_t(max_threads()));
  for (PreprocessScratch& p : pre_) {
    p.tx.first.reserve(size_t(in.width)), p.tx.count.reserve(size_t(in.width));
    p.ty.first.reserve(size_t(in.height)), p.ty.count.reserve(size_t(in.height));
    p.tx.w.reserve(size_t(max_w + 2 * in.width)), p.ty.w.reserve(size_t(max_h + 2 * in.height));
    p.line.reserve(size_t(max_w) * 4);
  }
  return run_batch(n, [&](uint8_t* dst, int i, int t) -> const uint8_t* {
    const Rgba& im = images[i];
    preprocess_rgba_u8(dst, im.rgba, im.w, im.h, in, pre_[size_t(t)]);
    return dst;
  });
}

const std::vector<float>& Session::predict_stored(const int* indices, int n) {
  if (n < 0) throw std::invalid_argument("the number of images must not be negative");
  const int held = data_->size();
  for (int i = 0; i < n; ++i)
    if (indices[i] < 0 || indices[i] >= held)
      throw std::invalid_argument("no stored image " + std::to_string(indices[i]) + ": the engine holds " +
                                  std::to_string(held) + " images (0 to " + std::to_string(held - 1) +
                                  "); send the images first (addImages)");
  assert(data_->image_size() == model_->input_size());  // the store follows the model's input
  return run_batch(n, [&](uint8_t*, int i, int) { return data_->image(indices[i]); });
}

int Session::stored_label(int index) const {
  if (index < 0 || index >= data_->size())
    throw std::invalid_argument("no stored image " + std::to_string(index) + ": the engine holds " +
                                std::to_string(data_->size()) + " images");
  return data_->label(index);
}

int Session::set_threads(int n) {
  rules::check_threads(n);
  set_num_threads(n);
  return num_threads();
}

int Session::threads() const { return num_threads(); }

}  // namespace convlab
