// Chooses the kernel family for this build (wasm SIMD where compiled with -msimd128, else the
// scalar twins, which g++ may auto-vectorise) and drives the GEMM: pack, then tile.
#include <algorithm>
#include <cassert>
#include <vector>

#include "convlab/kernels.h"

namespace convlab {

GemmMicrokernel f32_gemm_4x8_best() {
#ifdef __wasm_simd128__
  return f32_gemm_4x8__wasmsimd;
#else
  return f32_gemm_4x8__scalar;
#endif
}

IgemmMicrokernel f32_igemm_4x8_best() {
#ifdef __wasm_simd128__
  return f32_igemm_4x8__wasmsimd;
#else
  return f32_igemm_4x8__scalar;
#endif
}

int64_t f32_im2col_packb8t_scratch_size(const Conv2dShape& s) {
  const int64_t col = int64_t(s.c_in) * s.k * s.k * s.h_out * s.w_out;
  const int64_t xpad = int64_t(s.c_in) * (s.h_out + s.k - 1) * (s.w_out + s.k - 1) + round_up(s.w_out, 4);
  return std::max(col, xpad);
}

void f32_im2col_packb8t(float* pb, float* scratch, const float* x, const Conv2dShape& s) {
#ifdef __wasm_simd128__
  f32_im2col_packb8t__wasmsimd(pb, scratch, x, s);
#else
  const int hw = s.h_out * s.w_out, ckk = s.c_in * s.k * s.k;
  f32_im2col__scalar(scratch, x, s);
  f32_packb_8__scalar(pb, scratch, hw, true, hw, ckk, 0, (ckk + 7) / 8);
#endif
}

void f32_gemm_packed(GemmMicrokernel uk, int m, int n, int k, const float* pa, const float* pb, float* c, int ldc,
                     bool accumulate, int q0, int q1) {
  const int np = int((m + kGemmMr - 1) / kGemmMr);
  for (int q = q0; q < q1; ++q) {
    const int nr = std::min(kGemmNr, n - q * kGemmNr);
    const float* b = pb + int64_t(q) * kGemmNr * k;
    // every row panel against one column panel: the B panel stays in L1
    for (int p = 0; p < np; ++p) {
      const int mr = std::min(kGemmMr, m - p * kGemmMr);
      uk(mr, nr, k, pa + int64_t(p) * kGemmMr * k, b, c + int64_t(p) * kGemmMr * ldc + q * kGemmNr, ldc, accumulate);
    }
  }
}

namespace {

// k == 0: C = 0 (or unchanged when accumulating), as the triple loop gives.
bool gemm_trivial(const GemmArgs& g) {
  assert(g.m >= 0 && g.n >= 0 && g.k >= 0);
  if (g.m == 0 || g.n == 0) return true;
  if (g.k > 0) return false;
  if (!g.accumulate)
    for (int i = 0; i < g.m; ++i) std::fill(g.c + int64_t(i) * g.ldc, g.c + int64_t(i) * g.ldc + g.n, 0.0f);
  return true;
}

}  // namespace

void f32_gemm_tiled(GemmMicrokernel uk, const GemmArgs& g) {
  if (gemm_trivial(g)) return;
  std::vector<float> own;
  float* pack = g.pack;
  if (!pack) {
    own.resize(size_t(f32_gemm_pack_size(g.m, g.n, g.k)));
    pack = own.data();
  }
  const int np = int((g.m + kGemmMr - 1) / kGemmMr), nq = int((g.n + kGemmNr - 1) / kGemmNr);
  float* pa = pack;
  float* pb = pack + int64_t(np) * kGemmMr * g.k;
  f32_packa_4__scalar(pa, g.a, g.lda, g.trans_a, g.m, g.k, 0, np);
  if (!g.packed_b) f32_packb_8__scalar(pb, g.b, g.ldb, g.trans_b, g.k, g.n, 0, nq);
  f32_gemm_packed(uk, g.m, g.n, g.k, pa, g.packed_b ? g.packed_b : pb, g.c, g.ldc, g.accumulate, 0, nq);
}

void f32_gemm(const GemmArgs& g) { f32_gemm_tiled(f32_gemm_4x8_best(), g); }

void f32_gemm_parallel(const GemmArgs& g) {
  if (gemm_trivial(g)) return;
  // below ~64K multiply-adds a hand-over costs more than it saves
  if (num_threads() == 1 || int64_t(g.m) * g.n * g.k < (1 << 16)) return f32_gemm(g);
  std::vector<float> own;
  float* pack = g.pack;
  if (!pack) {
    own.resize(size_t(f32_gemm_pack_size(g.m, g.n, g.k)));
    pack = own.data();
  }
  const int np = int((g.m + kGemmMr - 1) / kGemmMr), nq = int((g.n + kGemmNr - 1) / kGemmNr);
  float* pa = pack;
  float* pb = pack + int64_t(np) * kGemmMr * g.k;
  const int nqp = g.packed_b ? 0 : nq;  // B panels still to pack
  parallel_for(np + nqp, [&](int b, int e, int) {
    if (b < np) f32_packa_4__scalar(pa + int64_t(b) * kGemmMr * g.k, g.a, g.lda, g.trans_a, g.m, g.k, b, std::min(e, np));
    if (e > np) {
      const int q0 = std::max(b, np) - np;
      f32_packb_8__scalar(pb + int64_t(q0) * kGemmNr * g.k, g.b, g.ldb, g.trans_b, g.k, g.n, q0, e - np);
    }
  });
  const float* pbr = g.packed_b ? g.packed_b : pb;
  const GemmMicrokernel uk = f32_gemm_4x8_best();
  if (nq >= np) {
    parallel_for(nq, [&](int b, int e, int) { f32_gemm_packed(uk, g.m, g.n, g.k, pa, pbr, g.c, g.ldc, g.accumulate, b, e); });
  } else {
    // few columns (a linear layer's output): split the row panels instead
    parallel_for(np, [&](int b, int e, int) {
      const int m = std::min(g.m, e * kGemmMr) - b * kGemmMr;
      f32_gemm_packed(uk, m, g.n, g.k, pa + int64_t(b) * kGemmMr * g.k, pbr, g.c + int64_t(b) * kGemmMr * g.ldc, g.ldc,
                      g.accumulate, 0, nq);
    });
  }
}

void f32_relu(float* y, const float* x, int64_t n) {
#ifdef __wasm_simd128__
  f32_relu__wasmsimd(y, x, n);
#else
  f32_relu__scalar(y, x, n);
#endif
}

void f32_relu_grad(float* dx, const float* dy, const float* y, int64_t n) {
#ifdef __wasm_simd128__
  f32_relu_grad__wasmsimd(dx, dy, y, n);
#else
  f32_relu_grad__scalar(dx, dy, y, n);
#endif
}

void f32_maxpool_2x2(float* y, int32_t* argmax, const float* x, int64_t planes, int h_in, int w_in) {
#ifdef __wasm_simd128__
  f32_maxpool_2x2__wasmsimd(y, argmax, x, planes, h_in, w_in);
#else
  f32_maxpool_2x2__scalar(y, argmax, x, planes, h_in, w_in);
#endif
}

void f32_avgpool_2x2(float* y, const float* x, int64_t planes, int h_in, int w_in) {
#ifdef __wasm_simd128__
  f32_avgpool_2x2__wasmsimd(y, x, planes, h_in, w_in);
#else
  f32_avgpool_2x2__scalar(y, x, planes, h_in, w_in);
#endif
}

void f32_avgpool_2x2_grad(float* dx, const float* dy, int64_t planes, int h_in, int w_in) {
#ifdef __wasm_simd128__
  f32_avgpool_2x2_grad__wasmsimd(dx, dy, planes, h_in, w_in);
#else
  f32_avgpool_2x2_grad__scalar(dx, dy, planes, h_in, w_in);
#endif
}

}  // namespace convlab
