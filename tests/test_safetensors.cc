// safetensors: the format round-trips, and every hostile or corrupt file gives a
// FormatError that says what is wrong, never a crash (run under ASan+UBSan too).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "convlab/safetensors.h"

using namespace convlab;
using Catch::Matchers::Contains;

namespace {

const char* kSpec = R"({"input": {"channels": 1, "height": 4, "width": 4}, "layers": [
  {"type": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1}, {"type": "relu"},
  {"type": "flatten"}, {"type": "linear", "out_features": 3}]})";

// 8-byte little-endian header length, the header text, the body bytes.
std::vector<uint8_t> raw_file(const std::string& header, const std::vector<uint8_t>& body, uint64_t len_override = 0) {
  uint64_t n = len_override ? len_override : header.size();
  std::vector<uint8_t> out;
  for (int k = 0; k < 8; ++k) out.push_back(uint8_t(n >> (8 * k)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::string format_error(const std::vector<uint8_t>& bytes) {
  try {
    read_safetensors(bytes.data(), bytes.size());
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string load_error(const std::vector<uint8_t>& bytes) {
  try {
    load_model(bytes.data(), bytes.size());
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(no error)";
}

// The model's file, edited through the reader/writer (so the result is well-formed).
template <class Edit>
std::vector<uint8_t> edited_model_file(Edit edit) {
  Model m(parse_spec(kSpec), 5);
  auto bytes = save_safetensors(m);
  SafeTensors st = read_safetensors(bytes.data(), bytes.size());
  edit(st);
  return write_safetensors(st);
}

}  // namespace

TEST_CASE("safetensors: the layout is the format's own") {
  SafeTensors st;
  st.tensors.push_back({"a", {2}, {1.0f, -2.0f}});
  st.tensors.push_back({"b", {1, 1}, {0.5f}});
  st.metadata["k"] = "v";
  auto bytes = write_safetensors(st);
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = (n << 8) | bytes[size_t(k)];
  REQUIRE(bytes.size() == 8 + n + 12);
  CHECK((8 + n) % 8 == 0);  // padded so the data is aligned
  std::string header(bytes.begin() + 8, bytes.begin() + 8 + long(n));
  Json h = Json::parse(header);
  CHECK(h.find("a")->find("dtype")->as_string() == "F32");
  CHECK(h.find("a")->find("data_offsets")->dump() == "[0,8]");
  CHECK(h.find("b")->find("data_offsets")->dump() == "[8,12]");
  CHECK(h.find("b")->find("shape")->dump() == "[1,1]");
  CHECK(h.find("__metadata__")->find("k")->as_string() == "v");
  // raw little-endian float32: 1.0f = 00 00 80 3f
  CHECK(bytes[8 + n + 0] == 0x00);
  CHECK(bytes[8 + n + 2] == 0x80);
  CHECK(bytes[8 + n + 3] == 0x3f);
  SafeTensors back = read_safetensors(bytes.data(), bytes.size());
  REQUIRE(back.tensors.size() == 2);
  CHECK(back.tensors[0].name == "a");
  CHECK(back.tensors[0].data == std::vector<float>{1.0f, -2.0f});
  CHECK(back.tensors[1].shape == std::vector<int64_t>{1, 1});
  CHECK(back.metadata.at("k") == "v");
}

TEST_CASE("safetensors: model round-trip keeps every bit and the spec") {
  Model m(parse_spec(kSpec), 9);
  auto bytes = save_safetensors(m, {{"epochs", "3"}});
  Model back = load_model(bytes.data(), bytes.size());
  CHECK(hash_params(back) == hash_params(m));
  CHECK(spec_to_json(back.spec()).dump() == spec_to_json(m.spec()).dump());
  // a file written by someone else with the tensors in another order and no padding loads too
  SafeTensors st = read_safetensors(bytes.data(), bytes.size());
  std::reverse(st.tensors.begin(), st.tensors.end());
  auto other = write_safetensors(st);
  CHECK(hash_params(load_model(other.data(), other.size())) == hash_params(m));
}

TEST_CASE("safetensors: hostile and corrupt files give a clear FormatError") {
  const std::vector<uint8_t> f32_8(8, 0);  // two float zeros
  auto one = [](const std::string& entry) { return "{\"t\":" + entry + "}"; };
  struct Case { const char* what; std::vector<uint8_t> bytes; const char* message; };
  const std::vector<Case> cases = {
      {"empty", {}, "too short (0 bytes)"},
      {"7 bytes", std::vector<uint8_t>(7, 1), "too short (7 bytes)"},
      {"header length 2^64-1", raw_file("{}", {}, ~uint64_t(0)), "truncated or not safetensors"},
      {"header length > file", raw_file("{}", {}, 3), "header says it is 3 bytes but the file has only 2"},
      {"invalid JSON", raw_file("{\"t\": ", {}), "header is corrupt: invalid JSON at character"},
      {"JSON not an object", raw_file("[1, 2]", {}), "not a JSON object"},
      {"tensor not an object", raw_file(one("5"), {}), "needs dtype, shape and data_offsets"},
      {"dtype F16", raw_file(one(R"({"dtype":"F16","shape":[2],"data_offsets":[0,4]})"), {0, 0, 0, 0}),
       "dtype F16: ConvLab reads float32"},
      {"shape/offset mismatch", raw_file(one(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"), f32_8),
       "has 8 bytes but its shape needs 12"},
      {"overlapping offsets",
       raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                std::vector<uint8_t>(12, 0)),
       "overlap or leave a gap"},
      {"gap",
       raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                std::vector<uint8_t>(12, 0)),
       "overlap or leave a gap"},
      {"trailing bytes", raw_file(one(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})"), f32_8),
       "4 bytes after its last tensor"},
      {"offsets past the end", raw_file(one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})"), f32_8),
       "outside the 8 data bytes"},
      {"negative offset", raw_file(one(R"({"dtype":"F32","shape":[1],"data_offsets":[-4,0]})"), f32_8),
       "data_offsets [-4, 0]"},
      {"fractional offsets", raw_file(one(R"({"dtype":"F32","shape":[1],"data_offsets":[0.5,4.5]})"), f32_8),
       "data_offsets [0.5, 4.5]"},
      {"offsets not numbers", raw_file(one(R"({"dtype":"F32","shape":[1],"data_offsets":["0","4"]})"), f32_8),
       "data_offsets"},
      {"three offsets", raw_file(one(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4,8]})"), f32_8),
       "needs dtype, shape and data_offsets"},
      {"negative shape", raw_file(one(R"({"dtype":"F32","shape":[-1],"data_offsets":[0,4]})"), f32_8),
       "bad shape entry -1"},
      {"fractional shape", raw_file(one(R"({"dtype":"F32","shape":[1.5],"data_offsets":[0,4]})"), f32_8),
       "bad shape entry 1.5"},
      {"huge shape", raw_file(one(R"({"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,4]})"), f32_8),
       "too large"},
      {"many dimensions", raw_file(one(R"({"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]})"), f32_8),
       "more than 8 dimensions"},
      {"metadata not an object", raw_file(R"({"__metadata__": [1]})", {}), "__metadata__ must be an object"},
      {"metadata value not a string", raw_file(R"({"__metadata__": {"a": 1}})", {}), "\"a\" is not a string"},
      {"deeply nested JSON", raw_file(std::string(100000, '[') + std::string(100000, ']'), {}), "nested too deeply"},
      {"duplicate tensor name",
       raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                f32_8),
       "duplicate key \"a\""},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    CHECK_THAT(format_error(c.bytes), Contains(c.message));
  }
}

TEST_CASE("safetensors: files that are valid safetensors but not a model for their spec") {
  struct Case { const char* what; std::vector<uint8_t> bytes; const char* message; };
  const std::vector<Case> cases = {
      {"missing convlab_spec", edited_model_file([](SafeTensors& st) { st.metadata.erase("convlab_spec"); }),
       "no ConvLab spec in its metadata"},
      {"spec not JSON", edited_model_file([](SafeTensors& st) { st.metadata["convlab_spec"] = "{oops"; }),
       "the model spec inside the file is invalid"},
      {"spec with an unknown layer",
       edited_model_file([](SafeTensors& st) {
         st.metadata["convlab_spec"] =
             R"({"input":{"channels":1,"height":4,"width":4},"layers":[{"type":"dense"}]})";
       }),
       "the model spec inside the file is invalid: layer 0: unknown layer type \"dense\""},
      {"spec whose arithmetic fails",
       edited_model_file([](SafeTensors& st) {
         st.metadata["convlab_spec"] = R"({"input":{"channels":1,"height":4,"width":4},"layers":[
           {"type":"conv2d","out_channels":2,"kernel":9},{"type":"flatten"}]})";
       }),
       "the model spec inside the file is invalid: layer 0"},
      {"missing tensor", edited_model_file([](SafeTensors& st) { st.tensors.erase(st.tensors.begin() + 1); }),
       "lacks tensor \"0.bias\""},
      {"extra tensor", edited_model_file([](SafeTensors& st) { st.tensors.push_back({"4.weight", {1}, {0.0f}}); }),
       "has tensor \"4.weight\" that its spec does not use"},
      {"wrong shape", edited_model_file([](SafeTensors& st) { st.tensors[0].shape = {2, 1, 9}; }),
       "\"0.weight\" has shape (2, 1, 9) but its spec needs (2, 1, 3, 3)"},
      {"NaN weight",
       edited_model_file([](SafeTensors& st) { st.tensors[2].data[5] = std::numeric_limits<float>::quiet_NaN(); }),
       "\"3.weight\" holds NaN or infinity"},
      {"infinite bias",
       edited_model_file([](SafeTensors& st) { st.tensors[3].data[0] = -std::numeric_limits<float>::infinity(); }),
       "\"3.bias\" holds NaN or infinity"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    CHECK_THAT(load_error(c.bytes), Contains(c.message));
  }
}

TEST_CASE("safetensors: every truncation of a valid file throws, none crashes") {
  Model m(parse_spec(kSpec), 3);
  auto bytes = save_safetensors(m);
  REQUIRE(bytes.size() > 200);
  int thrown = 0;
  for (size_t len = 0; len < bytes.size(); ++len) {
    // a copy of exactly len bytes, so ASan sees any read past the end
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + long(len));
    try {
      load_model(prefix.data(), prefix.size());
    } catch (const FormatError&) {
      ++thrown;
    }
  }
  CHECK(thrown == int(bytes.size()));
  // and every single-byte corruption of the header gives an error or a valid model, never a crash
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = (n << 8) | bytes[size_t(k)];
  for (size_t at = 0; at < 8 + n; ++at) {
    std::vector<uint8_t> bad = bytes;
    bad[at] ^= 0x5a;
    try {
      load_model(bad.data(), bad.size());
    } catch (const FormatError&) {
    }
  }
}

TEST_CASE("safetensors: a failed load leaves the caller's model untouched") {
  Model m(parse_spec(kSpec), 4);
  const uint64_t before = hash_params(m);
  auto bytes = save_safetensors(Model(parse_spec(kSpec), 8));
  bytes.resize(bytes.size() - 1);
  CHECK_THROWS_AS(m = load_model(bytes.data(), bytes.size()), FormatError);
  CHECK(hash_params(m) == before);
}
