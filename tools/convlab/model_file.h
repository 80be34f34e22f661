// A model file the page wrote (NAME.safetensors: "Download model" / "Save weights") read back,
// and the page's two other downloads made from it with core's exporters (onnx.h,
// torch_script.h). Shared by `convlab export` and tools/convlab_export.cc.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "convlab/model.h"

namespace convlab::cli {

struct ModelFile {
  Model model;
  std::vector<std::string> classes;             // the file's "classes" metadata (may be empty)
  std::map<std::string, std::string> metadata;  // what the page passes on to its exports
};

// Throws FormatError / SpecError with the file's problem.
ModelFile read_model_file(const uint8_t* data, size_t size);
// NAME.onnx as the page's Download model .onnx writes it (the classes and training settings in
// metadata_props).
std::vector<uint8_t> model_onnx(const ModelFile& f);
// NAME.py as the page's .py download: loads `weights_file` (NAME.safetensors).
std::string model_torch(const ModelFile& f, const std::string& weights_file);

}  // namespace convlab::cli
