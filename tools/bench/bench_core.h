// The measurements of `make bench`, shared by the native CLI, the same CLI built to wasm
// and run under node (tools/bench.cc), and the browser page (tools/bench/bench_bindings.cc), so
// all three time exactly the same loops through the public API only.
// Every rate is the median of `reps` timed repetitions after a warm-up (3 steps and at least
// 2 x min_seconds); a repetition runs whole steps until at least `min_seconds` have passed.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <malloc.h>  // mallinfo: bytes in use, natively (glibc) and in wasm (dlmalloc)

#include "convlab/json.h"
#include "convlab/layers.h"
#include "convlab/model.h"
#include "convlab/optim.h"
#include "convlab/rng.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "convlab/spec.h"

namespace convlab::bench {

// The two reference workloads of issues 3 and 5.
inline const char* kWorkloadA = R"({"input": {"channels": 1, "height": 28, "width": 28}, "layers": [
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 10}]})";
inline const char* kWorkloadB = R"({"input": {"channels": 3, "height": 32, "width": 32}, "layers": [
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 64},
  {"type": "relu"}, {"type": "linear", "out_features": 2}]})";

inline const char* workload_spec(const std::string& name) {
  if (name == "A") return kWorkloadA;
  if (name == "B") return kWorkloadB;
  return nullptr;  // "default": the page's default webcam net (latency)
}

inline double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
inline double percentile(std::vector<double> v, double p) {  // nearest rank
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = size_t(std::max(0.0, std::min(double(v.size() - 1), p / 100.0 * double(v.size()) - 1 + 0.999999)));
  return v[i];
}

// FLOPs of one training step per image, from the layer shapes:
//   forward  F = 2 · sum over conv/linear layers of multiply-adds (relu and pooling ignored)
//   backward = 2 F (weight gradient + input gradient, each as costly as the forward GEMM)
//              minus the first conv/linear layer's input gradient (nothing consumes it)
//   train    = 3 F − 2 · MACs(first conv/linear layer)
// Workload A: 6.0 MFLOP, B: 23.4 MFLOP, as issue 5 states.
inline double forward_flops(const ModelInfo& info) {
  double macs = 0;
  for (const auto& l : info.layers)
    if (l.spec.type == LayerType::Conv2d || l.spec.type == LayerType::Linear) macs += double(l.macs);
  return 2 * macs;
}
inline double train_flops(const ModelInfo& info) {
  double first = 0;
  for (const auto& l : info.layers)
    if (l.spec.type == LayerType::Conv2d || l.spec.type == LayerType::Linear) {
      first = double(l.macs);
      break;
    }
  return 3 * forward_flops(info) - 2 * first;
}

inline ModelSpec spec_of(const std::string& workload) {
  const char* s = workload_spec(workload);
  if (s) return parse_spec(std::string(s));
  return parse_spec(Session().spec_json());
}

// Bytes the allocator has handed out, and (wasm) the linear memory size.
inline int64_t heap_in_use() {
#if defined(__EMSCRIPTEN__)
  return int64_t(mallinfo().uordblks);
#elif defined(__GLIBC__)
  return int64_t(mallinfo2().uordblks);
#else
  return 0;
#endif
}
inline int64_t memory_bytes() {
#if defined(__wasm__)
  return int64_t(__builtin_wasm_memory_size(0)) * 65536;
#else
  return 0;
#endif
}

// A model, its optimiser (SGD with momentum, as the issue asks) and a seeded random batch.
struct Workbench {
  Model model;
  Optimizer opt;
  int batch;
  std::vector<float> x, probs, dlogits;  // (batch, C, H, W), (batch, classes) x2
  std::vector<int32_t> labels;           // (batch)

  Workbench(const ModelSpec& spec, int batch_size)
      : model(spec, 1), opt(sgd_config(), model), batch(batch_size) {
    Rng rng(7);
    x.resize(size_t(model.input_size()) * batch);
    for (auto& v : x) v = rng.uniform();
    int k = model.num_classes();
    labels.resize(size_t(batch));
    for (auto& l : labels) l = int32_t(rng.next_u32() % uint32_t(k));
    probs.resize(size_t(batch) * k);
    dlogits.resize(size_t(batch) * k);
    model.reserve(batch);
  }
  static OptimConfig sgd_config() {
    OptimConfig c;
    c.kind = "sgd";
    c.lr = 0.01;
    c.momentum = 0.9;
    return c;
  }
  void train_step() {
    int k = model.num_classes();
    model.zero_grad();
    const float* logits = model.forward(x.data(), batch);
    softmax_cross_entropy_forward(probs.data(), logits, labels.data(), batch, k);
    softmax_cross_entropy_backward(dlogits.data(), probs.data(), labels.data(), batch, k);
    model.backward(dlogits.data());
    opt.step(model);
  }
  void infer_step() { model.predict(x.data(), batch); }  // as live prediction: weights packed once
};

// Median images/s of `fn` (one step of `batch` images).
template <class F>
inline Json time_rate(F&& fn, int batch, int reps, double min_seconds, int warmup_steps) {
  // Warm up for steps and for time: a browser runs baseline code until it has optimised the hot
  // functions (with 3 warm-up steps, Chromium's first 0.4 s repetition was still 25% slow).
  const double w0 = now_s();
  for (int i = 0; i < warmup_steps || now_s() - w0 < 2 * min_seconds; ++i) fn();
  std::vector<double> rates;
  Json r = Json::array();
  for (int rep = 0; rep < reps; ++rep) {
    int steps = 0;
    double t0 = now_s(), t = t0;
    do {
      fn();
      ++steps;
      t = now_s();
    } while (t - t0 < min_seconds || steps < 2);
    rates.push_back(double(steps) * batch / (t - t0));
    r.push_back(rates.back());
  }
  Json j = Json::object();
  j["images_per_s"] = median(rates);
  j["reps"] = r;
  return j;
}

inline Json train_rate(const std::string& workload, int batch, int reps, double min_seconds, int warmup_steps = 3) {
  Workbench w(spec_of(workload), batch);
  Json j = time_rate([&] { w.train_step(); }, batch, reps, min_seconds, warmup_steps);
  j["gflops"] = j.find("images_per_s")->as_number() * train_flops(w.model.info()) * 1e-9;
  j["mflop_per_image"] = train_flops(w.model.info()) * 1e-6;
  return j;
}
inline Json infer_rate(const std::string& workload, int batch, int reps, double min_seconds) {
  Workbench w(spec_of(workload), batch);
  Json j = time_rate([&] { w.infer_step(); }, batch, reps, min_seconds, 3);
  j["gflops"] = j.find("images_per_s")->as_number() * forward_flops(w.model.info()) * 1e-9;
  return j;
}

// Heap before and after `steps` training steps (after one warm-up step sized every buffer).
inline Json heap_check(const std::string& workload, int batch, int steps) {
  Workbench w(spec_of(workload), batch);
  w.train_step();
  int64_t before = heap_in_use(), mem_before = memory_bytes();
  for (int i = 0; i < steps; ++i) w.train_step();
  int64_t after = heap_in_use(), mem_after = memory_bytes();
  Json j = Json::object();
  j["steps"] = steps;
  j["in_use_before"] = before;
  j["in_use_after"] = after;
  j["memory_before"] = mem_before;
  j["memory_after"] = mem_after;
  return j;
}

// A deterministic 320x240 RGBA camera-sized frame.
inline std::vector<uint8_t> test_frame(int w, int h) {
  std::vector<uint8_t> f(size_t(w) * h * 4);
  for (size_t i = 0; i < f.size(); ++i) f[i] = uint8_t((i * 2654435761u) >> 13);
  return f;
}

// Single-image prediction the way the page does it (Session::predict: preprocessing of a
// 320x240 camera frame, forward, softmax), p50/p95 over `n` calls; then the feature-map
// view: one prediction plus a copy of every layer's activation, p50/p95.
// spec: a spec text, or "" for the page's default net: core's "webcam" preset with the page's
// two starting classes.
inline Json latency(const std::string& spec, int n) {
  Session s;
  s.set_spec(spec.empty() ? rules::default_spec(2) : spec, 1);
  auto frame = test_frame(320, 240);
  for (int i = 0; i < 10; ++i) s.predict(frame.data(), frame.size(), 320, 240);
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    double t0 = now_s();
    s.predict(frame.data(), frame.size(), 320, 240);
    ms.push_back((now_s() - t0) * 1e3);
  }
  const Model& m = s.model();
  size_t total = 0;
  for (const auto& l : m.info().layers) total += size_t(l.out.size());
  std::vector<float> maps(total);
  std::vector<double> fm;
  for (int i = 0; i < n; ++i) {
    double t0 = now_s();
    s.predict(frame.data(), frame.size(), 320, 240);
    size_t off = 0;
    for (size_t l = 0; l < m.info().layers.size(); ++l) {
      size_t len = size_t(m.info().layers[l].out.size());
      const float* a = m.activation(int(l));
      std::copy(a, a + len, maps.begin() + std::ptrdiff_t(off));
      off += len;
    }
    fm.push_back((now_s() - t0) * 1e3);
  }
  Json j = Json::object();
  j["n"] = n;
  j["p50_ms"] = percentile(ms, 50);
  j["p95_ms"] = percentile(ms, 95);
  j["maps_p50_ms"] = percentile(fm, 50);
  j["maps_p95_ms"] = percentile(fm, 95);
  j["maps_floats"] = int64_t(total);
  j["input"] = std::to_string(m.input().channels) + "x" + std::to_string(m.input().height) + "x" +
               std::to_string(m.input().width);
  return j;
}

// ---- one repetition at a time, for make bench's interleaved run (run.mjs): the engines take
// turns rep by rep, so a busy moment of the machine hits all of them alike ----
// The product's inference path: Session::predict_stored on `batch` stored images (bytes to
// floats, the Winograd/direct forward threaded across the batch or, for one image, in row bands
// and then in groups of output channels, softmax): what the page's predictBatch {indices} runs.
struct PredictBench {
  Session s;
  std::vector<int> idx;
  PredictBench(const std::string& workload, int batch) {
    const char* spec = workload_spec(workload);
    s.set_spec(spec ? spec : rules::default_spec(3), 1);
    const Model& m = s.model();
    auto frame = test_frame(m.input().width, m.input().height);
    for (int i = 0; i < batch; ++i) {
      frame[size_t(i) % frame.size()] ^= 0x5a;  // each image a little different
      s.add_image(frame.data(), frame.size(), m.input().width, m.input().height, i % m.num_classes());
      idx.push_back(i);
    }
  }
  void step() { s.predict_stored(idx.data(), int(idx.size())); }
};

// The default net for the interleaved rows: core's webcam preset with 3 classes (issue 13's
// "conv8-pool-conv16-pool-conv32-pool-fc32-fc3").
inline ModelSpec rep_spec(const std::string& workload) {
  const char* s = workload_spec(workload);
  return parse_spec(s ? std::string(s) : rules::default_spec(3));
}

// One timed repetition (whole steps for at least min_seconds) of "train" (batch 32, SGD) or
// "infer" (PredictBench) on a cached bench object; the first call of a (what, workload, batch)
// warms up for 2 x min_seconds. threads: the count to run with (the threaded module).
inline Json one_rep(const std::string& what, const std::string& workload, int batch, double min_seconds) {
  static std::vector<std::pair<std::string, std::unique_ptr<Workbench>>> trainers;
  static std::vector<std::pair<std::string, std::unique_ptr<PredictBench>>> predictors;
  const std::string key = workload + "/" + std::to_string(batch);
  std::function<void()> fn;
  bool fresh = false;
  double mflop = 0;
  if (what == "train") {
    auto it = std::find_if(trainers.begin(), trainers.end(), [&](auto& p) { return p.first == key; });
    if (it == trainers.end()) {
      trainers.emplace_back(key, std::make_unique<Workbench>(rep_spec(workload), batch));
      it = trainers.end() - 1;
      fresh = true;
    }
    Workbench* w = it->second.get();
    fn = [w] { w->train_step(); };
    mflop = train_flops(w->model.info()) * 1e-6;
  } else if (what == "infer") {
    auto it = std::find_if(predictors.begin(), predictors.end(), [&](auto& p) { return p.first == key; });
    if (it == predictors.end()) {
      predictors.emplace_back(key, std::make_unique<PredictBench>(workload, batch));
      it = predictors.end() - 1;
      fresh = true;
    }
    PredictBench* b = it->second.get();
    fn = [b] { b->step(); };
    mflop = forward_flops(b->s.model().info()) * 1e-6;
  } else {
    throw std::invalid_argument("unknown rep \"" + what + "\": use train or infer");
  }
  if (fresh) {
    const double w0 = now_s();
    for (int i = 0; i < 3 || now_s() - w0 < 2 * min_seconds; ++i) fn();
  }
  int steps = 0;
  double t0 = now_s(), t = t0;
  do {
    fn();
    ++steps;
    t = now_s();
  } while (t - t0 < min_seconds || steps < 2);
  Json j = Json::object();
  j["images_per_s"] = double(steps) * batch / (t - t0);
  j["gflops"] = double(steps) * batch / (t - t0) * mflop * 1e-3;
  return j;
}

// The engine alone doing what the page's Train button does: `n` stored images of the default net
// (3 classes, random bytes at the page's stored size), Session::train_begin and train_run to the
// end (shuffling, augmentation, validation every epoch), timed. make bench sets the page's own
// run against this one: the difference is what the page and its worker protocol cost.
inline Json session_train(int n, int epochs, int batch) {
  Session s;
  s.set_spec(rules::default_spec(3), 1);
  const rules::Size sz = rules::stored_size(s.model().input().height, s.model().input().width);
  std::vector<uint8_t> px(size_t(sz.width) * sz.height * 4);
  Rng rng(5);
  for (int i = 0; i < n; ++i) {
    for (auto& v : px) v = uint8_t(rng.next_u32() >> 24);
    s.add_image(px.data(), px.size(), sz.width, sz.height, i % 3);
  }
  const std::string cfg = "{\"epochs\": " + std::to_string(epochs) + ", \"batch_size\": " + std::to_string(batch) + ", \"seed\": 1}";
  const double t0 = now_s();
  s.train_begin(cfg);
  Json last;
  while (s.training()) last = Json::parse(s.train_run(1 << 20));
  const double seconds = now_s() - t0;
  Json j = Json::object();
  const double train_size = last.find("train_size")->as_number();
  j["seconds"] = seconds;
  j["train_size"] = train_size;
  j["val_size"] = last.find("val_size")->as_number();
  j["images_per_s"] = train_size * epochs / seconds;
  return j;
}

// Peak f32 mul-add rate of one thread: `chains` independent 4-lane accumulators, each
// acc = acc * m + a (one multiply and one add per lane: 8 FLOPs per step). Enough chains
// hide the latency, so the figure is the throughput of the vector units. Compiled with
// -msimd128 the vector type is wasm's f32x4; natively it is the build's 128-bit SSE.
typedef float f32x4 __attribute__((vector_size(16)));
// noinline: V8 has no on-stack replacement for wasm, so a loop runs in the baseline
// compiler's code until its function is entered again; separate calls let it tier up.
template <int Chains>
__attribute__((noinline)) double peak_loop(long iters, float seed) {
  f32x4 acc[Chains];
  for (int c = 0; c < Chains; ++c) acc[c] = f32x4{seed, seed + 1e-3f, seed + 2e-3f, seed + c * 1e-3f};
  // Opaque constants: a compile-time v128.const would be re-materialised by V8 in every
  // operation (a load per mul-add), halving the measured rate.
  volatile float mv = 0.9999999f, av = 1e-7f;
  const float ms = mv, as = av;
  const f32x4 m = {ms, ms, ms, ms};
  const f32x4 a = {as, as, as, as};
  for (long i = 0; i < iters; ++i) {
    for (int c = 0; c < Chains; ++c) acc[c] = acc[c] * m + a;
  }
  f32x4 s = acc[0];
  for (int c = 1; c < Chains; ++c) s += acc[c];
  return double(s[0] + s[1] + s[2] + s[3]);
}
// Many short calls rather than one long one: V8 swaps a wasm function's baseline code for
// optimised code only when the function is entered again, so a single long call would
// measure the baseline compiler. Each round times one batch of calls per chain count; the
// best batch is the peak (on a shared machine the best slice is the least disturbed one).
template <int Chains>
inline double peak_batch(double& sink, double& gflop, double& seconds) {
  // 4096 steps of `Chains` vectors per call (tens of microseconds); a batch is 537 MFLOP
  // (about 10 ms at peak), long against a browser's coarse timer.
  const long iters = 1 << 12;
  const int calls = 2048 * 8 / Chains;
  double t0 = now_s();
  for (int c = 0; c < calls; ++c) sink += peak_loop<Chains>(iters, float(sink * 1e-30) + 1.0f);
  const double t = now_s() - t0, g = double(iters) * calls * Chains * 8 * 1e-9;
  gflop += g, seconds += t;
  return g / t;
}
// Best over a few chain counts (the right one depends on the CPU and the register file),
// measured in alternation for `seconds` so that all of them get optimised. mean_gflops: all of
// the window's work over all of its time (make bench's per-rep look at the machine, run.mjs).
inline Json peak_gflops(double seconds) {
  double sink = 0, g8 = 0, g12 = 0, g16 = 0, gflop = 0, busy = 0;
  double t_end = now_s() + seconds;
  while (now_s() < t_end) {
    g8 = std::max(g8, peak_batch<8>(sink, gflop, busy));
    g12 = std::max(g12, peak_batch<12>(sink, gflop, busy));
    g16 = std::max(g16, peak_batch<16>(sink, gflop, busy));
  }
  Json j = Json::object();
  j["gflops"] = std::max({g8, g12, g16});
  j["mean_gflops"] = gflop / busy;
  j["chains_8"] = g8;
  j["chains_12"] = g12;
  j["chains_16"] = g16;
  j["sink"] = sink == 12345.0 ? 1 : 0;  // keeps the loops alive
  return j;
}

}  // namespace convlab::bench
