// Every layer function: known values computed by hand, the fast conv against its plain
// reference on ragged shapes, and central-difference gradient checks of inputs and
// parameters (tests/gradcheck.h). Softmax cross-entropy: known values, stability, gradient.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "convlab/gemm.h"
#include "convlab/layers.h"
#include "convlab/rng.h"
#include "convlab/threadpool.h"
#include "gradcheck.h"

using namespace convlab;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// Output size on one axis, from the one formula's definition: (w + pb + pa - k) / s + 1.
Conv2dShape conv_shape(int n, int c_in, int h, int w, int c_out, int k, int s, int pt, int pb, int pl, int pr) {
  return {n, c_in, h, w, c_out, (h + pt + pb - k) / s + 1, (w + pl + pr - k) / s + 1, k, s, pt, pl};
}

Pool2dShape pool_shape(int n, int c, int h, int w, int k, int s, int p) {
  return {n, c, h, w, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1, k, s, p, p};
}

std::vector<float> conv_forward(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& b,
                                const Conv2dShape& s) {
  std::vector<float> y(size_t(s.n) * s.c_out * s.h_out * s.w_out, -7.0f), col(size_t(conv2d_col_size(s)));
  conv2d_forward(y.data(), col.data(), x.data(), w.data(), b.data(), s);
  return y;
}

}  // namespace

// ------------------------------------------------------------------------------ conv2d

TEST_CASE("conv2d: the lecture's exercise, a corner pixel against a bottom-right filter tap") {
  // 5x5x1 images, 3x3 filter whose only 1.0 is its bottom-right tap, no padding, stride 1:
  // (5 + 0 - 3)/1 + 1 = 3, and y[oy][ox] = sum_{ky,kx} x[oy+ky][ox+kx] w[ky][kx] = x[oy+2][ox+2].
  std::vector<float> w(9, 0.0f), b{0.0f};
  w[8] = 1.0f;
  auto s = conv_shape(1, 1, 5, 5, 1, 3, 1, 0, 0, 0, 0);
  REQUIRE(s.h_out == 3);
  REQUIRE(s.w_out == 3);

  // Top-left image: x[0][0] = 1 would need oy + 2 = 0, so no output sees it: all nine are 0.
  // Without padding the corner pixel only ever meets the filter's top-left tap (weight 0).
  std::vector<float> tl(25, 0.0f);
  tl[0] = 1.0f;
  auto y = conv_forward(tl, w, b, s);
  for (float v : y) CHECK(v == 0.0f);

  // Bottom-right image: x[4][4] = 1 is read by oy = ox = 2 only: 1.0 at the output's bottom-right.
  std::vector<float> br(25, 0.0f);
  br[24] = 1.0f;
  y = conv_forward(br, w, b, s);
  const std::vector<float> want{0, 0, 0,  //
                                0, 0, 0,  //
                                0, 0, 1};
  CHECK(y == want);

  // With padding 2 ((5 + 4 - 3)/1 + 1 = 7) the top-left pixel comes back: y[oy][ox] = x[oy][ox].
  auto sp = conv_shape(1, 1, 5, 5, 1, 3, 1, 2, 2, 2, 2);
  REQUIRE(sp.h_out == 7);
  y = conv_forward(tl, w, b, sp);
  for (int i = 0; i < 49; ++i) CHECK(y[size_t(i)] == (i == 0 ? 1.0f : 0.0f));
}

TEST_CASE("conv2d: stride 2 with bias, known values") {
  // x[r][c] = 5r + c on 5x5, all-ones 3x3 filter, stride 2: (5 - 3)/2 + 1 = 2.
  // A 3x3 window of this linear ramp sums to 9 x its centre: centres 6, 8, 16, 18.
  std::vector<float> x(25), w(9, 1.0f), b{0.5f};
  for (int i = 0; i < 25; ++i) x[size_t(i)] = float(i);
  auto s = conv_shape(1, 1, 5, 5, 1, 3, 2, 0, 0, 0, 0);
  REQUIRE(s.h_out == 2);
  auto y = conv_forward(x, w, b, s);
  CHECK(y == std::vector<float>{54.5f, 72.5f, 144.5f, 162.5f});
}

TEST_CASE("conv2d: padding 1 counts only the real pixels under the filter") {
  // 3x3 ones, 3x3 ones filter, padding 1: each output counts its in-image neighbours:
  // corners 4, edges 6, centre 9.
  std::vector<float> x(9, 1.0f), w(9, 1.0f), b{0.0f};
  auto y = conv_forward(x, w, b, conv_shape(1, 1, 3, 3, 1, 3, 1, 1, 1, 1, 1));
  CHECK(y == std::vector<float>{4, 6, 4, 6, 9, 6, 4, 6, 4});
}

TEST_CASE("conv2d: two channels in, two out, weights laid out (out, in, kh, kw)") {
  // 1x1 kernels: y[o] = sum_c w[o][c] x[c] + b[o] per pixel.
  // x channel 0 = [1, 2], channel 1 = [10, 20]; w = [[1, 0.5], [-1, 2]]; b = [0, 1].
  // y0 = [1 + 5, 2 + 10] = [6, 12]; y1 = [-1 + 20 + 1, -2 + 40 + 1] = [20, 39].
  std::vector<float> x{1, 2, 10, 20}, w{1, 0.5f, -1, 2}, b{0, 1};
  auto y = conv_forward(x, w, b, conv_shape(1, 2, 1, 2, 2, 1, 1, 0, 0, 0, 0));
  CHECK(y == std::vector<float>{6, 12, 20, 39});
}

TEST_CASE("conv2d: padding \"same\" with an even kernel pads 1 before and 2 after") {
  // k = 4, PyTorch's "same": total padding 3, 1 top/left, 2 bottom/right, output stays 4x4.
  // x[r][c] = 1 + 4r + c. A filter with its only 1.0 at tap (0,0) reads x[oy-1][ox-1]: the
  // input shifted down-right by ONE (a symmetric 2 would shift by two).
  std::vector<float> x(16), b{0.0f};
  for (int i = 0; i < 16; ++i) x[size_t(i)] = float(1 + i);
  auto s = conv_shape(1, 1, 4, 4, 1, 4, 1, 1, 2, 1, 2);
  REQUIRE(s.h_out == 4);
  std::vector<float> w(16, 0.0f);
  w[0] = 1.0f;
  CHECK(conv_forward(x, w, b, s) == std::vector<float>{0, 0, 0, 0,  //
                                                      0, 1, 2, 3,  //
                                                      0, 5, 6, 7,  //
                                                      0, 9, 10, 11});
  // Tap (3,3) reads x[oy+2][ox+2]: the two zero rows/columns of bottom padding show.
  std::fill(w.begin(), w.end(), 0.0f);
  w[15] = 1.0f;
  CHECK(conv_forward(x, w, b, s) == std::vector<float>{11, 12, 0, 0,  //
                                                      15, 16, 0, 0,  //
                                                      0, 0, 0, 0,    //
                                                      0, 0, 0, 0});
}

TEST_CASE("conv2d: im2col + GEMM equals the plain reference on ragged shapes, forward and backward") {
  Rng pick(42, 3);
  auto in = [&](int lo, int hi) { return lo + int(pick.below(uint32_t(hi - lo + 1))); };
  for (int trial = 0; trial < 60; ++trial) {
    int k = in(1, 5), st = in(1, 3);
    int pt = in(0, k - 1), pb = in(0, k - 1), pl = in(0, k - 1), pr = in(0, k - 1);
    int h = in(std::max(1, k - pt - pb), 11), w = in(std::max(1, k - pl - pr), 13);
    // one draw per statement: argument evaluation order differs between compilers
    const int n = in(1, 3), c_in = in(1, 5), c_out = in(1, 7);
    auto s = conv_shape(n, c_in, h, w, c_out, k, st, pt, pb, pl, pr);
    INFO("trial " << trial << ": n " << s.n << " c_in " << s.c_in << " " << h << "x" << w << " c_out " << s.c_out
                  << " k " << k << " s " << st << " pads " << pt << "," << pb << "," << pl << "," << pr);
    REQUIRE(s.h_out >= 1);
    REQUIRE(s.w_out >= 1);
    auto x = gradcheck::random_vector(int64_t(s.n) * s.c_in * h * w, 100 + trial);
    auto wt = gradcheck::random_vector(int64_t(s.c_out) * s.c_in * k * k, 200 + trial);
    auto b = gradcheck::random_vector(s.c_out, 300 + trial);
    const size_t ny = size_t(s.n) * s.c_out * s.h_out * s.w_out;
    std::vector<float> y_ref(ny);
    conv2d_forward_reference(y_ref.data(), x.data(), wt.data(), b.data(), s);
    auto y = conv_forward(x, wt, b, s);
    for (size_t i = 0; i < ny; ++i) REQUIRE_THAT(y[i], WithinAbs(y_ref[i], 1e-5) || WithinRel(y_ref[i], 1e-5f));

    auto dy = gradcheck::random_vector(int64_t(ny), 400 + trial);
    std::vector<float> dx(x.size(), 99.0f), dw(wt.size(), 0.25f), db(b.size(), -0.5f);
    std::vector<float> dx_ref(x.size(), -99.0f), dw_ref(wt.size(), 0.25f), db_ref(b.size(), -0.5f);
    std::vector<float> col(size_t(conv2d_col_size(s)));
    conv2d_backward(dx.data(), dw.data(), db.data(), col.data(), dy.data(), x.data(), wt.data(), s);
    conv2d_backward_reference(dx_ref.data(), dw_ref.data(), db_ref.data(), dy.data(), x.data(), wt.data(), s);
    // dx is written (the 99 is gone); dw and db accumulate onto their 0.25 / -0.5.
    for (size_t i = 0; i < dx.size(); ++i) REQUIRE_THAT(dx[i], WithinAbs(dx_ref[i], 1e-4) || WithinRel(dx_ref[i], 1e-4f));
    for (size_t i = 0; i < dw.size(); ++i) REQUIRE_THAT(dw[i], WithinAbs(dw_ref[i], 1e-4) || WithinRel(dw_ref[i], 1e-4f));
    for (size_t i = 0; i < db.size(); ++i) REQUIRE_THAT(db[i], WithinAbs(db_ref[i], 1e-4) || WithinRel(db_ref[i], 1e-4f));
  }
}

TEST_CASE("conv2d forward: every tiling (implicit by rows, by padded width, im2col) gives the im2col GEMM's bits") {
  // The wasm build reads stride-1 inputs in place (two tilings, chosen by width); the native
  // build uses im2col. Each must equal bias + (W . col) summed in k order, bit for bit: that is
  // what keeps native, wasm, 1 and 2 threads on one determinism hash. Widths cover whole and
  // partial 8-wide tiles per row.
  Rng pick(7, 11);
  auto in = [&](int lo, int hi) { return lo + int(pick.below(uint32_t(hi - lo + 1))); };
  for (int trial = 0; trial < 40; ++trial) {
    const int k = in(1, 4), st = trial % 4 == 3 ? 2 : 1, pad = in(0, k - 1);
    const int h = in(std::max(1, k - 2 * pad), 9), w = in(std::max(1, k - 2 * pad), 37);
    const int n = in(1, 3), c_in = in(1, 4), c_out = in(1, 9);
    auto s = conv_shape(n, c_in, h, w, c_out, k, st, pad, pad, pad, pad);
    INFO("trial " << trial << ": n " << n << " c_in " << c_in << " " << h << "x" << w << " c_out " << c_out << " k "
                  << k << " s " << st << " pad " << pad);
    auto x = gradcheck::random_vector(int64_t(n) * c_in * h * w, 500 + trial);
    auto wt = gradcheck::random_vector(int64_t(c_out) * c_in * k * k, 600 + trial);
    auto b = gradcheck::random_vector(c_out, 700 + trial);
    auto y = conv_forward(x, wt, b, s);
    const int hw = s.h_out * s.w_out, ckk = c_in * k * k;
    std::vector<float> col(size_t(ckk) * hw), yi(size_t(c_out) * hw);
    for (int i = 0; i < n; ++i) {
      f32_im2col__scalar(col.data(), x.data() + int64_t(i) * c_in * h * w, s);
      for (int o = 0; o < c_out; ++o) std::fill(yi.begin() + int64_t(o) * hw, yi.begin() + int64_t(o + 1) * hw, b[o]);
      f32_gemm_tiled(f32_gemm_4x8__scalar, {c_out, hw, ckk, wt.data(), ckk, false, col.data(), hw, false, yi.data(), hw, true});
      REQUIRE(std::memcmp(yi.data(), y.data() + int64_t(i) * c_out * hw, sizeof(float) * yi.size()) == 0);
    }
  }
}

TEST_CASE("conv2d: gradient check of input, weight and bias") {
  struct Case { const char* name; int h, w, k, s, pt, pb; };
  auto c = GENERATE(Case{"k3 s1 p1", 5, 6, 3, 1, 1, 1}, Case{"k3 s2 p0", 7, 7, 3, 2, 0, 0},
                    Case{"k3 s2 p1", 7, 5, 3, 2, 1, 1}, Case{"k4 same (1, 2)", 5, 5, 4, 1, 1, 2},
                    Case{"k1", 3, 4, 1, 1, 0, 0});
  INFO(c.name);
  auto s = conv_shape(2, 3, c.h, c.w, 4, c.k, c.s, c.pt, c.pb, c.pt, c.pb);
  auto x = gradcheck::random_vector(int64_t(s.n) * s.c_in * c.h * c.w, 1);
  auto w = gradcheck::random_vector(int64_t(s.c_out) * s.c_in * c.k * c.k, 2);
  auto b = gradcheck::random_vector(s.c_out, 3);
  const int64_t ny = int64_t(s.n) * s.c_out * s.h_out * s.w_out;
  auto r = gradcheck::random_vector(ny, 4);
  std::vector<float> y(static_cast<size_t>(ny)), col(size_t(conv2d_col_size(s)));
  auto loss = [&] {
    conv2d_forward(y.data(), col.data(), x.data(), w.data(), b.data(), s);
    return gradcheck::weighted_sum(y.data(), r);
  };
  std::vector<float> dx(x.size()), dw(w.size(), 0.0f), db(b.size(), 0.0f);
  conv2d_backward(dx.data(), dw.data(), db.data(), col.data(), r.data(), x.data(), w.data(), s);
  gradcheck::check("dx", x.data(), dx.data(), int64_t(x.size()), loss);
  gradcheck::check("dw", w.data(), dw.data(), int64_t(w.size()), loss);
  gradcheck::check("db", b.data(), db.data(), int64_t(b.size()), loss);

  // backward accumulates parameter gradients: a second call doubles them (up to the
  // rounding of adding image by image onto a non-zero start)
  std::vector<float> dw2 = dw, db2 = db;
  conv2d_backward(nullptr, dw2.data(), db2.data(), col.data(), r.data(), x.data(), w.data(), s);
  for (size_t i = 0; i < dw.size(); ++i) CHECK_THAT(dw2[i], WithinRel(2.0f * dw[i], 1e-5f) || WithinAbs(0, 1e-6));
  for (size_t i = 0; i < db.size(); ++i) CHECK_THAT(db2[i], WithinRel(2.0f * db[i], 1e-5f) || WithinAbs(0, 1e-6));
}

// ------------------------------------------------------------------------------ relu

TEST_CASE("relu: known values, and gradient 0 at exactly 0 as in PyTorch") {
  std::vector<float> x{-2, -0.5f, 0, 0.5f, 2}, y(5), dx(5), dy{1, 1, 1, 1, 1};
  relu_forward(y.data(), x.data(), 5);
  CHECK(y == std::vector<float>{0, 0, 0, 0.5f, 2});
  relu_backward(dx.data(), dy.data(), y.data(), 5);
  CHECK(dx == std::vector<float>{0, 0, 0, 1, 1});
}

TEST_CASE("relu: gradient check away from the kink") {
  // every input at least 0.025 from 0, h = 0.01: no probe crosses the kink
  auto x = gradcheck::distinct_vector(60, 5);
  auto r = gradcheck::random_vector(60, 6);
  std::vector<float> y(60), dx(60);
  auto loss = [&] {
    relu_forward(y.data(), x.data(), 60);
    return gradcheck::weighted_sum(y.data(), r);
  };
  loss();
  relu_backward(dx.data(), r.data(), y.data(), 60);
  int nonzero = 0;
  for (float d : dx) nonzero += d != 0.0f;
  CHECK(nonzero == 30);  // half the ladder is positive
  gradcheck::check("dx", x.data(), dx.data(), 60, loss);
}

// ------------------------------------------------------------------------------ pools

TEST_CASE("maxpool2d: known values, without and with padding (padding never wins)") {
  // x[r][c] = 4r + c on 4x4, k2 s2: the bottom-right of each 2x2 block.
  std::vector<float> x(16);
  for (int i = 0; i < 16; ++i) x[size_t(i)] = float(i);
  auto s = pool_shape(1, 1, 4, 4, 2, 2, 0);
  std::vector<float> y(4);
  std::vector<int32_t> am(4);
  maxpool2d_forward(y.data(), am.data(), x.data(), s);
  CHECK(y == std::vector<float>{5, 7, 13, 15});
  CHECK(am == std::vector<int32_t>{5, 7, 13, 15});

  // k2 s2 p1: (4 + 2 - 2)/2 + 1 = 3; windows cover rows {-1,0}, {1,2}, {3,4} (same for columns).
  // With x = -(4r + c) - 1 every real value is negative, so a zero-valued padding would win
  // the corners; PyTorch pads with -inf. The max of each window is its smallest (r, c):
  // rows {0, 1, 3} x columns {0, 1, 3}.
  for (int i = 0; i < 16; ++i) x[size_t(i)] = -float(i) - 1.0f;
  auto sp = pool_shape(1, 1, 4, 4, 2, 2, 1);
  REQUIRE(sp.h_out == 3);
  y.assign(9, 0.0f);
  am.assign(9, 0);
  maxpool2d_forward(y.data(), am.data(), x.data(), sp);
  CHECK(y == std::vector<float>{-1, -2, -4, -5, -6, -8, -13, -14, -16});
  // backward routes each dy to its argmax only
  std::vector<float> dy{1, 2, 3, 4, 5, 6, 7, 8, 9}, dx(16, 42.0f);
  maxpool2d_backward(dx.data(), dy.data(), am.data(), sp);
  CHECK(dx == std::vector<float>{1, 2, 0, 3, 4, 5, 0, 6, 0, 0, 0, 0, 7, 8, 0, 9});
}

TEST_CASE("maxpool2d: ties go to the first in scan order") {
  std::vector<float> x{3, 3, 3, 3}, y(1);
  std::vector<int32_t> am(1, -5);
  maxpool2d_forward(y.data(), am.data(), x.data(), pool_shape(1, 1, 2, 2, 2, 2, 0));
  CHECK(y[0] == 3.0f);
  CHECK(am[0] == 0);
}

TEST_CASE("maxpool2d: gradient check with distinct values") {
  struct Case { int h, w, k, s, p; };
  auto c = GENERATE(Case{6, 6, 2, 2, 0}, Case{5, 5, 3, 2, 1}, Case{4, 6, 2, 2, 1}, Case{5, 5, 3, 1, 1});
  INFO("k" << c.k << " s" << c.s << " p" << c.p);
  auto s = pool_shape(2, 3, c.h, c.w, c.k, c.s, c.p);
  const int64_t nx = int64_t(s.n) * s.c * c.h * c.w, ny = int64_t(s.n) * s.c * s.h_out * s.w_out;
  // values 0.05 apart, h = 0.01: no probe changes which element is the max
  auto x = gradcheck::distinct_vector(nx, 7);
  auto r = gradcheck::random_vector(ny, 8);
  std::vector<float> y(static_cast<size_t>(ny)), dx(static_cast<size_t>(nx));
  std::vector<int32_t> am(static_cast<size_t>(ny));
  auto loss = [&] {
    maxpool2d_forward(y.data(), am.data(), x.data(), s);
    return gradcheck::weighted_sum(y.data(), r);
  };
  loss();
  maxpool2d_backward(dx.data(), r.data(), am.data(), s);
  gradcheck::check("dx", x.data(), dx.data(), nx, loss);
}

TEST_CASE("avgpool2d: known values, padding counted as zeros (count_include_pad)") {
  // x[r][c] = 4r + c on 4x4, k2 s2: block means (0+1+4+5)/4 = 2.5, 4.5, 10.5, 12.5.
  std::vector<float> x(16), y(4);
  for (int i = 0; i < 16; ++i) x[size_t(i)] = float(i);
  avgpool2d_forward(y.data(), x.data(), pool_shape(1, 1, 4, 4, 2, 2, 0));
  CHECK(y == std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f});

  // 3x3 ones, k3 s1 p1: every output divides by 9, real pixels under the window:
  // corners 4/9, edges 6/9, centre 9/9.
  std::vector<float> ones(9, 1.0f), yp(9);
  auto sp = pool_shape(1, 1, 3, 3, 3, 1, 1);
  avgpool2d_forward(yp.data(), ones.data(), sp);
  const float c4 = 4.0f / 9, e6 = 6.0f / 9;
  const std::vector<float> want{c4, e6, c4, e6, 1, e6, c4, e6, c4};
  for (int i = 0; i < 9; ++i) CHECK_THAT(yp[size_t(i)], WithinAbs(want[size_t(i)], 1e-6));
  // backward: the corner pixel sits in the 4 windows around it, each giving 1/9 of dy = 1
  std::vector<float> dy(9, 1.0f), dx(9, 5.0f);
  avgpool2d_backward(dx.data(), dy.data(), sp);
  CHECK_THAT(dx[0], WithinAbs(4.0f / 9, 1e-6));
  CHECK_THAT(dx[1], WithinAbs(6.0f / 9, 1e-6));
  CHECK_THAT(dx[4], WithinAbs(1.0f, 1e-6));
}

TEST_CASE("avgpool2d: gradient check") {
  struct Case { int h, w, k, s, p; };
  auto c = GENERATE(Case{6, 6, 2, 2, 0}, Case{5, 5, 3, 2, 1}, Case{4, 4, 3, 1, 1});
  INFO("k" << c.k << " s" << c.s << " p" << c.p);
  auto s = pool_shape(2, 2, c.h, c.w, c.k, c.s, c.p);
  const int64_t nx = int64_t(s.n) * s.c * c.h * c.w, ny = int64_t(s.n) * s.c * s.h_out * s.w_out;
  auto x = gradcheck::random_vector(nx, 9);
  auto r = gradcheck::random_vector(ny, 10);
  std::vector<float> y(static_cast<size_t>(ny)), dx(static_cast<size_t>(nx));
  auto loss = [&] {
    avgpool2d_forward(y.data(), x.data(), s);
    return gradcheck::weighted_sum(y.data(), r);
  };
  avgpool2d_backward(dx.data(), r.data(), s);
  gradcheck::check("dx", x.data(), dx.data(), nx, loss);
}

// ------------------------------------------------------------------------------ linear

TEST_CASE("relu then pool in one pass (and predict's pool-only pass) equals relu_forward then the pool, bit for bit (ragged shapes, NaN, -0)") {
  Rng rng(8, 3);
  // {n, c, h_in, w_in, h_out, w_out, k, stride, pad_top, pad_left}: the 2x2 kernels' path (odd
  // output widths too) and the general loops (padding, stride 1 and 2, a ragged last window)
  const Pool2dShape shapes[] = {{1, 3, 6, 10, 3, 5, 2, 2, 0, 0},    {3, 5, 14, 18, 7, 9, 2, 2, 0, 0},
                                {1, 9, 40, 34, 20, 17, 2, 2, 0, 0}, {2, 4, 7, 5, 4, 3, 3, 2, 1, 1},
                                {1, 6, 9, 11, 9, 11, 3, 1, 1, 1},   {2, 3, 7, 9, 3, 4, 2, 2, 0, 0}};
  for (const Pool2dShape& s : shapes) {
    INFO("n " << s.n << " c " << s.c << " in " << s.h_in << "x" << s.w_in << " k " << s.k << " stride " << s.stride);
    const size_t in = size_t(s.n) * s.c * s.h_in * s.w_in, out = size_t(s.n) * s.c * s.h_out * s.w_out;
    std::vector<float> x(in);
    for (size_t i = 0; i < in; ++i) x[i] = i % 17 == 3 ? NAN : i % 13 == 5 ? -0.0f : 2.0f * rng.uniform() - 1.0f;
    std::vector<float> r0(in), y0(out), r1(in, 9.0f), y1(out, 9.0f);
    std::vector<int32_t> a0(out), a1(out, -7);
    relu_forward(r0.data(), x.data(), int64_t(in));
    maxpool2d_forward(y0.data(), a0.data(), r0.data(), s);
    relu_maxpool2d_forward(r1.data(), y1.data(), a1.data(), x.data(), s);
    CHECK(std::memcmp(r0.data(), r1.data(), in * sizeof(float)) == 0);
    CHECK(std::memcmp(y0.data(), y1.data(), out * sizeof(float)) == 0);
    CHECK(a0 == a1);
    std::fill(y1.begin(), y1.end(), 9.0f);
    relu_maxpool2d_infer(y1.data(), x.data(), s);  // predict's pass: the pool's output alone
    CHECK(std::memcmp(y0.data(), y1.data(), out * sizeof(float)) == 0);
    std::fill(r1.begin(), r1.end(), 9.0f), std::fill(y1.begin(), y1.end(), 9.0f);
    avgpool2d_forward(y0.data(), r0.data(), s);
    relu_avgpool2d_forward(r1.data(), y1.data(), x.data(), s);
    CHECK(std::memcmp(r0.data(), r1.data(), in * sizeof(float)) == 0);
    CHECK(std::memcmp(y0.data(), y1.data(), out * sizeof(float)) == 0);
  }
}

TEST_CASE("linear: known values, y = x W^T + b") {
  // x = [1, 2, 3]; W = [[1, 0, -1], [0.5, 0.5, 0.5]]; b = [0.1, -0.2]
  // y0 = 1 - 3 + 0.1 = -1.9;  y1 = 3 - 0.2 = 2.8
  std::vector<float> x{1, 2, 3}, w{1, 0, -1, 0.5f, 0.5f, 0.5f}, b{0.1f, -0.2f}, y(2);
  linear_forward(y.data(), x.data(), w.data(), b.data(), 1, 3, 2);
  CHECK(y[0] == 1.0f - 3.0f + 0.1f);
  CHECK(y[1] == 3.0f - 0.2f);
  // backward with dy = [1, -1]: dx = dy W = [0.5, -0.5, -1.5]; dW = dy^T x; db = dy
  std::vector<float> dy{1, -1}, dx(3), dw(6, 0.0f), db(2, 0.0f);
  linear_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), 1, 3, 2);
  CHECK(dx == std::vector<float>{0.5f, -0.5f, -1.5f});
  CHECK(dw == std::vector<float>{1, 2, 3, -1, -2, -3});
  CHECK(db == std::vector<float>{1, -1});
}

TEST_CASE("linear: gradient check of input, weight and bias") {
  auto dims = GENERATE(std::vector<int>{1, 1, 1}, std::vector<int>{3, 7, 5}, std::vector<int>{4, 17, 3});
  const int n = dims[0], in = dims[1], out = dims[2];
  INFO("n " << n << " in " << in << " out " << out);
  auto x = gradcheck::random_vector(int64_t(n) * in, 11);
  auto w = gradcheck::random_vector(int64_t(out) * in, 12);
  auto b = gradcheck::random_vector(out, 13);
  auto r = gradcheck::random_vector(int64_t(n) * out, 14);
  std::vector<float> y(size_t(n) * out), dx(x.size()), dw(w.size(), 0.0f), db(b.size(), 0.0f);
  auto loss = [&] {
    linear_forward(y.data(), x.data(), w.data(), b.data(), n, in, out);
    return gradcheck::weighted_sum(y.data(), r);
  };
  linear_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), n, in, out);
  gradcheck::check("dx", x.data(), dx.data(), int64_t(x.size()), loss);
  gradcheck::check("dw", w.data(), dw.data(), int64_t(w.size()), loss);
  gradcheck::check("db", b.data(), db.data(), int64_t(b.size()), loss);
}

// ------------------------------------------------------------------------------ softmax cross-entropy

TEST_CASE("softmax cross-entropy: known values") {
  // row 0: logits [1, 2, 3], label 2: softmax = [0.0900306, 0.2447285, 0.6652410],
  //        loss = log(e + e^2 + e^3) - 3 = 0.4076060
  // row 1: logits [1, 2, 3], label 0: loss = 0.4076060 + 2 = 2.4076060
  // mean = 1.4076060; dlogits = (probs - onehot) / 2
  std::vector<float> z{1, 2, 3, 1, 2, 3}, p(6), d(6);
  std::vector<int32_t> lab{2, 0};
  float loss = softmax_cross_entropy_forward(p.data(), z.data(), lab.data(), 2, 3);
  CHECK_THAT(loss, WithinAbs(1.4076060, 1e-6));
  const float p0 = 0.09003057f, p1 = 0.24472847f, p2 = 0.66524096f;
  CHECK_THAT(p[0], WithinAbs(p0, 1e-7));
  CHECK_THAT(p[1], WithinAbs(p1, 1e-7));
  CHECK_THAT(p[2], WithinAbs(p2, 1e-7));
  softmax_cross_entropy_backward(d.data(), p.data(), lab.data(), 2, 3);
  CHECK_THAT(d[2], WithinAbs((p2 - 1) / 2, 1e-7));
  CHECK_THAT(d[3], WithinAbs((p0 - 1) / 2, 1e-7));
  CHECK_THAT(d[4], WithinAbs(p1 / 2, 1e-7));
  // two classes, equal logits: log 2
  std::vector<float> z2{0.5f, 0.5f}, p2v(2);
  std::vector<int32_t> l2{1};
  CHECK_THAT(softmax_cross_entropy_forward(p2v.data(), z2.data(), l2.data(), 1, 2), WithinAbs(0.69314718, 1e-6));
  // softmax alone: [0.5, -1.5] -> [0.8807971, 0.1192029]
  softmax_forward(p2v.data(), std::vector<float>{0.5f, -1.5f}.data(), 1, 2);
  CHECK_THAT(p2v[0], WithinAbs(0.88079708, 1e-7));
  CHECK_THAT(p2v[1], WithinAbs(0.11920292, 1e-7));
}

TEST_CASE("softmax cross-entropy: logits of +-1000 give a finite loss and the right gradient") {
  // row 0: [1000, -1000, 0], label 1: loss = log(sum exp(z - 1000)) - (-1000 - 1000) = 2000
  //        probs [1, 0, 0], dlogits row = ([1, 0, 0] - [0, 1, 0]) / 2
  // row 1: [1000, 1000, -1000], label 0: loss = log 2, probs [0.5, 0.5, 0]
  std::vector<float> z{1000, -1000, 0, 1000, 1000, -1000}, p(6), d(6);
  std::vector<int32_t> lab{1, 0};
  float loss = softmax_cross_entropy_forward(p.data(), z.data(), lab.data(), 2, 3);
  REQUIRE(std::isfinite(loss));
  CHECK_THAT(loss, WithinRel((2000.0 + 0.69314718) / 2, 1e-6));
  softmax_cross_entropy_backward(d.data(), p.data(), lab.data(), 2, 3);
  for (float v : d) REQUIRE(std::isfinite(v));
  const std::vector<float> want{0.5f, -0.5f, 0, -0.25f, 0.25f, 0};
  for (size_t i = 0; i < 6; ++i) CHECK_THAT(d[i], WithinAbs(want[i], 1e-7));
}

TEST_CASE("softmax cross-entropy: gradient check") {
  const int n = 3, classes = 4;
  auto z = gradcheck::random_vector(n * classes, 15, -3, 3);
  std::vector<int32_t> lab{0, 3, 2};
  std::vector<float> p(z.size()), d(z.size());
  auto loss = [&] { return double(softmax_cross_entropy_forward(p.data(), z.data(), lab.data(), n, classes)); };
  loss();
  softmax_cross_entropy_backward(d.data(), p.data(), lab.data(), n, classes);
  gradcheck::Options opt;
  opt.h = 1e-2f;
  opt.abs = 1e-4;  // the gradients are small (divided by n): hold them tighter than 1e-3
  gradcheck::check("dlogits", z.data(), d.data(), int64_t(z.size()), loss, opt);
}
