#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <algorithm>
#include <cassert>

#include "convlab/kernels.h"
#include "f32_winograd_groups__wasmsimd.h"
#include "f32_winograd_f4k3_math.h"

namespace convlab {

// 4 consecutive tiles per vector (lane j = tile t + j), starting at a multiple of 4 tiles from the
// block start, as in the F(2x2, 3x3) kernels: their V columns are 4 neighbouring floats of one
// panel and their M columns 4 neighbouring floats of a row. The arithmetic is wino4's, shared
// with the scalar twin; only the last < 4 tiles of a range go through the twin.
using simd::for_tile_groups;
using simd::transpose4;

void f32_winograd_f4k3_input__wasmsimd(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                       const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 % kGemmNr == 0 && blk.t0 <= ta && ta <= tb && tb <= blk.t1 && wp >= 4 * blk.tw + 2);
  const auto one = [&](int t) { f32_winograd_f4k3_input__scalar(v, xi_stride, panel_stride, xp, wp, blk, t, t + 1); };
  for_tile_groups(blk.t0, ta, tb, one, [&](int t) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    v128_t e[6][6];  // e[r][c], lane j: row r, column c of tile t + j's e = d B
    for (int r = 0; r < 6; ++r) {
      v128_t d0, d1, d2, d3, d4, d5;  // columns 0..5 of row r of the 4 tiles' windows
      if (tx + 4 <= blk.tw) {
        // one tile row: tile j's column c is float 4 j + c of the 18 from 4 tx (20 loaded)
        const float* dr = xp + int64_t(4 * (ty - blk.ty0) + r) * wp + 4 * tx;
        d0 = wasm_v128_load(dr), d1 = wasm_v128_load(dr + 4), d2 = wasm_v128_load(dr + 8);
        d3 = wasm_v128_load(dr + 12);
        const v128_t l4 = wasm_v128_load(dr + 16);
        transpose4(d0, d1, d2, d3);
        d4 = wasm_i32x4_shuffle(d0, l4, 1, 2, 3, 4), d5 = wasm_i32x4_shuffle(d1, l4, 1, 2, 3, 5);
      } else {
        // the group wraps to the next tile row: each tile's 6 columns from its own row start
        v128_t lo[4], hi[4];
        for (int j = 0; j < 4; ++j) {
          const int tj = t + j, yj = tj / blk.tw, xj = tj % blk.tw;
          const float* p = xp + int64_t(4 * (yj - blk.ty0) + r) * wp + 4 * xj;
          lo[j] = wasm_v128_load(p), hi[j] = wasm_v128_load(p + 4);
        }
        d0 = lo[0], d1 = lo[1], d2 = lo[2], d3 = lo[3];
        transpose4(d0, d1, d2, d3);
        const v128_t h01 = wasm_i32x4_shuffle(hi[0], hi[1], 0, 4, 1, 5);
        const v128_t h23 = wasm_i32x4_shuffle(hi[2], hi[3], 0, 4, 1, 5);
        d4 = wasm_i32x4_shuffle(h01, h23, 0, 1, 4, 5), d5 = wasm_i32x4_shuffle(h01, h23, 2, 3, 6, 7);
      }
      wino4::input6(e[r], d0, d1, d2, d3, d4, d5);
    }
    float* dst = v + int64_t((t - blk.t0) / kGemmNr) * panel_stride + (t - blk.t0) % kGemmNr;
    for (int c = 0; c < 6; ++c) {
      v128_t col[6];
      wino4::input6(col, e[0][c], e[1][c], e[2][c], e[3][c], e[4][c], e[5][c]);
      for (int r = 0; r < 6; ++r) wasm_v128_store(dst + (r * 6 + c) * xi_stride, col[r]);
    }
  });
}

void f32_winograd_f4k3_output__wasmsimd(float* y, int h_out, int w_out, const float* m, int64_t xi_stride,
                                        float bias, const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 <= ta && ta <= tb && tb <= blk.t1);
  const v128_t vb = wasm_f32x4_splat(bias);
  const auto one = [&](int t) { f32_winograd_f4k3_output__scalar(y, h_out, w_out, m, xi_stride, bias, blk, t, t + 1); };
  for_tile_groups(blk.t0, ta, tb, one, [&](int t) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    const float* mt = m + (t - blk.t0);
    v128_t f[6][4];
    for (int r = 0; r < 6; ++r) {
      const float* mr = mt + r * 6 * xi_stride;
      wino4::output6(f[r], wasm_v128_load(mr), wasm_v128_load(mr + xi_stride), wasm_v128_load(mr + 2 * xi_stride),
                     wasm_v128_load(mr + 3 * xi_stride), wasm_v128_load(mr + 4 * xi_stride),
                     wasm_v128_load(mr + 5 * xi_stride));
    }
    v128_t out[4][4];  // out[c][r], lane j: output row r, column c of tile t + j, bias added
    for (int c = 0; c < 4; ++c) {
      wino4::output6(out[c], f[0][c], f[1][c], f[2][c], f[3][c], f[4][c], f[5][c]);
      for (int r = 0; r < 4; ++r) out[c][r] = wasm_f32x4_add(out[c][r], vb);
    }
    // per output row r: transpose the 4 columns so that vector j holds tile j's 4 outputs
    for (int r = 0; r < 4; ++r) {
      v128_t q0 = out[0][r], q1 = out[1][r], q2 = out[2][r], q3 = out[3][r];
      transpose4(q0, q1, q2, q3);
      const v128_t q[4] = {q0, q1, q2, q3};
      if (tx + 4 <= blk.tw && 4 * tx + 16 <= w_out) {
        // one tile row, every column inside the plane: 16 neighbouring floats
        if (4 * ty + r >= h_out) break;
        float* yr = y + int64_t(4 * ty + r) * w_out + 4 * tx;
        for (int j = 0; j < 4; ++j) wasm_v128_store(yr + 4 * j, q[j]);
      } else {
        // wrapping or ragged: tile by tile, only what lies inside the plane
        for (int j = 0, yj = ty, xj = tx; j < 4; ++j) {
          if (4 * yj + r < h_out) {
            float* yp = y + int64_t(4 * yj + r) * w_out + 4 * xj;
            const int cols = std::min(4, w_out - 4 * xj);
            if (cols == 4) {
              wasm_v128_store(yp, q[j]);
            } else {
              alignas(16) float s[4];
              wasm_v128_store(s, q[j]);
              for (int c = 0; c < cols; ++c) yp[c] = s[c];
            }
          }
          if (++xj == blk.tw) xj = 0, ++yj;
        }
      }
    }
  });
}

}  // namespace convlab
#endif
