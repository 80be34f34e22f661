// Central-difference gradient checks, shared by the layer and model tests.
//
// The scalar loss is L = sum_i r_i y_i with fixed random weights r (so dL/dy = r is generic:
// no symmetry hides a wrong index), accumulated in double so the only float error is in y.
// Each checked coordinate compares the analytic gradient with (L(x+h) - L(x-h)) / 2h and passes
// within relative 1e-2 or absolute 1e-3 (Options' defaults, h = 1e-2; a test may tighten them).
#pragma once
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "convlab/rng.h"

namespace gradcheck {

// A net with every layer type the spec allows, for the model's gradient checks and the input
// gradient's (test_model.cc, test_looks.cc): both paddings, stride 2, both pools with padding,
// two linears.
//   3x8x8 -conv4 k3 same-> 4x8x8 -relu-> -maxpool k2-> 4x4x4 -conv5 k4 same (1,2)-> 5x4x4
//   -avgpool k3 s1 p1-> 5x4x4 -conv3 k4 s2 p1-> 3x2x2 -maxpool k3 s1 p1-> 3x2x2 -relu-> -flatten-> 12
//   -linear 6-> -relu-> -linear 3
inline constexpr const char* kAllLayers = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
  {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 5, "kernel": 4, "padding": "same"},
  {"type": "avgpool2d", "kernel": 3, "stride": 1, "padding": 1},
  {"type": "conv2d", "out_channels": 3, "kernel": 4, "stride": 2, "padding": 1},
  {"type": "maxpool2d", "kernel": 3, "stride": 1, "padding": 1}, {"type": "relu"},
  {"type": "flatten"}, {"type": "linear", "out_features": 6}, {"type": "relu"},
  {"type": "linear", "out_features": 3}]})";

// n floats uniform in [lo, hi), seeded: the same numbers on every platform.
inline std::vector<float> random_vector(int64_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  convlab::Rng rng(seed, 7);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = lo + (hi - lo) * rng.uniform();
  return v;
}

// Like random_vector but every |value| is at least `gap` away from 0 and from every other
// value: no ReLU kink at 0 and no max-pool tie can fall inside a step of h < gap / 2.
inline std::vector<float> distinct_vector(int64_t n, uint64_t seed, float gap = 0.05f) {
  // a shuffled ladder of values gap apart, centred on 0, skipping 0 itself
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t k = i - n / 2;
    v[size_t(i)] = (float(k) + (k >= 0 ? 0.5f : -0.5f)) * gap;
  }
  convlab::Rng rng(seed, 9);
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(static_cast<uint32_t>(i))]);
  return v;
}

inline double weighted_sum(const float* y, const std::vector<float>& r) {
  double s = 0;
  for (size_t i = 0; i < r.size(); ++i) s += double(y[i]) * double(r[i]);
  return s;
}

struct Options {
  float h = 1e-2f;
  double rel = 1e-2, abs = 1e-3;
  int max_checks = 400;  // coordinates checked per tensor (evenly strided when larger)
};

// Checks analytic[i] == dL/dx[i] numerically for x of n floats. loss() re-runs the forward
// pass on the current contents of x. x is restored exactly after each probe.
// Returns the number of coordinates that failed (each failure is also a CHECK failure).
inline int check(const std::string& what, float* x, const float* analytic, int64_t n,
                 const std::function<double()>& loss, Options opt = {}) {
  int failed = 0;
  const int64_t stride = n > opt.max_checks ? (n + opt.max_checks - 1) / opt.max_checks : 1;
  for (int64_t i = 0; i < n; i += stride) {
    const float keep = x[i];
    x[i] = keep + opt.h;
    const double lp = loss();
    x[i] = keep - opt.h;
    const double lm = loss();
    x[i] = keep;
    // the step actually taken in float, not the nominal h
    const double step = double(keep + opt.h) - double(keep - opt.h);
    const double num = (lp - lm) / step, ana = analytic[i];
    const double err = std::fabs(num - ana);
    const bool ok = err <= opt.abs || err <= opt.rel * std::fabs(num);
    if (!ok) {
      ++failed;
      INFO(what << "[" << i << "]: analytic " << ana << " vs numeric " << num);
      CHECK(ok);
    }
  }
  CHECK(failed == 0);
  return failed;
}

}  // namespace gradcheck
