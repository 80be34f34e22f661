#include <catch2/catch.hpp>

#include "convlab/spec.h"

using namespace convlab;

static ModelInfo info_of(const std::string& text) { return validate(parse_spec(text)); }

static std::string error_of(const std::string& text, int* layer = nullptr) {
  try {
    validate(parse_spec(text));
  } catch (const SpecError& e) {
    if (layer) *layer = e.layer;
    return e.what();
  }
  return "";
}

TEST_CASE("output size: w_out = (w_in + 2p - k)/s + 1, exact or rejected") {
  CHECK(output_size(32, 5, 1, 0, 0).value == 28);
  CHECK(output_size(7, 3, 2, 0, 0).value == 3);  // the lecture: stride 2 shrinks 7x7 to 3x3
  CHECK(output_size(7, 3, 1, 1, 1).value == 7);
  CHECK(output_size(227, 11, 4, 0, 0).value == 55);  // AlexNet conv1
  CHECK_FALSE(output_size(7, 2, 2, 0, 0).exact);
  CHECK_FALSE(output_size(2, 3, 1, 0, 0).exact);
}

TEST_CASE("padding same is PyTorch's: total k-1, smaller half first") {
  CHECK(same_pad_before(3) == 1);
  CHECK(same_pad_after(3) == 1);
  CHECK(same_pad_before(4) == 1);
  CHECK(same_pad_after(4) == 2);
  auto info = info_of(R"({"input":{"channels":1,"height":9,"width":9},"layers":[
    {"type":"conv2d","out_channels":2,"kernel":4,"padding":"same"},{"type":"flatten"},
    {"type":"linear","out_features":2}]})");
  CHECK(info.layers[0].out == Shape{2, 9, 9, false});
  CHECK(info.layers[0].pad_top == 1);
  CHECK(info.layers[0].pad_bottom == 2);
}

TEST_CASE("per-layer shapes, parameters, multiply-adds and receptive fields") {
  // workload A
  auto info = info_of(R"({"input":{"channels":1,"height":28,"width":28},"layers":[
    {"type":"conv2d","out_channels":16,"kernel":3,"padding":"same"},{"type":"relu"},
    {"type":"maxpool2d","kernel":2},
    {"type":"conv2d","out_channels":32,"kernel":3,"padding":"same"},{"type":"relu"},
    {"type":"maxpool2d","kernel":2},{"type":"flatten"},{"type":"linear","out_features":10}]})");
  REQUIRE(info.layers.size() == 8);
  CHECK(info.layers[0].out == Shape{16, 28, 28, false});
  CHECK(info.layers[0].params == 16 * 9 + 16);
  CHECK(info.layers[0].params_formula == "16·(3·3·1)+16");
  CHECK(info.layers[0].macs == 16LL * 28 * 28 * 9);
  CHECK(info.layers[0].size_formula == "(28 + 2·1 − 3)/1 + 1 = 28");
  CHECK(info.layers[2].out == Shape{16, 14, 14, false});
  CHECK(info.layers[3].params == 32 * 16 * 9 + 32);
  CHECK(info.layers[6].out == Shape{32 * 7 * 7, 1, 1, true});
  CHECK(info.layers[7].params == 1568 * 10 + 10);
  CHECK(info.params == 160 + 4640 + 15690);
  // receptive field: 3 -> pool 2 -> 4 (jump 2) -> conv3 -> 4 + 2*2 = 8 -> pool -> 8 + 1*2 = 10
  CHECK(info.layers[0].rf == 3);
  CHECK(info.layers[0].jump == 1);
  CHECK(info.layers[2].rf == 4);
  CHECK(info.layers[2].jump == 2);
  CHECK(info.layers[3].rf == 8);
  CHECK(info.layers[5].rf == 10);
  CHECK(info.layers[5].jump == 4);
  CHECK(info.layers[7].rf_full);
}

TEST_CASE("receptive field of stride-1 stacks is 1 + l(k-1): three 3x3 layers see 7x7") {
  std::string layers;
  for (int l = 0; l < 3; ++l) layers += R"({"type":"conv2d","out_channels":1,"kernel":3},)";
  auto info = info_of(R"({"input":{"channels":1,"height":7,"width":7},"layers":[)" + layers +
                      R"({"type":"flatten"},{"type":"linear","out_features":2}]})");
  for (int l = 0; l < 3; ++l) CHECK(info.layers[size_t(l)].rf == 1 + (l + 1) * 2);
  CHECK(info.layers[2].out == Shape{1, 1, 1, false});  // 7 -> 5 -> 3 -> 1
}

TEST_CASE("bad specs name the layer and the fix") {
  int layer = -9;
  std::string e = error_of(R"({"input":{"channels":1,"height":7,"width":7},"layers":[
    {"type":"maxpool2d","kernel":2},{"type":"flatten"},{"type":"linear","out_features":2}]})", &layer);
  CHECK(layer == 0);
  CHECK_THAT(e, Catch::Contains("layer 0"));
  CHECK_THAT(e, Catch::Contains("(7 + 2·0 − 2)/2 + 1 = 3.5"));
  CHECK_THAT(e, Catch::Contains("use kernel 3 (→ 3)"));

  e = error_of(R"({"input":{"channels":1,"height":8,"width":8},"layers":[
    {"type":"conv2d","out_channels":4,"kernel":3},{"type":"linear","out_features":2}]})", &layer);
  CHECK(layer == 1);
  CHECK_THAT(e, Catch::Contains("flatten"));

  e = error_of(R"({"input":{"channels":1,"height":8,"width":8},"layers":[
    {"type":"conv2d","out_channels":4,"kernal":3}]})", &layer);
  CHECK(layer == 0);
  CHECK_THAT(e, Catch::Contains("Did you mean \"kernel\""));

  e = error_of(R"({"input":{"channels":1,"height":8,"width":8},"layers":[{"type":"convolution"}]})", &layer);
  CHECK_THAT(e, Catch::Contains("Did you mean \"conv2d\""));

  e = error_of(R"({"input":{"channels":1,"height":4,"width":4},"layers":[
    {"type":"conv2d","out_channels":4,"kernel":5},{"type":"flatten"},{"type":"linear","out_features":2}]})", &layer);
  CHECK(layer == 0);
  CHECK_THAT(e, Catch::Contains("larger than its padded input"));

  e = error_of(R"({"input":{"channels":1,"height":8,"width":8},"layers":[
    {"type":"conv2d","out_channels":0,"kernel":3}]})", &layer);
  CHECK_THAT(e, Catch::Contains("\"out_channels\" is 0"));

  e = error_of(R"({"input":{"channels":3,"height":512,"width":512},"layers":[
    {"type":"flatten"},{"type":"linear","out_features":4096}]})", &layer);
  CHECK(layer == 1);
  CHECK_THAT(e, Catch::Contains("over the budget"));

  e = error_of(R"({"input":{"channels":1,"height":8,"width":8},"layers":[
    {"type":"conv2d","out_channels":4,"kernel":3,"stride":2,"padding":"same"}]})", &layer);
  CHECK_THAT(e, Catch::Contains("needs stride 1"));

  e = error_of(R"({"input":{"channels":1,"height":8,"width":8},"layers":[
    {"type":"conv2d","out_channels":4,"kernel":3,"padding":1}]})", &layer);
  CHECK_THAT(e, Catch::Contains("end it with"));

  e = error_of(R"({"input":{"channels":2,"height":8,"width":8},"layers":[]})", &layer);
  CHECK(layer == -1);
  CHECK_THAT(e, Catch::Contains("1 (grayscale) or 3 (RGB)"));

  e = error_of("{\"input\": ", &layer);
  CHECK_THAT(e, Catch::Contains("not valid JSON"));
}

TEST_CASE("check_spec reports without throwing, with the layers computed so far") {
  auto r = check_spec(R"({"input":{"channels":1,"height":8,"width":8},"layers":[
    {"type":"conv2d","out_channels":4,"kernel":3},{"type":"maxpool2d","kernel":4}]})");
  CHECK_FALSE(r.ok);
  CHECK(r.error_layer == 1);
  CHECK(r.info.layers.size() == 1);
  CHECK(r.info.layers[0].out == Shape{4, 6, 6, false});
}

TEST_CASE("spec JSON round-trips") {
  std::string text = R"({"input":{"channels":3,"height":32,"width":32},"layers":[
    {"type":"conv2d","out_channels":8,"kernel":5,"stride":1,"padding":"same"},{"type":"relu"},
    {"type":"avgpool2d","kernel":2,"stride":2,"padding":0},{"type":"flatten"},{"type":"linear","out_features":3}]})";
  ModelSpec a = parse_spec(text);
  ModelSpec b = parse_spec(spec_to_json(a).dump(2));
  CHECK(spec_to_json(a).dump() == spec_to_json(b).dump());
  CHECK(b.layers[0].same);
  CHECK(b.layers[2].stride == 2);
}
