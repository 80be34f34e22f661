// Every number the lecture views show: presets, FC-vs-conv counts, the sliding dot product,
// equivariance and pooling invariance, receptive fields, stride/padding coverage.
#include <catch2/catch.hpp>

#include <cmath>

#include "convlab/layers.h"
#include "convlab/learn.h"
#include "convlab/rng.h"
#include "convlab/session.h"

using namespace convlab;

namespace {

std::string preset_spec(const std::string& id) {
  for (const auto& p : learn::presets())
    if (p.id == id) return p.spec;
  FAIL("no preset " << id);
  return "";
}

std::vector<float> random_input(const Model& m, uint64_t seed) {
  std::vector<float> x(size_t(m.input_size()));
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& v : x) {  // xorshift: a fixed pseudo-random image in [0, 1)
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    v = float(s >> 40) / float(1 << 24);
  }
  return x;
}

}  // namespace

TEST_CASE("the lecture's AlexNet validates with AlexNet's real shapes and parameter count") {
  auto spec = parse_spec(preset_spec("alexnet"));
  CHECK_THROWS_AS(validate(spec), SpecError);  // over the browser's budget, so never built
  auto info = validate(spec, false);
  REQUIRE(info.layers.size() == 19);
  CHECK(info.input == Shape{3, 227, 227, false});
  CHECK(info.layers[0].out == Shape{96, 55, 55, false});
  CHECK(info.layers[0].size_formula == "(227 + 2·0 − 11)/4 + 1 = 55");
  CHECK(info.layers[2].out == Shape{96, 27, 27, false});
  CHECK(info.layers[3].out == Shape{256, 27, 27, false});
  CHECK(info.layers[5].out == Shape{256, 13, 13, false});
  CHECK(info.layers[6].out == Shape{384, 13, 13, false});
  CHECK(info.layers[8].out == Shape{384, 13, 13, false});
  CHECK(info.layers[10].out == Shape{256, 13, 13, false});
  CHECK(info.layers[12].out == Shape{256, 6, 6, false});
  CHECK(info.layers[13].out == Shape{9216, 1, 1, true});
  CHECK(info.layers[14].out.c == 4096);
  CHECK(info.layers[16].out.c == 4096);
  CHECK(info.layers[18].out.c == 1000);
  CHECK(info.layers[0].params == 34'944);
  CHECK(info.layers[0].params_formula == "96·(11·11·3)+96");
  CHECK(info.layers[3].params == 614'656);
  CHECK(info.layers[6].params == 885'120);
  CHECK(info.layers[8].params == 1'327'488);
  CHECK(info.layers[10].params == 884'992);
  CHECK(info.layers[14].params == 37'752'832);
  CHECK(info.layers[16].params == 16'781'312);
  CHECK(info.layers[18].params == 4'097'000);
  CHECK(info.params == 62'378'344);
  CHECK(info.layers[0].macs == 96LL * 55 * 55 * 363);  // 105,415,200
  // r_l = r_{l-1} + (k_l - 1) j_{l-1}: 11, 19, 51, 67, 99, 131, 163, 195
  CHECK(info.layers[0].rf == 11);
  CHECK(info.layers[0].jump == 4);
  CHECK(info.layers[2].rf == 19);
  CHECK(info.layers[3].rf == 51);
  CHECK(info.layers[5].rf == 67);
  CHECK(info.layers[10].rf == 163);
  CHECK(info.layers[12].rf == 195);
  CHECK(info.layers[12].jump == 32);
  // check_spec without the budget reports it ok; with it, the error names the first linear.
  CHECK(check_spec(preset_spec("alexnet"), false).ok);
  auto rep = check_spec(preset_spec("alexnet"));
  CHECK_FALSE(rep.ok);
  CHECK(rep.error_layer == 14);
}

TEST_CASE("LeNet-style preset: 32 -> 28 -> 14 -> 10 -> 5, 61,706 parameters") {
  auto info = validate(parse_spec(preset_spec("lenet")));
  CHECK(info.layers[0].out == Shape{6, 28, 28, false});
  CHECK(info.layers[2].out == Shape{6, 14, 14, false});
  CHECK(info.layers[3].out == Shape{16, 10, 10, false});
  CHECK(info.layers[5].out == Shape{16, 5, 5, false});
  CHECK(info.layers[6].out.c == 400);
  CHECK(info.layers[0].params == 156);
  CHECK(info.layers[3].params == 2'416);
  CHECK(info.params == 61'706);
}

TEST_CASE("webcam preset: 64 -> 32 -> 16 -> 8, and every trainable preset builds") {
  auto info = validate(parse_spec(preset_spec("webcam")));
  CHECK(info.layers[2].out == Shape{8, 32, 32, false});
  CHECK(info.layers[5].out == Shape{16, 16, 16, false});
  CHECK(info.layers[8].out == Shape{32, 8, 8, false});
  CHECK(info.layers[9].out.c == 2048);
  CHECK(info.layers[10].params == 32 * 2048 + 32);
  CHECK(info.params == (8 * 27 + 8) + (16 * 72 + 16) + (32 * 144 + 32) + (32 * 2048 + 32) + (2 * 32 + 2));
  for (const auto& p : learn::presets()) {
    INFO(p.id);
    CHECK(check_spec(p.spec).ok == p.trainable);
    if (p.trainable) CHECK_NOTHROW(Model(parse_spec(p.spec), 1));
  }
}

TEST_CASE("fully-connected versus convolutional weights: the lecture's examples") {
  auto a = learn::fc_vs_conv(1, 32, 32, 100, 5, 6);
  CHECK(a.fc_weights_per_neuron == 1'024);
  CHECK(a.fc_layer_weights == 102'400);
  CHECK(a.fc_layer_params == 102'500);
  CHECK(a.conv_weights_per_filter == 25);
  CHECK(a.conv_layer_params == 6 * 25 + 6);
  auto b = learn::fc_vs_conv(3, 300, 300, 1, 3, 16);
  CHECK(b.fc_weights_per_neuron == 270'000);
  CHECK(b.conv_weights_per_filter == 27);
  CHECK(b.conv_layer_params == 16 * 27 + 16);  // the table's 16·(3·3·3)+16
  CHECK_THROWS(learn::fc_vs_conv(0, 3, 3, 1, 1, 1));
}

TEST_CASE("sliding dot product: every cell's patch·weights + bias is the engine's output") {
  Model m(parse_spec(preset_spec("webcam")), 7);
  auto x = random_input(m, 3);
  m.forward(x.data(), 1);
  const auto& info = m.info();
  for (int layer : {0, 3}) {
    const LayerInfo& li = info.layers[size_t(layer)];
    // The plain reference convolution on the same input gives the same map.
    std::vector<float> ref(size_t(li.out.size()));
    Conv2dShape cs{1, li.in.c, li.in.h, li.in.w, li.out.c, li.out.h, li.out.w, li.spec.kernel, li.spec.stride,
                   li.pad_top, li.pad_left};
    const auto& w = m.params()[size_t(m.weight_index(layer))].value;
    const auto& b = m.params()[size_t(m.weight_index(layer) + 1)].value;
    conv2d_forward_reference(ref.data(), m.activation(layer - 1), w.data(), b.data(), cs);
    for (int f : {0, li.out.c - 1})
      for (int oy : {0, 1, li.out.h / 2, li.out.h - 1})
        for (int ox : {0, li.out.w - 1, 5}) {
          auto st = learn::conv_step(m, layer, f, oy, ox);
          INFO("layer " << layer << " filter " << f << " cell " << oy << "," << ox);
          CHECK(st.patch.size() == size_t(li.in.c) * 9);
          CHECK(float(st.dot + st.bias) == Approx(st.value).margin(1e-5));
          CHECK(st.value == Approx(ref[(size_t(f) * li.out.h + oy) * li.out.w + ox]).margin(1e-5));
          CHECK(st.relu == std::max(0.0f, st.value));
          if (layer + 1 < int(info.layers.size()) && info.layers[size_t(layer + 1)].spec.type == LayerType::ReLU)
            CHECK(st.relu == m.activation(layer + 1)[(size_t(f) * li.out.h + oy) * li.out.w + ox]);
          // The top-left cell's window hangs one pixel into the zero padding.
          int pads = 0;
          for (auto p : st.padded) pads += p;
          if (oy == 0 && ox == 0) {
            CHECK(st.in_y0 == -1);
            CHECK(pads == li.in.c * 5);
          }
          if (oy == 1 && ox == 5) CHECK(pads == 0);
        }
  }
  CHECK_THROWS_WITH(learn::conv_step(m, 1, 0, 0, 0), Catch::Contains("not a convolution"));
  CHECK_THROWS(learn::conv_step(m, 0, 8, 0, 0));
}

TEST_CASE("forward_rgba preprocesses with the one function and runs the model") {
  Model m(parse_spec(preset_spec("webcam")), 2);
  std::vector<uint8_t> rgba(64 * 48 * 4, 255);
  std::vector<float> x;
  learn::forward_rgba(m, x, rgba.data(), 64, 48);
  REQUIRE(x.size() == size_t(3 * 64 * 64));
  CHECK(x[0] == 1.0f);
  CHECK(m.activation(-1)[5] == 1.0f);
  CHECK(m.last_batch() == 1);
}

TEST_CASE("shift_image moves right/down with zero fill") {
  std::vector<float> x = {1, 2, 3, 4, 5, 6};  // (1, 2, 3)
  CHECK(learn::shift_image(x.data(), 1, 2, 3, 1, 0) == std::vector<float>{0, 1, 2, 0, 4, 5});
  CHECK(learn::shift_image(x.data(), 1, 2, 3, -1, 1) == std::vector<float>{0, 0, 0, 2, 3, 0});
}

TEST_CASE("translation equivariance of a padded conv: zero difference away from the borders") {
  Model m(parse_spec(R"({"input":{"channels":1,"height":12,"width":12},"layers":[
    {"type":"conv2d","out_channels":3,"kernel":3,"padding":1},{"type":"relu"},{"type":"maxpool2d","kernel":2},
    {"type":"flatten"},{"type":"linear","out_features":2}]})"),
          5);
  auto x = random_input(m, 9);
  auto e = learn::measure_equivariance(m, x.data(), 0, 2, 1);
  CHECK(e.whole_cells);
  CHECK(e.sx == 2);
  CHECK(e.sy == 1);
  // Interior: the 3×3 window of cell (i, j) is [i-1, i+2) × [j-1, j+2) and must lie in
  // rows [1, 12) and columns [2, 12): i in 2..10, j in 3..10.
  CHECK(e.interior_cells == 9 * 8);
  CHECK(e.border_cells == 144 - 72);
  CHECK(e.max_interior == 0.0f);
  CHECK(e.max_border > 0.01f);  // the zero-filled strip and the padding break it
  CHECK(e.border_nonzero > 0);
  CHECK(e.interior[size_t(5 * 12 + 5)] == 1);
  CHECK(e.interior[size_t(0 * 12 + 5)] == 0);
  // Deeper, past the pool (jump 2): a shift of 2 pixels is one cell and still exact inside.
  auto p = learn::measure_equivariance(m, x.data(), 2, 2, 0);
  CHECK(p.jump == 2);
  CHECK(p.sx == 1);
  CHECK(p.whole_cells);
  CHECK(p.interior_cells > 0);
  CHECK(p.max_interior == 0.0f);
  // A 1-pixel shift is half a pooled cell: no longer exact.
  auto q = learn::measure_equivariance(m, x.data(), 2, 1, 0);
  CHECK_FALSE(q.whole_cells);
  CHECK(q.max_interior > 0.0f);
  CHECK_THROWS(learn::measure_equivariance(m, x.data(), 3, 1, 0));  // flatten
}

TEST_CASE("pooling invariance: fraction of pooled outputs unchanged by small shifts") {
  // One row repeated: [0 9 0 0 9 0 0 0], k = s = 2. Shift 1 -> [0 0 9 0 0 9 0 0].
  std::vector<float> a;
  for (int r = 0; r < 2; ++r)
    for (float v : {0.f, 9.f, 0.f, 0.f, 9.f, 0.f, 0.f, 0.f}) a.push_back(v);
  auto p = learn::pool_invariance(a.data(), 1, 2, 8, 2, 2, 2);
  REQUIRE(p.size() == 3);
  CHECK(p[0].cells == 2);  // windows 1 and 3 are all zero: trivially unchanged, not counted
  CHECK(p[0].max_unchanged == 2);
  CHECK(p[0].avg_unchanged == 2);
  CHECK(p[0].max_change == 0);
  CHECK(p[1].cells == 2);  // window 0 meets the zero-filled column, window 3 stays all zero
  CHECK(p[1].max_unchanged == 1);  // max [9 0 9 0] -> [. 9 9 0]
  CHECK(p[1].avg_unchanged == 1);
  CHECK(p[1].max_change == Approx(9.0 / 9.0));  // |9 - 0| + |9 - 9| over |0| + |9|
  // A random detector map: max pooling keeps more outputs than average pooling.
  std::vector<float> r(4 * 16 * 16);
  uint64_t s = 12345;
  for (auto& v : r) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    v = std::max(0.0f, float(int(s >> 40) % 1000) / 1000.0f - 0.3f);
  }
  auto q = learn::pool_invariance(r.data(), 4, 16, 16, 2, 2, 4);
  CHECK(q[0].max_unchanged == q[0].cells);
  CHECK(q[1].max_unchanged > q[1].avg_unchanged);
  CHECK(q[1].max_change < q[1].avg_change);
  CHECK(double(q[1].max_unchanged) / q[1].cells > double(q[3].max_unchanged) / q[3].cells);
}

TEST_CASE("prediction versus shift: one softmax row per shift, shift 0 is the plain prediction") {
  Model m(parse_spec(preset_spec("webcam")), 4);
  auto x = random_input(m, 1);
  std::vector<float> p0(2);
  softmax_forward(p0.data(), m.forward(x.data(), 1), 1, 2);
  auto rows = learn::predict_shifts(m, x.data(), {-3, 0, 3});
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][0] == Approx(p0[0]).margin(1e-6));
  CHECK(rows[0][0] + rows[0][1] == Approx(1.0f));
  CHECK(rows[0][0] != rows[2][0]);
}

TEST_CASE("receptive field rectangles on the input, layer by layer") {
  Model m(parse_spec(preset_spec("webcam")), 1);
  const auto& info = m.info();
  // conv3 p1 -> pool2 -> conv3 p1 -> pool2: rf 3, 4, 8, 10; jumps 1, 2, 2, 4
  CHECK(info.layers[0].rf == 3);
  CHECK(info.layers[2].rf == 4);
  CHECK(info.layers[3].rf == 8);
  CHECK(info.layers[5].rf == 10);
  CHECK(info.layers[5].jump == 4);
  auto r = learn::receptive_field(info, 5, 3, 3);
  CHECK(r.y0 == 9);
  CHECK(r.x0 == 9);
  CHECK(r.y1 == 19);
  CHECK(r.x1 == 19);
  auto c = learn::receptive_field(info, 0, 0, 0);  // reaches into the padding
  CHECK(c.y0 == -1);
  CHECK(c.y1 == 2);
  for (int l = 0; l < 6; ++l) {
    const auto& li = info.layers[size_t(l)];
    auto q = learn::receptive_field(info, l, li.out.h / 2, li.out.w / 2);
    CHECK(q.y1 - q.y0 == li.rf);
    CHECK(q.x1 - q.x0 == li.rf);
    auto q2 = learn::receptive_field(info, l, li.out.h / 2, li.out.w / 2 + 1);
    CHECK(q2.x0 - q.x0 == li.jump);
  }
  auto full = learn::receptive_field(info, 9, 0, 0);  // flatten: the whole image
  CHECK(full.y1 == 64);
  CHECK(full.x1 == 64);
  CHECK_THROWS(learn::receptive_field(info, 0, 64, 0));
  // The lecture: 1 + l(k-1); three 3×3 layers see 7×7; strides multiply the growth.
  for (int l = 1; l <= 5; ++l) CHECK(learn::rf_of_stack(std::vector<int>(size_t(l), 3), std::vector<int>(size_t(l), 1)) == 1 + l * 2);
  CHECK(learn::rf_of_stack({3, 3, 3}, {1, 1, 1}) == 7);
  CHECK(learn::rf_of_stack({3, 2, 3}, {1, 2, 1}) == 8);
  CHECK(output_size(7, 3, 2, 0, 0).value == 3);  // stride 2 shrinks a 7×7 to 3×3
}

TEST_CASE("stride and padding coverage, exact and not") {
  auto a = learn::coverage(7, 3, 2, 0);
  CHECK(a.exact);
  CHECK(a.w_out == 3);
  CHECK(a.counts == std::vector<int>{1, 1, 2, 1, 2, 1, 1});
  CHECK(a.unused == 0);
  CHECK(a.formula == "(7 + 2·0 − 3)/2 + 1 = 3");
  auto b = learn::coverage(7, 3, 3, 0);  // 4/3 is not whole: the last column is never read
  CHECK_FALSE(b.exact);
  CHECK(b.w_out == 2);
  CHECK(b.counts == std::vector<int>{1, 1, 1, 1, 1, 1, 0});
  CHECK(b.unused == 1);
  CHECK(b.formula == "(7 + 2·0 − 3)/3 + 1 = 2.33333");
  // Padding 1 with a 3×3 kernel: the corner pixel is read 2·2 = 4 times, a middle one 3·3 = 9.
  auto c = learn::coverage(5, 3, 1, 1);
  CHECK(c.w_out == 5);
  CHECK(c.counts == std::vector<int>{1, 2, 3, 3, 3, 2, 1});
  CHECK(c.counts[1] * c.counts[1] == 4);
  auto d = learn::coverage(5, 3, 1, 0);
  CHECK(d.counts == std::vector<int>{1, 2, 3, 2, 1});  // the corner: once
  auto e = learn::coverage(2, 3, 1, 0);
  CHECK(e.w_out == 0);
  CHECK(e.unused == 2);
  CHECK_THROWS(learn::coverage(0, 3, 1, 0));
}

// ---- the Session's learn_* methods: what the worker's learn commands return ----

namespace {

std::vector<uint8_t> random_rgba(int w, int h, uint32_t seed) {
  std::vector<uint8_t> px(size_t(w) * h * 4);
  uint32_t s = seed;
  for (auto& v : px) v = uint8_t((s = s * 1664525u + 1013904223u) >> 24);
  return px;
}

std::vector<float> floats(const Json& a) {
  std::vector<float> v;
  for (const Json& x : a.items()) v.push_back(float(x.as_number()));
  return v;
}

}  // namespace

TEST_CASE("session learn: run, activations and probabilities of the last image") {
  Session s;  // the webcam preset, 64x64 RGB
  CHECK_THROWS_WITH(s.learn_activation(0), Catch::Contains("run the model on an image first"));
  CHECK_THROWS_WITH(s.learn_probabilities(), Catch::Contains("run the model on an image first"));
  CHECK_THROWS_WITH(s.learn_equivariance(0, 1, 0), Catch::Contains("run the model on an image first"));
  auto px = random_rgba(80, 60, 3);
  CHECK_THROWS_WITH(s.learn_run(px.data(), px.size() - 4, 80, 60), Catch::Contains("RGBA needs 19200"));
  auto x = s.learn_run(px.data(), px.size(), 80, 60);
  REQUIRE(x.size() == size_t(3 * 64 * 64));
  CHECK(s.learn_activation(-1) == x);
  CHECK(s.learn_activation(0).size() == size_t(8 * 64 * 64));
  CHECK_THROWS_WITH(s.learn_activation(13), Catch::Contains("no layer 13: the model has layers 0 to 12"));
  CHECK_THROWS(s.learn_activation(-2));
  auto p = s.learn_probabilities();
  REQUIRE(p.size() == 2);
  CHECK(p[0] + p[1] == Approx(1.0f));
  auto q = s.predict(px.data(), px.size(), 80, 60);  // the live view's path (Winograd) agrees
  CHECK(p[0] == Approx(q[0]).margin(1e-5));

  // live prediction of another image between two reads of the views (the page predicts from
  // the webcam while a lecture view is open): the views still show the learn_run image, with
  // the relu map that predict's pool-only pass never writes (layer 1 feeds the first pool)
  const auto relu0 = s.learn_activation(1), pool0 = s.learn_activation(2);
  auto other = random_rgba(80, 60, 4);
  s.predict(other.data(), other.size(), 80, 60);
  CHECK_FALSE(s.model().last_run_was_forward());
  CHECK(s.learn_activation(-1) == x);
  CHECK(s.learn_activation(1) == relu0);
  CHECK(s.learn_activation(2) == pool0);
  CHECK(s.learn_probabilities() == p);
}

TEST_CASE("session learn: the sliding step, equivariance and predictions leave the image as it was") {
  Session s;
  auto px = random_rgba(64, 64, 8);
  auto x = s.learn_run(px.data(), px.size(), 64, 64);
  const auto act0 = s.learn_activation(0);

  Json st = Json::parse(s.learn_conv_step(3, 2, 4, 5));
  auto direct = learn::conv_step(s.model(), 3, 2, 4, 5);
  CHECK(floats(*st.find("patch")) == direct.patch);
  CHECK(floats(*st.find("weights")) == direct.weights);
  CHECK(st.find("padded")->size() == direct.padded.size());
  CHECK(float(st.find("value")->as_number()) == direct.value);  // exact through the JSON
  CHECK(st.find("dot")->as_number() == direct.dot);
  CHECK(st.find("c_in")->as_number() == 8);
  CHECK_THROWS_WITH(s.learn_conv_step(1, 0, 0, 0), Catch::Contains("not a convolution"));

  Json e = Json::parse(s.learn_equivariance(0, 3, 2));
  CHECK(e.find("c")->as_number() == 8);
  CHECK(e.find("conv_of_shifted")->size() == size_t(8 * 64 * 64));
  CHECK(e.find("interior")->size() == size_t(64 * 64));
  CHECK(floats(*e.find("shifted_input")) == learn::shift_image(x.data(), 3, 64, 64, 3, 2));
  CHECK(e.find("max_interior")->as_number() == 0);
  CHECK(s.model().last_batch() == 1);  // the unshifted image alone is the last run again
  CHECK(s.learn_activation(-1) == x);
  CHECK(s.learn_activation(0) == act0);

  Json rows = Json::parse(s.learn_predict_shifts({-2, 0, 2}));
  REQUIRE(rows.size() == 3);
  auto p = s.learn_probabilities();
  CHECK(floats(rows.items()[1]) == p);  // shift 0 is the plain prediction, bit for bit
  CHECK(s.model().last_batch() == 1);
  CHECK(s.learn_activation(-1) == x);  // not the first shifted image

  Json pool = Json::parse(s.learn_pool_invariance(2, 3));
  REQUIRE(pool.size() == 4);
  CHECK(pool.items()[0].find("max_change")->as_number() == 0);
  CHECK_THROWS_WITH(s.learn_pool_invariance(1, 3), Catch::Contains("layer 1 is not a pooling layer"));
  CHECK_THROWS_WITH(s.learn_pool_invariance(13, 3), Catch::Contains("layer 13 is not a pooling layer"));

  Json rf = Json::parse(s.learn_receptive_field(0, 0, 0));
  CHECK(rf.dump() == R"({"y0":-1,"x0":-1,"y1":2,"x1":2})");
}

TEST_CASE("session learn: the views wait while the model trains") {
  Session s;
  s.set_spec(R"({"input": {"channels": 1, "height": 8, "width": 8}, "layers": [
    {"type": "conv2d", "out_channels": 2, "kernel": 3}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
    {"type": "flatten"}, {"type": "linear", "out_features": 2}]})", 1);
  auto px = random_rgba(8, 8, 1);
  auto x = s.learn_run(px.data(), px.size(), 8, 8);
  for (int i = 0; i < 4; ++i) s.add_image(px.data(), px.size(), 8, 8, i % 2);
  s.train_begin(R"({"epochs": 2, "batch_size": 1, "shift": 0})");
  REQUIRE(s.training());
  const char* busy = "the model is training: wait for training to finish or stop it";
  CHECK_THROWS_WITH(s.learn_run(px.data(), px.size(), 8, 8), busy);
  CHECK_THROWS_WITH(s.learn_activation(0), busy);
  CHECK_THROWS_WITH(s.learn_probabilities(), busy);
  CHECK_THROWS_WITH(s.learn_conv_step(0, 0, 0, 0), busy);
  CHECK_THROWS_WITH(s.learn_equivariance(0, 1, 0), busy);
  CHECK_THROWS_WITH(s.learn_pool_invariance(2, 1), busy);
  CHECK_THROWS_WITH(s.learn_predict_shifts({0}), busy);
  s.train_run(1000);
  CHECK_FALSE(s.training());
  CHECK(s.learn_run(px.data(), px.size(), 8, 8).size() == x.size());
}

TEST_CASE("learn JSON: the fields the views read") {
  Json f = learn::to_json(learn::fc_vs_conv(3, 200, 200, 1, 5, 1));
  CHECK(f.find("fc_weights_per_neuron")->as_number() == 120000);
  CHECK(f.find("conv_weights_per_filter")->as_number() == 75);
  CHECK(f.size() == 5);
  Json c = learn::to_json(learn::coverage(7, 3, 3, 0));
  CHECK_FALSE(c.find("exact")->as_bool());
  CHECK(c.find("counts")->dump() == "[1,1,1,1,1,1,0]");
  CHECK(c.find("unused")->as_number() == 1);
  CHECK(c.find("formula")->as_string() == learn::coverage(7, 3, 3, 0).formula);
  Json ps = learn::presets_json();
  REQUIRE(ps.size() == learn::presets().size());
  CHECK(ps.items()[0].find("id")->as_string() == "webcam");
  CHECK(ps.items()[2].find("trainable")->as_bool() == false);
}

