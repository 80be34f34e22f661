#include "model_file.h"

#include "convlab/json.h"
#include "convlab/onnx.h"
#include "convlab/safetensors.h"
#include "convlab/torch_script.h"

namespace convlab::cli {

ModelFile read_model_file(const uint8_t* data, size_t size) {
  Model model = load_model(data, size);  // validates everything
  const SafeTensors st = read_safetensors(data, size);
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
  // the settings the weights were trained with: the page's exports carry them too
  if (auto it = st.metadata.find("convlab_training"); it != st.metadata.end()) f.metadata["convlab_training"] = it->second;
  return f;
}

std::vector<uint8_t> model_onnx(const ModelFile& f) { return export_onnx(f.model, f.metadata); }

std::string model_torch(const ModelFile& f, const std::string& weights_file) {
  return torch_script(f.model.spec(), f.classes, weights_file);
}

}  // namespace convlab::cli
