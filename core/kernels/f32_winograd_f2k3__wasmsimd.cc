#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <cassert>

#include "convlab/kernels.h"
#include "f32_winograd_groups__wasmsimd.h"

namespace convlab {

// 4 consecutive tiles per vector (lane j = tile t + j), starting at a multiple of 4 tiles from the
// block start, so their V columns are 4 neighbouring floats of one panel and their M columns 4
// neighbouring floats of a row. Tiles of one tile row are read with 3 loads and deinterleaved;
// groups that wrap to the next tile row load each tile's rows and transpose. Only the last < 4
// tiles of a range go through the scalar twin; both do the same operations in the same order.
using simd::for_tile_groups;
using simd::transpose4;

namespace {

inline void store_pair(float* p, v128_t v, int lane64) {
  if (lane64)
    wasm_v128_store64_lane(p, v, 1);
  else
    wasm_v128_store64_lane(p, v, 0);
}

inline float lane(v128_t v, int j) {
  switch (j) {
    case 0: return wasm_f32x4_extract_lane(v, 0);
    case 1: return wasm_f32x4_extract_lane(v, 1);
    case 2: return wasm_f32x4_extract_lane(v, 2);
    default: return wasm_f32x4_extract_lane(v, 3);
  }
}

}  // namespace

void f32_winograd_f2k3_input__wasmsimd(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                       const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 % kGemmNr == 0 && blk.t0 <= ta && ta <= tb && tb <= blk.t1 && wp >= 2 * blk.tw + 2);
  const auto one = [&](int t) { f32_winograd_f2k3_input__scalar(v, xi_stride, panel_stride, xp, wp, blk, t, t + 1); };
  for_tile_groups(blk.t0, ta, tb, one, [&](int t) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    v128_t e[4][4];
    for (int r = 0; r < 4; ++r) {
      v128_t d0, d1, d2, d3;  // columns 0..3 of row r of the 4 tiles' windows
      if (tx + 4 <= blk.tw) {
        // one tile row: columns 2j + c for tiles j = 0..3, deinterleaved from 10 floats (12 loaded)
        const float* dr = xp + int64_t(2 * (ty - blk.ty0) + r) * wp + 2 * tx;
        const v128_t a = wasm_v128_load(dr), b = wasm_v128_load(dr + 4), c = wasm_v128_load(dr + 8);
        d0 = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), d1 = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
        d2 = wasm_i32x4_shuffle(d0, c, 1, 2, 3, 4), d3 = wasm_i32x4_shuffle(d1, c, 1, 2, 3, 5);
      } else {
        v128_t* rows[4] = {&d0, &d1, &d2, &d3};
        for (int j = 0; j < 4; ++j) {
          const int tj = t + j, yj = tj / blk.tw, xj = tj % blk.tw;
          *rows[j] = wasm_v128_load(xp + int64_t(2 * (yj - blk.ty0) + r) * wp + 2 * xj);
        }
        transpose4(d0, d1, d2, d3);
      }
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
  });
}

void f32_winograd_f2k3_output__wasmsimd(float* y, int h_out, int w_out, const float* m, int64_t xi_stride,
                                        float bias, const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 <= ta && ta <= tb && tb <= blk.t1);
  const v128_t vb = wasm_f32x4_splat(bias);
  const auto one = [&](int t) { f32_winograd_f2k3_output__scalar(y, h_out, w_out, m, xi_stride, bias, blk, t, t + 1); };
  for_tile_groups(blk.t0, ta, tb, one, [&](int t) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    const float* mt = m + (t - blk.t0);
    v128_t f[4][2];
    for (int r = 0; r < 4; ++r) {
      const v128_t m0 = wasm_v128_load(mt + (r * 4 + 0) * xi_stride), m1 = wasm_v128_load(mt + (r * 4 + 1) * xi_stride);
      const v128_t m2 = wasm_v128_load(mt + (r * 4 + 2) * xi_stride), m3 = wasm_v128_load(mt + (r * 4 + 3) * xi_stride);
      f[r][0] = wasm_f32x4_add(wasm_f32x4_add(m0, m1), m2);
      f[r][1] = wasm_f32x4_sub(wasm_f32x4_sub(m1, m2), m3);
    }
    v128_t out[2][2];  // [output row][output column], lane j = tile t + j
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c) {
        const v128_t s = r == 0 ? wasm_f32x4_add(wasm_f32x4_add(f[0][c], f[1][c]), f[2][c])
                                : wasm_f32x4_sub(wasm_f32x4_sub(f[1][c], f[2][c]), f[3][c]);
        out[r][c] = wasm_f32x4_add(s, vb);
      }
    if (tx + 4 <= blk.tw && 2 * tx + 8 <= w_out && 2 * ty + 2 <= h_out) {
      // whole 2x2 outputs of one tile row: interleave the two columns into 8 neighbouring floats
      for (int r = 0; r < 2; ++r) {
        float* yr = y + int64_t(2 * ty + r) * w_out + 2 * tx;
        wasm_v128_store(yr, wasm_i32x4_shuffle(out[r][0], out[r][1], 0, 4, 1, 5));
        wasm_v128_store(yr + 4, wasm_i32x4_shuffle(out[r][0], out[r][1], 2, 6, 3, 7));
      }
    } else {
      // the group wraps to the next tile row or reaches a ragged edge: store tile by tile, a
      // tile's two columns as one 64-bit lane (pair[r][j / 2], lane j % 2 holds tile j's)
      v128_t pair[2][2];
      for (int r = 0; r < 2; ++r) {
        pair[r][0] = wasm_i32x4_shuffle(out[r][0], out[r][1], 0, 4, 1, 5);
        pair[r][1] = wasm_i32x4_shuffle(out[r][0], out[r][1], 2, 6, 3, 7);
      }
      for (int j = 0, yj = ty, xj = tx; j < 4; ++j) {
        float* yp = y + int64_t(2 * yj) * w_out + 2 * xj;
        const int rows = 2 * yj + 1 < h_out ? 2 : 1;
        for (int r = 0; r < rows; ++r) {
          if (2 * xj + 1 < w_out)
            store_pair(yp + r * w_out, pair[r][j >> 1], j & 1);
          else
            yp[r * w_out] = lane(out[r][0], j);  // the ragged last column: its first output only
        }
        if (++xj == blk.tw) xj = 0, ++yj;
      }
    }
  });
}

}  // namespace convlab
#endif
