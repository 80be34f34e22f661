#include "convlab/onnx.h"

#include <cstring>
#include <stdexcept>

#include "convlab/preprocess.h"

namespace convlab {

void ProtoWriter::varint(uint64_t v) {
  while (v >= 0x80) {
    bytes_.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  bytes_.push_back(uint8_t(v));
}

void ProtoWriter::int_field(int field, int64_t v) {
  key(field, 0);
  varint(uint64_t(v));  // two's complement: protobuf's int64 encoding of negatives
}

void ProtoWriter::float_field(int field, float v) {
  key(field, 5);
  uint32_t u;
  std::memcpy(&u, &v, 4);
  for (int k = 0; k < 4; ++k) bytes_.push_back(uint8_t(u >> (8 * k)));
}

void ProtoWriter::bytes_field(int field, const uint8_t* data, size_t n) {
  key(field, 2);
  varint(n);
  bytes_.insert(bytes_.end(), data, data + n);
}

void ProtoWriter::bytes_field(int field, std::string_view bytes) {
  bytes_field(field, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

void ProtoWriter::packed_ints(int field, const std::vector<int64_t>& v) {
  ProtoWriter body;
  for (int64_t x : v) body.varint(uint64_t(x));
  message_field(field, body);
}

namespace {

// Field numbers of onnx.proto (IR version 7).
namespace model_f { enum { ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8, metadata_props = 14 }; }
namespace opset_f { enum { domain = 1, version = 2 }; }
namespace entry_f { enum { key = 1, value = 2 }; }
namespace graph_f { enum { node = 1, name = 2, initializer = 5, input = 11, output = 12 }; }
namespace node_f { enum { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }; }
namespace attr_f { enum { name = 1, i = 3, ints = 8, type = 20 }; }
namespace attr_type { enum { INT = 2, INTS = 7 }; }
namespace tensor_f { enum { dims = 1, data_type = 2, name = 8, raw_data = 9 }; }
namespace value_f { enum { name = 1, type = 2 }; }
namespace type_f { enum { tensor_type = 1 }; }
namespace ttype_f { enum { elem_type = 1, shape = 2 }; }
namespace shape_f { enum { dim = 1 }; }
namespace dim_f { enum { dim_value = 1, dim_param = 2 }; }
constexpr int kFloat = 1;  // TensorProto.DataType.FLOAT

ProtoWriter attr_int(const char* name, int64_t v) {
  ProtoWriter a;
  a.bytes_field(attr_f::name, name);
  a.int_field(attr_f::i, v);
  a.int_field(attr_f::type, attr_type::INT);
  return a;
}

ProtoWriter attr_ints(const char* name, const std::vector<int64_t>& v) {
  ProtoWriter a;
  a.bytes_field(attr_f::name, name);
  // repeated int64 written unpacked: what onnx's own helper.make_attribute produces
  for (int64_t x : v) a.int_field(attr_f::ints, x);
  a.int_field(attr_f::type, attr_type::INTS);
  return a;
}

struct Node {
  std::string op, name;
  std::vector<std::string> in, out;
  std::vector<ProtoWriter> attrs;
};

ProtoWriter node_proto(const Node& n) {
  ProtoWriter p;
  for (const auto& s : n.in) p.bytes_field(node_f::input, s);
  for (const auto& s : n.out) p.bytes_field(node_f::output, s);
  p.bytes_field(node_f::name, n.name);
  p.bytes_field(node_f::op_type, n.op);
  for (const auto& a : n.attrs) p.message_field(node_f::attribute, a);
  return p;
}

ProtoWriter tensor_proto(const Param& t) {
  ProtoWriter p;
  for (int64_t d : t.shape) p.int_field(tensor_f::dims, d);
  p.int_field(tensor_f::data_type, kFloat);
  p.bytes_field(tensor_f::name, t.name);
  // raw_data is little-endian by the spec, as are wasm and x86 (safetensors.cc checks it)
  std::vector<uint8_t> raw(t.value.size() * 4);
  for (size_t i = 0; i < t.value.size(); ++i) {
    uint32_t u;
    std::memcpy(&u, &t.value[i], 4);
    for (int k = 0; k < 4; ++k) raw[i * 4 + size_t(k)] = uint8_t(u >> (8 * k));
  }
  p.bytes_field(tensor_f::raw_data, raw.data(), raw.size());
  return p;
}

// dims: a number, or -1 for the symbolic batch "N".
ProtoWriter value_info(const std::string& name, const std::vector<int64_t>& dims) {
  ProtoWriter shape;
  for (int64_t d : dims) {
    ProtoWriter dim;
    if (d < 0) dim.bytes_field(dim_f::dim_param, "N");
    else dim.int_field(dim_f::dim_value, d);
    shape.message_field(shape_f::dim, dim);
  }
  ProtoWriter tensor;
  tensor.int_field(ttype_f::elem_type, kFloat);
  tensor.message_field(ttype_f::shape, shape);
  ProtoWriter type;
  type.message_field(type_f::tensor_type, tensor);
  ProtoWriter v;
  v.bytes_field(value_f::name, name);
  v.message_field(value_f::type, type);
  return v;
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string t;
  for (int64_t d : s) t += (t.empty() ? "" : ",") + std::to_string(d);
  return "[" + t + "]";
}

const Param& need_param(const std::vector<Param>& params, const std::string& name, const std::vector<int64_t>& shape) {
  for (const Param& p : params) {
    if (p.name != name) continue;
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    if (p.shape != shape || int64_t(p.value.size()) != n)
      throw std::invalid_argument("parameter \"" + name + "\" has shape " + shape_text(p.shape) + " but the spec needs " +
                                  shape_text(shape));
    return p;
  }
  throw std::invalid_argument("parameter \"" + name + "\" is missing: the spec needs it with shape " + shape_text(shape));
}

}  // namespace

std::vector<uint8_t> export_onnx(const ModelSpec& spec, const std::vector<Param>& params,
                                 const std::map<std::string, std::string>& metadata) {
  const ModelInfo info = validate(spec, /*enforce_budget=*/false);
  std::vector<Node> nodes;
  std::vector<const Param*> inits;
  std::string x = "input";
  for (size_t i = 0; i < info.layers.size(); ++i) {
    const LayerInfo& li = info.layers[i];
    const std::string id = std::to_string(i);
    Node n;
    n.in = {x};
    n.out = {i + 1 == info.layers.size() ? std::string("logits") : id + ".out"};
    const int64_t k = li.spec.kernel, s = li.spec.stride;
    // ONNX pads: [y_begin, x_begin, y_end, x_end]; LayerInfo holds them resolved ("same" too)
    const std::vector<int64_t> pads = {li.pad_top, li.pad_left, li.pad_bottom, li.pad_right};
    switch (li.spec.type) {
      case LayerType::Conv2d: {
        n.op = "Conv";
        const Param& w = need_param(params, id + ".weight", {li.out.c, li.in.c, k, k});
        const Param& b = need_param(params, id + ".bias", {li.out.c});
        n.in = {x, w.name, b.name};
        inits.push_back(&w);
        inits.push_back(&b);
        n.attrs.push_back(attr_ints("kernel_shape", {k, k}));
        n.attrs.push_back(attr_ints("strides", {s, s}));
        n.attrs.push_back(attr_ints("pads", pads));
        n.attrs.push_back(attr_ints("dilations", {1, 1}));
        n.attrs.push_back(attr_int("group", 1));
        break;
      }
      case LayerType::ReLU: n.op = "Relu"; break;
      case LayerType::MaxPool2d:
      case LayerType::AvgPool2d:
        n.op = li.spec.type == LayerType::MaxPool2d ? "MaxPool" : "AveragePool";
        n.attrs.push_back(attr_ints("kernel_shape", {k, k}));
        n.attrs.push_back(attr_ints("strides", {s, s}));
        n.attrs.push_back(attr_ints("pads", pads));
        n.attrs.push_back(attr_int("ceil_mode", 0));  // the spec demands exact sizes: never rounds
        // ConvLab's average divides by k·k, the padding counted (PyTorch's default)
        if (li.spec.type == LayerType::AvgPool2d) n.attrs.push_back(attr_int("count_include_pad", 1));
        break;
      case LayerType::Flatten:
        n.op = "Flatten";
        n.attrs.push_back(attr_int("axis", 1));  // (N, C, H, W) -> (N, C·H·W), as nn.Flatten
        break;
      case LayerType::Linear: {
        n.op = "Gemm";
        const Param& w = need_param(params, id + ".weight", {li.out.c, li.in.c});
        const Param& b = need_param(params, id + ".bias", {li.out.c});
        n.in = {x, w.name, b.name};
        inits.push_back(&w);
        inits.push_back(&b);
        n.attrs.push_back(attr_int("transB", 1));  // Y = X·Wᵀ + b with W (out, in)
        break;
      }
    }
    n.name = id + "." + layer_type_name(li.spec.type);
    x = n.out[0];
    nodes.push_back(std::move(n));
  }
  // validate() guarantees the spec ends in a flat vector of class scores
  Node sm;
  sm.op = "Softmax";
  sm.name = "softmax";
  sm.in = {x};
  sm.out = {"probabilities"};
  sm.attrs.push_back(attr_int("axis", 1));
  nodes.push_back(std::move(sm));

  ProtoWriter graph;
  for (const Node& n : nodes) graph.message_field(graph_f::node, node_proto(n));
  graph.bytes_field(graph_f::name, "convlab");
  for (const Param* p : inits) graph.message_field(graph_f::initializer, tensor_proto(*p));
  graph.message_field(graph_f::input, value_info("input", {-1, spec.input.channels, spec.input.height, spec.input.width}));
  // probabilities first (the output users have read since the first export), then the last
  // layer's logits before Softmax: what PyTorch's nn.Module returns and CrossEntropyLoss takes
  graph.message_field(graph_f::output, value_info("probabilities", {-1, info.output.c}));
  graph.message_field(graph_f::output, value_info("logits", {-1, info.output.c}));

  std::map<std::string, std::string> meta = metadata;
  meta["convlab_spec"] = spec_to_json(spec).dump();
  meta["convlab_preprocessing"] = preprocessing_json(spec.input).dump();

  ProtoWriter model;
  model.int_field(model_f::ir_version, kOnnxIrVersion);
  model.bytes_field(model_f::producer_name, "ConvLab");
  model.bytes_field(model_f::producer_version, "1");
  model.message_field(model_f::graph, graph);
  ProtoWriter opset;
  opset.bytes_field(opset_f::domain, "");  // the default domain ai.onnx
  opset.int_field(opset_f::version, kOnnxOpset);
  model.message_field(model_f::opset_import, opset);
  for (const auto& [k, v] : meta) {
    ProtoWriter e;
    e.bytes_field(entry_f::key, k);
    e.bytes_field(entry_f::value, v);
    model.message_field(model_f::metadata_props, e);
  }
  return model.bytes();
}

std::vector<uint8_t> export_onnx(const Model& model, const std::map<std::string, std::string>& metadata) {
  return export_onnx(model.spec(), model.params(), metadata);
}

}  // namespace convlab
