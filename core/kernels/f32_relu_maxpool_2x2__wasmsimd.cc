#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

// Four outputs at a time: each tap's relu is pmax(0, v) (f32_relu__wasmsimd's), and the
// window's maximum pmax(best, tap) = best < tap ? tap : best, the scalar twin's "later tap
// only when greater" (no NaN is left after the relu).
void f32_relu_maxpool_2x2__wasmsimd(float* y, const float* x, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int64_t pl = 0; pl < planes; ++pl, x += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, y += w_out) {
      const float* r0 = x + 2 * oy * w_in;
      const float* r1 = r0 + w_in;
      auto quad = [&](int ox) {
        const v128_t a = wasm_f32x4_pmax(zero, wasm_v128_load(r0 + 2 * ox));
        const v128_t b = wasm_f32x4_pmax(zero, wasm_v128_load(r0 + 2 * ox + 4));
        const v128_t c = wasm_f32x4_pmax(zero, wasm_v128_load(r1 + 2 * ox));
        const v128_t d = wasm_f32x4_pmax(zero, wasm_v128_load(r1 + 2 * ox + 4));
        v128_t best = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
        best = wasm_f32x4_pmax(best, wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
        best = wasm_f32x4_pmax(best, wasm_i32x4_shuffle(c, d, 0, 2, 4, 6));
        best = wasm_f32x4_pmax(best, wasm_i32x4_shuffle(c, d, 1, 3, 5, 7));
        wasm_v128_store(y + ox, best);
      };
      int ox = 0;
      for (; ox + 4 <= w_out; ox += 4) quad(ox);
      // the leftover columns: one more quad overlapping the last one (same values rewritten);
      // narrower rows go to the scalar twin's loop, one row of one plane
      if (ox < w_out && w_out >= 4) quad(w_out - 4);
      else if (ox < w_out) f32_relu_maxpool_2x2__scalar(y, r0, 1, 2, w_in);
    }
}

}  // namespace convlab
#endif
