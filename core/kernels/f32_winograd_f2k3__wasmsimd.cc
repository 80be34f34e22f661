#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cassert>

#include "convlab/winograd.h"

namespace convlab {

// 4 neighbouring tiles of one tile row per vector (lane j = tile t + j): they start at a multiple
// of 4 tiles from the block start, so their V columns are 4 neighbouring floats of one panel and
// their M columns 4 neighbouring floats of a row. Other tiles (row ends, tile rows not a multiple
// of 4 long) go through the scalar twin; both do the same operations in the same order.
void f32_winograd_f2k3_input__wasmsimd(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                       const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 % kGemmNr == 0 && blk.t0 <= ta && ta <= tb && tb <= blk.t1 && wp >= 2 * blk.tw + 2);
  int t = ta;
  while (t < tb) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    if ((t - blk.t0) % 4 != 0 || tx + 4 > blk.tw || t + 4 > tb) {
      f32_winograd_f2k3_input__scalar(v, xi_stride, panel_stride, xp, wp, blk, t, t + 1);
      ++t;
      continue;
    }
    const float* d = xp + int64_t(2 * (ty - blk.ty0)) * wp + 2 * tx;
    v128_t e[4][4];
    for (int r = 0; r < 4; ++r) {
      // columns 2j + c of this row for tiles j = 0..3: deinterleave 10 floats (12 loaded)
      const float* dr = d + int64_t(r) * wp;
      const v128_t a = wasm_v128_load(dr), b = wasm_v128_load(dr + 4), c = wasm_v128_load(dr + 8);
      const v128_t d0 = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), d1 = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
      const v128_t d2 = wasm_i32x4_shuffle(d0, c, 1, 2, 3, 4), d3 = wasm_i32x4_shuffle(d1, c, 1, 2, 3, 5);
      e[r][0] = wasm_f32x4_sub(d0, d2);
      e[r][1] = wasm_f32x4_add(d1, d2);
      e[r][2] = wasm_f32x4_sub(d2, d1);
      e[r][3] = wasm_f32x4_sub(d1, d3);
    }
    float* dst = v + int64_t((t - blk.t0) / kGemmNr) * panel_stride + (t - blk.t0) % kGemmNr;
    for (int c = 0; c < 4; ++c) {
      wasm_v128_store(dst + (0 * 4 + c) * xi_stride, wasm_f32x4_sub(e[0][c], e[2][c]));
      wasm_v128_store(dst + (1 * 4 + c) * xi_stride, wasm_f32x4_add(e[1][c], e[2][c]));
      wasm_v128_store(dst + (2 * 4 + c) * xi_stride, wasm_f32x4_sub(e[2][c], e[1][c]));
      wasm_v128_store(dst + (3 * 4 + c) * xi_stride, wasm_f32x4_sub(e[1][c], e[3][c]));
    }
    t += 4;
  }
}

void f32_winograd_f2k3_output__wasmsimd(float* y, int h_out, int w_out, const float* m, int64_t xi_stride,
                                        float bias, const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 <= ta && ta <= tb && tb <= blk.t1);
  const v128_t vb = wasm_f32x4_splat(bias);
  int t = ta;
  while (t < tb) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    // whole 2x2 outputs only: the 4 tiles' 8 columns and both rows lie inside the plane
    if ((t - blk.t0) % 4 != 0 || tx + 4 > blk.tw || t + 4 > tb || 2 * tx + 8 > w_out || 2 * ty + 2 > h_out) {
      f32_winograd_f2k3_output__scalar(y, h_out, w_out, m, xi_stride, bias, blk, t, t + 1);
      ++t;
      continue;
    }
    const float* mt = m + (t - blk.t0);
    v128_t f[4][2];
    for (int r = 0; r < 4; ++r) {
      const v128_t m0 = wasm_v128_load(mt + (r * 4 + 0) * xi_stride), m1 = wasm_v128_load(mt + (r * 4 + 1) * xi_stride);
      const v128_t m2 = wasm_v128_load(mt + (r * 4 + 2) * xi_stride), m3 = wasm_v128_load(mt + (r * 4 + 3) * xi_stride);
      f[r][0] = wasm_f32x4_add(wasm_f32x4_add(m0, m1), m2);
      f[r][1] = wasm_f32x4_sub(wasm_f32x4_sub(m1, m2), m3);
    }
    for (int r = 0; r < 2; ++r) {
      v128_t out[2];
      for (int c = 0; c < 2; ++c) {
        const v128_t s = r == 0 ? wasm_f32x4_add(wasm_f32x4_add(f[0][c], f[1][c]), f[2][c])
                                : wasm_f32x4_sub(wasm_f32x4_sub(f[1][c], f[2][c]), f[3][c]);
        out[c] = wasm_f32x4_add(s, vb);
      }
      // interleave the two output columns of the 4 tiles: 8 neighbouring floats of row 2 ty + r
      float* yr = y + int64_t(2 * ty + r) * w_out + 2 * tx;
      wasm_v128_store(yr, wasm_i32x4_shuffle(out[0], out[1], 0, 4, 1, 5));
      wasm_v128_store(yr + 4, wasm_i32x4_shuffle(out[0], out[1], 2, 6, 3, 7));
    }
    t += 4;
  }
}

}  // namespace convlab
#endif
