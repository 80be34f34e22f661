#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cassert>

#include "convlab/winograd.h"

namespace convlab {

// f32_gemm_4x8__wasmsimd's k loop (the same load-splats, mul then add, never fused) inlined in
// the loops over xi, column panels and row panels, always storing a whole 4x8 tile: no indirect
// call and no partial-tile branch per tile, which matters when k = c_in is as small as 16.
void f32_winograd_gemm_4x8__wasmsimd(int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                     int64_t v_xi, float* m, int64_t m_xi, int ldc) {
  assert(np >= 0 && nq >= 0 && k >= 1 && ldc >= kGemmNr * nq);
  for (int xi = 0; xi < 16; ++xi)
    for (int q = 0; q < nq; ++q) {
      const float* pb0 = v + xi * v_xi + int64_t(q) * kGemmNr * k;
      for (int p = 0; p < np; ++p) {
        const float* pa = u + xi * u_xi + int64_t(p) * kGemmMr * k;
        const float* pb = pb0;
        v128_t c0l = wasm_f32x4_splat(0.0f), c0h = c0l, c1l = c0l, c1h = c0l;
        v128_t c2l = c0l, c2h = c0l, c3l = c0l, c3h = c0l;
        for (int i = 0; i < k; ++i, pa += 4, pb += 8) {
          const v128_t bl = wasm_v128_load(pb), bh = wasm_v128_load(pb + 4);
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
        float* c = m + xi * m_xi + int64_t(p) * kGemmMr * ldc + q * kGemmNr;
        wasm_v128_store(c, c0l), wasm_v128_store(c + 4, c0h);
        wasm_v128_store(c + ldc, c1l), wasm_v128_store(c + ldc + 4, c1h);
        wasm_v128_store(c + 2 * ldc, c2l), wasm_v128_store(c + 2 * ldc + 4, c2h);
        wasm_v128_store(c + 3 * ldc, c3l), wasm_v128_store(c + 3 * ldc + 4, c3h);
      }
    }
}

}  // namespace convlab
#endif
