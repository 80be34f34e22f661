// Direct conv2d_forward vs Winograd F(m x m, 3x3) (weights pre-transformed) on the 3x3 conv layers
// of workloads A and B, batch 32 and 1, on one thread; prints a table of medians and the error of
// both against conv2d_forward_reference. Built by hand against the core library, e.g.
//   em++ -O3 -std=c++20 -msimd128 -fexceptions -ffp-contract=off -Icore/include \
//     tools/bench/winograd_bench.cc build/wino-wasm/libconvlab_core.a -sENVIRONMENT=node \
//     -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1 -o build/wino-tools/winograd_bench.js
//   node --no-experimental-fetch --no-liftoff build/wino-tools/winograd_bench.js [runs [layer [threads [m]]]]
// (layer: an index into kLayers, to profile one layer alone, -1 for all; threads: for a build against
// libconvlab_core_mt.a linked with -pthread -sPTHREAD_POOL_SIZE=2; m: the output tile, 4 or 2)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

#include "convlab/layers.h"
#include "convlab/rng.h"
#include "convlab/threadpool.h"
#include "convlab/winograd.h"

using namespace convlab;

namespace {

struct Layer {
  const char* name;
  int c_in, c_out, h, w;  // 3x3, stride 1, "same" padding
};
const Layer kLayers[] = {
    {"A conv1  1->16 28x28", 1, 16, 28, 28},   {"A conv2 16->32 14x14", 16, 32, 14, 14},
    {"B conv1  3->16 32x32", 3, 16, 32, 32},   {"B conv2 16->16 32x32", 16, 16, 32, 32},
    {"B conv3/4 16->16 16x16", 16, 16, 16, 16},
};

std::vector<float> random_values(size_t n, uint64_t seed) {
  Rng rng(seed, 3);
  std::vector<float> v(n);
  for (auto& x : v) x = 2.0f * rng.uniform() - 1.0f;
  return v;
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Medians over `runs` of the time per call of f and g, each run repeating f then g for >= 0.1 s
// each: interleaved, so a busy machine slows both alike.
template <class F, class G>
std::pair<double, double> median_seconds(F&& f, G&& g, int runs) {
  auto reps_for = [](auto&& h) {
    h();  // warm up (and tier up in V8)
    int reps = 0;
    for (double t0 = now(); now() - t0 < 0.05; ++reps) h();
    return std::max(1, reps * 2);
  };
  const int rf = reps_for(f), rg = reps_for(g);
  std::vector<double> pf, pg;
  for (int r = 0; r < runs; ++r) {
    double t0 = now();
    for (int i = 0; i < rf; ++i) f();
    pf.push_back((now() - t0) / rf);
    t0 = now();
    for (int i = 0; i < rg; ++i) g();
    pg.push_back((now() - t0) / rg);
  }
  std::sort(pf.begin(), pf.end()), std::sort(pg.begin(), pg.end());
  return {pf[pf.size() / 2], pg[pg.size() / 2]};
}

// max |y - ref| over max |ref|, and max |y - ref| / (eps S) with S = sum |w||x| + |b| per output
struct Err {
  double rel = 0, eps_s = 0;
};
Err error_of(const std::vector<float>& y, const std::vector<float>& ref, const std::vector<float>& mag) {
  Err e;
  double top = 0, worst = 0;
  for (size_t j = 0; j < y.size(); ++j) {
    const double d = std::fabs(double(y[j]) - ref[j]);
    top = std::max(top, std::fabs(double(ref[j]))), worst = std::max(worst, d);
    if (mag[j] > 0) e.eps_s = std::max(e.eps_s, d / (std::numeric_limits<float>::epsilon() * mag[j]));
  }
  e.rel = worst / top;
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(5, std::atoi(argv[1])) : 7;
  const int only = argc > 2 ? std::atoi(argv[2]) : -1;
  set_num_threads(argc > 3 ? std::atoi(argv[3]) : 1);
  const int m = argc > 4 ? std::atoi(argv[4]) : 4;
  if (!winograd_tile_ok(m)) {
    std::fprintf(stderr, "the output tile m must be 2 or 4, not %s\n", argv[4]);
    return 2;
  }
  std::printf("3x3 'same' conv layers, forward only, %d thread(s), Winograd F(%dx%d, 3x3), median of %d runs (ms per call)\n",
              num_threads(), m, m, runs);
  std::printf("%-24s %5s %10s %10s %8s | %11s %11s | %11s %11s\n", "layer", "batch", "direct", "winograd", "speedup",
              "wino relerr", "wino eps*S", "dir relerr", "dir eps*S");
  for (const Layer& l : kLayers)
    for (int n : {32, 1}) {
      if (only >= 0 && &l != &kLayers[only]) continue;
      const Conv2dShape s{n, l.c_in, l.h, l.w, l.c_out, l.h, l.w, 3, 1, 1, 1};
      const auto x = random_values(size_t(n) * l.c_in * l.h * l.w, 1);
      const auto w = random_values(size_t(l.c_out) * l.c_in * 9, 2), b = random_values(size_t(l.c_out), 3);
      std::vector<float> u(size_t(conv2d_winograd_weights_size(l.c_out, l.c_in, m)));
      conv2d_winograd_transform_weights(u.data(), w.data(), l.c_out, l.c_in, m);
      std::vector<float> col(size_t(conv2d_col_size(s))), scratch(size_t(conv2d_winograd_scratch_size(s, m)));
      const size_t ny = size_t(n) * l.c_out * l.h * l.w;
      std::vector<float> yd(ny), yw(ny), ref(ny), mag(ny);
      const auto [td, tw] = median_seconds(
          [&] { conv2d_forward(yd.data(), col.data(), x.data(), w.data(), b.data(), s); },
          [&] { conv2d_winograd_forward(yw.data(), scratch.data(), x.data(), u.data(), b.data(), s, m); }, runs);
      conv2d_forward_reference(ref.data(), x.data(), w.data(), b.data(), s);
      std::vector<float> ax(x), aw(w), ab(b);
      for (auto* v : {&ax, &aw, &ab})
        for (float& e : *v) e = std::fabs(e);
      conv2d_forward_reference(mag.data(), ax.data(), aw.data(), ab.data(), s);
      const Err ew = error_of(yw, ref, mag), ed = error_of(yd, ref, mag);
      std::printf("%-24s %5d %10.4f %10.4f %7.2fx | %11.2e %11.2f | %11.2e %11.2f\n", l.name, n, td * 1e3, tw * 1e3,
                  td / tw, ew.rel, ew.eps_s, ed.rel, ed.eps_s);
    }
  return 0;
}
