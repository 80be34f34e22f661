#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <algorithm>
#include <cstring>

#include "convlab/kernels.h"

namespace convlab {

// Stride 1: the image is first copied zero-padded to (c_in, hp, wp), so every tap of every
// output position is an in-bounds read and there are no border cases. For a panel's 8 taps and
// 4 neighbouring output columns, each tap's 4 values are one contiguous load; a 4x4 transpose of
// taps 0-3 and of taps 4-7 gives each position's 8 lanes, stored as two vectors. The last
// panel's unused lanes read a row of zeros.
void f32_im2col_packb8t__wasmsimd(float* pb, float* scratch, const float* x, const Conv2dShape& s) {
  if (s.stride != 1) return f32_im2col_packb8t__scalar(pb, x, s);
  const int hw = s.h_out * s.w_out, kk = s.k * s.k, ckk = s.c_in * kk, nq = (ckk + 7) / 8;
  const int hp = s.h_out + s.k - 1, wp = s.w_out + s.k - 1;
  float* xpad = scratch;                                   // (c_in, hp, wp)
  float* zeros = xpad + int64_t(s.c_in) * hp * wp;         // w_out rounded up to 4
  std::fill(xpad, zeros + round_up(s.w_out, 4), 0.0f);
  for (int ci = 0; ci < s.c_in; ++ci)
    for (int iy = 0; iy < s.h_in; ++iy) {
      const int yy = iy + s.pad_top;
      if (yy >= hp) break;
      const int cols = std::min(s.w_in, wp - s.pad_left);
      std::memcpy(xpad + (int64_t(ci) * hp + yy) * wp + s.pad_left, x + (int64_t(ci) * s.h_in + iy) * s.w_in,
                  sizeof(float) * size_t(cols));
    }
  const int w4 = s.w_out / 4 * 4;
  for (int q = 0; q < nq; ++q) {
    int64_t off[8];  // lane c's tap (ci, ky, kx) at output (0, 0), or -1 past the last tap
    for (int c = 0; c < 8; ++c) {
      const int r = 8 * q + c;
      off[c] = r < ckk ? (int64_t(r / kk) * hp + r % kk / s.k) * wp + r % s.k : -1;
    }
    float* panel = pb + int64_t(q) * hw * 8;
    for (int oy = 0; oy < s.h_out; ++oy) {
      const float* src[8];
      for (int c = 0; c < 8; ++c) src[c] = off[c] < 0 ? zeros : xpad + off[c] + int64_t(oy) * wp;
      float* d = panel + int64_t(oy) * s.w_out * 8;
      for (int ox = 0; ox < w4; ox += 4) {
        const v128_t a = wasm_v128_load(src[0] + ox), b = wasm_v128_load(src[1] + ox);
        const v128_t c2 = wasm_v128_load(src[2] + ox), d3 = wasm_v128_load(src[3] + ox);
        const v128_t e = wasm_v128_load(src[4] + ox), f = wasm_v128_load(src[5] + ox);
        const v128_t g = wasm_v128_load(src[6] + ox), h = wasm_v128_load(src[7] + ox);
        const v128_t ab0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
        const v128_t cd0 = wasm_i32x4_shuffle(c2, d3, 0, 4, 1, 5), cd1 = wasm_i32x4_shuffle(c2, d3, 2, 6, 3, 7);
        const v128_t ef0 = wasm_i32x4_shuffle(e, f, 0, 4, 1, 5), ef1 = wasm_i32x4_shuffle(e, f, 2, 6, 3, 7);
        const v128_t gh0 = wasm_i32x4_shuffle(g, h, 0, 4, 1, 5), gh1 = wasm_i32x4_shuffle(g, h, 2, 6, 3, 7);
        float* o = d + ox * 8;
        wasm_v128_store(o + 0, wasm_i32x4_shuffle(ab0, cd0, 0, 1, 4, 5));
        wasm_v128_store(o + 4, wasm_i32x4_shuffle(ef0, gh0, 0, 1, 4, 5));
        wasm_v128_store(o + 8, wasm_i32x4_shuffle(ab0, cd0, 2, 3, 6, 7));
        wasm_v128_store(o + 12, wasm_i32x4_shuffle(ef0, gh0, 2, 3, 6, 7));
        wasm_v128_store(o + 16, wasm_i32x4_shuffle(ab1, cd1, 0, 1, 4, 5));
        wasm_v128_store(o + 20, wasm_i32x4_shuffle(ef1, gh1, 0, 1, 4, 5));
        wasm_v128_store(o + 24, wasm_i32x4_shuffle(ab1, cd1, 2, 3, 6, 7));
        wasm_v128_store(o + 28, wasm_i32x4_shuffle(ef1, gh1, 2, 3, 6, 7));
      }
      for (int ox = w4; ox < s.w_out; ++ox)
        for (int c = 0; c < 8; ++c) d[ox * 8 + c] = src[c][ox];
    }
  }
}

}  // namespace convlab
#endif
