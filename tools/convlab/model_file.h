// A model file the page wrote (NAME.safetensors: "Download model" / "Save weights") read back,
// and the page's two other downloads made from it with core's exporters (onnx.h,
// torch_script.h). Shared by `convlab export`, `convlab predict` and tools/convlab_export.cc.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "convlab/model.h"

namespace convlab::cli {

struct ModelFile {
  Model model;
  std::vector<std::string> classes;             // the class names (the file's "classes" metadata, --classes; may be empty)
  std::map<std::string, std::string> metadata;  // what the page passes on to its exports
};

// What the command line adds (--spec, --classes) for a file without ConvLab's metadata: a
// state_dict PyTorch saved (safetensors' save_file) has tensors only. The page's Load model
// loads such a file into the project's model, by names and shapes; --spec is that model here.
struct ModelSource {
  std::string spec_json;             // the spec (JSON text) the weights load into; empty: the file's own
  std::string spec_name;             // where it came from, for messages ("cat.spec.json")
  std::vector<std::string> classes;  // --classes: one name per output; empty: the file's, else "class 0", ...
};

// Throws FormatError / SpecError / std::invalid_argument with the file's problem. A file with
// neither its own spec nor src.spec_json is refused with a message saying to pass --spec.
ModelFile read_model_file(const uint8_t* data, size_t size, const ModelSource& src = {});
// "cat,dog, bird" -> {"cat", "dog", "bird"} (each trimmed); an empty name is a std::invalid_argument.
std::vector<std::string> parse_class_list(const std::string& text);
// The options --spec SPEC.json (spec_text: the file's text, read by the caller: this file does no
// I/O, tools/convlab_export.cc links it alone) and --classes LIST ("" when not given) as a
// ModelSource: the spec validated (its errors name spec_path), the class list parsed.
ModelSource model_source(const std::string& spec_path, const std::string& spec_text, const std::string& classes);
// NAME.onnx as the page's Download model .onnx writes it (the classes and training settings in
// metadata_props).
std::vector<uint8_t> model_onnx(const ModelFile& f);
// NAME.py as the page's .py download: loads `weights_file` (NAME.safetensors).
std::string model_torch(const ModelFile& f, const std::string& weights_file);

}  // namespace convlab::cli
