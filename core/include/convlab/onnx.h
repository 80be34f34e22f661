// A model as an ONNX file (ref: onnx/onnx.proto; operators of docs/Operators.md at opset 13),
// written by a protobuf wire-format writer of a few dozen lines: no protobuf library.
// The graph: input "input" float (N, C, H, W) with a symbolic batch "N"; per layer Conv
// (explicit pads, PyTorch's asymmetric "same" for even kernels), Relu, MaxPool, AveragePool
// (count_include_pad = 1, as ConvLab and PyTorch's default), Flatten, Gemm (transB = 1:
// PyTorch's Linear layout (out, in)); then Softmax(axis = 1). Two outputs, in this order:
// "probabilities" (N, classes), the Softmax, and "logits" (N, classes), the last layer's
// output before it. Initializers carry the state_dict names ("0.weight").
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "convlab/model.h"

namespace convlab {

inline constexpr int64_t kOnnxIrVersion = 7;  // the IR of ONNX 1.7, the first with opset 13
inline constexpr int64_t kOnnxOpset = 13;

// Protobuf's wire format (ref: protobuf.dev "Encoding"): a field is a varint key
// (field << 3 | wire type) then a varint (type 0), 4 little-endian bytes (type 5) or a
// varint length and that many bytes (type 2: strings, bytes, sub-messages, packed lists).
class ProtoWriter {
 public:
  void varint(uint64_t v);
  void key(int field, int wire_type) { varint(uint64_t(field) << 3 | uint64_t(wire_type)); }
  void int_field(int field, int64_t v);  // int32/int64/enum: negative values take 10 bytes
  void float_field(int field, float v);
  void bytes_field(int field, std::string_view bytes);
  void bytes_field(int field, const uint8_t* data, size_t n);
  void message_field(int field, const ProtoWriter& m) { bytes_field(field, m.bytes_.data(), m.bytes_.size()); }
  void packed_ints(int field, const std::vector<int64_t>& v);
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// params: every parameter the spec needs, by its state_dict name and shape (as Model holds
// them). Throws SpecError for a bad spec and std::invalid_argument for a missing or
// misshapen parameter. No budget applies (the lecture's AlexNet exports too).
// metadata: extra metadata_props; "convlab_spec" and "convlab_preprocessing" are added.
std::vector<uint8_t> export_onnx(const ModelSpec& spec, const std::vector<Param>& params,
                                 const std::map<std::string, std::string>& metadata = {});
std::vector<uint8_t> export_onnx(const Model& model, const std::map<std::string, std::string>& metadata = {});

}  // namespace convlab
