// The Winograd F(2x2, 3x3) driver: weight transform, per-block input transform, 16 GEMMs with
// the packed 4x8 microkernel, output transform. See convlab/winograd.h for the algebra.
#include "convlab/threadpool.h"
#include "convlab/winograd.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace convlab {

namespace {

constexpr int kXi = 16;                   // elements of a 4x4 transformed tile
constexpr int kBlock = kWinogradBlockTiles;
// One cache line between the 16 xi slices of V and of M: at c_out = 32 an M slice is exactly 4 KB,
// and 16 loads 4 KB apart all fall in one L1 set (the output transform ran 2x slower).
constexpr int kSkew = 16;
static_assert(kBlock % kGemmNr == 0, "a block is whole B panels");

// Tiles (th, tw) of 2x2 outputs; their 4x4 windows (overlapping by 2) cover the zero-padded image
// (c_in, hp, wp) = (c_in, 2 th + 2, 2 tw + 2), which each thread copies once per image it visits.
struct Geometry {
  int th, tw, tiles, blocks, hp, wp;
  int64_t x_size, v_size, m_size, per_thread;
};
Geometry geometry(const Conv2dShape& s) {
  Geometry g;
  g.th = (s.h_out + 1) / 2, g.tw = (s.w_out + 1) / 2, g.tiles = g.th * g.tw;
  g.blocks = (g.tiles + kBlock - 1) / kBlock;
  g.hp = 2 * g.th + 2, g.wp = 2 * g.tw + 2;
  g.x_size = round_up(int64_t(s.c_in) * g.hp * g.wp + 4, 4);       // + 4: SIMD reads 2 floats past a row
  g.v_size = kXi * (int64_t(s.c_in) * kBlock + kSkew);                       // (16, kBlock / 8, c_in, 8)
  g.m_size = kXi * (round_up(s.c_out, kGemmMr) * kBlock + kSkew);            // (16, c_out rounded to 4, kBlock)
  g.per_thread = g.x_size + g.v_size + g.m_size;
  return g;
}

int64_t u_stride(int c_out, int c_in) { return round_up(c_out, kGemmMr) * c_in; }

}  // namespace

bool conv2d_winograd_applies(const Conv2dShape& s) {
  return s.k == 3 && s.stride == 1 && s.n >= 1 && s.c_in >= 1 && s.c_out >= 1 && s.h_out >= 1 && s.w_out >= 1;
}

int64_t conv2d_winograd_weights_size(int c_out, int c_in) { return kXi * u_stride(c_out, c_in); }

// U = G g G^T with G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], in double then rounded once:
// done once per weight change, so the extra precision is free.
void conv2d_winograd_transform_weights(float* u, const float* w, int c_out, int c_in) {
  assert(c_out >= 1 && c_in >= 1);
  const int64_t us = u_stride(c_out, c_in);
  std::fill(u, u + kXi * us, 0.0f);  // rows past c_out of the last panel
  for (int o = 0; o < c_out; ++o)
    for (int ci = 0; ci < c_in; ++ci) {
      const float* g = w + (int64_t(o) * c_in + ci) * 9;  // (3, 3)
      double gg[4][3];                                    // G g
      for (int c = 0; c < 3; ++c) {
        const double g0 = g[c], g1 = g[3 + c], g2 = g[6 + c];
        gg[0][c] = g0, gg[1][c] = 0.5 * (g0 + g1 + g2), gg[2][c] = 0.5 * (g0 - g1 + g2), gg[3][c] = g2;
      }
      for (int r = 0; r < 4; ++r) {
        const double g0 = gg[r][0], g1 = gg[r][1], g2 = gg[r][2];
        const double row[4] = {g0, 0.5 * (g0 + g1 + g2), 0.5 * (g0 - g1 + g2), g2};  // (G g) G^T
        for (int c = 0; c < 4; ++c)
          u[(r * 4 + c) * us + (o / kGemmMr) * kGemmMr * c_in + ci * kGemmMr + o % kGemmMr] = float(row[c]);
      }
    }
}

int64_t conv2d_winograd_scratch_size(const Conv2dShape& s) { return geometry(s).per_thread * max_threads(); }
int64_t conv2d_winograd_scratch_size_one_thread(const Conv2dShape& s) { return geometry(s).per_thread; }

void conv2d_winograd_forward(float* y, float* scratch, const float* x, const float* u, const float* b,
                             const Conv2dShape& s) {
  conv2d_winograd_forward_with(f32_winograd_f2k3_input_best(), f32_winograd_f2k3_output_best(),
                               f32_winograd_gemm_4x8_best(), y, scratch, x, u, b, s);
}

// Work items are (image, block of kBlock tiles): threads take contiguous runs of them, and each
// output is computed by exactly the same operations whichever thread takes its block.
void conv2d_winograd_forward_with(WinogradInputKernel in, WinogradOutputKernel out, WinogradGemmKernel gemm, float* y,
                                  float* scratch, const float* x, const float* u, const float* b,
                                  const Conv2dShape& s) {
  assert(conv2d_winograd_applies(s) && y && scratch && x && u && b);
  const Geometry g = geometry(s);
  const int64_t us = u_stride(s.c_out, s.c_in), hw = int64_t(s.h_out) * s.w_out;
  const int64_t v_xi = int64_t(s.c_in) * kBlock + kSkew, v_panel = int64_t(s.c_in) * kGemmNr;
  const int np = int(round_up(s.c_out, kGemmMr) / kGemmMr);
  const int64_t m_xi = int64_t(np) * kGemmMr * kBlock + kSkew;
  const int64_t plane = int64_t(g.hp) * g.wp;
  parallel_for(s.n * g.blocks, [&](int begin, int end, int thread) {
    float* xpad = scratch + thread * g.per_thread;  // (c_in, hp, wp): the zero-padded image
    float* v = xpad + g.x_size;                     // (16, kBlock / 8, c_in, 8)
    float* m = v + g.v_size;                        // (16, 4 np, kBlock)
    int padded = -1;                                // the image xpad holds
    for (int item = begin; item < end; ++item) {
      const int i = item / g.blocks, t0 = item % g.blocks * kBlock, t1 = std::min(g.tiles, t0 + kBlock);
      const WinogradBlock blk{g.tw, t0, t1, 0};
      const int nt = t1 - t0, nq = (nt + kGemmNr - 1) / kGemmNr;
      if (padded != i) {
        // pad only the rows this thread's blocks of image i read (one image split over two threads
        // pads each half once); rows/columns past h_in/w_in stay zero: the reference's padding
        const int last = std::min(end, (i + 1) * g.blocks) - 1;  // this thread's last block of image i
        const int last_tile = std::min(g.tiles, (last % g.blocks + 1) * kBlock) - 1;
        const int r0 = 2 * (t0 / g.tw), r1 = 2 * (last_tile / g.tw) + 4;  // padded rows [r0, r1)
        const float* ximg = x + int64_t(i) * s.c_in * s.h_in * s.w_in;
        for (int ci = 0; ci < s.c_in; ++ci)
          std::fill(xpad + ci * plane + int64_t(r0) * g.wp, xpad + ci * plane + int64_t(r1) * g.wp, 0.0f);
        std::fill(xpad + s.c_in * plane, xpad + g.x_size, 0.0f);  // the slack SIMD loads may touch
        const int ix0 = std::max(0, -s.pad_left), ix1 = std::min(s.w_in, g.wp - s.pad_left);
        const int iy0 = std::max(r0 - s.pad_top, 0), iy1 = std::min(s.h_in, r1 - s.pad_top);
        for (int ci = 0; ci < s.c_in && ix0 < ix1; ++ci)
          for (int iy = iy0; iy < iy1; ++iy)
            std::memcpy(xpad + ci * plane + int64_t(iy + s.pad_top) * g.wp + ix0 + s.pad_left,
                        ximg + (int64_t(ci) * s.h_in + iy) * s.w_in + ix0, sizeof(float) * size_t(ix1 - ix0));
        padded = i;
      }
      for (int ci = 0; ci < s.c_in; ++ci) in(v + ci * kGemmNr, v_xi, v_panel, xpad + ci * plane, g.wp, blk, t0, t1);
      // columns past the last tile of a partial panel: zeros, so the microkernel reads defined values
      if (nt % kGemmNr)
        for (int xi = 0; xi < kXi; ++xi)
          for (int ci = 0; ci < s.c_in; ++ci) {
            float* col = v + xi * v_xi + (nt / kGemmNr) * v_panel + ci * kGemmNr;
            std::fill(col + nt % kGemmNr, col + kGemmNr, 0.0f);
          }
      gemm(np, nq, s.c_in, u, us, v, v_xi, m, m_xi, kBlock);
      float* yi = y + int64_t(i) * s.c_out * hw;
      for (int o = 0; o < s.c_out; ++o)
        out(yi + o * hw, s.h_out, s.w_out, m + int64_t(o) * kBlock, m_xi, b[o], blk, t0, t1);
    }
  });
}

}  // namespace convlab
