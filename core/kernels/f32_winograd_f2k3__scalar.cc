#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: rows of the tile first (e = d B), then its
// columns (V = B^T e). The wasmsimd twin does these same subtractions and additions, 4 tiles per
// vector lane, so both give the same bits.
void f32_winograd_f2k3_input__scalar(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                     const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 % kGemmNr == 0 && blk.t0 <= ta && ta <= tb && tb <= blk.t1 && wp >= 2 * blk.tw + 2);
  for (int t = ta; t < tb; ++t) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    const float* d = xp + int64_t(2 * (ty - blk.ty0)) * wp + 2 * tx;  // (4, 4) at row stride wp
    float e[4][4];
    for (int r = 0; r < 4; ++r) {
      const float* dr = d + int64_t(r) * wp;
      e[r][0] = dr[0] - dr[2];
      e[r][1] = dr[1] + dr[2];
      e[r][2] = dr[2] - dr[1];
      e[r][3] = dr[1] - dr[3];
    }
    float* dst = v + int64_t((t - blk.t0) / kGemmNr) * panel_stride + (t - blk.t0) % kGemmNr;
    for (int c = 0; c < 4; ++c) {
      dst[(0 * 4 + c) * xi_stride] = e[0][c] - e[2][c];
      dst[(1 * 4 + c) * xi_stride] = e[1][c] + e[2][c];
      dst[(2 * 4 + c) * xi_stride] = e[2][c] - e[1][c];
      dst[(3 * 4 + c) * xi_stride] = e[1][c] - e[3][c];
    }
  }
}

// A^T = [1 1 1 0; 0 1 -1 -1]: rows first (f = m A), then columns (Y = A^T f), then the bias.
void f32_winograd_f2k3_output__scalar(float* y, int h_out, int w_out, const float* m, int64_t xi_stride, float bias,
                                      const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 <= ta && ta <= tb && tb <= blk.t1);
  for (int t = ta; t < tb; ++t) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    const float* mt = m + (t - blk.t0);
    float f[4][2];
    for (int r = 0; r < 4; ++r) {
      const float m0 = mt[(r * 4 + 0) * xi_stride], m1 = mt[(r * 4 + 1) * xi_stride];
      const float m2 = mt[(r * 4 + 2) * xi_stride], m3 = mt[(r * 4 + 3) * xi_stride];
      f[r][0] = m0 + m1 + m2;
      f[r][1] = m1 - m2 - m3;
    }
    // a ragged last tile row/column: its second output row/column lies outside the plane
    const int rows = 2 * ty + 1 < h_out ? 2 : 1, cols = 2 * tx + 1 < w_out ? 2 : 1;
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const float out = r == 0 ? f[0][c] + f[1][c] + f[2][c] : f[1][c] - f[2][c] - f[3][c];
        y[int64_t(2 * ty + r) * w_out + 2 * tx + c] = out + bias;
      }
  }
}

}  // namespace convlab
