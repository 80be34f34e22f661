// The thread pool and the determinism contract: training with 1 or 2 threads gives bit-identical
// parameters. In a single-threaded build max_threads() is 1 and both runs take the same path;
// the threaded test build (convlab_tests_mt, native and wasm) runs the pool for real.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "alloc_count.h"
#include "convlab/kernels.h"
#include "convlab/layers.h"
#include "convlab/model.h"
#include "convlab/optim.h"
#include "convlab/rng.h"
#include "convlab/threadpool.h"

using namespace convlab;

// Counts heap allocations while g_counting is set (a replacement of the global operator new, so
// every std::vector growth is seen).
std::atomic<bool> alloc_count::counting{false};
std::atomic<long> alloc_count::allocations{0};
static std::atomic<bool>& g_counting = alloc_count::counting;
static std::atomic<long>& g_allocations = alloc_count::allocations;
void* operator new(std::size_t n) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// every form that pairs with the frees below (ASan checks new/free pairs)
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting) ++g_allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return ::operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

// Restores the default thread count however a test ends.
struct ThreadCount {
  explicit ThreadCount(int n) : saved(num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved); }
  int saved;
};

// Every layer type, a stride-2 conv, an even kernel with "same" padding, a 2x2 pool (the SIMD
// path) and a 3x3 one (the general path).
const char* kNet = R"({"input": {"channels": 3, "height": 12, "width": 12}, "layers": [
  {"type": "conv2d", "out_channels": 6, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 5, "kernel": 2, "padding": "same"}, {"type": "relu"},
  {"type": "conv2d", "out_channels": 7, "kernel": 3, "stride": 1, "padding": 1},
  {"type": "avgpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 4, "kernel": 1, "stride": 1, "padding": 0},
  {"type": "maxpool2d", "kernel": 3, "stride": 1, "padding": 1},
  {"type": "flatten"}, {"type": "linear", "out_features": 9}, {"type": "relu"},
  {"type": "linear", "out_features": 3}]})";

// Ragged sizes large enough that one image's layers split over the threads: a relu+pool pair
// of each kind (2x2 kernels and the general loops), pools after a conv with no relu, a stride-2
// conv, an even kernel, 1x1, and Winograd's 3x3 convs (predict) with odd tile counts.
const char* kRaggedNet = R"({"input": {"channels": 3, "height": 38, "width": 30}, "layers": [
  {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 16, "kernel": 2, "padding": "same"}, {"type": "relu"},
  {"type": "avgpool2d", "kernel": 3, "stride": 1, "padding": 1},
  {"type": "conv2d", "out_channels": 6, "kernel": 3, "stride": 2, "padding": 1}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 3, "stride": 1, "padding": 1},
  {"type": "conv2d", "out_channels": 7, "kernel": 3, "padding": 1},
  {"type": "maxpool2d", "kernel": 4, "stride": 2, "padding": 1},
  {"type": "conv2d", "out_channels": 5, "kernel": 1}, {"type": "avgpool2d", "kernel": 2, "stride": 1},
  {"type": "flatten"}, {"type": "linear", "out_features": 9}, {"type": "relu"},
  {"type": "linear", "out_features": 3}]})";

// Every layer's output (and the input) of the last run, image by image.
std::vector<std::vector<float>> activations(const Model& m, int n) {
  std::vector<std::vector<float>> a;
  for (int l = -1; l < int(m.info().layers.size()); ++l) {
    const int64_t per = l < 0 ? m.input_size() : m.info().layers[size_t(l)].out.size();
    const float* p = m.activation(l, 0);
    a.emplace_back(p, p + per * n);
  }
  return a;
}

// A few SGD-momentum steps on seeded data with batch `batch`, then one batch-1 forward;
// returns the parameter hash and the batch-1 logits.
std::pair<uint64_t, std::vector<float>> train(int threads, int batch) {
  ThreadCount tc(threads);
  Model model(parse_spec(std::string(kNet)), 11);
  OptimConfig oc;
  oc.kind = "sgd", oc.lr = 0.05, oc.momentum = 0.9, oc.weight_decay = 1e-4;
  Optimizer opt(oc, model);
  Rng rng(5, 2);
  const int classes = model.num_classes();
  std::vector<float> x(size_t(model.input_size() * batch)), probs(size_t(batch * classes)), dl(probs.size());
  std::vector<int32_t> labels(static_cast<size_t>(batch));
  for (int step = 0; step < 4; ++step) {
    for (auto& v : x) v = rng.uniform();
    for (auto& l : labels) l = int32_t(rng.next_u32() % uint32_t(classes));
    const float* logits = model.forward(x.data(), batch);
    softmax_cross_entropy_forward(probs.data(), logits, labels.data(), batch, classes);
    softmax_cross_entropy_backward(dl.data(), probs.data(), labels.data(), batch, classes);
    model.zero_grad();
    model.backward(dl.data());
    opt.step(model);
  }
  const float* one = model.forward(x.data(), 1);
  return {hash_params(model), std::vector<float>(one, one + classes)};
}

}  // namespace

TEST_CASE("parallel_for visits every index once, in contiguous chunks, with thread ids in range") {
  ThreadCount tc(max_threads());
  CHECK(num_threads() == max_threads());
  for (int n : {0, 1, 2, 3, 7, 100}) {
    std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
    std::atomic<int> bad{0};
    parallel_for(n, [&](int b, int e, int t) {
      if (b >= e || t < 0 || t >= max_threads()) ++bad;
      for (int i = b; i < e; ++i) ++seen[size_t(i)];
    });
    CHECK(bad == 0);
    for (auto& s : seen) CHECK(s == 1);
  }
}

TEST_CASE("a parallel_for inside a parallel_for runs inline instead of deadlocking") {
  ThreadCount tc(max_threads());
  std::atomic<int> total{0};
  parallel_for(4, [&](int b, int e, int) {
    for (int i = b; i < e; ++i) parallel_for(10, [&](int b2, int e2, int) { total += e2 - b2; });
  });
  CHECK(total == 40);
}

TEST_CASE("set_num_threads clamps to the pool") {
  ThreadCount tc(1);
  CHECK(num_threads() == 1);
  set_num_threads(0);
  CHECK(num_threads() == 1);
  set_num_threads(64);
  CHECK(num_threads() == max_threads());
}

TEST_CASE("training gives bit-identical parameters and predictions with 1 or 2 threads") {
  // batch 5: the threads get unequal image counts; batch 1 (the last forward) splits one image's
  // output columns instead
  for (int batch : {5, 2}) {
    INFO("batch " << batch);
    const auto one = train(1, batch), two = train(2, batch);
    CHECK(one.first == two.first);
    CHECK(one.second == two.second);
  }
}

TEST_CASE("conv2d backward with threads matches the plain reference (per-image partials reduced in order)") {
  ThreadCount tc(max_threads());
  const Conv2dShape s{3, 2, 7, 6, 5, 7, 6, 3, 1, 1, 1};
  Rng rng(3, 4);
  auto fill = [&](size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = 2.0f * rng.uniform() - 1.0f;
    return v;
  };
  const auto x = fill(size_t(s.n * s.c_in * s.h_in * s.w_in)), w = fill(size_t(s.c_out * s.c_in * 9)),
             dy = fill(size_t(s.n * s.c_out * s.h_out * s.w_out));
  std::vector<float> col(size_t(conv2d_col_size(s)));
  std::vector<float> dx(x.size()), dw(w.size(), 0.5f), db(size_t(s.c_out), 0.5f);
  std::vector<float> rdx(x.size()), rdw(w.size(), 0.5f), rdb(size_t(s.c_out), 0.5f);
  conv2d_backward(dx.data(), dw.data(), db.data(), col.data(), dy.data(), x.data(), w.data(), s);
  conv2d_backward_reference(rdx.data(), rdw.data(), rdb.data(), dy.data(), x.data(), w.data(), s);
  for (size_t i = 0; i < dx.size(); ++i) CHECK(dx[i] == Approx(rdx[i]).margin(1e-5));
  for (size_t i = 0; i < dw.size(); ++i) CHECK(dw[i] == Approx(rdw[i]).margin(1e-5));
  for (size_t i = 0; i < db.size(); ++i) CHECK(db[i] == Approx(rdb[i]).margin(1e-5));
}

TEST_CASE("a training step allocates nothing once the model has reserved its batch") {
  ThreadCount tc(max_threads());
  Model model(parse_spec(std::string(kNet)), 3);
  OptimConfig oc;
  oc.kind = "sgd", oc.lr = 0.01, oc.momentum = 0.9;
  Optimizer opt(oc, model);
  const int batch = 6, classes = model.num_classes();
  std::vector<float> x(size_t(model.input_size() * batch), 0.25f), probs(size_t(batch * classes)), dl(probs.size());
  std::vector<int32_t> labels(static_cast<size_t>(batch), 1);
  auto step = [&](int n) {
    const float* logits = model.forward(x.data(), n);
    softmax_cross_entropy_forward(probs.data(), logits, labels.data(), n, classes);
    softmax_cross_entropy_backward(dl.data(), probs.data(), labels.data(), n, classes);
    model.zero_grad();
    model.backward(dl.data());
    opt.step(model);
  };
  step(batch);  // first step: reserve, and the thread pool starts
  const int64_t bytes = model.buffer_bytes();
  g_allocations = 0;
  g_counting = true;
  step(batch);
  step(batch - 1);  // a smaller last batch of an epoch reuses the same buffers
  model.forward(x.data(), 1);
  g_counting = false;
  CHECK(g_allocations == 0);
  CHECK(model.buffer_bytes() == bytes);
}

TEST_CASE("one image on every thread: each layer's output is the one-thread run's, bit for bit, on 1, 2, 3, 4 and 8 threads") {
  // forward (training's direct path) and predict (Winograd), one image and two (fewer than the
  // threads: the layers split each image), on nets with every layer type and ragged sizes
  for (const char* spec : {kNet, kRaggedNet}) {
    Model m(parse_spec(std::string(spec)), 21);
    Rng rng(6, 1);
    std::vector<float> x(size_t(m.input_size() * 2));
    for (auto& v : x) v = 2.0f * rng.uniform() - 1.0f;
    for (bool predict : {false, true})
      for (int n : {1, 2}) {
        auto run = [&](int threads) {
          ThreadCount tc(threads);
          if (predict) m.predict(x.data(), n);
          else m.forward(x.data(), n);
          return activations(m, n);
        };
        const auto one = run(1);
        for (int threads : {2, 3, 4, 8}) {
          INFO((spec == kNet ? "kNet" : "kRaggedNet") << (predict ? " predict" : " forward") << ", " << n
                                                     << " image(s), " << threads << " threads");
          const auto many = run(threads);
          REQUIRE(many.size() == one.size());
          for (size_t l = 0; l < one.size(); ++l) {
            INFO("layer " << int(l) - 1);
            CHECK(std::memcmp(many[l].data(), one[l].data(), one[l].size() * sizeof(float)) == 0);
          }
        }
      }
  }
}
