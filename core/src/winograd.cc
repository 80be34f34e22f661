// The Winograd F(2x2, 3x3) and F(4x4, 3x3) driver: weight transform, per-block input transform,
// 16 or 36 GEMMs with the packed 4x8 microkernel, output transform. See convlab/winograd.h for
// the algebra.
#include "convlab/threadpool.h"
#include "convlab/winograd.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace convlab {

namespace {

// Elements of a transformed tile: (m + 2)^2 for output tiles of m x m.
int elements(int m) { return (m + 2) * (m + 2); }
// Tiles per block: F(4x4, 3x3) tiles are 4x the outputs of F(2x2, 3x3)'s, so a block of
// kWinogradBlockTiles / 2 keeps V and M about as small (36 elements against 16). One image
// (live prediction) takes blocks of 8 tiles: a 16x16 map is then 2 blocks, one per thread,
// instead of 1 (8 ran 4 % slower than 16 on batches). A block's size never changes a result:
// each output is the same sums whichever block holds its tile.
int block_tiles(int m, int n) {
  if (m == 2) return kWinogradBlockTiles;
  return n == 1 ? kWinogradBlockTiles / 4 : kWinogradBlockTiles / 2;
}
// One cache line between the 16 xi slices of V and of M: at c_out = 32 an M slice is exactly 4 KB,
// and 16 loads 4 KB apart all fall in one L1 set (the output transform ran 2x slower).
constexpr int kSkew = 16;
static_assert(kWinogradBlockTiles % (2 * kGemmNr) == 0, "a block is whole B panels");

// Tiles (th, tw) of m x m outputs; their (m + 2)^2 windows (overlapping by 2) cover the
// zero-padded image (c_in, hp, wp) = (c_in, m th + 2, m tw + 2), which each thread copies once per
// image it visits.
struct Geometry {
  int m, nxi, block, th, tw, tiles, blocks, hp, wp;
  int64_t x_size, v_size, m_size, per_thread;
};
Geometry geometry(const Conv2dShape& s, int m) {
  Geometry g;
  g.m = m, g.nxi = elements(m), g.block = block_tiles(m, s.n);
  g.th = (s.h_out + m - 1) / m, g.tw = (s.w_out + m - 1) / m, g.tiles = g.th * g.tw;
  g.blocks = (g.tiles + g.block - 1) / g.block;
  g.hp = m * g.th + 2, g.wp = m * g.tw + 2;
  g.x_size = round_up(int64_t(s.c_in) * g.hp * g.wp + 4, 4);       // + 4: SIMD reads 2 floats past a row
  g.v_size = g.nxi * (int64_t(s.c_in) * g.block + kSkew);             // (nxi, block / 8, c_in, 8)
  g.m_size = g.nxi * (round_up(s.c_out, kGemmMr) * g.block + kSkew);  // (nxi, c_out rounded to 4, block)
  g.per_thread = g.x_size + g.v_size + g.m_size;
  return g;
}

int64_t u_stride(int c_out, int c_in) { return round_up(c_out, kGemmMr) * c_in; }

}  // namespace

bool conv2d_winograd_applies(const Conv2dShape& s) {
  return s.k == 3 && s.stride == 1 && s.n >= 1 && s.c_in >= 1 && s.c_out >= 1 && s.h_out >= 1 && s.w_out >= 1;
}

bool winograd_tile_ok(int m) { return m == 2 || m == 4; }

int64_t conv2d_winograd_weights_size(int c_out, int c_in, int m) {
  assert(winograd_tile_ok(m));
  return elements(m) * u_stride(c_out, c_in);
}

// U = G g G^T, in double then rounded once: done once per weight change, so the extra precision
// is free. F(2x2, 3x3): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. F(4x4, 3x3):
// G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
void conv2d_winograd_transform_weights(float* u, const float* w, int c_out, int c_in, int m) {
  assert(c_out >= 1 && c_in >= 1 && winograd_tile_ok(m));
  static const double g2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static const double g4[6][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                  {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6},   {0, 0, 1}};
  const int a = m + 2;  // rows of G
  auto G = [&](int r, int c) { return m == 2 ? g2[r][c] : g4[r][c]; };
  const int64_t us = u_stride(c_out, c_in);
  std::fill(u, u + elements(m) * us, 0.0f);  // rows past c_out of the last panel
  for (int o = 0; o < c_out; ++o)
    for (int ci = 0; ci < c_in; ++ci) {
      const float* g = w + (int64_t(o) * c_in + ci) * 9;  // (3, 3)
      double gg[6][3];                                    // G g
      for (int r = 0; r < a; ++r)
        for (int c = 0; c < 3; ++c) gg[r][c] = G(r, 0) * g[c] + G(r, 1) * g[3 + c] + G(r, 2) * g[6 + c];
      for (int r = 0; r < a; ++r)
        for (int c = 0; c < a; ++c) {  // (G g) G^T
          const double v = gg[r][0] * G(c, 0) + gg[r][1] * G(c, 1) + gg[r][2] * G(c, 2);
          u[(r * a + c) * us + (o / kGemmMr) * kGemmMr * c_in + ci * kGemmMr + o % kGemmMr] = float(v);
        }
    }
}

int64_t conv2d_winograd_scratch_size(const Conv2dShape& s, int m) { return geometry(s, m).per_thread * max_threads(); }
int64_t conv2d_winograd_scratch_size_one_thread(const Conv2dShape& s, int m) { return geometry(s, m).per_thread; }

void conv2d_winograd_forward(float* y, float* scratch, const float* x, const float* u, const float* b,
                             const Conv2dShape& s, int m) {
  conv2d_winograd_forward_channels(y, scratch, x, u, b, s, m, 0, s.c_out);
}

void conv2d_winograd_forward_channels(float* y, float* scratch, const float* x, const float* u, const float* b,
                                      const Conv2dShape& s, int m, int o0, int o1) {
  if (m == 4)
    conv2d_winograd_forward_with(f32_winograd_f4k3_input_best(), f32_winograd_f4k3_output_best(),
                                 f32_winograd_gemm_4x8_best(), y, scratch, x, u, b, s, 4, o0, o1);
  else
    conv2d_winograd_forward_with(f32_winograd_f2k3_input_best(), f32_winograd_f2k3_output_best(),
                                 f32_winograd_gemm_4x8_best(), y, scratch, x, u, b, s, 2, o0, o1);
}

// Work items are (image, block of g.block tiles): threads take contiguous runs of them, and each
// output is computed by exactly the same operations whichever thread takes its block. A channel
// range runs the GEMMs on its own panels of u only (the microkernel computes each output row
// alone, so a row's sums do not depend on the panels beside it) and transforms only its rows of
// M; the input transform is the whole block's whatever the range.
void conv2d_winograd_forward_with(WinogradInputKernel in, WinogradOutputKernel out, WinogradGemmKernel gemm, float* y,
                                  float* scratch, const float* x, const float* u, const float* b,
                                  const Conv2dShape& s, int m, int o0, int o1) {
  if (o1 < 0) o1 = s.c_out;
  assert(conv2d_winograd_applies(s) && winograd_tile_ok(m) && y && scratch && x && u && b);
  assert(0 <= o0 && o0 < o1 && o1 <= s.c_out && o0 % kGemmMr == 0 && (o1 % kGemmMr == 0 || o1 == s.c_out));
  const Geometry g = geometry(s, m);
  const int block = g.block;
  const int64_t us = u_stride(s.c_out, s.c_in), hw = int64_t(s.h_out) * s.w_out;
  const int64_t v_xi = int64_t(s.c_in) * block + kSkew, v_panel = int64_t(s.c_in) * kGemmNr;
  const int np = int(round_up(o1 - o0, kGemmMr) / kGemmMr);  // the range's panels of u and M
  const float* ur = u + int64_t(o0) * s.c_in;                 // its first panel in each U_xi
  const int64_t m_xi = int64_t(np) * kGemmMr * block + kSkew;
  const int64_t plane = int64_t(g.hp) * g.wp;
  parallel_for(s.n * g.blocks, [&](int begin, int end, int thread) {
    float* xpad = scratch + thread * g.per_thread;  // (c_in, hp, wp): the zero-padded image
    float* v = xpad + g.x_size;                     // (nxi, block / 8, c_in, 8)
    float* mm = v + g.v_size;                       // (nxi, 4 np, block)
    int padded = -1;                                // the image xpad holds
    for (int item = begin; item < end; ++item) {
      const int i = item / g.blocks, t0 = item % g.blocks * block, t1 = std::min(g.tiles, t0 + block);
      const WinogradBlock blk{g.tw, t0, t1, 0};
      const int nt = t1 - t0, nq = (nt + kGemmNr - 1) / kGemmNr;
      if (padded != i) {
        // pad only the rows this thread's blocks of image i read (one image split over two threads
        // pads each half once); rows/columns past h_in/w_in stay zero: the reference's padding
        const int last = std::min(end, (i + 1) * g.blocks) - 1;  // this thread's last block of image i
        const int last_tile = std::min(g.tiles, (last % g.blocks + 1) * block) - 1;
        const int r0 = m * (t0 / g.tw), r1 = m * (last_tile / g.tw) + m + 2;  // padded rows [r0, r1)
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
        for (int xi = 0; xi < g.nxi; ++xi)
          for (int ci = 0; ci < s.c_in; ++ci) {
            float* col = v + xi * v_xi + (nt / kGemmNr) * v_panel + ci * kGemmNr;
            std::fill(col + nt % kGemmNr, col + kGemmNr, 0.0f);
          }
      gemm(g.nxi, np, nq, s.c_in, ur, us, v, v_xi, mm, m_xi, block);
      float* yi = y + int64_t(i) * s.c_out * hw;
      for (int o = o0; o < o1; ++o)
        out(yi + o * hw, s.h_out, s.w_out, mm + int64_t(o - o0) * block, m_xi, b[o], blk, t0, t1);
    }
  });
}

}  // namespace convlab
