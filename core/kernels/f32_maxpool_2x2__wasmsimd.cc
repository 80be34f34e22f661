#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cassert>

#include "convlab/kernels.h"
#include "f32_pool_2x2_cell__scalar.h"

namespace convlab {

// Four outputs at a time: the even and odd columns of two input rows are the four taps; each
// later tap replaces the best where it is greater or NaN (the scalar twin's rule, lane-wise).
void f32_maxpool_2x2__wasmsimd(float* y, int32_t* argmax, const float* x, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  const v128_t lane2 = wasm_i32x4_make(0, 2, 4, 6);
  for (int64_t pl = 0; pl < planes; ++pl, x += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, y += w_out, argmax += w_out) {
      const float* r0 = x + 2 * oy * w_in;
      const float* r1 = r0 + w_in;
      // four outputs starting at column ox
      auto quad = [&](int ox) {
        const v128_t a = wasm_v128_load(r0 + 2 * ox), b = wasm_v128_load(r0 + 2 * ox + 4);
        const v128_t c = wasm_v128_load(r1 + 2 * ox), d = wasm_v128_load(r1 + 2 * ox + 4);
        v128_t best = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
        const v128_t v01 = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
        const v128_t v10 = wasm_i32x4_shuffle(c, d, 0, 2, 4, 6);
        const v128_t v11 = wasm_i32x4_shuffle(c, d, 1, 3, 5, 7);
        const v128_t i00 = wasm_i32x4_add(wasm_i32x4_splat(2 * oy * w_in + 2 * ox), lane2);
        v128_t at = i00;
        v128_t take = wasm_v128_or(wasm_f32x4_gt(v01, best), wasm_f32x4_ne(v01, v01));
        best = wasm_v128_bitselect(v01, best, take);
        at = wasm_v128_bitselect(wasm_i32x4_add(i00, wasm_i32x4_splat(1)), at, take);
        take = wasm_v128_or(wasm_f32x4_gt(v10, best), wasm_f32x4_ne(v10, v10));
        best = wasm_v128_bitselect(v10, best, take);
        at = wasm_v128_bitselect(wasm_i32x4_add(i00, wasm_i32x4_splat(w_in)), at, take);
        take = wasm_v128_or(wasm_f32x4_gt(v11, best), wasm_f32x4_ne(v11, v11));
        best = wasm_v128_bitselect(v11, best, take);
        at = wasm_v128_bitselect(wasm_i32x4_add(i00, wasm_i32x4_splat(w_in + 1)), at, take);
        wasm_v128_store(y + ox, best);
        wasm_v128_store(argmax + ox, at);
      };
      int ox = 0;
      for (; ox + 4 <= w_out; ox += 4) quad(ox);
      // the leftover columns: one more quad overlapping the last one (same values rewritten)
      if (ox < w_out && w_out >= 4) {
        quad(w_out - 4);
        ox = w_out;
      }
      for (; ox < w_out; ++ox) pool_2x2::max_cell(y, argmax, r0, r1, ox, 2 * oy * w_in, w_in);
    }
}

}  // namespace convlab
#endif
