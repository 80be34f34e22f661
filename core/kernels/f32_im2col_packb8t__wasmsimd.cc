#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include "convlab/kernels.h"

namespace convlab {

// Stride 1: for a panel's 8 taps and 4 neighbouring output columns, where every tap lands
// inside the image, each tap's 4 values are one contiguous load; a 4x4 transpose of taps 0-3
// and of taps 4-7 gives each position's 8 lanes, stored as two vectors. Positions near the
// border, rows a tap cannot reach and the last panel's unused lanes take the scalar rule.
void f32_im2col_packb8t__wasmsimd(float* pb, const float* x, const Conv2dShape& s) {
  if (s.stride != 1) return f32_im2col_packb8t__scalar(pb, x, s);
  const int hw = s.h_out * s.w_out, kk = s.k * s.k, ckk = s.c_in * kk, nq = (ckk + 7) / 8;
  for (int q = 0; q < nq; ++q) {
    // per lane: the input index of output (0, 0) (may be negative), its kernel row, its columns
    int64_t base[8];
    int ky[8], lo[8], hi[8];
    int LO = 0, HI = s.w_out;  // columns inside for every lane
    const bool full = 8 * q + 8 <= ckk;
    for (int c = 0; c < 8; ++c) {
      const int r = 8 * q + c < ckk ? 8 * q + c : ckk - 1;
      const int ci = r / kk, kx = r % s.k;
      ky[c] = r % kk / s.k;
      base[c] = (int64_t(ci) * s.h_in + ky[c] - s.pad_top) * s.w_in + kx - s.pad_left;
      const Conv2dColRange cr = conv2d_inside_columns(s, kx);
      lo[c] = cr.lo, hi[c] = cr.hi;
      LO = LO > lo[c] ? LO : lo[c];
      HI = HI < hi[c] ? HI : hi[c];
    }
    float* panel = pb + int64_t(q) * hw * 8;
    for (int oy = 0; oy < s.h_out; ++oy) {
      float* d = panel + int64_t(oy) * s.w_out * 8;
      bool rows_in = full;
      for (int c = 0; c < 8; ++c) {
        const int iy = oy + ky[c] - s.pad_top;
        rows_in = rows_in && iy >= 0 && iy < s.h_in;
      }
      auto scalar_at = [&](int ox) {
        for (int c = 0; c < 8; ++c) {
          const int iy = oy + ky[c] - s.pad_top;
          const bool in = 8 * q + c < ckk && iy >= 0 && iy < s.h_in && ox >= lo[c] && ox < hi[c];
          d[ox * 8 + c] = in ? x[base[c] + int64_t(oy) * s.w_in + ox] : 0.0f;
        }
      };
      int ox = 0;
      if (rows_in) {
        for (; ox < LO; ++ox) scalar_at(ox);
        const float* src[8];  // each lane's input at column LO (inside the image)
        for (int c = 0; c < 8; ++c) src[c] = x + (base[c] + int64_t(oy) * s.w_in + LO);
        for (; ox + 4 <= HI; ox += 4) {
          const int j = ox - LO;
          const v128_t a = wasm_v128_load(src[0] + j), b = wasm_v128_load(src[1] + j);
          const v128_t c2 = wasm_v128_load(src[2] + j), d3 = wasm_v128_load(src[3] + j);
          const v128_t e = wasm_v128_load(src[4] + j), f = wasm_v128_load(src[5] + j);
          const v128_t g = wasm_v128_load(src[6] + j), h = wasm_v128_load(src[7] + j);
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
      }
      for (; ox < s.w_out; ++ox) scalar_at(ox);
    }
  }
}

}  // namespace convlab
#endif
