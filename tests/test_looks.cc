// "Where it looks" (looks.h): the input gradient against finite differences on a net with every
// layer type, the same bits with 1 or 2 threads; occlusion on a hand-built model whose answer
// depends on one known pixel region, and equal to single predicts of the occluded images; the
// occlusion limits; the first-layer filters kept per epoch equal to the weights after that epoch.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "convlab/layers.h"
#include "convlab/looks.h"
#include "convlab/model.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "convlab/threadpool.h"
#include "gradcheck.h"
#include "synthetic.h"

using namespace convlab;

using gradcheck::kAllLayers;

namespace {


Model make(const std::string& spec, uint64_t seed = 1) { return Model(parse_spec(spec), seed); }

struct Threads {
  int saved;
  explicit Threads(int n) : saved(num_threads()) { set_num_threads(n); }
  ~Threads() { set_num_threads(saved); }
};

}  // namespace

TEST_CASE("looks: the input gradient of a class score matches finite differences, every layer type") {
  Model m = make(kAllLayers, 3);
  auto x = gradcheck::distinct_vector(m.input_size(), 5, 0.01f);
  for (int cls = 0; cls < m.num_classes(); ++cls) {
    INFO("class " << cls);
    looks::Saliency s = looks::saliency(m, x.data(), cls);
    REQUIRE(s.grad.size() == size_t(m.input_size()));
    double mag = 0;
    for (float g : s.grad) mag += std::fabs(g);
    CHECK(mag > 0);  // a gradient that never arrives would pass a lazy check
    gradcheck::Options opt;
    opt.h = 2e-3f;
    opt.abs = 1e-4;
    gradcheck::check("d logit / d x", x.data(), s.grad.data(), m.input_size(),
                     [&] { return double(m.forward(x.data(), 1)[cls]); }, opt);
    // the map is the max over channels of |grad|, per pixel
    const int64_t plane = int64_t(s.h) * s.w;
    for (int64_t i = 0; i < plane; ++i) {
      float want = 0;
      for (int c = 0; c < s.c; ++c) want = std::max(want, std::fabs(s.grad[size_t(c * plane + i)]));
      REQUIRE(s.map[size_t(i)] == want);
    }
    CHECK(s.max == *std::max_element(s.map.begin(), s.map.end()));
    for (const Param& p : m.params())  // no parameter gradient left behind for a later step
      for (float g : p.grad) REQUIRE(g == 0.0f);
  }
  CHECK_THROWS_WITH(looks::saliency(m, x.data(), 3), Catch::Contains("classes 0 to 2"));
}

TEST_CASE("looks: the input gradient has the same bits with 1 or 2 threads") {
  Model m = make(kAllLayers, 4);
  auto x = gradcheck::random_vector(m.input_size(), 8, 0, 1);
  std::vector<float> one, two;
  {
    Threads t(1);
    one = looks::saliency(m, x.data(), 1).grad;
  }
  {
    Threads t(2);
    two = looks::saliency(m, x.data(), 1).grad;
  }
  CHECK(one == two);
}

TEST_CASE("looks: occlusion shows a drop exactly where the answer's pixels are, and nowhere else") {
  // 1x8x8 -> flatten -> linear 2. Class 0's logit is the sum of the 2x2 region at rows 2-3,
  // columns 4-5; class 1's is 0. Every other weight is 0, so covering any other pixel changes
  // nothing at all (0 * x adds the same 0 whatever x is).
  Model m = make(R"({"input": {"channels": 1, "height": 8, "width": 8}, "layers": [
    {"type": "flatten"}, {"type": "linear", "out_features": 2}]})");
  auto& ps = m.params();
  std::fill(ps[0].value.begin(), ps[0].value.end(), 0.0f);
  std::fill(ps[1].value.begin(), ps[1].value.end(), 0.0f);
  auto in_region = [](int y, int x) { return y >= 2 && y <= 3 && x >= 4 && x <= 5; };
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x)
      if (in_region(y, x)) ps[0].value[size_t(y * 8 + x)] = 1.0f;
  m.weights_changed();
  std::vector<float> img(64, 1.0f);  // white: the grey patch lowers the region's sum
  const int patch = GENERATE(1, 2, 3), stride = GENERATE(1, 2);
  INFO("patch " << patch << " stride " << stride);
  looks::Occlusion o = looks::occlusion(m, img.data(), 0, patch, stride, 5);  // chunk 5: ragged batches
  CHECK(o.grey == rules::kOcclusionGrey);
  CHECK(o.rows == looks::occlusion_positions(8, patch, stride));
  CHECK(o.base > 0.98f);  // logit 4 against 0
  for (int i = 0; i < o.rows; ++i)
    for (int j = 0; j < o.cols; ++j) {
      bool hits = false;
      for (int y = i * stride; y < std::min(8, i * stride + patch); ++y)
        for (int x = j * stride; x < std::min(8, j * stride + patch); ++x) hits = hits || in_region(y, x);
      const float p = o.probs[size_t(i * o.cols + j)];
      INFO("position " << i << ", " << j);
      if (hits)
        CHECK(p < o.base);
      else
        CHECK(p == o.base);
    }
  // the per-pixel drop: positive exactly on the pixels some region-touching patch covered
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      bool near = false;
      for (int i = 0; i < o.rows; ++i)
        for (int j = 0; j < o.cols; ++j) {
          const int y0 = i * stride, x0 = j * stride;
          if (y < y0 || y >= y0 + patch || x < x0 || x >= x0 + patch) continue;
          for (int yy = y0; yy < std::min(8, y0 + patch); ++yy)
            for (int xx = x0; xx < std::min(8, x0 + patch); ++xx) near = near || in_region(yy, xx);
        }
      INFO("pixel " << y << ", " << x);
      if (near)
        CHECK(o.drop[size_t(y * 8 + x)] > 0.0f);
      else
        CHECK(o.drop[size_t(y * 8 + x)] == 0.0f);
    }
  if (patch == 1) CHECK(o.drop[size_t(2 * 8 + 4)] == o.max_drop);  // one pixel per patch: the region drops most
}

TEST_CASE("looks: the occlusion map equals single predicts of the occluded images") {
  // 3x3 convolutions with c_in >= 3: predict's Winograd path, batched in chunks of 7
  Model m = make(R"({"input": {"channels": 3, "height": 12, "width": 10}, "layers": [
    {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
    {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 3}]})",
                 9);
  auto x = gradcheck::random_vector(m.input_size(), 3, 0, 1);
  const int patch = 4, stride = 3;
  looks::Occlusion o = looks::occlusion(m, x.data(), 2, patch, stride, 7);
  CHECK(o.rows == 4);  // ceil((12 - 4) / 3) + 1: the last patch reaches the bottom edge
  CHECK(o.cols == 3);  // ceil((10 - 4) / 3) + 1
  std::vector<float> probs(3);
  softmax_forward(probs.data(), m.predict(x.data(), 1), 1, 3);
  CHECK(o.base == probs[2]);
  for (int i = 0; i < o.rows; ++i)
    for (int j = 0; j < o.cols; ++j) {
      std::vector<float> y = x;
      for (int c = 0; c < 3; ++c)
        for (int yy = i * stride; yy < std::min(12, i * stride + patch); ++yy)
          for (int xx = j * stride; xx < std::min(10, j * stride + patch); ++xx) y[size_t(c * 120 + yy * 10 + xx)] = 0.5f;
      softmax_forward(probs.data(), m.predict(y.data(), 1), 1, 3);
      INFO("position " << i << ", " << j);
      CHECK(o.probs[size_t(i * o.cols + j)] == probs[2]);
    }
  // defaults: patch 0 and stride 0 take the rules' defaults for the input
  looks::Occlusion d = looks::occlusion(m, x.data(), 0, 0, 0, 32);
  CHECK(d.patch == rules::occlusion_default_patch(12, 10));
  CHECK(d.stride == rules::occlusion_default_stride(d.patch));
}

TEST_CASE("rules: occlusion patch, stride and position limits") {
  CHECK(rules::occlusion_default_patch(64, 64) == 10);
  CHECK(rules::occlusion_default_stride(10) == 5);
  CHECK(rules::occlusion_default_patch(4, 3) == 1);
  CHECK(rules::occlusion_default_stride(1) == 1);
  CHECK_NOTHROW(rules::check_occlusion(10, 5, 64, 64));
  CHECK_NOTHROW(rules::check_occlusion(1, 1, 64, 64));  // 4096 positions: exactly the limit
  CHECK_THROWS_WITH(rules::check_occlusion(0, 1, 64, 64), Catch::Contains("patch must be a whole number from 1 to 64"));
  CHECK_THROWS_WITH(rules::check_occlusion(65, 1, 96, 96), Catch::Contains("from 1 to 64"));
  CHECK_THROWS_WITH(rules::check_occlusion(9, 1, 8, 16), Catch::Contains("at most the input's smaller side (8)"));
  CHECK_THROWS_WITH(rules::check_occlusion(4, 0, 64, 64), Catch::Contains("stride must be a whole number from 1 to 32"));
  CHECK_THROWS_WITH(rules::check_occlusion(4, 33, 64, 64), Catch::Contains("stride"));
  CHECK_THROWS_WITH(rules::check_occlusion(1, 1, 65, 64), Catch::Contains("4160 positions, more than 4096"));
}

TEST_CASE("rules: the occlusion limits the page is told are where check_occlusion accepts and refuses") {
  const Json r = rules::rules_json();
  const Json& j = *r.find("looks");
  const int patch_min = int(j.find("patch")->find("min")->as_number()), patch_max = int(j.find("patch")->find("max")->as_number());
  const int stride_min = int(j.find("stride")->find("min")->as_number()), stride_max = int(j.find("stride")->find("max")->as_number());
  const int positions = int(j.find("max_positions")->as_number());
  INFO("patch [" << patch_min << ", " << patch_max << "], stride [" << stride_min << ", " << stride_max << "], " << positions);
  const int big = patch_max + 1;  // an input on which every patch the field takes fits
  CHECK_NOTHROW(rules::check_occlusion(patch_min, stride_max, big, big));
  CHECK_NOTHROW(rules::check_occlusion(patch_max, 1, big, big));
  CHECK_THROWS_WITH(rules::check_occlusion(patch_min - 1, 1, big, big), Catch::Contains("patch must be"));
  CHECK_THROWS_WITH(rules::check_occlusion(patch_max + 1, 1, big + 1, big + 1), Catch::Contains("patch must be"));
  CHECK_NOTHROW(rules::check_occlusion(1, stride_min, 1, 1));
  CHECK_NOTHROW(rules::check_occlusion(1, stride_max, 1, 1));
  CHECK_THROWS_WITH(rules::check_occlusion(1, stride_min - 1, 1, 1), Catch::Contains("stride must be"));
  CHECK_THROWS_WITH(rules::check_occlusion(1, stride_max + 1, 1, 1), Catch::Contains("stride must be"));
  // a 1 x n input at patch 1, stride 1 has n positions: the page's maximum is the engine's
  CHECK_NOTHROW(rules::check_occlusion(1, 1, 1, positions));
  CHECK_THROWS_WITH(rules::check_occlusion(1, 1, 1, positions + 1), Catch::Contains("positions, more than"));
}

TEST_CASE("rules: the filters the page is told a run keeps are the snapshots FilterHistory holds before thinning") {
  const Json r = rules::rules_json();
  const int kept = int(r.find("looks")->find("filter_epochs_kept")->as_number());
  Model m = make(kAllLayers);
  looks::FilterHistory h;
  h.reset(m);  // epoch 0
  for (int e = 1; e < kept; ++e) h.keep(m, e);
  CHECK(int(h.epochs().size()) == kept);  // epochs 0 to kept - 1, every one
  CHECK(h.epochs().back() == kept - 1);
  h.keep(m, kept);  // one more: full, so every second one goes and epoch `kept` stays
  CHECK(int(h.epochs().size()) == kept / 2 + 1);
  CHECK(h.epochs().back() == kept);
}

TEST_CASE("rules: the sketch pad's and the earlier runs' numbers reach the page under the keys it reads") {
  // web/js/views/sketch.js reads looks.sketch_stroke {min, max, default} and looks.sketch_pad;
  // web/js/runs.js reads runs.kept, runs.epochs_kept and runs.layers_kept. Their bounds against
  // each other are static_asserts in rules.h; here the page's keys and the product's values.
  const Json r = rules::rules_json();
  CHECK(r.find("looks")->find("sketch_stroke")->dump() == R"({"key":"stroke","min":2,"max":40,"default":14})");
  CHECK(r.find("looks")->find("sketch_pad")->dump() == "240");
  CHECK(r.find("runs")->dump() == R"({"kept":5,"epochs_kept":500,"layers_kept":64})");
}

TEST_CASE("looks: the filters kept at epoch e are the first conv layer's weights after epoch e") {
  Dataset d = synthetic::dataset(2, 8, 3);
  TrainConfig cfg;
  cfg.batch_size = 4, cfg.optim.kind = "adam", cfg.optim.lr = 0.01, cfg.val_fraction = 0.25, cfg.seed = 4;
  auto weights_after = [&](int epochs, looks::FilterHistory* keep) {
    Model m(parse_spec(synthetic::spec(2)), 4);
    cfg.epochs = epochs;
    Trainer t(m, d, cfg);
    t.run(1000);
    REQUIRE(t.done());
    if (keep) *keep = t.filter_history();
    return m.params()[0].value;  // "0.weight": (8, 1, 3, 3)
  };
  const std::vector<float> init = Model(parse_spec(synthetic::spec(2)), 4).params()[0].value;
  const std::vector<float> one = weights_after(1, nullptr);
  looks::FilterHistory h;
  const std::vector<float> two = weights_after(2, &h);
  REQUIRE(h.layer() == 0);
  CHECK(h.shape() == std::vector<int64_t>{8, 1, 3, 3});
  REQUIRE(h.epochs() == std::vector<int>{0, 1, 2});
  CHECK(h.weights()[0] == init);
  CHECK(h.weights()[1] == one);
  CHECK(h.weights()[2] == two);
  CHECK(one != two);
  CHECK(one != init);
}

TEST_CASE("looks: a long run keeps at most kFilterEpochsKept snapshots, evenly spaced, from epoch 0") {
  Model m = make(kAllLayers);
  looks::FilterHistory h;
  h.reset(m);
  const int last = 3 * rules::kFilterEpochsKept + 5;
  for (int e = 1; e <= last; ++e) {
    m.params()[0].value[0] = float(e);  // mark the snapshot with its epoch
    h.keep(m, e);
    REQUIRE(int(h.epochs().size()) <= rules::kFilterEpochsKept);
  }
  const auto& ep = h.epochs();
  REQUIRE(ep.size() > size_t(rules::kFilterEpochsKept / 2));
  CHECK(ep.front() == 0);
  const int step = ep[1] - ep[0];
  CHECK(step == 4);  // 64 kept, then every 2nd, then every 4th
  for (size_t i = 1; i < ep.size(); ++i) {
    CHECK(ep[i] - ep[i - 1] == step);
    CHECK(h.weights()[i][0] == float(ep[i]));
  }
  CHECK(ep.back() > last - step);
  // a model without a conv layer keeps nothing
  looks::FilterHistory none;
  none.reset(make(R"({"input": {"channels": 1, "height": 4, "width": 4}, "layers": [
    {"type": "flatten"}, {"type": "linear", "out_features": 2}]})"));
  CHECK(none.layer() == -1);
  CHECK(none.epochs().empty());
}

TEST_CASE("session: saliency and occlusion run on the last learn image and leave it the last run") {
  Session s;
  s.set_spec(synthetic::spec(2), 1);
  std::vector<uint8_t> rgba(16 * 16 * 4, 200);
  auto x = s.learn_run(rgba.data(), rgba.size(), 16, 16);
  auto before = s.learn_probabilities();
  Json sal = Json::parse(s.learn_saliency(-1));
  const int predicted = int(std::max_element(before.begin(), before.end()) - before.begin());
  CHECK(int(sal["class"].as_number()) == predicted);
  CHECK(sal["map"].size() == 256);
  Json occ = Json::parse(s.learn_occlusion(1, 4, 2));
  CHECK(int(occ["rows"].as_number()) == 7);
  CHECK(occ["patch"].as_number() == 4);
  CHECK(std::abs(occ["base"].as_number() - double(before[1])) < 1e-5);
  CHECK(s.learn_probabilities() == before);
  CHECK(s.learn_activation(-1) == x);
  CHECK_THROWS_WITH(s.learn_occlusion(0, 17, 1), Catch::Contains("smaller side (16)"));
  CHECK(s.learn_activation(-1) == x);  // a refused call leaves the image too
}
