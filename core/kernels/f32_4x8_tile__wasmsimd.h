// The 4x8 register tile's inner loop, written once for f32_gemm_4x8__wasmsimd,
// f32_igemm_4x8__wasmsimd and f32_winograd_gemm_4x8__wasmsimd (the scalar twin:
// f32_4x8_tile__scalar.h). 8 accumulators, 2 vectors per row. Per k: four load-splats of the A
// panel (V8 makes them one broadcast each, faster than one load + 4 shuffles: +2-5 % inference in
// node), two 4-float loads of the B row, 8 mul + 8 add (never fused: the scalar twin must give
// the same bits). Leftover rows/columns are zero in the packed panels, so the k loop has no
// branch; only the store looks at mr and nr. Always inlined: the three kernels keep the
// accumulators in locals with no call per tile.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include "convlab/kernels.h"

namespace convlab {

struct F32Tile4x8 {
  v128_t c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h;  // row r, columns 0-3 (l) and 4-7 (h)
};

// The tile's sums; pa: a packed A panel (k, 4); brow(p): row p of B (8 floats, any alignment).
template <class BRow>
__attribute__((always_inline)) inline F32Tile4x8 f32_4x8_tile_sum__wasmsimd(int k, const float* pa, BRow brow) {
  v128_t c0l = wasm_f32x4_splat(0.0f), c0h = c0l, c1l = c0l, c1h = c0l;
  v128_t c2l = c0l, c2h = c0l, c3l = c0l, c3h = c0l;
  for (int p = 0; p < k; ++p, pa += 4) {
    const float* pb = brow(p);
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
  return {c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h};
}

// A whole tile into C (rows of ldc floats): C + acc when accumulating.
__attribute__((always_inline)) inline void f32_4x8_tile_store_full__wasmsimd(F32Tile4x8 t, float* c, int ldc,
                                                                             bool accumulate) {
  float* c0 = c;
  float* c1 = c + ldc;
  float* c2 = c + 2 * ldc;
  float* c3 = c + 3 * ldc;
  if (accumulate) {
    t.c0l = wasm_f32x4_add(wasm_v128_load(c0), t.c0l), t.c0h = wasm_f32x4_add(wasm_v128_load(c0 + 4), t.c0h);
    t.c1l = wasm_f32x4_add(wasm_v128_load(c1), t.c1l), t.c1h = wasm_f32x4_add(wasm_v128_load(c1 + 4), t.c1h);
    t.c2l = wasm_f32x4_add(wasm_v128_load(c2), t.c2l), t.c2h = wasm_f32x4_add(wasm_v128_load(c2 + 4), t.c2h);
    t.c3l = wasm_f32x4_add(wasm_v128_load(c3), t.c3l), t.c3h = wasm_f32x4_add(wasm_v128_load(c3 + 4), t.c3h);
  }
  wasm_v128_store(c0, t.c0l), wasm_v128_store(c0 + 4, t.c0h);
  wasm_v128_store(c1, t.c1l), wasm_v128_store(c1 + 4, t.c1h);
  wasm_v128_store(c2, t.c2l), wasm_v128_store(c2 + 4, t.c2h);
  wasm_v128_store(c3, t.c3l), wasm_v128_store(c3 + 4, t.c3h);
}

// Rows < mr and columns < nr: a whole tile straight from the vectors, a partial one spilled and
// stored element by element (C + acc, the same add as above).
__attribute__((always_inline)) inline void f32_4x8_tile_store__wasmsimd(const F32Tile4x8& t, int mr, int nr, float* c,
                                                                        int ldc, bool accumulate) {
  if (mr == 4 && nr == 8) return f32_4x8_tile_store_full__wasmsimd(t, c, ldc, accumulate);
  alignas(16) float s[4][8];
  wasm_v128_store(s[0], t.c0l), wasm_v128_store(s[0] + 4, t.c0h);
  wasm_v128_store(s[1], t.c1l), wasm_v128_store(s[1] + 4, t.c1h);
  wasm_v128_store(s[2], t.c2l), wasm_v128_store(s[2] + 4, t.c2h);
  wasm_v128_store(s[3], t.c3l), wasm_v128_store(s[3] + 4, t.c3h);
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) c[r * ldc + j] = accumulate ? c[r * ldc + j] + s[r][j] : s[r][j];
}

}  // namespace convlab
#endif
