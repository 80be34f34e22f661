#include "model_file.h"

#include <stdexcept>

#include "convlab/json.h"
#include "convlab/onnx.h"
#include "convlab/safetensors.h"
#include "convlab/torch_script.h"

namespace convlab::cli {

namespace {

// The model of a file without ConvLab's spec, or of --spec: the file's weights in the spec's
// model by state_dict name and shape, as the page's Load model loads a PyTorch-written file into
// the project's model (Session::load calls the same load_weights).
Model model_of_spec(const SafeTensors& st, const ModelSource& src) {
  const ModelSpec spec = parse_spec(src.spec_json);  // the caller has checked it, naming its file
  if (auto it = st.metadata.find("convlab_spec"); it != st.metadata.end()) {
    std::string own;
    try {
      own = spec_to_json(parse_spec(it->second)).dump();
    } catch (const SpecError& e) {
      throw FormatError(std::string("the model spec inside the file is invalid: ") + e.what());
    }
    if (own != spec_to_json(spec).dump())
      throw FormatError("the file's metadata holds the spec of another model than " + src.spec_name +
                        ": leave out --spec to use the file's own model, or give the spec its weights were trained with");
  }
  return load_weights(st, spec, "the model of " + src.spec_name);
}

}  // namespace

std::vector<std::string> parse_class_list(const std::string& text) {
  std::vector<std::string> names;
  size_t at = 0;
  for (;;) {
    const size_t comma = text.find(',', at);
    std::string name = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    const size_t b = name.find_first_not_of(" \t"), e = name.find_last_not_of(" \t");
    name = b == std::string::npos ? "" : name.substr(b, e - b + 1);
    if (name.empty())
      throw std::invalid_argument("--classes \"" + text + "\" has an empty name: give the names separated by commas, such as --classes cat,dog");
    names.push_back(name);
    if (comma == std::string::npos) return names;
    at = comma + 1;
  }
}

ModelSource model_source(const std::string& spec_path, const std::string& spec_text, const std::string& classes) {
  ModelSource src;
  if (!spec_path.empty()) {
    src.spec_json = spec_text;
    src.spec_name = spec_path.substr(spec_path.find_last_of('/') + 1);
    try {
      validate(parse_spec(src.spec_json));
    } catch (const std::exception& e) {
      throw std::runtime_error(spec_path + ": " + e.what());
    }
  }
  if (!classes.empty()) src.classes = parse_class_list(classes);
  return src;
}

ModelFile read_model_file(const uint8_t* data, size_t size, const ModelSource& src) {
  const SafeTensors st = read_safetensors(data, size);
  const bool has_spec = st.metadata.count("convlab_spec") != 0;
  if (!has_spec && src.spec_json.empty())
    throw FormatError(
        "this safetensors file has no ConvLab spec in its metadata (\"convlab_spec\"): it holds weights only, as a "
        "state_dict PyTorch saved. Pass the spec of its model with --spec SPEC.json (layer i is nn.Sequential module "
        "i; `convlab check SPEC.json` shows its table) and the class names with --classes a,b,c");
  Model model = src.spec_json.empty() ? load_model(data, size) : model_of_spec(st, src);  // validates everything
  ModelFile f{std::move(model), {}, {}};
  if (auto it = st.metadata.find("classes"); it != st.metadata.end()) {
    f.metadata["classes"] = it->second;
    Json c;
    try {
      c = Json::parse(it->second);
    } catch (const JsonError&) {
      throw FormatError("the file's \"classes\" metadata is not JSON: it was not written by ConvLab, or it is damaged");
    }
    if (c.is_array())
      for (const Json& n : c.items()) f.classes.push_back(n.is_string() ? n.as_string() : n.dump());
  }
  const int outputs = f.model.num_classes();
  if (!src.classes.empty()) {
    if (int(src.classes.size()) != outputs)
      throw std::invalid_argument("--classes gives " + std::to_string(src.classes.size()) + " names but the model has " +
                                  std::to_string(outputs) + " outputs: give one name per output");
    f.classes = src.classes;
  } else if (!has_spec) {
    // as a project names its classes: "class 0", "class 1", ... (one per output of the last layer)
    f.classes.clear();
    for (int k = 0; k < outputs; ++k) f.classes.push_back("class " + std::to_string(k));
  }
  if (!src.classes.empty() || !has_spec) {
    Json names = Json::array();
    for (const std::string& n : f.classes) names.push_back(n);
    f.metadata["classes"] = names.dump();
  }
  // the settings the weights were trained with: the page's exports carry them too
  if (auto it = st.metadata.find("convlab_training"); it != st.metadata.end()) f.metadata["convlab_training"] = it->second;
  return f;
}

std::vector<uint8_t> model_onnx(const ModelFile& f) { return export_onnx(f.model, f.metadata); }

std::string model_torch(const ModelFile& f, const std::string& weights_file) {
  return torch_script(f.model.spec(), f.classes, weights_file);
}

}  // namespace convlab::cli
