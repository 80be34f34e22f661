// The Sequential model: parameter names and init, the layers wired in the right order
// (flatten's channel-major order, "same" padding from the spec), a gradient check of the
// whole net through softmax cross-entropy, and a safetensors round-trip per layer type.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "convlab/layers.h"
#include "convlab/learn.h"
#include "convlab/model.h"
#include "convlab/rules.h"
#include "convlab/optim.h"
#include "convlab/safetensors.h"
#include "gradcheck.h"

using namespace convlab;
using Catch::Matchers::WithinAbs;

using gradcheck::kAllLayers;

namespace {


Model make(const char* spec, uint64_t seed = 1) { return Model(parse_spec(std::string(spec)), seed); }

double model_loss(Model& m, const std::vector<float>& x, const std::vector<int32_t>& labels) {
  const int n = int(labels.size()), classes = m.num_classes();
  std::vector<float> probs(size_t(n * classes));
  const float* logits = m.forward(x.data(), n);
  return softmax_cross_entropy_forward(probs.data(), logits, labels.data(), n, classes);
}

}  // namespace

TEST_CASE("model: parameters carry nn.Sequential's names and layouts, init within PyTorch's bound") {
  Model m = make(kAllLayers);
  REQUIRE(m.params().size() == 10);
  const std::vector<std::pair<std::string, std::vector<int64_t>>> want = {
      {"0.weight", {4, 3, 3, 3}}, {"0.bias", {4}}, {"3.weight", {5, 4, 4, 4}}, {"3.bias", {5}},
      {"5.weight", {3, 5, 4, 4}}, {"5.bias", {3}}, {"9.weight", {6, 12}},     {"9.bias", {6}},
      {"11.weight", {3, 6}},      {"11.bias", {3}}};
  int64_t total = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const Param& p = m.params()[i];
    CHECK(p.name == want[i].first);
    CHECK(p.shape == want[i].second);
    int64_t n = 1;
    for (auto d : p.shape) n *= d;
    CHECK(p.size() == n);
    CHECK(p.grad.size() == p.value.size());
    total += n;
  }
  CHECK(total == m.num_params());
  CHECK(m.weight_index(0) == 0);
  CHECK(m.weight_index(1) == -1);
  CHECK(m.weight_index(9) == 6);
  // kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias the same bound;
  // fan_in of 3.weight is 4*4*4 = 64, so |w| < 0.125, and the draws spread across the range
  const Param& w3 = m.params()[2];
  float lo = 1, hi = -1;
  for (float v : w3.value) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  CHECK(lo >= -0.125f);
  CHECK(hi <= 0.125f);
  CHECK(lo < -0.1f);
  CHECK(hi > 0.1f);
  for (float v : m.params()[3].value) CHECK(std::fabs(v) <= 0.125f);
  // seeded: the same seed gives the same parameters, another seed others
  CHECK(hash_params(make(kAllLayers, 1)) == hash_params(m));
  CHECK(hash_params(make(kAllLayers, 2)) != hash_params(m));
}

TEST_CASE("model: flatten is channel-major (NCHW), as torch.flatten") {
  // input 2x2x2, linear 1 with a one-hot weight at flat index 5 = (c 1, h 0, w 1)
  Model m = make(R"({"input": {"channels": 3, "height": 2, "width": 2}, "layers": [
    {"type": "flatten"}, {"type": "linear", "out_features": 1}]})");
  Param& w = *m.find_param("1.weight");
  Param& b = *m.find_param("1.bias");
  std::fill(w.value.begin(), w.value.end(), 0.0f);
  w.value[5] = 1.0f;
  b.value[0] = 0.0f;
  std::vector<float> x(12);
  for (int i = 0; i < 12; ++i) x[size_t(i)] = float(10 * i);
  CHECK(m.forward(x.data(), 1)[0] == 50.0f);
  // the flatten activation is the input, unchanged
  CHECK(std::memcmp(m.activation(0), x.data(), sizeof(float) * 12) == 0);
}

TEST_CASE("model: padding \"same\" from the spec reaches the layer (even kernel, 1 before 2 after)") {
  // The lecture's bottom-right-tap filter, now 4x4 "same" on a 4x4 image with a 1.0 in the
  // bottom-right pixel: tap (3,3) reads x[oy+2][ox+2], so the 1.0 appears at (1,1).
  Model m = make(R"({"input": {"channels": 1, "height": 4, "width": 4}, "layers": [
    {"type": "conv2d", "out_channels": 1, "kernel": 4, "padding": "same"}, {"type": "flatten"}]})");
  Param& w = *m.find_param("0.weight");
  std::fill(w.value.begin(), w.value.end(), 0.0f);
  w.value[15] = 1.0f;
  m.find_param("0.bias")->value[0] = 0.0f;
  std::vector<float> x(16, 0.0f);
  x[15] = 1.0f;
  const float* y = m.forward(x.data(), 1);
  for (int i = 0; i < 16; ++i) CHECK(y[i] == (i == 5 ? 1.0f : 0.0f));
}

TEST_CASE("model: a batch gives each image the logits it gets alone") {
  Model m = make(kAllLayers);
  const int n = 3;
  auto x = gradcheck::random_vector(n * m.input_size(), 21, 0, 1);
  std::vector<float> batch(m.forward(x.data(), n), m.forward(x.data(), n) + n * 3);
  for (int i = 0; i < n; ++i) {
    const float* one = m.forward(x.data() + i * m.input_size(), 1);
    for (int c = 0; c < 3; ++c) CHECK(one[c] == batch[size_t(i * 3 + c)]);
  }
}

TEST_CASE("model: predict reuses packed weights and still follows every weight change") {
  // kAllLayers' first conv (3x3 same, c_in 3) runs as Winograd in predict: equal to forward
  // within rounding; every other layer gives forward's bits.
  Model m = make(kAllLayers);
  const int n = 2, k = m.num_classes();
  auto x = gradcheck::random_vector(n * m.input_size(), 23, 0, 1);
  auto logits = [&](bool use_predict) {
    const float* y = use_predict ? m.predict(x.data(), n) : m.forward(x.data(), n);
    return std::vector<float>(y, y + n * k);
  };
  auto close = [](const std::vector<float>& a, const std::vector<float>& b) {
    for (size_t i = 0; i < a.size(); ++i)
      if (std::fabs(a[i] - b[i]) > 1e-5f * (1.0f + std::fabs(b[i]))) return false;
    return true;
  };
  const auto f0 = logits(false), q0 = logits(true);
  CHECK(close(q0, f0));
  CHECK(logits(true) == q0);  // again from the cached panels: the same bits
  // an optimizer step writes through params(): predict must see the new weights
  std::vector<int32_t> labels{0, 2};
  std::vector<float> probs(size_t(n * k)), dlogits(probs.size());
  softmax_cross_entropy_forward(probs.data(), m.forward(x.data(), n), labels.data(), n, k);
  softmax_cross_entropy_backward(dlogits.data(), probs.data(), labels.data(), n, k);
  m.zero_grad();
  m.backward(dlogits.data());
  Optimizer opt(OptimConfig{}, m);
  opt.step(m);
  const auto p1 = logits(true);
  CHECK(p1 != q0);
  CHECK(close(p1, logits(false)));
  // a write through a pointer kept from before, announced with weights_changed()
  float* b = m.find_param("11.bias")->value.data();
  logits(true);
  b[0] += 1.0f;
  m.weights_changed();
  const auto p2 = logits(true);
  CHECK(close(p2, logits(false)));
  CHECK(p2 != p1);
}

// The bench's workloads A and B (tools/bench/bench_core.h), which the README's speed table reports.
const char* kBenchA = R"({"input": {"channels": 1, "height": 28, "width": 28}, "layers": [
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 10}]})";
const char* kBenchB = R"({"input": {"channels": 3, "height": 32, "width": 32}, "layers": [
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 64},
  {"type": "relu"}, {"type": "linear", "out_features": 2}]})";

// Prediction and validation run predict (Winograd where it applies), training and the lecture's
// views run forward (the direct convolution). The page prints a probability as a percent with one
// decimal (predict.js bar widths, learn/maps.js toFixed(1)), so the two paths must agree within
// 0.05 percentage points and on the top class. Weights: a few Adam steps on random images and
// labels (trained-ish, not the init); inputs: fresh random images in [0, 1) with a class's band.
// AlexNet (presets()' untrainable one) is left out: its 58 M parameters need 0.5 GB for values
// and gradients alone, more than the test builds should ask for.
TEST_CASE("model: predict (Winograd) and forward (direct) give the printed probabilities on every trainable preset") {
  // small maps: the second conv (8x8) takes F(2x2, 3x3), the first (16x16) F(4x4, 3x3)
  const char* small = R"({"input": {"channels": 3, "height": 16, "width": 16}, "layers": [
    {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2},
    {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": "same"}, {"type": "relu"},
    {"type": "flatten"}, {"type": "linear", "out_features": 4}]})";
  std::vector<std::pair<std::string, std::string>> nets = {{"bench A", kBenchA}, {"bench B", kBenchB}, {"small maps", small}};
  int trainable = 0;
  for (const learn::Preset& p : learn::presets())
    if (p.trainable) nets.push_back({"preset " + p.id, p.spec}), ++trainable;
  CHECK(trainable >= 2);  // webcam and lenet
  int winograd_nets = 0, f2_nets = 0, f4_nets = 0;
  for (const auto& [name, spec] : nets) {
    INFO(name);
    Model m(parse_spec(spec), 5);
    int winograd_layers = 0, f2 = 0, f4 = 0;
    for (size_t i = 0; i < m.info().layers.size(); ++i) {
      winograd_layers += m.predicts_with_winograd(i);
      f2 += m.winograd_tile_of(i) == 2, f4 += m.winograd_tile_of(i) == 4;
      CHECK(m.predicts_with_winograd(i) == (m.winograd_tile_of(i) != 0));
    }
    winograd_nets += winograd_layers > 0, f2_nets += f2 > 0, f4_nets += f4 > 0;
    const int k = m.num_classes(), batch = 8, n = 16;
    OptimConfig oc;
    oc.kind = "adam", oc.lr = 0.01;
    Optimizer opt(oc, m);
    std::vector<float> probs(size_t(batch * k)), dlogits(probs.size());
    std::vector<int32_t> labels(static_cast<size_t>(batch));
    // class c brightens band c of the image rows: a signal a few steps can pick up, so the
    // probabilities move away from uniform (where any error would hide)
    const int H = m.input().height, W = m.input().width, C = m.input().channels;
    auto banded = [&](std::vector<float> x, int i, int label) {
      const int y0 = label * H / k, y1 = std::max(y0 + 1, (label + 1) * H / k);
      for (int c = 0; c < C; ++c)
        for (int y = y0; y < y1; ++y)
          for (int xx = 0; xx < W; ++xx) x[size_t(((int64_t(i) * C + c) * H + y) * W + xx)] += 0.5f;
      return x;
    };
    for (int step = 0; step < 6; ++step) {
      auto x = gradcheck::random_vector(batch * m.input_size(), 100 + step, 0, 1);
      for (int i = 0; i < batch; ++i) {
        labels[size_t(i)] = (i * 7 + step) % k;
        x = banded(std::move(x), i, labels[size_t(i)]);
      }
      softmax_cross_entropy_forward(probs.data(), m.forward(x.data(), batch), labels.data(), batch, k);
      softmax_cross_entropy_backward(dlogits.data(), probs.data(), labels.data(), batch, k);
      m.zero_grad();
      m.backward(dlogits.data());
      opt.step(m);
    }
    auto x = gradcheck::random_vector(n * m.input_size(), 200, 0, 1);
    for (int i = 0; i < n; ++i) x = banded(std::move(x), i, (i * 3) % k);
    std::vector<float> direct(size_t(n * k)), wino(direct.size());
    softmax_forward(direct.data(), m.forward(x.data(), n), n, k);
    softmax_forward(wino.data(), m.predict(x.data(), n), n, k);
    double worst = 0;
    for (int i = 0; i < n; ++i) {
      int best_d = 0, best_w = 0;
      for (int c = 0; c < k; ++c) {
        const size_t j = size_t(i * k + c);
        worst = std::max(worst, std::fabs(double(wino[j]) - double(direct[j])));
        if (direct[j] > direct[size_t(i * k + best_d)]) best_d = c;
        if (wino[j] > wino[size_t(i * k + best_w)]) best_w = c;
      }
      INFO("image " << i);
      CHECK(best_w == best_d);
    }
    double top = 0;
    for (float p : direct) top = std::max(top, double(p));
    INFO("Winograd layers " << winograd_layers << ", largest probability " << top << ", largest difference " << worst);
    CHECK(100 * worst <= 0.05);
  }
  CHECK(winograd_nets >= 4);  // A, B, small maps and webcam take the Winograd path somewhere
  CHECK(f4_nets >= 4);        // F(4x4, 3x3) on each of them
  CHECK(f2_nets >= 1);        // and F(2x2, 3x3) on small maps' 8x8
}

TEST_CASE("model: one image's first layers run in row bands on several threads, as deep as the halos stay cheap") {
  // The default net on 2 threads, by hand: bands of the second pool's 16 rows, [0, 8) and
  // [8, 16), need conv2 rows [0, 16) and [16, 32) (whole 4-row tiles already), pool1 rows
  // [0, 17) and [15, 32), conv1 rows [0, 34) and [30, 64), widened to whole tiles [0, 36) and
  // [28, 64): 72 of 64 rows of conv1 (+12.5 %), 32 of 32 of conv2, 7 % more work in all. One
  // pool deeper the 8-row last map's bands would need 44 of conv1's 64 rows each (+30 %).
  Model m(parse_spec(rules::default_spec(3)), 3);
  CHECK(m.band_depth_for(1) == 0);  // one thread: nothing to split
  CHECK(m.band_depth_for(2) == 6);  // conv, relu, pool, conv, relu, pool
  // workload A: its first conv (direct, c_in = 1) and pool on 2 threads, the whole stack on 3
  Model a(parse_spec(kBenchA), 3);
  CHECK(a.band_depth_for(2) == 3);
  CHECK(a.band_depth_for(3) == 6);
  // (test_predict checks that bands give predict() the bits of one thread, on every net there)
}

TEST_CASE("model: a weight written through a kept pointer reaches predict's Winograd path after a forward") {
  // forward no longer transforms Winograd's U (a training step never reads it) but must mark it
  // stale: the optimizer writes through raw pointers, and the next predict has to see that.
  Model m = make(kAllLayers);
  const int n = 2, k = m.num_classes();
  auto x = gradcheck::random_vector(n * m.input_size(), 24, 0, 1);
  float* w0 = m.params()[0].value.data();  // the first conv: Winograd in predict
  const std::vector<float> before(m.predict(x.data(), n), m.predict(x.data(), n) + n * k);
  w0[0] += 0.5f;  // not announced with weights_changed()
  const std::vector<float> fwd(m.forward(x.data(), n), m.forward(x.data(), n) + n * k);
  const std::vector<float> after(m.predict(x.data(), n), m.predict(x.data(), n) + n * k);
  CHECK(after != before);
  for (size_t i = 0; i < after.size(); ++i) CHECK(after[i] == Approx(fwd[i]).margin(1e-5));
}

TEST_CASE("model: gradient check of every parameter through softmax cross-entropy") {
  Model m = make(kAllLayers, 3);
  const int n = 3;
  auto x = gradcheck::random_vector(n * m.input_size(), 22, -1, 1);
  std::vector<int32_t> labels{2, 0, 1};
  const int classes = m.num_classes();
  std::vector<float> probs(size_t(n * classes)), dlogits(probs.size());
  const float* logits = m.forward(x.data(), n);
  softmax_cross_entropy_forward(probs.data(), logits, labels.data(), n, classes);
  softmax_cross_entropy_backward(dlogits.data(), probs.data(), labels.data(), n, classes);
  // zero_grad clears, backward accumulates
  for (auto& p : m.params()) std::fill(p.grad.begin(), p.grad.end(), 123.0f);
  m.zero_grad();
  m.backward(dlogits.data());
  std::vector<std::vector<float>> grads;
  for (auto& p : m.params()) grads.push_back(p.grad);
  // a small h keeps ReLU and max-pool kinks (a few among hundreds of units) out of most probes;
  // the loss is a mean over the batch, so the gradients are small: abs 1e-4
  gradcheck::Options opt;
  opt.h = 2e-3f;
  opt.abs = 1e-4;
  for (size_t i = 0; i < m.params().size(); ++i) {
    Param& p = m.params()[i];
    double mag = 0;
    for (float g : grads[i]) mag += std::fabs(g);
    INFO(p.name);
    CHECK(mag > 0);  // a gradient that never arrives would pass a lazy check
    gradcheck::check(p.name, p.value.data(), grads[i].data(), p.size(), [&] { return model_loss(m, x, labels); }, opt);
  }
  // accumulation: a second backward doubles every gradient (up to rounding)
  m.forward(x.data(), n);
  m.backward(dlogits.data());
  for (size_t i = 0; i < m.params().size(); ++i)
    for (size_t j = 0; j < grads[i].size(); ++j)
      REQUIRE_THAT(m.params()[i].grad[j],
                   Catch::Matchers::WithinRel(2.0f * grads[i][j], 1e-5f) || WithinAbs(2.0f * grads[i][j], 1e-8));
}

TEST_CASE("model: save/load round-trip through safetensors, a model per layer type") {
  struct Case { const char* layer; const char* spec; };
  auto c = GENERATE(
      Case{"conv2d stride 2 padding 1", R"({"input": {"channels": 1, "height": 7, "width": 7}, "layers": [
        {"type": "conv2d", "out_channels": 3, "kernel": 3, "stride": 2, "padding": 1}, {"type": "flatten"},
        {"type": "linear", "out_features": 3}]})"},
      Case{"conv2d same k4", R"({"input": {"channels": 3, "height": 5, "width": 5}, "layers": [
        {"type": "conv2d", "out_channels": 2, "kernel": 4, "padding": "same"}, {"type": "flatten"},
        {"type": "linear", "out_features": 2}]})"},
      Case{"relu", R"({"input": {"channels": 1, "height": 4, "width": 4}, "layers": [
        {"type": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1}, {"type": "relu"}, {"type": "flatten"},
        {"type": "linear", "out_features": 3}]})"},
      Case{"maxpool2d padding 1", R"({"input": {"channels": 3, "height": 4, "width": 4}, "layers": [
        {"type": "maxpool2d", "kernel": 2, "stride": 2, "padding": 1}, {"type": "flatten"},
        {"type": "linear", "out_features": 2}]})"},
      Case{"avgpool2d padding 1", R"({"input": {"channels": 1, "height": 5, "width": 5}, "layers": [
        {"type": "avgpool2d", "kernel": 3, "stride": 1, "padding": 1}, {"type": "flatten"},
        {"type": "linear", "out_features": 2}]})"},
      Case{"flatten alone (no parameters)", R"({"input": {"channels": 1, "height": 2, "width": 3}, "layers": [
        {"type": "flatten"}]})"},
      Case{"linear", R"({"input": {"channels": 1, "height": 3, "width": 3}, "layers": [
        {"type": "flatten"}, {"type": "linear", "out_features": 5}, {"type": "linear", "out_features": 3}]})"},
      Case{"every layer", kAllLayers});
  INFO(c.layer);
  Model m = make(c.spec, 77);
  // train-like perturbation so the saved values are not just the seeded init
  for (auto& p : m.params())
    for (size_t j = 0; j < p.value.size(); ++j) p.value[j] += 0.001f * float(j % 7);
  auto bytes = save_safetensors(m, {{"note", "round-trip"}});
  Model back = load_model(bytes.data(), bytes.size());
  CHECK(spec_to_json(back.spec()).dump() == spec_to_json(m.spec()).dump());
  REQUIRE(back.params().size() == m.params().size());
  for (size_t i = 0; i < m.params().size(); ++i) {
    CHECK(back.params()[i].name == m.params()[i].name);
    CHECK(back.params()[i].shape == m.params()[i].shape);
    REQUIRE(back.params()[i].value.size() == m.params()[i].value.size());
    CHECK(std::memcmp(back.params()[i].value.data(), m.params()[i].value.data(), 4 * m.params()[i].value.size()) == 0);
  }
  CHECK(hash_params(back) == hash_params(m));
  auto x = gradcheck::random_vector(2 * m.input_size(), 31, 0, 1);
  const int classes = m.num_classes();
  std::vector<float> a(m.forward(x.data(), 2), m.forward(x.data(), 2) + 2 * classes);
  const float* b = back.forward(x.data(), 2);
  CHECK(std::memcmp(a.data(), b, sizeof(float) * a.size()) == 0);
  // and the metadata carries the spec and the caller's keys
  SafeTensors st = read_safetensors(bytes.data(), bytes.size());
  CHECK(st.metadata.at("note") == "round-trip");
  CHECK(st.metadata.at("format") == "pt");
  CHECK(st.metadata.count("convlab_spec") == 1);
}

TEST_CASE("model: buffers are sized once and reused") {
  Model m = make(kAllLayers);
  m.reserve(4);
  const int64_t bytes = m.buffer_bytes();
  auto x = gradcheck::random_vector(4 * m.input_size(), 32, 0, 1);
  m.forward(x.data(), 4);
  m.forward(x.data(), 2);
  CHECK(m.buffer_bytes() == bytes);
  CHECK(m.capacity() == 4);
  CHECK(m.last_batch() == 2);
}
