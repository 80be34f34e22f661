// Every fast kernel against its scalar twin and the plain reference, bit for bit, on ragged
// sizes (m, n, k of 1, 3, 4, 5, 17, 33), odd strides and transposed operands. In the wasm build
// the SIMD kernels run here too; natively the scalar twins do.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "convlab/gemm.h"
#include "convlab/kernels.h"
#include "convlab/layers.h"
#include "convlab/rng.h"
#include "convlab/threadpool.h"

using namespace convlab;

namespace {

// Values spread over several binades, so any change in summation order changes the bits.
std::vector<float> random_values(size_t n, uint64_t seed) {
  Rng rng(seed, 9);
  std::vector<float> v(n);
  for (auto& x : v) x = (2.0f * rng.uniform() - 1.0f) * (1.0f + 15.0f * rng.uniform());
  return v;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  // empty vectors may have null data(), which memcmp must not see
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

const int kRagged[] = {1, 3, 4, 5, 17, 33};

// Runs `gemm` on C of (m, ldc) prefilled with `c0`; returns the whole C storage (so writes
// past n, into the stride gap, are caught too).
template <class F>
std::vector<float> run_gemm(F gemm, const GemmArgs& shape, const std::vector<float>& a, const std::vector<float>& b,
                            const std::vector<float>& c0) {
  std::vector<float> c = c0;
  GemmArgs g = shape;
  g.a = a.data(), g.b = b.data(), g.c = c.data();
  gemm(g);
  return c;
}

}  // namespace

TEST_CASE("f32_gemm_4x8: tiled scalar twin (and wasmsimd) equal the triple loop bit for bit on ragged sizes") {
  int cases = 0;
  for (int m : kRagged)
    for (int n : kRagged)
      for (int k : kRagged)
        for (int flags = 0; flags < 8; ++flags) {
          const bool ta = flags & 1, tb = flags & 2, acc = flags & 4;
          // odd leading dimensions: a gap of 3 floats after each stored row
          const int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 3, ldc = n + 3;
          const auto a = random_values(size_t((ta ? k : m) * lda), uint64_t(m * 1000 + k));
          const auto b = random_values(size_t((tb ? n : k) * ldb), uint64_t(n * 1000 + k + 7));
          const auto c0 = random_values(size_t(m * ldc), uint64_t(m * 1000 + n + 13));
          GemmArgs shape{m, n, k, nullptr, lda, ta, nullptr, ldb, tb, nullptr, ldc, acc};
          INFO("m=" << m << " n=" << n << " k=" << k << " trans_a=" << ta << " trans_b=" << tb << " acc=" << acc);
          const auto want = run_gemm(f32_gemm__scalar, shape, a, b, c0);
          REQUIRE(same_bits(run_gemm([](const GemmArgs& g) { f32_gemm_tiled(f32_gemm_4x8__scalar, g); }, shape, a, b, c0),
                            want));
#ifdef __wasm_simd128__
          REQUIRE(same_bits(
              run_gemm([](const GemmArgs& g) { f32_gemm_tiled(f32_gemm_4x8__wasmsimd, g); }, shape, a, b, c0), want));
#endif
          REQUIRE(same_bits(run_gemm(f32_gemm, shape, a, b, c0), want));
          REQUIRE(same_bits(run_gemm(f32_gemm_parallel, shape, a, b, c0), want));
          ++cases;
        }
  CHECK(cases == 6 * 6 * 6 * 8);
}

TEST_CASE("f32_gemv_1x8: one row times packed B gives the 4x8 tile's bits, scalar and wasmsimd, any panel split") {
  const int kNs[] = {1, 3, 8, 9, 17, 33, 40, 64};  // 1 to 8 panels: the SIMD kernel's groups of 4, 2 and 1
  const int saved = num_threads();
  int cases = 0;
  std::vector<std::pair<int, int>> shapes;  // (n, k)
  for (int n : kNs)
    for (int k : kRagged) shapes.push_back({n, k});
  // past f32_gemm_parallel's 64K multiply-adds, where the GEMV is split over the threads
  shapes.push_back({33, 2051}), shapes.push_back({40, 2048}), shapes.push_back({3, 32771});
  for (auto [n, k] : shapes)
    for (int acc = 0; acc < 2; ++acc) {
      const int ldc = n + 3;
      const auto a = random_values(size_t(k), uint64_t(k * 31 + 1));
      const auto w = random_values(size_t(n * k), uint64_t(n * 1000 + k));  // (n, k): a linear layer's W
      const auto c0 = random_values(size_t(ldc), uint64_t(n + 5));
      const int nq = (n + kGemmNr - 1) / kGemmNr;
      std::vector<float> pb(size_t(nq) * kGemmNr * size_t(k));
      f32_packb_8__scalar(pb.data(), w.data(), k, true, k, n, 0, nq);
      INFO("n=" << n << " k=" << k << " acc=" << acc);
      GemmArgs shape{1, n, k, nullptr, k, false, nullptr, k, true, nullptr, ldc, bool(acc)};
      const auto want = run_gemm(f32_gemm__scalar, shape, a, w, c0);  // the triple loop, W unpacked
      // the tile path on the same packed panels (f32_gemm_tiled never takes the GEMV)
      GemmArgs packed = shape;
      packed.packed_b = pb.data();
      REQUIRE(same_bits(run_gemm([](const GemmArgs& g) { f32_gemm_tiled(f32_gemm_4x8__scalar, g); }, packed, a, w, c0),
                        want));
      for (GemvKernel kernel : {GemvKernel(f32_gemv_1x8__scalar), f32_gemv_1x8_best()})
        for (int cut = 0; cut <= nq; ++cut) {  // two calls, panels [0, cut) then [cut, nq)
          std::vector<float> c = c0;
          kernel(n, k, a.data(), pb.data(), c.data(), acc, 0, cut);
          kernel(n, k, a.data(), pb.data(), c.data(), acc, cut, nq);
          INFO("cut=" << cut);
          REQUIRE(same_bits(c, want));  // also nothing written past n, in the stride gap
        }
      REQUIRE(same_bits(run_gemm(f32_gemm, packed, a, w, c0), want));
      for (int t : {1, 2, 3}) {
        set_num_threads(t);
        REQUIRE(same_bits(run_gemm(f32_gemm_parallel, packed, a, w, c0), want));
      }
      set_num_threads(saved);
      ++cases;
    }
  CHECK(cases == (8 * 6 + 3) * 2);
}

TEST_CASE("f32_gemm_parallel: a batch times packed weights with fewer column panels than row panels (the row panels "
          "split over the threads) equals the triple loop on any thread count") {
  // (m, n, k): workload A's head on 32 images (1568 -> 10), ragged rows and columns, one column;
  // all past the 64K multiply-adds where the threads take over
  const int shapes[][3] = {{32, 10, 1568}, {33, 3, 2051}, {17, 8, 1001}, {9, 1, 8000}, {30, 9, 777}};
  const int saved = num_threads();
  int cases = 0;
  for (auto [m, n, k] : shapes)
    for (int flags = 0; flags < 4; ++flags) {
      const bool ta = flags & 1, acc = flags & 2;
      const int lda = (ta ? m : k) + 3, ldc = n + 3;
      const auto a = random_values(size_t((ta ? k : m) * lda), uint64_t(m * 1000 + k));
      const auto w = random_values(size_t(n * k), uint64_t(n * 1000 + k + 1));  // (n, k): a linear layer's W
      const auto c0 = random_values(size_t(m * ldc), uint64_t(m + n));
      const int nq = (n + kGemmNr - 1) / kGemmNr, np = (m + kGemmMr - 1) / kGemmMr;
      REQUIRE(nq < np);
      std::vector<float> pb(size_t(nq) * kGemmNr * size_t(k));
      f32_packb_8__scalar(pb.data(), w.data(), k, true, k, n, 0, nq);
      GemmArgs shape{m, n, k, nullptr, lda, ta, nullptr, k, true, nullptr, ldc, acc};
      const auto want = run_gemm(f32_gemm__scalar, shape, a, w, c0);
      GemmArgs packed = shape;
      packed.packed_b = pb.data();
      INFO("m=" << m << " n=" << n << " k=" << k << " trans_a=" << ta << " acc=" << acc);
      for (int t : {1, 2, 3, 4, 8}) {
        set_num_threads(t);
        INFO("threads=" << t);
        REQUIRE(same_bits(run_gemm(f32_gemm_parallel, packed, a, w, c0), want));  // also the stride gap untouched
      }
      set_num_threads(saved);
      ++cases;
    }
  CHECK(cases == 5 * 4);
}

TEST_CASE("f32_gemm: caller-owned pack scratch gives the same bits as an allocated one; k = 0 gives 0 or C") {
  const int m = 17, n = 33, k = 5;
  const auto a = random_values(size_t(m * k), 1), b = random_values(size_t(k * n), 2), c0 = random_values(size_t(m * n), 3);
  std::vector<float> pack(size_t(f32_gemm_pack_size(m, n, k)), 99.0f);
  GemmArgs shape{m, n, k, nullptr, k, false, nullptr, n, false, nullptr, n, true};
  const auto want = run_gemm(f32_gemm__scalar, shape, a, b, c0);
  shape.pack = pack.data();
  CHECK(same_bits(run_gemm(f32_gemm, shape, a, b, c0), want));
  CHECK(same_bits(run_gemm(f32_gemm_parallel, shape, a, b, c0), want));

  GemmArgs empty{m, n, 0, a.data(), k, false, b.data(), n, false, nullptr, n, false};
  CHECK(run_gemm(f32_gemm, empty, a, b, c0) == std::vector<float>(size_t(m * n), 0.0f));
  empty.accumulate = true;
  CHECK(same_bits(run_gemm(f32_gemm, empty, a, b, c0), c0));
}

TEST_CASE("f32_gemm_4x8 microkernel: a partial tile writes only its mr x nr corner") {
  const int k = 5;
  const auto pa = random_values(size_t(4 * k), 4), pb = random_values(size_t(8 * k), 5);
  for (int mr = 1; mr <= 4; ++mr)
    for (int nr = 1; nr <= 8; ++nr) {
      std::vector<float> c(4 * 11, -3.0f), want = c;
      f32_gemm_4x8__scalar(mr, nr, k, pa.data(), pb.data(), c.data(), 11, false);
      for (int r = 0; r < mr; ++r)
        for (int j = 0; j < nr; ++j) {
          float s = 0.0f;
          for (int p = 0; p < k; ++p) s += pa[p * 4 + r] * pb[p * 8 + j];
          want[r * 11 + j] = s;
        }
      CHECK(same_bits(c, want));
#ifdef __wasm_simd128__
      std::vector<float> cs(4 * 11, -3.0f);
      f32_gemm_4x8__wasmsimd(mr, nr, k, pa.data(), pb.data(), cs.data(), 11, false);
      CHECK(same_bits(cs, want));
#endif
    }
}

TEST_CASE("f32_im2col and f32_col2im equal the per-pixel definition, bit for bit, over strides and paddings") {
  // the definition, one bounds test per tap: what the range-split kernels must reproduce
  auto tap = [](const Conv2dShape& s, int oy, int ox, int ky, int kx, int& iy, int& ix) {
    iy = oy * s.stride + ky - s.pad_top, ix = ox * s.stride + kx - s.pad_left;
    return iy >= 0 && iy < s.h_in && ix >= 0 && ix < s.w_in;
  };
  for (int k : {1, 2, 3, 5})
    for (int stride : {1, 2, 3})
      for (int pad_top : {0, 1, 2})
        for (int pad_left : {0, 1, 3})
          for (int h : {1, 4, 7})
            for (int w : {1, 3, 8, 11}) {
              const int wp = w + 2 * pad_left, hp = h + 2 * pad_top;
              if (hp < k || wp < k) continue;
              const int h_out = (hp - k) / stride + 1, w_out = (wp - k) / stride + 1, c_in = 2;
              const Conv2dShape s{1, c_in, h, w, 1, h_out, w_out, k, stride, pad_top, pad_left};
              const int rows = c_in * k * k, hw = h_out * w_out;
              const auto x = random_values(size_t(c_in * h * w), uint64_t(7 * h + w + k));
              const auto dcol = random_values(size_t(rows * hw), uint64_t(h + 5 * w + stride));
              std::vector<float> want_col(size_t(rows * hw)), got_col(want_col.size(), 42.0f);
              std::vector<float> want_dx = random_values(size_t(c_in * h * w), 99), got_dx = want_dx;
              for (int ci = 0; ci < c_in; ++ci)
                for (int ky = 0; ky < k; ++ky)
                  for (int kx = 0; kx < k; ++kx)
                    for (int oy = 0; oy < h_out; ++oy)
                      for (int ox = 0; ox < w_out; ++ox) {
                        const int r = (ci * k + ky) * k + kx, p = oy * w_out + ox;
                        int iy, ix;
                        const bool in = tap(s, oy, ox, ky, kx, iy, ix);
                        want_col[size_t(r * hw + p)] = in ? x[size_t((ci * h + iy) * w + ix)] : 0.0f;
                        if (in) want_dx[size_t((ci * h + iy) * w + ix)] += dcol[size_t(r * hw + p)];
                      }
              INFO("k=" << k << " stride=" << stride << " pad=" << pad_top << "," << pad_left << " h=" << h << " w=" << w);
              f32_im2col__scalar(got_col.data(), x.data(), s);
              REQUIRE(same_bits(got_col, want_col));
              f32_col2im__scalar(got_dx.data(), dcol.data(), s);
              REQUIRE(same_bits(got_dx, want_dx));
            }
}

TEST_CASE("f32_im2col_packb8t (scalar, SIMD and dispatched) equals packing f32_im2col's columns transposed") {
  for (int c_in : {1, 2, 3})
    for (int k : {1, 2, 3, 5})
      for (int stride : {1, 2})
        for (int pad : {0, 1, 2})
          for (int h : {1, 5, 8})
            for (int w : {3, 4, 9, 17}) {
              if (h + 2 * pad < k || w + 2 * pad < k) continue;
              const int h_out = (h + 2 * pad - k) / stride + 1, w_out = (w + 2 * pad - k) / stride + 1;
              const Conv2dShape s{1, c_in, h, w, 4, h_out, w_out, k, stride, pad, pad};
              const int ckk = c_in * k * k, hw = h_out * w_out, nq = (ckk + 7) / 8;
              const auto x = random_values(size_t(c_in * h * w), uint64_t(h * w + k + c_in));
              std::vector<float> col(size_t(ckk * hw)), want(size_t(nq * 8 * hw)), got(want.size(), 42.0f);
              f32_im2col__scalar(col.data(), x.data(), s);
              f32_packb_8__scalar(want.data(), col.data(), hw, true, hw, ckk, 0, nq);
              INFO("c_in=" << c_in << " k=" << k << " stride=" << stride << " pad=" << pad << " h=" << h << " w=" << w);
              f32_im2col_packb8t__scalar(got.data(), x.data(), s);
              REQUIRE(same_bits(got, want));
#ifdef __wasm_simd128__
              std::fill(got.begin(), got.end(), 42.0f);
              std::vector<float> scratch(size_t(f32_im2col_packb8t_scratch_size(s)), 7.0f);
              f32_im2col_packb8t__wasmsimd(got.data(), scratch.data(), x.data(), s);
              REQUIRE(same_bits(got, want));
#endif
              std::fill(got.begin(), got.end(), 42.0f);  // the dispatching entry point
              std::vector<float> scratch2(size_t(f32_im2col_packb8t_scratch_size(s)), 7.0f);
              f32_im2col_packb8t_best()(got.data(), scratch2.data(), x.data(), s);
              REQUIRE(same_bits(got, want));
            }
}

TEST_CASE("f32_im2col_packb8 equals packing f32_im2col's columns, over strides, paddings and odd sizes") {
  for (int c_in : {1, 3})
    for (int k : {1, 2, 3, 5})
      for (int stride : {1, 2})
        for (int pad : {0, 1, 2})
          for (int h : {5, 7, 13})
            for (int w : {3, 9, 17}) {
              if (h + 2 * pad < k || w + 2 * pad < k) continue;
              const int h_out = (h + 2 * pad - k) / stride + 1, w_out = (w + 2 * pad - k) / stride + 1;
              const Conv2dShape s{1, c_in, h, w, 4, h_out, w_out, k, stride, pad, pad};
              const int ckk = c_in * k * k, hw = h_out * w_out, nq = (hw + 7) / 8;
              const auto x = random_values(size_t(c_in * h * w), uint64_t(h * w + k));
              std::vector<float> col(size_t(ckk * hw)), want(size_t(nq * 8 * ckk)), got(want.size(), 42.0f);
              f32_im2col__scalar(col.data(), x.data(), s);
              f32_packb_8__scalar(want.data(), col.data(), hw, false, ckk, hw, 0, nq);
              INFO("c_in=" << c_in << " k=" << k << " stride=" << stride << " pad=" << pad << " h=" << h << " w=" << w);
              // all panels at once, then in two ranges (how threads split one image)
              f32_im2col_packb8__scalar(got.data(), x.data(), s, 0, nq);
              REQUIRE(same_bits(got, want));
              std::fill(got.begin(), got.end(), 42.0f);
              const int mid = nq / 2;
              f32_im2col_packb8__scalar(got.data(), x.data(), s, 0, mid);
              f32_im2col_packb8__scalar(got.data() + size_t(mid) * 8 * ckk, x.data(), s, mid, nq);
              REQUIRE(same_bits(got, want));
            }
}

TEST_CASE("f32_u8_unit: scalar twin and SIMD give every byte's quotient by 255, on ragged lengths") {
  // known values: the ends of the range are exact, 51 / 255 is the float nearest 0.2
  const uint8_t ends[] = {0, 255, 51};
  float e[3];
  f32_u8_unit__scalar(e, ends, 3);
  CHECK(e[0] == 0.0f);
  CHECK(e[1] == 1.0f);
  CHECK(e[2] == 0.2f);
  for (int n : {0, 1, 15, 16, 17, 31, 33, 263, 512 + 5}) {
    std::vector<uint8_t> x(size_t(n) + 1);
    for (int i = 0; i < n; ++i) x[size_t(i)] = uint8_t(i * 37 + n);  // every byte value once n >= 256
    std::vector<float> want(size_t(n) + 1, 7.0f), got(size_t(n) + 1, 7.0f);
    for (int i = 0; i < n; ++i) want[size_t(i)] = float(x[size_t(i)]) / 255.0f;
    f32_u8_unit__scalar(got.data(), x.data(), n);
    CHECK(same_bits(got, want));  // and the float past the end untouched
#ifdef __wasm_simd128__
    std::fill(got.begin(), got.end(), 7.0f);
    f32_u8_unit__wasmsimd(got.data(), x.data(), n);
    CHECK(same_bits(got, want));
#endif
    std::fill(got.begin(), got.end(), 7.0f);
    f32_u8_unit_best()(got.data(), x.data(), n);
    CHECK(same_bits(got, want));
  }
}

TEST_CASE("f32_relu and f32_relu_grad: SIMD equals the scalar twin, with NaN, -0 and ragged lengths") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (int n : {0, 1, 3, 4, 5, 17, 33}) {
    auto x = random_values(size_t(n), uint64_t(n) + 21);
    const auto dy = random_values(size_t(n), uint64_t(n) + 22);
    const float specials[] = {nan, -0.0f, 0.0f, inf, -inf};
    for (int i = 0; i < n; i += 3) x[size_t(i)] = specials[(i / 3) % 5];
    const size_t len = static_cast<size_t>(n);
    std::vector<float> want(len), got(len, 7.0f), dwant(len), dgot(len, 7.0f);
    for (int i = 0; i < n; ++i) {
      want[size_t(i)] = x[size_t(i)] > 0.0f ? x[size_t(i)] : 0.0f;
      dwant[size_t(i)] = want[size_t(i)] > 0.0f ? dy[size_t(i)] : 0.0f;
    }
    f32_relu__scalar(got.data(), x.data(), n);
    CHECK(same_bits(got, want));
    f32_relu_grad__scalar(dgot.data(), dy.data(), want.data(), n);
    CHECK(same_bits(dgot, dwant));
#ifdef __wasm_simd128__
    std::fill(got.begin(), got.end(), 7.0f), std::fill(dgot.begin(), dgot.end(), 7.0f);
    f32_relu__wasmsimd(got.data(), x.data(), n);
    CHECK(same_bits(got, want));
    f32_relu_grad__wasmsimd(dgot.data(), dy.data(), want.data(), n);
    CHECK(same_bits(dgot, dwant));
#endif
  }
}

TEST_CASE("f32_maxpool_2x2: SIMD and scalar twin equal a plain scan, with ties and NaNs, on ragged widths") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int planes : {1, 3})
    for (int h_out : {1, 3})
      for (int w_out : {1, 3, 4, 5, 17}) {
        const int h = 2 * h_out, w = 2 * w_out;
        auto x = random_values(size_t(planes * h * w), uint64_t(w_out * 10 + h_out));
        // coarse values make ties; sprinkle NaNs
        for (size_t i = 0; i < x.size(); ++i) x[i] = i % 11 == 5 ? nan : std::round(x[i] / 8.0f);
        const size_t ny = size_t(planes * h_out * w_out);
        std::vector<float> want(ny);
        std::vector<int32_t> want_at(ny);
        for (int p = 0; p < planes; ++p)
          for (int oy = 0; oy < h_out; ++oy)
            for (int ox = 0; ox < w_out; ++ox) {
              float best = 0;
              int32_t at = -1;
              for (int ky = 0; ky < 2; ++ky)
                for (int kx = 0; kx < 2; ++kx) {
                  const int i = (2 * oy + ky) * w + 2 * ox + kx;
                  const float v = x[size_t(p * h * w + i)];
                  if (at < 0 || v > best || std::isnan(v)) best = v, at = i;
                }
              want[size_t((p * h_out + oy) * w_out + ox)] = best;
              want_at[size_t((p * h_out + oy) * w_out + ox)] = at;
            }
        std::vector<float> y(ny, 5.0f);
        std::vector<int32_t> at(ny, -9);
        INFO("planes=" << planes << " h_out=" << h_out << " w_out=" << w_out);
        f32_maxpool_2x2__scalar(y.data(), at.data(), x.data(), planes, h, w);
        CHECK(same_bits(y, want));
        CHECK(at == want_at);
#ifdef __wasm_simd128__
        std::fill(y.begin(), y.end(), 5.0f), std::fill(at.begin(), at.end(), -9);
        f32_maxpool_2x2__wasmsimd(y.data(), at.data(), x.data(), planes, h, w);
        CHECK(same_bits(y, want));
        CHECK(at == want_at);
#endif
      }
}

TEST_CASE("f32_relu_maxpool_2x2: SIMD and scalar twin equal relu then the max pool, with NaNs and -0, on ragged widths") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int planes : {1, 3})
    for (int h_out : {1, 3})
      for (int w_out : {1, 2, 3, 4, 5, 7, 17}) {
        const int h = 2 * h_out, w = 2 * w_out;
        auto x = random_values(size_t(planes * h * w), uint64_t(w_out * 10 + h_out + 300));
        // coarse values make ties and zeros; NaNs and -0 must come out as the relu's +0
        for (size_t i = 0; i < x.size(); ++i) x[i] = i % 11 == 5 ? nan : i % 7 == 2 ? -0.0f : std::round(x[i] / 8.0f);
        const size_t ny = size_t(planes * h_out * w_out);
        std::vector<float> r(x.size()), want(ny);
        std::vector<int32_t> at(ny);
        f32_relu__scalar(r.data(), x.data(), int64_t(x.size()));
        f32_maxpool_2x2__scalar(want.data(), at.data(), r.data(), planes, h, w);
        std::vector<float> y(ny, 5.0f);
        INFO("planes=" << planes << " h_out=" << h_out << " w_out=" << w_out);
        f32_relu_maxpool_2x2__scalar(y.data(), x.data(), planes, h, w);
        CHECK(same_bits(y, want));
#ifdef __wasm_simd128__
        std::fill(y.begin(), y.end(), 5.0f);
        f32_relu_maxpool_2x2__wasmsimd(y.data(), x.data(), planes, h, w);
        CHECK(same_bits(y, want));
#endif
      }
}

// The layers' sums written as plain loops, in the order the determinism contract fixes (each
// output one sum from 0.0f in increasing k, then added to what it accumulates onto): the
// independent references the layer functions must equal bit for bit.
namespace {

// y(n, out) = x(n, in) W(out, in)^T + b
std::vector<float> naive_linear_forward(const std::vector<float>& x, const std::vector<float>& w,
                                        const std::vector<float>& b, int n, int in, int out) {
  std::vector<float> y(size_t(n) * out);
  for (int i = 0; i < n; ++i)
    for (int o = 0; o < out; ++o) {
      float s = 0.0f;
      for (int p = 0; p < in; ++p) s += x[size_t(i) * in + p] * w[size_t(o) * in + p];
      y[size_t(i) * out + o] = b[size_t(o)] + s;
    }
  return y;
}

// y(n, c_out, h_out, w_out): per output the sliding dot product over (ci, ky, kx) in that order,
// taps in the padding skipped (the fast path adds explicit zeros there: the same bits), plus b.
std::vector<float> naive_conv_forward(const std::vector<float>& x, const std::vector<float>& w,
                                      const std::vector<float>& b, const Conv2dShape& s) {
  std::vector<float> y(size_t(s.n) * s.c_out * s.h_out * s.w_out);
  for (int i = 0; i < s.n; ++i)
    for (int o = 0; o < s.c_out; ++o)
      for (int oy = 0; oy < s.h_out; ++oy)
        for (int ox = 0; ox < s.w_out; ++ox) {
          float acc = 0.0f;
          for (int ci = 0; ci < s.c_in; ++ci)
            for (int ky = 0; ky < s.k; ++ky)
              for (int kx = 0; kx < s.k; ++kx) {
                const int iy = oy * s.stride + ky - s.pad_top, ix = ox * s.stride + kx - s.pad_left;
                if (iy < 0 || iy >= s.h_in || ix < 0 || ix >= s.w_in) continue;
                acc += x[((size_t(i) * s.c_in + ci) * s.h_in + iy) * s.w_in + ix] *
                       w[((size_t(o) * s.c_in + ci) * s.k + ky) * s.k + kx];
              }
          y[((size_t(i) * s.c_out + o) * s.h_out + oy) * s.w_out + ox] = b[size_t(o)] + acc;
        }
  return y;
}

}  // namespace

TEST_CASE("linear layer with caller scratch equals the allocating overload bit for bit") {
  // both overloads against the plain loops; the larger size takes f32_gemm_parallel's threaded split
  struct Size { int n, in, out; };
  for (const Size& z : {Size{5, 17, 3}, Size{33, 301, 20}}) {
    const int n = z.n, in = z.in, out = z.out;
    INFO("n=" << n << " in=" << in << " out=" << out);
    const auto x = random_values(size_t(n * in), 31), w = random_values(size_t(out * in), 32),
               b = random_values(size_t(out), 33), dy = random_values(size_t(n * out), 34);
    std::vector<float> scratch(size_t(linear_scratch_size(n, in, out)));
    std::vector<float> y1(size_t(n * out), 5.0f), y2(y1);
    linear_forward(y1.data(), x.data(), w.data(), b.data(), n, in, out);
    linear_forward(y2.data(), scratch.data(), x.data(), w.data(), b.data(), n, in, out);
    const auto want_y = naive_linear_forward(x, w, b, n, in, out);
    CHECK(same_bits(y1, want_y));
    CHECK(same_bits(y2, want_y));
    // backward: dx = dy W written, dW += dy^T x and db += column sums of dy onto what was there
    std::vector<float> want_dx(size_t(n * in)), want_dw(w.size(), 1.0f), want_db(b.size(), 1.0f);
    for (int i = 0; i < n; ++i)
      for (int p = 0; p < in; ++p) {
        float s = 0.0f;
        for (int o = 0; o < out; ++o) s += dy[size_t(i * out + o)] * w[size_t(o * in + p)];
        want_dx[size_t(i * in + p)] = s;
      }
    for (int o = 0; o < out; ++o) {
      for (int p = 0; p < in; ++p) {
        float s = 0.0f;
        for (int i = 0; i < n; ++i) s += dy[size_t(i * out + o)] * x[size_t(i * in + p)];
        want_dw[size_t(o * in + p)] += s;
      }
      float s = 0.0f;
      for (int i = 0; i < n; ++i) s += dy[size_t(i * out + o)];
      want_db[size_t(o)] += s;
    }
    std::vector<float> dx1(size_t(n * in), 5.0f), dx2(dx1), dw1(w.size(), 1.0f), dw2(dw1), db1(b.size(), 1.0f),
        db2(db1);
    linear_backward(dx1.data(), dw1.data(), db1.data(), dy.data(), x.data(), w.data(), n, in, out);
    linear_backward(dx2.data(), dw2.data(), db2.data(), scratch.data(), dy.data(), x.data(), w.data(), n, in, out);
    CHECK(same_bits(dx1, want_dx));
    CHECK(same_bits(dx2, want_dx));
    CHECK(same_bits(dw1, want_dw));
    CHECK(same_bits(dw2, want_dw));
    CHECK(same_bits(db1, want_db));
    CHECK(same_bits(db2, want_db));
  }
}

TEST_CASE("prepacked weights: conv2d_forward_packed and linear_forward_packed give the unpacked forwards' bits") {
  for (int trial = 0; trial < 12; ++trial) {
    const int n = 1 + trial % 3, c_in = 1 + trial % 4, c_out = 1 + (trial * 5) % 9, k = 1 + trial % 3;
    const int h = 3 + trial, w = 4 + 2 * trial, st = trial % 4 == 3 ? 2 : 1;
    const Conv2dShape s{n, c_in, h, w, c_out, (h + 2 - k) / st + 1, (w + 2 - k) / st + 1, k, st, 1, 1};
    INFO("trial " << trial);
    auto x = random_values(size_t(n) * c_in * h * w, 900 + trial);
    auto wt = random_values(size_t(c_out) * c_in * k * k, 910 + trial);
    auto b = random_values(size_t(c_out), 920 + trial);
    const size_t ny = size_t(n) * c_out * s.h_out * s.w_out;
    std::vector<float> y0(ny, 5.0f), y1(ny, 5.0f), col(size_t(conv2d_col_size(s))), wp(size_t(conv2d_wpack_size(s)));
    conv2d_forward(y0.data(), col.data(), x.data(), wt.data(), b.data(), s);
    conv2d_pack_weights(wp.data(), wt.data(), s);
    conv2d_forward_packed(y1.data(), col.data(), x.data(), wp.data(), b.data(), s);
    const auto want = naive_conv_forward(x, wt, b, s);
    REQUIRE(same_bits(y0, want));
    REQUIRE(same_bits(y1, want));

    const int in = 1 + trial * 7, out = 1 + trial * 3;
    auto lx = random_values(size_t(n) * in, 930 + trial), lw = random_values(size_t(out) * in, 940 + trial);
    auto lb = random_values(size_t(out), 950 + trial);
    std::vector<float> z0(size_t(n) * out), z1(z0.size(), 5.0f), scratch(size_t(linear_scratch_size(n, in, out)));
    std::vector<float> lwp(size_t(linear_wpack_size(in, out)));
    linear_forward(z0.data(), scratch.data(), lx.data(), lw.data(), lb.data(), n, in, out);
    linear_pack_weights(lwp.data(), lw.data(), in, out);
    linear_forward_packed(z1.data(), scratch.data(), lx.data(), lwp.data(), lb.data(), n, in, out);
    REQUIRE(same_bits(z1, naive_linear_forward(lx, lw, lb, n, in, out)));
    REQUIRE(same_bits(z0, z1));
  }
}

TEST_CASE("f32_igemm_4x8 (B read in place through row offsets) equals f32_gemm_4x8 on the packed rows") {
  for (int k : kRagged)
    for (int mr = 1; mr <= 4; ++mr)
      for (int nr : {1, 3, 5, 8}) {
        // B rows scattered through a buffer at odd offsets, 8 readable floats each
        const auto buf = random_values(size_t(k * 13 + 8), uint64_t(k * 7 + nr));
        std::vector<int32_t> koff(static_cast<size_t>(k));
        std::vector<float> pb(size_t(k * 8));
        for (int p = 0; p < k; ++p) {
          koff[size_t(p)] = (p * 13 + 5) % (k * 13);
          for (int j = 0; j < 8; ++j) pb[size_t(p * 8 + j)] = buf[size_t(koff[size_t(p)] + j)];
        }
        const auto pa = random_values(size_t(4 * k), uint64_t(k + mr));
        std::vector<float> want(4 * 9, 1.5f), got(want), got_simd(want);
        f32_gemm_4x8__scalar(mr, nr, k, pa.data(), pb.data(), want.data(), 9, true);
        f32_igemm_4x8__scalar(mr, nr, k, pa.data(), buf.data(), koff.data(), got.data(), 9, true);
        INFO("k=" << k << " mr=" << mr << " nr=" << nr);
        CHECK(same_bits(got, want));
#ifdef __wasm_simd128__
        f32_igemm_4x8__wasmsimd(mr, nr, k, pa.data(), buf.data(), koff.data(), got_simd.data(), 9, true);
        CHECK(same_bits(got_simd, want));
#endif
      }
}

TEST_CASE("f32_avgpool_2x2: SIMD and scalar twin equal the generic pool bit for bit, forward and gradient") {
  for (int planes : {1, 3})
    for (int h_out : {1, 3})
      for (int w_out : {1, 3, 4, 5, 17}) {
        const int h = 2 * h_out, w = 2 * w_out;
        auto x = random_values(size_t(planes * h * w), uint64_t(w_out * 10 + h_out + 500));
        auto dy = random_values(size_t(planes * h_out * w_out), uint64_t(w_out * 10 + h_out + 900));
        x[0] = -0.0f, dy[0] = -0.0f;  // -0 must come out as the generic path's +0
        // what the generic loops of avgpool2d_forward/backward compute, written out
        const size_t ny = size_t(planes * h_out * w_out), nx = x.size();
        std::vector<float> want(ny), want_dx(nx, 0.0f);
        for (int p = 0; p < planes; ++p)
          for (int oy = 0; oy < h_out; ++oy)
            for (int ox = 0; ox < w_out; ++ox) {
              float acc = 0.0f;
              for (int ky = 0; ky < 2; ++ky)
                for (int kx = 0; kx < 2; ++kx) acc += x[size_t(p * h * w + (2 * oy + ky) * w + 2 * ox + kx)];
              const size_t o = size_t((p * h_out + oy) * w_out + ox);
              want[o] = acc * (1.0f / 4.0f);
              for (int ky = 0; ky < 2; ++ky)
                for (int kx = 0; kx < 2; ++kx) want_dx[size_t(p * h * w + (2 * oy + ky) * w + 2 * ox + kx)] += dy[o] * 0.25f;
            }
        INFO("planes=" << planes << " h_out=" << h_out << " w_out=" << w_out);
        std::vector<float> y(ny, 5.0f), dx(nx, 5.0f);
        f32_avgpool_2x2__scalar(y.data(), x.data(), planes, h, w);
        f32_avgpool_2x2_grad__scalar(dx.data(), dy.data(), planes, h, w);
        CHECK(same_bits(y, want));
        CHECK(same_bits(dx, want_dx));
#ifdef __wasm_simd128__
        std::fill(y.begin(), y.end(), 5.0f), std::fill(dx.begin(), dx.end(), 5.0f);
        f32_avgpool_2x2__wasmsimd(y.data(), x.data(), planes, h, w);
        f32_avgpool_2x2_grad__wasmsimd(dx.data(), dy.data(), planes, h, w);
        CHECK(same_bits(y, want));
        CHECK(same_bits(dx, want_dx));
#endif
        // and the layer functions take the fast path with the same result
        const Pool2dShape s{1, planes, h, w, h_out, w_out, 2, 2, 0, 0};
        std::fill(y.begin(), y.end(), 5.0f), std::fill(dx.begin(), dx.end(), 5.0f);
        avgpool2d_forward(y.data(), x.data(), s);
        avgpool2d_backward(dx.data(), dy.data(), s);
        CHECK(same_bits(y, want));
        CHECK(same_bits(dx, want_dx));
      }
}
