// The Session's model files: safetensors saved and loaded (with the fit check and adopting a
// file's own model), ONNX and PyTorch exports.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "convlab/onnx.h"
#include "convlab/preprocess.h"
#include "convlab/safetensors.h"
#include "convlab/session.h"
#include "convlab/torch_script.h"

namespace convlab {

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
  if (f.fits) return Json::object({{"fits", true}}).dump();
  const std::string refusal = adopt_refusal(f, classes);
  return Json::object({{"fits", false},
                       {"adoptable", refusal.empty()},
                       {"message", "The file is for another model. " + f.mismatch + "." +
                                       (refusal.empty() ? " Adopt the file's model to replace this project's model with it."
                                                        : " It cannot be adopted: " + refusal + ".")}})
      .dump();
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

}  // namespace convlab
