// Models out and in: the protobuf writer against the encoding guide's own examples, the ONNX
// graph read back field by field, the generated PyTorch script's text, the preprocessing's
// description, and loading files of the same model, of another model (the message names the
// tensor) or written by PyTorch. ONNX Runtime and the ONNX checker run the exported files in
// make test-onnx (tests/onnx/run.mjs); the script's own output under torch is the fixture
// checked at the end.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "convlab/layers.h"
#include "convlab/learn.h"
#include "convlab/onnx.h"
#include "convlab/preprocess.h"
#include "convlab/safetensors.h"
#include "convlab/session.h"
#include "convlab/torch_script.h"

using namespace convlab;
using Catch::Matchers::Contains;

namespace {

using Bytes = std::vector<uint8_t>;

// ---- a protobuf reader just large enough to read our ONNX files back ----
struct Field {
  int number, wire;
  uint64_t value = 0;    // varint / fixed32
  std::string bytes;     // length-delimited
};

uint64_t read_varint(const std::string& s, size_t& at) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    REQUIRE(at < s.size());
    const uint8_t b = uint8_t(s[at++]);
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}

std::vector<Field> fields(const std::string& msg) {
  std::vector<Field> out;
  size_t at = 0;
  while (at < msg.size()) {
    const uint64_t key = read_varint(msg, at);
    Field f{int(key >> 3), int(key & 7), 0, {}};
    if (f.wire == 0) f.value = read_varint(msg, at);
    else if (f.wire == 5) {
      REQUIRE(at + 4 <= msg.size());
      for (int k = 0; k < 4; ++k) f.value |= uint64_t(uint8_t(msg[at + size_t(k)])) << (8 * k);
      at += 4;
    } else {
      REQUIRE(f.wire == 2);
      const uint64_t n = read_varint(msg, at);
      REQUIRE(at + n <= msg.size());
      f.bytes = msg.substr(at, n);
      at += n;
    }
    out.push_back(f);
  }
  return out;
}

std::vector<Field> all(const std::string& msg, int number) {
  std::vector<Field> out;
  for (const Field& f : fields(msg))
    if (f.number == number) out.push_back(f);
  return out;
}
std::string one(const std::string& msg, int number) {
  auto f = all(msg, number);
  REQUIRE(f.size() == 1);
  return f[0].bytes;
}
uint64_t num(const std::string& msg, int number) {
  auto f = all(msg, number);
  REQUIRE(f.size() == 1);
  return f[0].value;
}

struct OnnxNode {
  std::string op, name;
  std::vector<std::string> in, out;
  std::map<std::string, std::vector<int64_t>> ints;  // INT and INTS attributes
};

OnnxNode read_node(const std::string& m) {
  OnnxNode n;
  n.op = one(m, 4);
  n.name = one(m, 3);
  for (const auto& f : all(m, 1)) n.in.push_back(f.bytes);
  for (const auto& f : all(m, 2)) n.out.push_back(f.bytes);
  for (const auto& a : all(m, 5)) {
    const std::string name = one(a.bytes, 1);
    const int type = int(num(a.bytes, 20));
    std::vector<int64_t> v;
    if (type == 2) v.push_back(int64_t(num(a.bytes, 3)));
    else {
      REQUIRE(type == 7);
      for (const auto& f : all(a.bytes, 8)) v.push_back(int64_t(f.value));
    }
    n.ints[name] = v;
  }
  return n;
}

// dims of a ValueInfoProto: a number, or -1 for a symbolic dim (its name in `param`)
std::vector<int64_t> value_dims(const std::string& vi, std::string& param) {
  const std::string tensor = one(one(vi, 2), 1);
  CHECK(num(tensor, 1) == 1);  // FLOAT
  std::vector<int64_t> dims;
  for (const auto& d : all(one(tensor, 2), 1)) {
    auto p = all(d.bytes, 2);
    if (!p.empty()) {
      param = p[0].bytes;
      dims.push_back(-1);
    } else dims.push_back(int64_t(num(d.bytes, 1)));
  }
  return dims;
}

std::string as_string(const Bytes& b) { return std::string(b.begin(), b.end()); }

const char* kEvenSpec = R"({"input": {"channels": 3, "height": 10, "width": 12}, "layers": [
  {"type": "conv2d", "out_channels": 4, "kernel": 4, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2, "stride": 2, "padding": 1},
  {"type": "avgpool2d", "kernel": 3, "stride": 1, "padding": 1},
  {"type": "flatten"}, {"type": "linear", "out_features": 3}]})";

const char* kSmall = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
  {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": 1}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";

std::vector<float> weights_of(const Session& s) {
  std::vector<float> w;
  for (const auto& p : s.model().params()) w.insert(w.end(), p.value.begin(), p.value.end());
  return w;
}

std::string load_message(Session& s, const Bytes& b, bool adopt = false, int classes = 0) {
  try {
    s.load(b.data(), b.size(), adopt, classes);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(loaded)";
}

}  // namespace

TEST_CASE("protobuf writer: the encoding guide's examples, byte for byte") {
  // ref: protobuf.dev/programming-guides/encoding: 150 in field 1 is 08 96 01, "testing" in
  // field 2 is 12 07 74 65 73 74 69 6e 67, packed [3, 270, 86942] in field 4 is 22 06 03 8e 02 9e a7 05
  ProtoWriter a;
  a.int_field(1, 150);
  CHECK(a.bytes() == Bytes{0x08, 0x96, 0x01});
  ProtoWriter b;
  b.bytes_field(2, "testing");
  CHECK(b.bytes() == Bytes{0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67});
  ProtoWriter c;
  c.packed_ints(4, {3, 270, 86942});
  CHECK(c.bytes() == Bytes{0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05});
  // a negative int64 is its two's complement: ten bytes
  ProtoWriter d;
  d.int_field(3, -1);
  CHECK(d.bytes() == Bytes{0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  // fixed32 little-endian: 1.0f = 0x3f800000
  ProtoWriter e;
  e.float_field(2, 1.0f);
  CHECK(e.bytes() == Bytes{0x15, 0x00, 0x00, 0x80, 0x3f});
  // a sub-message is length-delimited: field 3 holding {1: 150}
  ProtoWriter f;
  f.message_field(3, a);
  CHECK(f.bytes() == Bytes{0x1a, 0x03, 0x08, 0x96, 0x01});
}

TEST_CASE("onnx: the graph of every layer type, read back field by field") {
  Model m(parse_spec(kEvenSpec), 3);
  const std::string model = as_string(export_onnx(m, {{"classes", R"(["a","b","c"])"}}));
  CHECK(num(model, 1) == uint64_t(kOnnxIrVersion));
  CHECK(num(model, 1) == 7);
  const std::string opset = one(model, 8);
  CHECK(one(opset, 1).empty());
  CHECK(num(opset, 2) == 13);
  std::map<std::string, std::string> meta;
  for (const auto& e : all(model, 14)) meta[one(e.bytes, 1)] = one(e.bytes, 2);
  CHECK(meta["classes"] == R"(["a","b","c"])");
  CHECK(parse_spec(meta["convlab_spec"]).layers.size() == 6);
  CHECK(meta["convlab_preprocessing"] == preprocessing_json(m.input()).dump());

  const std::string graph = one(model, 7);
  std::vector<OnnxNode> nodes;
  for (const auto& f : all(graph, 1)) nodes.push_back(read_node(f.bytes));
  std::vector<std::string> ops;
  for (const auto& n : nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<std::string>{"Conv", "Relu", "MaxPool", "AveragePool", "Flatten", "Gemm", "Softmax"});
  // each node reads the previous one's output
  CHECK(nodes[0].in[0] == "input");
  for (size_t i = 1; i < nodes.size(); ++i) CHECK(nodes[i].in[0] == nodes[i - 1].out[0]);
  // PyTorch's "same" for an even kernel: 1 before, 2 after, in ONNX's [y0, x0, y1, x1] order
  CHECK(nodes[0].in == std::vector<std::string>{"input", "0.weight", "0.bias"});
  CHECK(nodes[0].ints["pads"] == std::vector<int64_t>{1, 1, 2, 2});
  CHECK(nodes[0].ints["kernel_shape"] == std::vector<int64_t>{4, 4});
  CHECK(nodes[0].ints["strides"] == std::vector<int64_t>{1, 1});
  CHECK(nodes[2].ints["pads"] == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(nodes[2].ints["strides"] == std::vector<int64_t>{2, 2});
  CHECK(nodes[3].ints["count_include_pad"] == std::vector<int64_t>{1});
  CHECK(nodes[4].ints["axis"] == std::vector<int64_t>{1});
  CHECK(nodes[5].in == std::vector<std::string>{"4.out", "5.weight", "5.bias"});
  CHECK(nodes[5].ints["transB"] == std::vector<int64_t>{1});
  CHECK(nodes[6].ints["axis"] == std::vector<int64_t>{1});
  CHECK(nodes[6].out == std::vector<std::string>{"probabilities"});

  // initializers: state_dict names, shapes and the very bytes of the model's parameters
  auto inits = all(graph, 5);
  REQUIRE(inits.size() == m.params().size());
  for (size_t i = 0; i < inits.size(); ++i) {
    const Param& p = m.params()[i];
    CHECK(one(inits[i].bytes, 8) == p.name);
    std::vector<int64_t> dims;
    for (const auto& d : all(inits[i].bytes, 1)) dims.push_back(int64_t(d.value));
    CHECK(dims == p.shape);
    CHECK(num(inits[i].bytes, 2) == 1);
    const std::string raw = one(inits[i].bytes, 9);
    REQUIRE(raw.size() == p.value.size() * 4);
    CHECK(std::memcmp(raw.data(), p.value.data(), raw.size()) == 0);  // little-endian host
  }
  std::string param;
  CHECK(one(one(graph, 11), 1) == "input");
  CHECK(value_dims(one(graph, 11), param) == std::vector<int64_t>{-1, 3, 10, 12});
  CHECK(param == "N");
  // two outputs: probabilities first (what existing users read), then the logits before Softmax
  const auto outputs = all(graph, 12);
  REQUIRE(outputs.size() == 2);
  CHECK(one(outputs[0].bytes, 1) == "probabilities");
  CHECK(value_dims(outputs[0].bytes, param) == std::vector<int64_t>{-1, 3});
  CHECK(one(outputs[1].bytes, 1) == "logits");
  CHECK(value_dims(outputs[1].bytes, param) == std::vector<int64_t>{-1, 3});
  // "logits" is the last layer's own output, the one Softmax reads
  CHECK(nodes[5].out == std::vector<std::string>{"logits"});
  CHECK(nodes[6].in == std::vector<std::string>{"logits"});
}

TEST_CASE("onnx: a missing or misshapen parameter is refused by name; no budget applies") {
  Model m(parse_spec(kSmall), 1);
  std::vector<Param> params = m.params();
  params[0].shape = {8, 3, 3, 2};
  CHECK_THROWS_WITH(export_onnx(m.spec(), params), Contains("\"0.weight\" has shape [8,3,3,2] but the spec needs [8,3,3,3]"));
  params[0].shape = {8, 3, 3, 3};
  params.erase(params.begin() + 1);
  CHECK_THROWS_WITH(export_onnx(m.spec(), params), Contains("parameter \"0.bias\" is missing"));
  // the lecture's AlexNet (over the training budget) exports natively
  const ModelSpec alex = parse_spec(learn::presets()[2].spec);
  CHECK(validate(alex, false).params > kMaxParameters);
  CHECK_THROWS_AS(Model(alex, 1), SpecError);
}

TEST_CASE("preprocessing: described once, with the engine's own constants") {
  InputSpec in{1, 28, 30};
  const Json j = preprocessing_json(in);
  CHECK(j.find("input")->find("height")->as_number() == 28);
  CHECK(j.find("input")->find("width")->as_number() == 30);
  REQUIRE(j.find("luma_weights")->size() == 3);
  CHECK(float(j.find("luma_weights")->items()[0].as_number()) == kLumaR);
  CHECK(float(j.find("luma_weights")->items()[2].as_number()) == kLumaB);
  CHECK_THAT(j.find("grayscale")->as_string(), Contains("0.299"));
  CHECK_THAT(preprocessing_json(InputSpec{3, 8, 8}).find("grayscale")->as_string(), Contains("none"));
  CHECK_THAT(j.find("round")->as_string(), Contains("half to even"));
  // the luma weights are the ones the engine uses: a gray pixel of (10, 200, 30)
  std::vector<uint8_t> rgba = {10, 200, 30, 255};
  uint8_t out = 0;
  preprocess_rgba_u8(&out, rgba.data(), 1, 1, InputSpec{1, 1, 1});
  CHECK(int(out) == int(std::nearbyint(kLumaR * 10.0f + kLumaG * 200.0f + kLumaB * 30.0f)));
}

TEST_CASE("torch script: the spec, the class names, strict loading and ConvLab's constants") {
  const ModelSpec spec = parse_spec(kEvenSpec);
  const std::string py = torch_script(spec, {"cat", "dog \"big\""}, "my-model.safetensors");
  CHECK_THAT(py, Contains("python3 my-model.py photo.jpg"));
  CHECK_THAT(py, Contains("WEIGHTS = \"my-model.safetensors\""));
  CHECK_THAT(py, Contains("strict=True"));
  CHECK_THAT(py, Contains("count_include_pad=True"));
  // the embedded spec is the spec (a JSON string literal inside json.loads)
  CHECK_THAT(py, Contains("SPEC = json.loads(" + Json(spec_to_json(spec).dump()).dump() + ")"));
  // three outputs, two names: the third is named for its index; quotes stay escaped
  CHECK_THAT(py, Contains(R"(CLASSES = json.loads("[\"cat\",\"dog \\\"big\\\"\",\"class 2\"]"))"));
  CHECK_THAT(py, Contains("LUMA = (0.298999995, 0.587000012, 0.114)"));
  // no import beyond the standard library, torch and PIL
  for (const char* bad : {"import numpy", "torchvision", "safetensors import"}) CHECK(py.find(bad) == std::string::npos);
  // issue 28: a missing torch, PIL or onnxruntime is named with what to install (exit status
  // 2), not a traceback; the fixture test below holds the scripts' real runs
  CHECK_THAT(py, Contains("except ImportError as e:\n    missing(\"torch\""));
  CHECK_THAT(py, Contains("except ImportError as e:\n    missing(\"PIL\""));
  CHECK_THAT(py, Contains("pip install onnxruntime (Debian has no onnxruntime "));
  CHECK_THAT(py, Contains("sys.exit(2)"));
  // torch's UserWarning for an even kernel's "same" is filtered before any module is built
  const size_t filter = py.find("warnings.filterwarnings(\"ignore\", message=\"Using padding='same' with even kernel\")");
  REQUIRE(filter != std::string::npos);
  CHECK(filter < py.find("def build(spec)"));
}

TEST_CASE("load: a file of the same model loads; another model's is refused naming the tensor, or adopted") {
  Session s;
  s.set_spec(kSmall, 1);
  Session other;
  other.set_spec(std::string(kSmall).replace(std::string(kSmall).find("\"out_channels\": 8"), 17, "\"out_channels\": 12"), 2);
  const Bytes theirs = other.save(R"({"classes": ["a", "b"]})");
  const auto before = weights_of(s);
  const std::string spec_before = s.spec_json();

  const Json check = Json::parse(s.load_check(theirs.data(), theirs.size(), 2));
  CHECK_FALSE(check.find("fits")->as_bool());
  CHECK(check.find("adoptable")->as_bool());
  CHECK_THAT(check.find("message")->as_string(), Contains("0.weight: the file has shape [12,3,3,3], this project's model [8,3,3,3]"));
  CHECK_THAT(load_message(s, theirs), Contains("0.weight: the file has shape [12,3,3,3], this project's model [8,3,3,3]"));
  CHECK(weights_of(s) == before);  // refused: nothing changed
  CHECK(s.spec_json() == spec_before);

  // adopting needs as many outputs as the project has classes
  CHECK_THAT(load_message(s, theirs, true, 3), Contains("has 2 outputs but this project has 3 classes"));
  CHECK(weights_of(s) == before);
  CHECK(load_message(s, theirs, true, 2) == "(loaded)");
  CHECK(s.spec_json() == other.spec_json());
  CHECK(weights_of(s) == weights_of(other));
  // now the same model: it fits
  CHECK(Json::parse(s.load_check(theirs.data(), theirs.size(), 2)).find("fits")->as_bool());
}

TEST_CASE("load: the same tensors under another spec name the layer or the input") {
  Session s;
  s.set_spec(kSmall, 1);
  Session avg;
  std::string spec = kSmall;
  spec.replace(spec.find("maxpool2d"), 9, "avgpool2d");
  avg.set_spec(spec, 1);
  const Bytes b = avg.save("");
  CHECK_THAT(load_message(s, b), Contains("layer 2: the file has avgpool2d"));
  CHECK_THAT(load_message(s, b), Contains("this project's model maxpool2d"));
  Session gray;
  std::string g = kSmall;
  g.replace(g.find("\"channels\": 3"), 13, "\"channels\": 1");
  gray.set_spec(g, 1);
  CHECK_THAT(load_message(s, gray.save("")), Contains("0.weight: the file has shape [8,1,3,3], this project's model [8,3,3,3]"));
}

TEST_CASE("load: a PyTorch-written file with the same names and shapes is accepted, without metadata") {
  Session s;
  s.set_spec(kSmall, 1);
  Model theirs(parse_spec(kSmall), 9);  // other weights, the same model
  SafeTensors st;                       // no __metadata__ at all, as torch's save_file may write
  for (const Param& p : theirs.params()) st.tensors.push_back({p.name, p.shape, p.value});
  const Bytes b = write_safetensors(st);
  CHECK(Json::parse(s.load_check(b.data(), b.size())).find("fits")->as_bool());
  CHECK(load_message(s, b) == "(loaded)");
  std::vector<float> want;
  for (const Param& p : theirs.params()) want.insert(want.end(), p.value.begin(), p.value.end());
  CHECK(weights_of(s) == want);

  // a tensor short or extra: named, and it cannot be adopted (it has no spec)
  st.tensors.pop_back();
  const Bytes short_file = write_safetensors(st);
  const Json c = Json::parse(s.load_check(short_file.data(), short_file.size()));
  CHECK_FALSE(c.find("adoptable")->as_bool());
  CHECK_THAT(c.find("message")->as_string(), Contains("4.bias: the file has no such tensor"));
  CHECK_THAT(load_message(s, short_file, true), Contains("no ConvLab spec"));
  CHECK(weights_of(s) == want);
  st.tensors.push_back({"4.bias", {2}, {0, 0}});
  st.tensors.push_back({"extra", {1}, {0}});
  const Bytes extra = write_safetensors(st);
  CHECK_THAT(load_message(s, extra), Contains("extra: the file has this tensor (shape [1]), this project's model has none"));
}

TEST_CASE("load: an ONNX file or junk is refused with a clear message, and nothing changes") {
  Session s;
  s.set_spec(kSmall, 1);
  const auto before = weights_of(s);
  const Bytes onnx = s.export_onnx(R"({"classes": ["a", "b"]})");
  CHECK_THAT(load_message(s, onnx), Contains("this looks like an ONNX file: ConvLab loads model weights from .safetensors files"));
  CHECK_THROWS_WITH(s.load_check(onnx.data(), onnx.size()), Contains("ONNX"));
  const Bytes junk = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  CHECK_THAT(load_message(s, junk, true), Contains("not safetensors"));
  CHECK(weights_of(s) == before);
  // the session's own exports carry the preprocessing and the class names
  const Bytes st = s.save(R"({"classes": ["a", "b"]})");
  const SafeTensors f = read_safetensors(st.data(), st.size());
  CHECK(f.metadata.at("classes") == R"(["a","b"])");
  CHECK(f.metadata.at("convlab_preprocessing") == preprocessing_json(s.model().input()).dump());
  CHECK_THAT(s.export_torch(R"({"classes": ["a", "b"]})", "x.safetensors"), Contains(R"(CLASSES = json.loads("[\"a\",\"b\"]"))"));
}

// ---- the PyTorch script's own output (tools/make_export_fixtures.py ran each exported NAME.py
// under Debian's python3-torch on the fixture images) against ConvLab, here and now ----

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

TEST_CASE("torch script fixture: the script's preprocessed bytes equal ConvLab's, its probabilities within 1e-5") {
  const std::string dir = CONVLAB_FIXTURES;
  const Json doc = Json::parse(read_file(dir + "/../onnx/models.json"));
  const std::string raw = read_file(dir + "/export/torch_script.safetensors");
  const SafeTensors fx = read_safetensors(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
  int checked = 0;
  for (const Json& m : doc.find("models")->items()) {
    const std::string name = m.find("name")->as_string();
    if (m.find("torch") && !m.find("torch")->as_bool()) continue;
    INFO("model " << name);
    std::string spec_text;
    if (const Json* preset = m.find("preset")) {
      for (const auto& p : learn::presets())
        if (p.id == preset->as_string()) spec_text = p.spec;
    } else spec_text = m.find("spec")->dump();
    Model model(parse_spec(spec_text), uint64_t(m.find("seed")->as_number()));
    auto& params = model.params();  // as tools/convlab_export.cc suite: the last layer x10
    for (size_t k = params.size() - 2; k < params.size(); ++k)
      for (float& v : params[k].value) v *= 10.0f;
    // the fixture is of today's script: a changed generator demands make export-fixtures
    std::vector<std::string> classes;
    for (int k = 0; k < model.num_classes(); ++k) classes.push_back("class " + std::to_string(k));
    const std::string py = torch_script(model.spec(), classes, name + ".safetensors");
    REQUIRE(fx.metadata.count(name + ".py_fnv1a64"));
    CHECK(fx.metadata.at(name + ".py_fnv1a64") == std::to_string(fnv1a64(py)));
    // the run printed nothing on stderr: no torch UserWarning (conv_same_even's even "same")
    REQUIRE(fx.metadata.count(name + ".py_stderr"));
    CHECK(fx.metadata.at(name + ".py_stderr").empty());
    // without onnxruntime (--onnx) or torch: status 2 and what to install, no traceback
    const std::string no_ort = fx.metadata.at(name + ".py_no_onnxruntime");
    CHECK(no_ort.rfind("2\n" + name + ".py: No module named 'onnxruntime': this needs onnxruntime for --onnx.", 0) == 0);
    CHECK_THAT(no_ort, Contains("pip install onnxruntime"));
    CHECK_THAT(no_ort, !Contains("Traceback"));
    const std::string no_torch = fx.metadata.at(name + ".py_no_torch");
    CHECK(no_torch.rfind("2\n" + name + ".py: No module named 'torch': this needs torch.", 0) == 0);
    CHECK_THAT(no_torch, Contains("apt install python3-torch"));
    CHECK_THAT(no_torch, !Contains("Traceback"));

    const NamedTensor* in = fx.find(name + ".input");
    const NamedTensor* pr = fx.find(name + ".probabilities");
    REQUIRE(in);
    REQUIRE(pr);
    const int n = int(in->shape[0]), c = model.num_classes();
    std::vector<float> x(size_t(n * model.input_size()));
    int i = 0;
    for (const Json& f : doc.find("images")->items()) {
      if (i == n) break;
      const std::string file = f.as_string();
      const std::string rgba = read_file(dir + "/export/" + file);
      const size_t dash = file.rfind('-'), xx = file.rfind('x'), dot = file.rfind('.');
      const int w = std::stoi(file.substr(dash + 1, xx - dash - 1)), h = std::stoi(file.substr(xx + 1, dot - xx - 1));
      preprocess_rgba(x.data() + size_t(i) * size_t(model.input_size()), reinterpret_cast<const uint8_t*>(rgba.data()), w, h,
                      model.input());
      ++i;
    }
    REQUIRE(i == n);
    // bit-exact: the script's preprocessing is the engine's, operation for operation
    REQUIRE(in->data.size() == x.size());
    int64_t differ = 0;
    for (size_t k = 0; k < x.size(); ++k) differ += in->data[k] != x[k];
    CHECK(differ == 0);
    std::vector<float> probs(size_t(n * c));
    softmax_forward(probs.data(), model.predict(x.data(), n), n, c);
    REQUIRE(pr->data.size() == probs.size());
    double worst = 0;
    for (size_t k = 0; k < probs.size(); ++k) worst = std::max(worst, std::fabs(double(pr->data[k]) - probs[k]));
    CHECK(worst <= 1e-5);
    // the model is far from uniform, so 1e-5 is a real bound
    CHECK(*std::max_element(probs.begin(), probs.end()) > 1.2f / float(c));
    ++checked;
  }
  CHECK(checked >= 9);
}
