#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

// f32_gemm_4x8__wasmsimd with B row p read in place at b + koff[p] (8 floats, unaligned) instead
// of from a packed panel: a stride-1 convolution reads its zero-padded input this way with no
// im2col (koff[(ci, ky, kx)] = ci*plane + ky*row + kx). The same operations in the same order.
void f32_igemm_4x8__wasmsimd(int mr, int nr, int k, const float* pa, const float* b, const int32_t* koff, float* c,
                             int ldc, bool accumulate) {
  assert(mr >= 1 && mr <= 4 && nr >= 1 && nr <= 8 && k >= 0);
  v128_t c0l = wasm_f32x4_splat(0.0f), c0h = c0l, c1l = c0l, c1h = c0l;
  v128_t c2l = c0l, c2h = c0l, c3l = c0l, c3h = c0l;
  for (int p = 0; p < k; ++p, pa += 4) {
    const float* pb = b + koff[p];
    const v128_t bl = wasm_v128_load(pb), bh = wasm_v128_load(pb + 4);
    // load-splats of A, as in f32_gemm_4x8__wasmsimd (faster than load + shuffles in V8)
    const v128_t a0 = wasm_v128_load32_splat(pa);
    const v128_t a1 = wasm_v128_load32_splat(pa + 1);
    const v128_t a2 = wasm_v128_load32_splat(pa + 2);
    const v128_t a3 = wasm_v128_load32_splat(pa + 3);
    c0l = wasm_f32x4_add(c0l, wasm_f32x4_mul(a0, bl));
    c0h = wasm_f32x4_add(c0h, wasm_f32x4_mul(a0, bh));
    c1l = wasm_f32x4_add(c1l, wasm_f32x4_mul(a1, bl));
    c1h = wasm_f32x4_add(c1h, wasm_f32x4_mul(a1, bh));
    c2l = wasm_f32x4_add(c2l, wasm_f32x4_mul(a2, bl));
    c2h = wasm_f32x4_add(c2h, wasm_f32x4_mul(a2, bh));
    c3l = wasm_f32x4_add(c3l, wasm_f32x4_mul(a3, bl));
    c3h = wasm_f32x4_add(c3h, wasm_f32x4_mul(a3, bh));
  }
  if (mr == 4 && nr == 8) {
    float* c0 = c;
    float* c1 = c + ldc;
    float* c2 = c + 2 * ldc;
    float* c3 = c + 3 * ldc;
    if (accumulate) {
      c0l = wasm_f32x4_add(wasm_v128_load(c0), c0l), c0h = wasm_f32x4_add(wasm_v128_load(c0 + 4), c0h);
      c1l = wasm_f32x4_add(wasm_v128_load(c1), c1l), c1h = wasm_f32x4_add(wasm_v128_load(c1 + 4), c1h);
      c2l = wasm_f32x4_add(wasm_v128_load(c2), c2l), c2h = wasm_f32x4_add(wasm_v128_load(c2 + 4), c2h);
      c3l = wasm_f32x4_add(wasm_v128_load(c3), c3l), c3h = wasm_f32x4_add(wasm_v128_load(c3 + 4), c3h);
    }
    wasm_v128_store(c0, c0l), wasm_v128_store(c0 + 4, c0h);
    wasm_v128_store(c1, c1l), wasm_v128_store(c1 + 4, c1h);
    wasm_v128_store(c2, c2l), wasm_v128_store(c2 + 4, c2h);
    wasm_v128_store(c3, c3l), wasm_v128_store(c3 + 4, c3h);
    return;
  }
  // A partial tile: spill and store the valid part (C + acc, the same add as above).
  alignas(16) float t[4][8];
  wasm_v128_store(t[0], c0l), wasm_v128_store(t[0] + 4, c0h);
  wasm_v128_store(t[1], c1l), wasm_v128_store(t[1] + 4, c1h);
  wasm_v128_store(t[2], c2l), wasm_v128_store(t[2] + 4, c2h);
  wasm_v128_store(t[3], c3l), wasm_v128_store(t[3] + 4, c3h);
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) c[r * ldc + j] = accumulate ? c[r * ldc + j] + t[r][j] : t[r][j];
}

}  // namespace convlab
#endif
