#include <algorithm>
#include <cassert>

#include "convlab/kernels.h"
#include "f32_winograd_f4k3_math.h"

namespace convlab {

// F(4x4, 3x3): a 6x6 window per 4x4 output tile, windows overlapping by 2. Rows of the window
// first (e = d B), then its columns (V = B^T e), each through wino4::input6.
void f32_winograd_f4k3_input__scalar(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                     const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 % kGemmNr == 0 && blk.t0 <= ta && ta <= tb && tb <= blk.t1 && wp >= 4 * blk.tw + 2);
  for (int t = ta; t < tb; ++t) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    const float* d = xp + int64_t(4 * (ty - blk.ty0)) * wp + 4 * tx;  // (6, 6) at row stride wp
    float e[6][6];
    for (int r = 0; r < 6; ++r) {
      const float* dr = d + int64_t(r) * wp;
      wino4::input6(e[r], dr[0], dr[1], dr[2], dr[3], dr[4], dr[5]);
    }
    float* dst = v + int64_t((t - blk.t0) / kGemmNr) * panel_stride + (t - blk.t0) % kGemmNr;
    for (int c = 0; c < 6; ++c) {
      float col[6];
      wino4::input6(col, e[0][c], e[1][c], e[2][c], e[3][c], e[4][c], e[5][c]);
      for (int r = 0; r < 6; ++r) dst[(r * 6 + c) * xi_stride] = col[r];
    }
  }
}

// Rows first (f = m A), then columns (Y = A^T f), then the bias; only the outputs inside the
// (h_out, w_out) plane are written (a ragged last tile row or column).
void f32_winograd_f4k3_output__scalar(float* y, int h_out, int w_out, const float* m, int64_t xi_stride, float bias,
                                      const WinogradBlock& blk, int ta, int tb) {
  assert(blk.t0 <= ta && ta <= tb && tb <= blk.t1);
  for (int t = ta; t < tb; ++t) {
    const int ty = t / blk.tw, tx = t % blk.tw;
    const float* mt = m + (t - blk.t0);
    float f[6][4];
    for (int r = 0; r < 6; ++r) {
      const float* mr = mt + r * 6 * xi_stride;
      wino4::output6(f[r], mr[0], mr[xi_stride], mr[2 * xi_stride], mr[3 * xi_stride], mr[4 * xi_stride],
                     mr[5 * xi_stride]);
    }
    const int rows = std::min(4, h_out - 4 * ty), cols = std::min(4, w_out - 4 * tx);
    for (int c = 0; c < cols; ++c) {
      float o[4];
      wino4::output6(o, f[0][c], f[1][c], f[2][c], f[3][c], f[4][c], f[5][c]);
      for (int r = 0; r < rows; ++r) y[int64_t(4 * ty + r) * w_out + 4 * tx + c] = o[r] + bias;
    }
  }
}

}  // namespace convlab
