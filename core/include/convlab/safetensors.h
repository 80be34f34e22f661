// Weights as safetensors (ref: huggingface/safetensors, "Format"): an 8-byte little-endian
// header length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets": [b, e]}, ...,
// "__metadata__": {str: str}}, then the raw little-endian tensor bytes. The ConvLab spec and
// training settings ride in __metadata__, so torch can rebuild the nn.Sequential.
#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "convlab/model.h"

namespace convlab {

struct FormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

struct SafeTensors {
  std::vector<NamedTensor> tensors;  // in file order
  std::map<std::string, std::string> metadata;
  const NamedTensor* find(const std::string& name) const;
};

// metadata gets "format": "pt" and "convlab_spec" (the spec JSON) added.
std::vector<uint8_t> save_safetensors(const Model& model, const std::map<std::string, std::string>& metadata = {});
std::vector<uint8_t> write_safetensors(const SafeTensors& st);
// Validates everything (sizes, offsets, dtypes, shapes, overlap, holes); throws FormatError.
SafeTensors read_safetensors(const uint8_t* data, size_t size);
// A new model from a ConvLab file: its spec from the metadata, every parameter present with
// the right shape and finite values, nothing extra. Throws FormatError / SpecError; the
// caller's current model is never touched.
Model load_model(const uint8_t* data, size_t size);
// A new model of `spec` with the file's weights: every parameter present under its state_dict
// name with the right shape and finite values, nothing extra (a PyTorch-written file with the
// same names and shapes qualifies; its metadata is not read). `whose` names the spec in
// messages ("its spec", "this project's model"). Throws FormatError.
Model load_weights(const SafeTensors& st, const ModelSpec& spec, const std::string& whose);

}  // namespace convlab
