// Winograd F(2x2, 3x3) and F(4x4, 3x3) inference convolution: against the plain sliding dot
// product within a rounding tolerance, its SIMD kernels against their scalar twins bit for bit,
// 1 vs 2 threads bit for bit, and known-value cases (F(2x2, 3x3)'s must come out exact).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "convlab/kernels.h"
#include "convlab/layers.h"
#include "convlab/rng.h"
#include "convlab/threadpool.h"
#include "convlab/winograd.h"

using namespace convlab;

namespace {

std::vector<float> random_values(size_t n, uint64_t seed) {
  Rng rng(seed, 11);
  std::vector<float> v(n);
  for (auto& x : v) x = 2.0f * rng.uniform() - 1.0f;
  return v;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// A 3x3 stride-1 shape with padding p on every side (or pt above and below, pl left and right),
// h_out or w_out < 1 when the input is too small.
Conv2dShape shape3(int n, int c_in, int c_out, int h, int w, int pt, int pl) {
  return Conv2dShape{n, c_in, h, w, c_out, h + 2 * pt - 2, w + 2 * pl - 2, 3, 1, pt, pl};
}
Conv2dShape shape3(int n, int c_in, int c_out, int h, int w, int p) { return shape3(n, c_in, c_out, h, w, p, p); }

struct Case {
  Conv2dShape s;
  std::vector<float> x, w, b, u;  // x (n, c_in, h, w)  w (c_out, c_in, 3, 3)  b (c_out)  u transformed w
  int m;                          // the output tile: F(m x m, 3x3)
};
Case make_case(const Conv2dShape& s, uint64_t seed, int m = 2) {
  Case c{s, random_values(size_t(s.n) * s.c_in * s.h_in * s.w_in, seed),
         random_values(size_t(s.c_out) * s.c_in * 9, seed + 1), random_values(size_t(s.c_out), seed + 2), {}, m};
  c.u.resize(size_t(conv2d_winograd_weights_size(s.c_out, s.c_in, m)));
  conv2d_winograd_transform_weights(c.u.data(), c.w.data(), s.c_out, s.c_in, m);
  return c;
}

// y filled with a sentinel first: outputs the forward fails to write stay NaN and fail every check.
std::vector<float> winograd(const Case& c, bool scalar = false) {
  const Conv2dShape& s = c.s;
  std::vector<float> y(size_t(s.n) * s.c_out * s.h_out * s.w_out, std::numeric_limits<float>::quiet_NaN());
  std::vector<float> scratch(size_t(conv2d_winograd_scratch_size(s, c.m)), std::numeric_limits<float>::quiet_NaN());
  if (scalar)
    conv2d_winograd_forward_with(c.m == 4 ? f32_winograd_f4k3_input__scalar : f32_winograd_f2k3_input__scalar,
                                 c.m == 4 ? f32_winograd_f4k3_output__scalar : f32_winograd_f2k3_output__scalar,
                                 f32_winograd_gemm_4x8__scalar, y.data(), scratch.data(), c.x.data(), c.u.data(),
                                 c.b.data(), s, c.m);
  else
    conv2d_winograd_forward(y.data(), scratch.data(), c.x.data(), c.u.data(), c.b.data(), s, c.m);
  return y;
}

struct ThreadCount {
  explicit ThreadCount(int n) : saved(num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved); }
  int saved;
};

const int kChannels[] = {1, 3, 4, 5, 17};
const int kSizes[] = {1, 2, 3, 5, 7, 8, 14, 17};

}  // namespace

// Tolerance: the direct sum's rounding error is bounded by ~(9 c_in) eps S, S = sum |w||x| + |b|
// (Higham, "Accuracy and Stability of Numerical Algorithms", 3.1). F(2x2, 3x3) adds a few
// roundings per term (transforms of <= 3 terms, U rounded once) and sums c_in products per
// tile element, and its matrices have entries <= 1 in size, so its error is of the same order;
// we allow 2 eps (9 c_in + 16) S (measured worst: 5.7 eps S over these shapes). F(4x4, 3x3)'s
// matrices have entries up to 5 (B^T) and 8 (A^T), and its transforms sum 6 terms: its error
// is larger; we allow 8 eps (9 c_in + 16) S (measured worst over these shapes: 3.4 eps (9 c_in +
// 16) S, against F(2x2, 3x3)'s 0.23).
// A wrong tap, tile or padding is an error of order S itself.
TEST_CASE("conv2d_winograd_forward equals the sliding dot product within rounding, on ragged shapes") {
  const float eps = std::numeric_limits<float>::epsilon();
  for (int m : {2, 4}) {
    int cases = 0;
    double worst = 0;  // err / (eps (9 c_in + 16) S)
    for (int c_in : kChannels)
      for (int c_out : kChannels)
        for (int h : kSizes)
          for (int w : kSizes)
            for (int p : {0, 1, 2})
              // 3 images only for a few channel counts: the batch path is the same per image
              for (int n : {1, 3}) {
                if (n == 3 && !(c_in == 3 && (c_out == 5 || c_out == 17))) continue;
                // padding 2 (wider than "same") on fewer shapes, and unequal per axis
                if (p == 2 && c_out != 4) continue;
                const Conv2dShape s = p == 2 ? shape3(n, c_in, c_out, h, w, (h + w) % 3, (h * w) % 3)
                                             : shape3(n, c_in, c_out, h, w, p);
                if (s.h_out < 1 || s.w_out < 1) continue;
                REQUIRE(conv2d_winograd_applies(s));
                const Case c = make_case(s, uint64_t(((c_in * 31 + c_out) * 31 + h) * 31 + w), m);
                std::vector<float> want(size_t(n) * c_out * s.h_out * s.w_out), mag(want.size());
                conv2d_forward_reference(want.data(), c.x.data(), c.w.data(), c.b.data(), s);
                // S per output: the same sum over |w| |x| + |b|
                std::vector<float> ax(c.x), aw(c.w), ab(c.b);
                for (auto* v : {&ax, &aw, &ab})
                  for (float& e : *v) e = std::fabs(e);
                conv2d_forward_reference(mag.data(), ax.data(), aw.data(), ab.data(), s);
                const auto got = winograd(c);
                INFO("m=" << m << " n=" << n << " c_in=" << c_in << " c_out=" << c_out << " h=" << h << " w=" << w
                          << " pad=" << s.pad_top << "," << s.pad_left);
                const double unit = eps * (9 * c_in + 16), bound = (m == 2 ? 2.0 : 8.0) * unit;
                for (size_t j = 0; j < want.size(); ++j) {
                  const double err = std::fabs(double(got[j]) - want[j]);
                  worst = std::max(worst, err / (unit * mag[j]));
                  if (err > bound * mag[j] || !std::isfinite(got[j])) {
                    INFO("output " << j << ": winograd " << got[j] << " reference " << want[j] << " S " << mag[j]);
                    REQUIRE(err <= bound * mag[j]);
                    REQUIRE(std::isfinite(got[j]));
                  }
                }
                ++cases;
              }
    INFO("m=" << m << " worst " << worst << " eps (9 c_in + 16) S");
    CHECK(cases > 1000);
  }
}

TEST_CASE("conv2d_winograd_forward: a corner pixel through a corner tap lands at a known place, exactly") {
  // the lecture's 5x5 example: 1 in the bottom-right input corner, a filter with 1 in its
  // bottom-right tap: output (oy, ox) reads input (oy + 2 - p, ox + 2 - p), so only output
  // (4 - 2 + p, 4 - 2 + p) sees the 1; every value here is exact in float (U entries are
  // multiples of 1/4, transforms add a few of them), so Winograd must give it exactly.
  for (int p : {0, 1}) {
    Case c = make_case(shape3(1, 1, 1, 5, 5, p), 1);
    std::fill(c.x.begin(), c.x.end(), 0.0f), std::fill(c.w.begin(), c.w.end(), 0.0f);
    c.x[4 * 5 + 4] = 1.0f, c.w[2 * 3 + 2] = 1.0f, c.b[0] = 0.5f;
    conv2d_winograd_transform_weights(c.u.data(), c.w.data(), 1, 1);
    const int n_out = 3 + 2 * p, at = 2 + p;
    std::vector<float> want(size_t(n_out * n_out), 0.5f);
    want[size_t(at * n_out + at)] = 1.5f;
    INFO("padding " << p);
    CHECK(winograd(c) == want);
    // and the top-left input corner with the top-left tap: output (p, p)
    std::fill(c.x.begin(), c.x.end(), 0.0f), std::fill(c.w.begin(), c.w.end(), 0.0f);
    c.x[0] = 1.0f, c.w[0] = 1.0f;
    conv2d_winograd_transform_weights(c.u.data(), c.w.data(), 1, 1);
    std::fill(want.begin(), want.end(), 0.5f);
    want[size_t(p * n_out + p)] = 1.5f;
    CHECK(winograd(c) == want);
  }
}

TEST_CASE("conv2d_winograd_transform_weights: U = G g G^T in f32_packa_4 panels, zero past c_out") {
  // a filter of all ones: G 1 G^T = (G 1)(G 1)^T with G 1 = (1, 3/2, 1/2, 1)
  const int c_out = 5, c_in = 2;
  std::vector<float> w(size_t(c_out * c_in * 9), 1.0f), u(size_t(conv2d_winograd_weights_size(c_out, c_in)), 7.0f);
  REQUIRE(u.size() == size_t(16 * 8 * c_in));
  conv2d_winograd_transform_weights(u.data(), w.data(), c_out, c_in);
  const float g1[4] = {1.0f, 1.5f, 0.5f, 1.0f};
  for (int xi = 0; xi < 16; ++xi)
    for (int o = 0; o < 8; ++o)
      for (int ci = 0; ci < c_in; ++ci) {
        const float got = u[size_t(xi * 8 * c_in + (o / 4) * 4 * c_in + ci * 4 + o % 4)];
        CHECK(got == (o < c_out ? g1[xi / 4] * g1[xi % 4] : 0.0f));
      }
  // F(4x4, 3x3): G 1 = (1/4, -1/2, -1/6, 7/24, 1/8, 1) (row sums of G), each product rounded once from double
  std::vector<float> u4(size_t(conv2d_winograd_weights_size(c_out, c_in, 4)), 7.0f);
  REQUIRE(u4.size() == size_t(36 * 8 * c_in));
  conv2d_winograd_transform_weights(u4.data(), w.data(), c_out, c_in, 4);
  const double g4[6] = {0.25, -0.5, -1.0 / 6, 7.0 / 24, 0.125, 1.0};
  for (int xi = 0; xi < 36; ++xi)
    for (int o = 0; o < 8; ++o)
      for (int ci = 0; ci < c_in; ++ci) {
        const float got = u4[size_t(xi * 8 * c_in + (o / 4) * 4 * c_in + ci * 4 + o % 4)];
        CHECK(got == (o < c_out ? float(g4[xi / 6] * g4[xi % 6]) : 0.0f));
      }
}

TEST_CASE("winograd transforms: wasmsimd twins equal the scalar ones bit for bit, in the whole forward and per range") {
  // the whole forward with the scalar twins (and the scalar GEMM microkernel) vs the dispatched one
  for (int m : {2, 4})
    for (int c_in : {1, 5, 17})
      for (int c_out : {3, 4, 17})
        for (int h : kSizes)
          for (int w : {5, 8, 14, 17, 21, 33}) {
            const Conv2dShape s = shape3(2, c_in, c_out, h, w, 1);
            const Case c = make_case(s, uint64_t(h * 100 + w), m);
            INFO("m=" << m << " c_in=" << c_in << " c_out=" << c_out << " h=" << h << " w=" << w);
            REQUIRE(same_bits(winograd(c, true), winograd(c)));
          }
#ifdef __wasm_simd128__
  // kernel by kernel on sub-ranges [ta, tb) of a block, with sentinels around every write
  for (int tw : {1, 3, 4, 5, 7, 8, 9, 16})
    for (int ta : {0, 1, 3, 4, 5})
      for (int tb : {ta, ta + 1, ta + 4, ta + 7, 32}) {
        const int th = (32 + tw - 1) / tw, wp = 2 * tw + 2, t0 = 0, t1 = std::min(32, th * tw);
        if (tb > t1 || ta > tb) continue;
        const WinogradBlock blk{tw, t0, t1, 0};
        const auto xp = random_values(size_t(2 * th + 2) * wp + 4, uint64_t(tw * 7 + ta));
        const int64_t panel = 3 * 8, xi_stride = 4 * panel;  // 4 panels of 3 channels
        std::vector<float> vs(size_t(16 * xi_stride), -9.0f), vv = vs;
        f32_winograd_f2k3_input__scalar(vs.data() + 8, xi_stride, panel, xp.data(), wp, blk, ta, tb);
        f32_winograd_f2k3_input__wasmsimd(vv.data() + 8, xi_stride, panel, xp.data(), wp, blk, ta, tb);
        INFO("tw=" << tw << " ta=" << ta << " tb=" << tb);
        CHECK(same_bits(vs, vv));
        const int h_out = 2 * th - 1, w_out = 2 * tw - (tw % 2);  // odd height, odd width when tw is odd
        const auto m = random_values(size_t(16 * 40), uint64_t(tw * 5 + tb));
        std::vector<float> ys(size_t(h_out * w_out), -9.0f), yv = ys;
        f32_winograd_f2k3_output__scalar(ys.data(), h_out, w_out, m.data(), 40, 0.25f, blk, ta, tb);
        f32_winograd_f2k3_output__wasmsimd(yv.data(), h_out, w_out, m.data(), 40, 0.25f, blk, ta, tb);
        CHECK(same_bits(ys, yv));
      }
  // the same for F(4x4, 3x3)'s kernels: 36 elements, 4x4 tiles, 6x6 windows; outputs ragged by
  // 1 to 3 rows and columns
  for (int tw : {1, 3, 4, 5, 7, 8, 9})
    for (int ta : {0, 1, 3, 4, 5})
      for (int tb : {ta, ta + 1, ta + 4, ta + 7, 16}) {
        const int th = (16 + tw - 1) / tw, wp = 4 * tw + 2, t0 = 0, t1 = std::min(16, th * tw);
        if (tb > t1 || ta > tb) continue;
        const WinogradBlock blk{tw, t0, t1, 0};
        const auto xp = random_values(size_t(4 * th + 2) * wp + 4, uint64_t(tw * 7 + ta + 900));
        const int64_t panel = 3 * 8, xi_stride = 2 * panel;  // 2 panels of 3 channels
        std::vector<float> vs(size_t(36 * xi_stride), -9.0f), vv = vs;
        f32_winograd_f4k3_input__scalar(vs.data() + 8, xi_stride, panel, xp.data(), wp, blk, ta, tb);
        f32_winograd_f4k3_input__wasmsimd(vv.data() + 8, xi_stride, panel, xp.data(), wp, blk, ta, tb);
        INFO("F(4x4, 3x3) tw=" << tw << " ta=" << ta << " tb=" << tb);
        CHECK(same_bits(vs, vv));
        for (int cut : {0, 1, 3}) {
          const int h_out = 4 * th - cut, w_out = std::max(1, 4 * tw - (tw + cut) % 4);
          const auto m = random_values(size_t(36 * 24), uint64_t(tw * 5 + tb + cut));
          std::vector<float> ys(size_t(h_out * w_out), -9.0f), yv = ys;
          f32_winograd_f4k3_output__scalar(ys.data(), h_out, w_out, m.data(), 24, 0.25f, blk, ta, tb);
          f32_winograd_f4k3_output__wasmsimd(yv.data(), h_out, w_out, m.data(), 24, 0.25f, blk, ta, tb);
          INFO("h_out=" << h_out << " w_out=" << w_out);
          CHECK(same_bits(ys, yv));
        }
      }
#endif
}

TEST_CASE("f32_winograd_gemm_4x8: every whole tile equals f32_gemm_4x8 (scalar twin and wasmsimd), on ragged k") {
  for (int nxi : {16, 36})
  for (int k : {1, 3, 4, 5, 17})
    for (int np : {1, 2, 5})
      for (int nq : {1, 3}) {
        const int ldc = 8 * nq + 3;  // a gap after each row: writes past the tiles would show
        const int64_t u_xi = int64_t(np) * 4 * k + 1, v_xi = int64_t(nq) * 8 * k + 5, m_xi = int64_t(4 * np) * ldc + 2;
        const auto u = random_values(size_t(nxi * u_xi), uint64_t(k * 10 + np));
        const auto v = random_values(size_t(nxi * v_xi), uint64_t(k * 10 + nq + 50));
        std::vector<float> want(size_t(nxi * m_xi), -9.0f), got = want;
        for (int xi = 0; xi < nxi; ++xi)
          for (int q = 0; q < nq; ++q)
            for (int p = 0; p < np; ++p)
              f32_gemm_4x8__scalar(4, 8, k, u.data() + xi * u_xi + p * 4 * k, v.data() + xi * v_xi + q * 8 * k,
                                   want.data() + xi * m_xi + p * 4 * ldc + q * 8, ldc, false);
        INFO("nxi=" << nxi << " k=" << k << " np=" << np << " nq=" << nq);
        f32_winograd_gemm_4x8__scalar(nxi, np, nq, k, u.data(), u_xi, v.data(), v_xi, got.data(), m_xi, ldc);
        CHECK(same_bits(got, want));
#ifdef __wasm_simd128__
        std::fill(got.begin(), got.end(), -9.0f);
        f32_winograd_gemm_4x8__wasmsimd(nxi, np, nq, k, u.data(), u_xi, v.data(), v_xi, got.data(), m_xi, ldc);
        CHECK(same_bits(got, want));
#endif
      }
}

TEST_CASE("conv2d_winograd_forward gives the same bits with 1 or 2 threads, for batches and single images") {
  for (int m : {2, 4})
  for (int n : {1, 3})
    for (int h : {5, 14, 17, 33}) {
      const Case c = make_case(shape3(n, 16, 17, h, h + 3, 1), uint64_t(n * 100 + h), m);
      std::vector<float> one, two;
      {
        ThreadCount t(1);
        one = winograd(c);
      }
      {
        ThreadCount t(2);
        two = winograd(c);
      }
      INFO("m=" << m << " n=" << n << " h=" << h << " threads in this build: " << max_threads());
      CHECK(same_bits(one, two));
    }
}

// Channel groups (one image's conv split by output channels over the threads): each range gives
// the whole forward's bits for its channels and writes no other, with the dispatched kernels and
// with the scalar twins, for ragged c_out (a last panel of 1 or 2 rows) and both tiles.
TEST_CASE("conv2d_winograd_forward_channels: each range of output channels gives the whole forward's bits, alone") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int m : {2, 4})
    for (int c_out : {5, 10, 17, 32})
      for (int n : {1, 2}) {
        const Case c = make_case(shape3(n, 6, c_out, 13, 9, 1), uint64_t(m * 1000 + c_out * 10 + n), m);
        const Conv2dShape& s = c.s;
        const auto whole = winograd(c), whole_scalar = winograd(c, true);
        const int64_t hw = int64_t(s.h_out) * s.w_out;
        // ranges: every panel alone, then [0, 4k) and [4k, c_out) for each cut
        std::vector<std::pair<int, int>> ranges;
        for (int o = 0; o < c_out; o += kGemmMr) ranges.push_back({o, std::min(c_out, o + kGemmMr)});
        for (int cut = kGemmMr; cut < c_out; cut += kGemmMr) ranges.push_back({0, cut}), ranges.push_back({cut, c_out});
        for (auto [o0, o1] : ranges)
          for (bool scalar : {false, true}) {
            std::vector<float> y(whole.size(), nan);
            std::vector<float> scratch(size_t(conv2d_winograd_scratch_size(s, m)), nan);
            if (scalar)
              conv2d_winograd_forward_with(m == 4 ? f32_winograd_f4k3_input__scalar : f32_winograd_f2k3_input__scalar,
                                           m == 4 ? f32_winograd_f4k3_output__scalar : f32_winograd_f2k3_output__scalar,
                                           f32_winograd_gemm_4x8__scalar, y.data(), scratch.data(), c.x.data(),
                                           c.u.data(), c.b.data(), s, m, o0, o1);
            else
              conv2d_winograd_forward_channels(y.data(), scratch.data(), c.x.data(), c.u.data(), c.b.data(), s, m, o0,
                                               o1);
            const auto& want = scalar ? whole_scalar : whole;
            INFO("m=" << m << " c_out=" << c_out << " n=" << n << " channels [" << o0 << ", " << o1 << ") scalar="
                      << scalar);
            bool in_range_same = true, outside_untouched = true;
            for (int i = 0; i < n; ++i)
              for (int o = 0; o < c_out; ++o)
                for (int64_t p = 0; p < hw; ++p) {
                  const size_t j = size_t((int64_t(i) * c_out + o) * hw + p);
                  if (o >= o0 && o < o1)
                    in_range_same &= std::memcmp(&y[j], &want[j], sizeof(float)) == 0;
                  else
                    outside_untouched &= std::isnan(y[j]);
                }
            CHECK(in_range_same);
            CHECK(outside_untouched);
          }
      }
}
