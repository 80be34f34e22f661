#include "convlab/session.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>

#include "convlab/layers.h"
#include "convlab/learn.h"
#include "convlab/looks.h"
#include "convlab/onnx.h"
#include "convlab/preprocess.h"
#include "convlab/rules.h"
#include "convlab/safetensors.h"
#include "convlab/threadpool.h"
#include "convlab/torch_script.h"

namespace convlab {

namespace {

Json shape_json(const Shape& s) {
  Json j = Json::array();
  j.push_back(s.c);
  if (!s.flat) {
    j.push_back(s.h);
    j.push_back(s.w);
  }
  return j;
}

}  // namespace

Json model_info_json(const ModelInfo& info) {
  Json j = Json::object();
  j["input"] = shape_json(info.input);
  Json layers = Json::array();
  for (size_t i = 0; i < info.layers.size(); ++i) {
    const LayerInfo& l = info.layers[i];
    Json o = Json::object();
    o["index"] = int(i);
    o["type"] = layer_type_name(l.spec.type);
    o["describe"] = l.describe();
    o["in"] = shape_json(l.in);
    o["out"] = shape_json(l.out);
    o["params"] = l.params;
    o["params_formula"] = l.params_formula;
    o["macs"] = l.macs;
    o["size_formula"] = l.size_formula;
    o["rf"] = l.rf;
    o["jump"] = l.jump;
    o["rf_full"] = l.rf_full;
    Json pad = Json::array();
    for (int p : {l.pad_top, l.pad_left, l.pad_bottom, l.pad_right}) pad.push_back(p);
    o["padding"] = pad;
    layers.push_back(o);
  }
  j["layers"] = layers;
  j["output"] = shape_json(info.output);
  j["params"] = info.params;
  j["macs"] = info.macs;
  return j;
}

Json spec_report_json(const SpecReport& r) {
  Json j = model_info_json(r.info);
  j["ok"] = r.ok;
  if (!r.ok) {
    j["error_layer"] = r.error_layer;
    j["error_field"] = r.error_field;
    j["error"] = r.error;
  }
  return j;
}

std::string check_spec_json(const std::string& text, int classes) {
  return spec_report_json(check_spec(text, true, classes)).dump();
}

std::string learn_check_spec_json(const std::string& text, int classes) {
  // Every shape and count, even of a net over the parameter budget (it is for reading: no
  // training rule applies). Within that budget the error is what training would refuse (the
  // activation budget, the class rule), reported on the same full table.
  SpecReport r = check_spec(text, false);
  const bool over = r.ok && r.info.params > kMaxParameters;
  if (r.ok && !over) {
    const SpecReport t = check_spec(text, true, classes);
    if (!t.ok) {
      r.ok = false;
      r.error_layer = t.error_layer;
      r.error_field = t.error_field;
      r.error = t.error;
    }
  }
  Json j = spec_report_json(r);
  j["over_budget"] = over;
  j["max_params"] = kMaxParameters;
  if (over) j["budget_error"] = r.budget_error;
  return j.dump();
}

Json stored_size_json(const InputSpec& in) {
  rules::Size s = rules::stored_size(in.height, in.width);
  Json j = Json::object();
  j["width"] = s.width;
  j["height"] = s.height;
  return j;
}

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
  Json j = Json::object();
  j["epoch"] = t.epoch();
  j["epochs"] = t.config().epochs;
  j["step"] = t.step_in_epoch();
  j["steps_per_epoch"] = t.steps_per_epoch();
  j["images_seen"] = t.images_seen();
  j["train_size"] = int(t.train_indices().size());
  j["val_size"] = int(t.val_indices().size());
  j["done"] = t.done();
  j["diverged"] = t.diverged();
  if (t.diverged()) j["diverged_message"] = t.divergence_message();
  Json hist = Json::array();
  for (const auto& e : t.history()) {
    Json h = Json::object();
    h["epoch"] = e.epoch;
    h["train_loss"] = double(e.train_loss);
    h["train_acc"] = double(e.train_acc);
    h["val_loss"] = std::isnan(e.val_loss) ? Json() : Json(double(e.val_loss));
    h["val_acc"] = std::isnan(e.val_acc) ? Json() : Json(double(e.val_acc));
    hist.push_back(h);
  }
  j["history"] = hist;
  Json conf = Json::array();
  for (int v : t.confusion()) conf.push_back(v);
  j["confusion"] = conf;
  j["classes"] = model_->num_classes();
  if (t.done()) j["filters"] = looks::to_json(t.filter_history());  // ---- where it looks ----
  if (t.done()) {
    // Which stored images (indices in the order they were added) the trainer held out for
    // validation, so the page can show the validation confusion cells' images.
    Json vi = Json::array();
    for (int i : t.val_indices()) vi.push_back(i);
    j["val_indices"] = vi;
  }
  return j.dump();
}

std::string Session::train_stop() {
  if (!trainer_) return "{}";
  std::string filters = looks::to_json(trainer_->filter_history()).dump();  // ---- where it looks ----
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


namespace {

std::map<std::string, std::string> metadata_map(const std::string& metadata_json) {
  std::map<std::string, std::string> meta;
  if (metadata_json.empty()) return meta;
  Json j = Json::parse(metadata_json);
  if (!j.is_object()) throw std::invalid_argument("the model metadata must be a JSON object such as {\"classes\": [\"cat\", \"dog\"]}");
  for (const auto& [k, v] : j.members()) meta[k] = v.is_string() ? v.as_string() : v.dump();
  return meta;
}

std::string dims_text(const std::vector<int64_t>& shape) {
  std::string s;
  for (auto d : shape) s += (s.empty() ? "" : ",") + std::to_string(d);
  return "[" + s + "]";
}

std::string input_text(const InputSpec& in) {
  return std::to_string(in.channels) + "×" + std::to_string(in.height) + "×" + std::to_string(in.width);
}

// A file relative to the current model: does it fit, and if not, the first difference.
struct FileFit {
  SafeTensors st;
  bool has_spec = false;
  ModelSpec spec;  // the file's, when has_spec
  bool fits = false;
  std::string mismatch;
};

FileFit fit_file(const uint8_t* bytes, size_t size, const Model& current) {
  FileFit f;
  try {
    f.st = read_safetensors(bytes, size);
  } catch (const FormatError& e) {
    // ModelProto starts with field 1 (ir_version) as a varint: 0x08 then a small number
    if (size >= 2 && bytes[0] == 0x08 && bytes[1] < 0x20)
      throw FormatError(std::string("this looks like an ONNX file: ConvLab loads model weights from .safetensors files "
                                    "(NAME.safetensors of a download), not ONNX (") + e.what() + ")");
    throw;
  }
  if (auto it = f.st.metadata.find("convlab_spec"); it != f.st.metadata.end()) {
    try {
      f.spec = parse_spec(it->second);
      validate(f.spec);
    } catch (const SpecError& e) {
      throw FormatError(std::string("the model spec inside the file is invalid: ") + e.what());
    }
    f.has_spec = true;
    if (spec_to_json(f.spec).dump() == spec_to_json(current.spec()).dump()) {
      f.fits = true;
      return f;
    }
  }
  // tensor by tensor, in the current model's order: the first that differs is named
  for (const Param& p : current.params()) {
    const NamedTensor* t = f.st.find(p.name);
    if (!t) {
      f.mismatch = p.name + ": the file has no such tensor, this project's model has it with shape " + dims_text(p.shape);
      return f;
    }
    if (t->shape != p.shape) {
      f.mismatch = p.name + ": the file has shape " + dims_text(t->shape) + ", this project's model " + dims_text(p.shape);
      return f;
    }
  }
  for (const NamedTensor& t : f.st.tensors)
    if (!std::any_of(current.params().begin(), current.params().end(), [&](const Param& p) { return p.name == t.name; })) {
      f.mismatch = t.name + ": the file has this tensor (shape " + dims_text(t.shape) + "), this project's model has none";
      return f;
    }
  if (!f.has_spec) {
    f.fits = true;  // a PyTorch-written file with our names and shapes
    return f;
  }
  // same tensors, another spec: the input or a layer without weights differs
  const ModelInfo fi = validate(f.spec);
  const ModelInfo& ci = current.info();
  const InputSpec &a = f.spec.input, &b = current.input();
  if (a.channels != b.channels || a.height != b.height || a.width != b.width) {
    f.mismatch = "the input: the file's model takes " + input_text(a) + " images, this project's " + input_text(b);
    return f;
  }
  for (size_t i = 0; i < std::max(fi.layers.size(), ci.layers.size()); ++i) {
    const std::string x = i < fi.layers.size() ? fi.layers[i].describe() : "no layer";
    const std::string y = i < ci.layers.size() ? ci.layers[i].describe() : "no layer";
    if (x != y) {
      f.mismatch = "layer " + std::to_string(i) + ": the file has " + x + ", this project's model " + y;
      return f;
    }
  }
  f.mismatch = "the file's spec differs from this project's";  // unreachable if describe() is complete
  return f;
}

// Why an adopted model would not fit the project ("" when it would).
std::string adopt_refusal(const FileFit& f, int classes) {
  if (!f.has_spec)
    return "the file has no ConvLab spec in its metadata, so its model cannot be adopted: build the same model "
           "(layer i is nn.Sequential module i) and load it again";
  const int outputs = validate(f.spec).output.c;
  if (classes > 0 && outputs != classes)
    return "the file's model has " + std::to_string(outputs) + " outputs but this project has " + std::to_string(classes) +
           " classes: add or delete classes until there are " + std::to_string(outputs) + ", then load the file again";
  return "";
}

}  // namespace

std::vector<uint8_t> Session::save(const std::string& metadata_json) const {
  std::map<std::string, std::string> meta = metadata_map(metadata_json);
  meta["convlab_training"] = train_config_json(config_).dump();
  meta["convlab_preprocessing"] = preprocessing_json(model_->input()).dump();
  return save_safetensors(*model_, meta);
}

std::vector<uint8_t> Session::export_onnx(const std::string& metadata_json) const {
  std::map<std::string, std::string> meta = metadata_map(metadata_json);
  meta["convlab_training"] = train_config_json(config_).dump();
  return convlab::export_onnx(*model_, meta);
}

std::string Session::export_torch(const std::string& metadata_json, const std::string& weights_file) const {
  std::vector<std::string> names;
  if (!metadata_json.empty()) {
    Json j = Json::parse(metadata_json);
    if (const Json* c = j.is_object() ? j.find("classes") : nullptr; c && c->is_array())
      for (const Json& n : c->items()) names.push_back(n.is_string() ? n.as_string() : n.dump());
  }
  return torch_script(model_->spec(), names, weights_file);
}

std::string Session::load_check(const uint8_t* bytes, size_t size, int classes) const {
  FileFit f = fit_file(bytes, size, *model_);
  Json j = Json::object();
  j["fits"] = f.fits;
  if (!f.fits) {
    const std::string refusal = adopt_refusal(f, classes);
    j["adoptable"] = refusal.empty();
    j["message"] = "The file is for another model. " + f.mismatch + "." +
                   (refusal.empty() ? " Adopt the file's model to replace this project's model with it."
                                    : " It cannot be adopted: " + refusal + ".");
  }
  return j.dump();
}

std::string Session::load(const uint8_t* bytes, size_t size, bool adopt, int classes) {
  FileFit f = fit_file(bytes, size, *model_);  // throws before anything changes
  if (!f.fits) {
    const std::string refusal = adopt_refusal(f, classes);
    if (!adopt || !refusal.empty())
      throw FormatError("The file is for another model. " + f.mismatch + "." +
                        (!refusal.empty() ? " It cannot be adopted: " + refusal + "."
                                          : " Adopt the file's model to replace this project's model with it."));
  }
  Model m = load_weights(f.st, f.has_spec ? f.spec : model_->spec(), f.has_spec ? "its spec" : "this project's model");
  const InputSpec &a = m.input(), &b = model_->input();
  bool same_input = a.channels == b.channels && a.height == b.height && a.width == b.width;
  trainer_.reset();
  model_ = std::make_unique<Model>(std::move(m));
  if (!same_input) data_ = std::make_unique<Dataset>(model_->input());
  return info_json();
}

// ---- the lecture views ----

Model& Session::idle_model() {
  if (training()) throw std::invalid_argument("the model is training: wait for training to finish or stop it");
  return *model_;
}

Model& Session::learn_model() {
  Model& m = idle_model();
  // a model replaced since (new spec, loaded file) has another input size: nothing to restore
  if (learn_x_.empty() || int64_t(learn_x_.size()) != m.input_size()) return m;
  const bool current = m.last_run_was_forward() && m.last_batch() == 1 &&
                       std::memcmp(m.activation(-1, 0), learn_x_.data(), sizeof(float) * learn_x_.size()) == 0;
  if (!current) m.forward(learn_x_.data(), 1);
  return m;
}

std::vector<float> Session::last_input() {
  Model& m = learn_model();
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const float* x = m.activation(-1, 0);
  return std::vector<float>(x, x + m.input_size());
}

std::vector<float> Session::learn_run(const uint8_t* rgba, size_t bytes, int w, int h) {
  Model& m = idle_model();
  check_rgba(bytes, w, h);
  learn::forward_rgba(m, learn_x_, rgba, w, h);
  return learn_x_;
}

std::vector<float> Session::learn_activation(int layer) {
  Model& m = learn_model();
  const int n = int(m.info().layers.size());
  if (layer < -1 || layer >= n)
    throw std::invalid_argument("no layer " + std::to_string(layer) + ": the model has layers 0 to " + std::to_string(n - 1) +
                                " (-1: the input)");
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const int64_t size = layer < 0 ? m.input_size() : m.info().layers[size_t(layer)].out.size();
  const float* a = m.activation(layer, 0);
  return std::vector<float>(a, a + size);
}

std::vector<float> Session::learn_probabilities() {
  Model& m = learn_model();
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const int c = m.num_classes();
  std::vector<float> p(static_cast<size_t>(c));
  softmax_forward(p.data(), m.activation(int(m.info().layers.size()) - 1, 0), 1, c);
  return p;
}

std::string Session::learn_conv_step(int layer, int filter, int oy, int ox) {
  return learn::to_json(learn::conv_step(learn_model(), layer, filter, oy, ox)).dump();
}

std::string Session::learn_equivariance(int layer, int dx, int dy) {
  auto x = last_input();
  Model& m = *model_;
  Json j = learn::to_json(learn::measure_equivariance(m, x.data(), layer, dx, dy));
  const float* shifted = m.activation(-1, 1);  // image 1 of the pair
  Json s = Json::array();
  for (int64_t i = 0; i < m.input_size(); ++i) s.push_back(double(shifted[i]));
  j["shifted_input"] = s;
  m.forward(x.data(), 1);  // leave the unshifted image as the last run
  return j.dump();
}

std::string Session::learn_pool_invariance(int layer, int max_shift) {
  Model& m = learn_model();
  const auto& layers = m.info().layers;
  if (layer < 0 || layer >= int(layers.size()) ||
      (layers[size_t(layer)].spec.type != LayerType::MaxPool2d && layers[size_t(layer)].spec.type != LayerType::AvgPool2d))
    throw std::invalid_argument("layer " + std::to_string(layer) + " is not a pooling layer: pick a maxpool2d or avgpool2d layer");
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const LayerInfo& li = layers[size_t(layer)];
  return learn::to_json(learn::pool_invariance(m.activation(layer - 1, 0), li.in.c, li.in.h, li.in.w, li.spec.kernel,
                                               li.spec.stride, max_shift))
      .dump();
}

std::string Session::learn_predict_shifts(const std::vector<int>& shifts) {
  auto x = last_input();
  auto rows = learn::predict_shifts(*model_, x.data(), shifts);
  model_->forward(x.data(), 1);  // leave the unshifted image as the last run
  Json a = Json::array();
  for (const auto& r : rows) {
    Json row = Json::array();
    for (float p : r) row.push_back(double(p));
    a.push_back(row);
  }
  return a.dump();
}

std::string Session::learn_receptive_field(int layer, int oy, int ox) const {
  return learn::to_json(learn::receptive_field(model_->info(), layer, oy, ox)).dump();
}

// ---- where it looks ----
namespace {
int predicted_class(const Model& m) {
  const int c = m.num_classes();
  const float* logits = m.activation(int(m.info().layers.size()) - 1, 0);
  return int(std::max_element(logits, logits + c) - logits);
}
}  // namespace

std::string Session::learn_saliency(int cls) {
  auto x = last_input();
  Model& m = *model_;
  if (cls == -1) cls = predicted_class(m);
  Json j = looks::to_json(looks::saliency(m, x.data(), cls));  // runs x itself: still the last run
  return j.dump();
}

std::string Session::learn_occlusion(int cls, int patch, int stride) {
  auto x = last_input();
  Model& m = *model_;
  if (cls == -1) cls = predicted_class(m);
  Json j;
  try {
    j = looks::to_json(looks::occlusion(m, x.data(), cls, patch, stride, predict_chunk()));
  } catch (...) {
    m.forward(x.data(), 1);
    throw;
  }
  m.forward(x.data(), 1);  // leave the unoccluded image as the last run
  return j.dump();
}

}  // namespace convlab
