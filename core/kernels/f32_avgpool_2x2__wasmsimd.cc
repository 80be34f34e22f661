#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cassert>

#include "convlab/kernels.h"
#include "f32_pool_2x2_cell__scalar.h"

namespace convlab {

// Four outputs at a time: the even and odd columns of two input rows are the four taps,
// summed lane-wise in the scalar twin's order.
void f32_avgpool_2x2__wasmsimd(float* y, const float* x, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  const v128_t quarter = wasm_f32x4_splat(0.25f), zero = wasm_f32x4_splat(0.0f);
  for (int64_t pl = 0; pl < planes; ++pl, x += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, y += w_out) {
      const float* r0 = x + 2 * oy * w_in;
      const float* r1 = r0 + w_in;
      auto quad = [&](int ox) {
        const v128_t a = wasm_v128_load(r0 + 2 * ox), b = wasm_v128_load(r0 + 2 * ox + 4);
        const v128_t c = wasm_v128_load(r1 + 2 * ox), d = wasm_v128_load(r1 + 2 * ox + 4);
        v128_t acc = wasm_f32x4_add(zero, wasm_i32x4_shuffle(a, b, 0, 2, 4, 6));
        acc = wasm_f32x4_add(acc, wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
        acc = wasm_f32x4_add(acc, wasm_i32x4_shuffle(c, d, 0, 2, 4, 6));
        acc = wasm_f32x4_add(acc, wasm_i32x4_shuffle(c, d, 1, 3, 5, 7));
        wasm_v128_store(y + ox, wasm_f32x4_mul(acc, quarter));
      };
      int ox = 0;
      for (; ox + 4 <= w_out; ox += 4) quad(ox);
      // leftover columns: one more quad overlapping the last (same values rewritten)
      if (ox < w_out && w_out >= 4) {
        quad(w_out - 4);
        ox = w_out;
      }
      for (; ox < w_out; ++ox) y[ox] = pool_2x2::avg_cell(r0, r1, ox);
    }
}

// Four gradients at a time, each written to the two columns of both rows of its window.
void f32_avgpool_2x2_grad__wasmsimd(float* dx, const float* dy, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  const v128_t quarter = wasm_f32x4_splat(0.25f), zero = wasm_f32x4_splat(0.0f);
  for (int64_t pl = 0; pl < planes; ++pl, dx += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, dy += w_out) {
      float* r0 = dx + 2 * oy * w_in;
      float* r1 = r0 + w_in;
      int ox = 0;
      for (; ox + 4 <= w_out; ox += 4) {
        const v128_t g = wasm_f32x4_add(zero, wasm_f32x4_mul(wasm_v128_load(dy + ox), quarter));
        const v128_t lo = wasm_i32x4_shuffle(g, g, 0, 0, 1, 1), hi = wasm_i32x4_shuffle(g, g, 2, 2, 3, 3);
        wasm_v128_store(r0 + 2 * ox, lo);
        wasm_v128_store(r0 + 2 * ox + 4, hi);
        wasm_v128_store(r1 + 2 * ox, lo);
        wasm_v128_store(r1 + 2 * ox + 4, hi);
      }
      for (; ox < w_out; ++ox) pool_2x2::avg_grad_cell(r0, r1, dy[ox], ox);
    }
}

}  // namespace convlab
#endif
