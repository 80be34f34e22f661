#include "convlab/safetensors.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <string>

namespace convlab {

const NamedTensor* SafeTensors::find(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

namespace {

// Tensor bytes are little-endian; wasm and x86 are too, but say so rather than assume.
static_assert(sizeof(float) == 4);
bool little_endian() {
  uint32_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

void put_f32(std::vector<uint8_t>& out, const float* v, size_t n) {
  size_t at = out.size();
  out.resize(at + n * 4);
  if (little_endian()) {
    std::memcpy(out.data() + at, v, n * 4);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, &v[i], 4);
    for (int k = 0; k < 4; ++k) out[at + i * 4 + size_t(k)] = uint8_t(u >> (8 * k));
  }
}

}  // namespace

std::vector<uint8_t> write_safetensors(const SafeTensors& st) {
  Json header = Json::object();
  if (!st.metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : st.metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  size_t offset = 0;
  for (const auto& t : st.tensors) {
    Json e = Json::object();
    e["dtype"] = "F32";
    Json shape = Json::array();
    for (int64_t d : t.shape) shape.push_back(Json(d));
    e["shape"] = shape;
    Json off = Json::array();
    off.push_back(Json(int64_t(offset)));
    offset += t.data.size() * 4;
    off.push_back(Json(int64_t(offset)));
    e["data_offsets"] = off;
    header[t.name] = e;
  }
  std::string h = header.dump();
  // pad the header with spaces so the tensor data starts 8-byte aligned (the format allows it)
  while ((8 + h.size()) % 8) h += ' ';
  std::vector<uint8_t> out;
  out.reserve(8 + h.size() + offset);
  uint64_t n = h.size();
  for (int k = 0; k < 8; ++k) out.push_back(uint8_t(n >> (8 * k)));
  out.insert(out.end(), h.begin(), h.end());
  for (const auto& t : st.tensors) put_f32(out, t.data.data(), t.data.size());
  return out;
}

std::vector<uint8_t> save_safetensors(const Model& model, const std::map<std::string, std::string>& metadata) {
  SafeTensors st;
  st.metadata = metadata;
  st.metadata["format"] = "pt";
  st.metadata["convlab_spec"] = spec_to_json(model.spec()).dump();
  for (const auto& p : model.params()) st.tensors.push_back({p.name, p.shape, p.value});
  return write_safetensors(st);
}

SafeTensors read_safetensors(const uint8_t* data, size_t size) {
  if (size < 8)
    throw FormatError("the file is too short (" + std::to_string(size) + " bytes) to be safetensors: it may be truncated");
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = (n << 8) | data[k];
  if (n > size - 8)
    throw FormatError("the safetensors header says it is " + std::to_string(n) + " bytes but the file has only " +
                      std::to_string(size - 8) + " after it: the file is truncated or not safetensors");
  if (n > (100u << 20)) throw FormatError("the safetensors header is larger than 100 MB: refusing it");
  Json header;
  try {
    header = Json::parse(std::string_view(reinterpret_cast<const char*>(data + 8), size_t(n)));
  } catch (const JsonError& e) {
    throw FormatError(std::string("the safetensors header is corrupt: ") + e.what());
  }
  if (!header.is_object()) throw FormatError("the safetensors header is not a JSON object");
  const uint64_t body = size - 8 - n;
  const uint8_t* base = data + 8 + n;
  SafeTensors st;
  struct Range { uint64_t b, e; };
  std::vector<Range> ranges;
  for (const auto& [name, e] : header.members()) {
    if (name == "__metadata__") {
      if (!e.is_object()) throw FormatError("__metadata__ must be an object of strings");
      for (const auto& [k, v] : e.members()) {
        if (!v.is_string()) throw FormatError("__metadata__ value \"" + k + "\" is not a string");
        st.metadata[k] = v.as_string();
      }
      continue;
    }
    std::string who = "tensor \"" + name + "\"";
    const Json* dt = e.find("dtype");
    const Json* sh = e.find("shape");
    const Json* off = e.find("data_offsets");
    if (!e.is_object() || !dt || !sh || !off || !dt->is_string() || !sh->is_array() || !off->is_array() ||
        off->size() != 2)
      throw FormatError(who + " needs dtype, shape and data_offsets");
    if (dt->as_string() != "F32")
      throw FormatError(who + " has dtype " + dt->as_string() + ": ConvLab reads float32 (F32) weights only; save with tensor.float()");
    NamedTensor t;
    t.name = name;
    uint64_t count = 1;
    if (sh->size() > 8) throw FormatError(who + " has more than 8 dimensions");
    for (const auto& d : sh->items()) {
      if (!d.is_number() || d.as_number() < 0 || d.as_number() > 1e9 || d.as_number() != std::floor(d.as_number()))
        throw FormatError(who + " has a bad shape entry " + d.dump());
      t.shape.push_back(int64_t(d.as_number()));
      count *= uint64_t(d.as_number());
      if (count > (uint64_t(1) << 32)) throw FormatError(who + " is too large");
    }
    double ob = off->items()[0].is_number() ? off->items()[0].as_number() : -1;
    double oe = off->items()[1].is_number() ? off->items()[1].as_number() : -1;
    if (ob < 0 || oe < ob || oe > double(body) || ob != std::floor(ob) || oe != std::floor(oe))
      throw FormatError(who + " has data_offsets [" + off->items()[0].dump() + ", " + off->items()[1].dump() +
                        "] outside the " + std::to_string(body) + " data bytes: the file is truncated or corrupt");
    uint64_t b = uint64_t(ob), en = uint64_t(oe);
    if (en - b != count * 4)
      throw FormatError(who + " has " + std::to_string(en - b) + " bytes but its shape needs " + std::to_string(count * 4));
    ranges.push_back({b, en});
    t.data.resize(size_t(count));
    for (size_t i = 0; i < count; ++i) {
      const uint8_t* p = base + b + i * 4;
      uint32_t u = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
      std::memcpy(&t.data[i], &u, 4);
    }
    st.tensors.push_back(std::move(t));
  }
  // The format requires the data to be covered exactly, with no overlap and no holes.
  std::sort(ranges.begin(), ranges.end(), [](const Range& x, const Range& y) { return x.b < y.b; });
  uint64_t at = 0;
  for (const auto& r : ranges) {
    if (r.b != at) throw FormatError("the tensors' data overlap or leave a gap: the file is corrupt");
    at = r.e;
  }
  if (at != body) throw FormatError("the file has " + std::to_string(body - at) + " bytes after its last tensor: it is corrupt");
  return st;
}

namespace {

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s;
  for (auto d : shape) s += (s.empty() ? "" : ", ") + std::to_string(d);
  return "(" + s + ")";
}

}  // namespace

Model load_model(const uint8_t* data, size_t size) {
  SafeTensors st = read_safetensors(data, size);
  auto it = st.metadata.find("convlab_spec");
  if (it == st.metadata.end())
    throw FormatError("this safetensors file has no ConvLab spec in its metadata (\"convlab_spec\"): it was not saved by ConvLab");
  ModelSpec spec;
  try {
    spec = parse_spec(it->second);
    validate(spec);
  } catch (const SpecError& e) {
    throw FormatError(std::string("the model spec inside the file is invalid: ") + e.what());
  }
  return load_weights(st, spec, "its spec");
}

Model load_weights(const SafeTensors& st, const ModelSpec& spec, const std::string& whose) {
  ModelInfo info;
  try {
    info = validate(spec);
  } catch (const SpecError& e) {
    throw FormatError(std::string("the model spec is invalid: ") + e.what());
  }
  // Check every tensor against the spec BEFORE building the model: a hostile file must not
  // make us allocate and initialise a large model only to reject it. Names and shapes are
  // Model's (nn.Sequential's): conv (out, in, k, k), linear (out, in), bias (out).
  std::vector<std::string> expected;
  for (size_t i = 0; i < info.layers.size(); ++i) {
    const LayerInfo& li = info.layers[i];
    std::vector<int64_t> wshape;
    if (li.spec.type == LayerType::Conv2d) wshape = {li.out.c, li.in.c, li.spec.kernel, li.spec.kernel};
    else if (li.spec.type == LayerType::Linear) wshape = {li.out.c, li.in.c};
    else continue;
    const std::string prefix = std::to_string(i);
    for (const auto& [name, shape] : {std::pair{prefix + ".weight", wshape}, std::pair{prefix + ".bias", std::vector<int64_t>{li.out.c}}}) {
      expected.push_back(name);
      const NamedTensor* t = st.find(name);
      if (!t) throw FormatError("the file lacks tensor \"" + name + "\" that " + whose + " needs");
      if (t->shape != shape)
        throw FormatError("tensor \"" + name + "\" has shape " + shape_str(t->shape) + " but " + whose + " needs " + shape_str(shape));
      for (float v : t->data)
        if (!std::isfinite(v)) throw FormatError("tensor \"" + name + "\" holds NaN or infinity: the model diverged before it was saved");
    }
  }
  // names are unique (the header parser rejects duplicate keys), so a count mismatch is an extra
  if (st.tensors.size() != expected.size())
    for (const auto& t : st.tensors)
      if (std::find(expected.begin(), expected.end(), t.name) == expected.end())
        throw FormatError("the file has tensor \"" + t.name + "\" that " + whose + " does not use");
  Model m(spec, 0);
  for (auto& p : m.params()) {
    const NamedTensor* t = st.find(p.name);
    // checked above: present, same shape
    assert(t && t->shape == p.shape);
    p.value = t->data;
  }
  return m;
}

}  // namespace convlab
