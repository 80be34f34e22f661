// Winograd F(2x2, 3x3) convolution for inference: 3x3 stride-1 convs in 16 multiplies per 2x2
// output tile instead of 36 (2.25x fewer FLOPs). Training keeps the direct path (conv2d_forward):
// this one rounds differently, so the two agree only within a tolerance, not bit for bit.
// reference: Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2015);
// XNNPACK's and NNPACK's F(2x2, 3x3) use the same B^T, G and A^T.
//
//   Y = A^T [ sum_ci (G g G^T) (.) (B^T d B) ] A   per 4x4 input tile d and 2x2 output tile Y
//
// The (.) over channels is 16 GEMMs, one per tile element xi = 4 * row + col:
//   M_xi(c_out, tiles) = U_xi(c_out, c_in) · V_xi(c_in, tiles)
// run by f32_winograd_gemm_4x8 (f32_gemm_4x8's arithmetic, all 16 GEMMs of a block in one call):
// U is stored as f32_packa_4 panels, V is written by the input transform straight into 8-column
// B panels. Tiles are processed in blocks of
// kWinogradBlockTiles (V and M of one block stay in cache); blocks of every image are the
// units threads take, so the result never depends on the thread count.
#pragma once
#include <cstdint>

#include "convlab/kernels.h"

namespace convlab {

// Output tiles per block (a multiple of kGemmNr): the block's V (16, c_in, 32) and M (16, c_out, 32)
// take 96 KB at c_in = 16, c_out = 32. 16 tiles measured 5-10 % slower in node, 48 and 64 the
// same as 32; 32 keeps the scratch small and gives two threads work on one small image.
constexpr int kWinogradBlockTiles = 32;

// k == 3 and stride 1, any padding and output size (a ragged last tile row/column when h_out or
// w_out is odd: its missing outputs are not written).
bool conv2d_winograd_applies(const Conv2dShape& s);

// u: (16, ceil(c_out/4), c_in, 4) = for each xi, U_xi(c_out, c_in) in f32_packa_4 panels, zero
// past c_out. w: (c_out, c_in, 3, 3). Computed in double and rounded once; recompute it whenever
// the weights change.
int64_t conv2d_winograd_weights_size(int c_out, int c_in);
void conv2d_winograd_transform_weights(float* u, const float* w, int c_out, int c_in);

// scratch: conv2d_winograd_scratch_size(s) floats for all threads (max_threads() regions of the
// zero-padded image, one block's V and its M); sized once per shape, nothing is allocated in
// the forward.
int64_t conv2d_winograd_scratch_size(const Conv2dShape& s);
// y: (n, c_out, h_out, w_out)  x: (n, c_in, h_in, w_in)  u: see above  b: (c_out)
void conv2d_winograd_forward(float* y, float* scratch, const float* x, const float* u, const float* b,
                             const Conv2dShape& s);

// ---- the transform kernels (scalar twins and wasmsimd, bit-identical) ----
// A block: tiles [t0, t1) of one image in row-major tile order over (th, tw) = (ceil(h_out/2),
// ceil(w_out/2)), t0 a multiple of kGemmNr. The kernels' xp starts at padded row 2 * ty0 (the
// driver pads whole images: ty0 = 0).
struct WinogradBlock {
  int tw, t0, t1, ty0;
};

// Input transform of tiles [ta, tb) of the block, one channel: V = B^T d B of the 4x4 tile d at
// padded rows 2 (ty - ty0) .. +3, columns 2 tx .. +3 of xp (rows of wp floats, wp >= 2 tw + 2,
// readable up to 4 floats past the last row: SIMD loads 12 floats for 4 tiles). Element xi of
// tile t goes to v[xi * xi_stride + ((t - t0) / 8) * panel_stride + (t - t0) % 8] (v points at the
// channel's row in the first panel). Order: rows first (e = d B), then columns (V = B^T e).
void f32_winograd_f2k3_input__scalar(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                     const WinogradBlock& blk, int ta, int tb);
// Output transform of tiles [ta, tb), one output channel: Y = A^T m A + bias, where element xi of
// tile t's m is m[xi * xi_stride + t - t0]; writes the 2x2 outputs that lie inside the (h_out,
// w_out) plane y. Order: rows first (f = m A, each a left-to-right sum), then columns, then bias.
void f32_winograd_f2k3_output__scalar(float* y, int h_out, int w_out, const float* m, int64_t xi_stride, float bias,
                                      const WinogradBlock& blk, int ta, int tb);
// The 16 GEMMs of a block: for xi < 16, M_xi(4 np, 8 nq) = U_xi · V_xi, U_xi in np f32_packa_4
// panels of (k, 4) at u + xi * u_xi, V_xi in nq 8-column panels of (k, 8) at v + xi * v_xi, M_xi
// rows of ldc floats at m + xi * m_xi. Whole 4x8 tiles only (M is scratch with room for them),
// each element a sum over k from 0.0f in increasing k, as f32_gemm_4x8 gives: one call per block
// instead of 16 np nq indirect microkernel calls (the forward ran 11-33 % faster without them:
// at k = c_in = 16 a call does little work).
void f32_winograd_gemm_4x8__scalar(int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                   int64_t v_xi, float* m, int64_t m_xi, int ldc);
#ifdef __wasm_simd128__
void f32_winograd_gemm_4x8__wasmsimd(int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                     int64_t v_xi, float* m, int64_t m_xi, int ldc);
void f32_winograd_f2k3_input__wasmsimd(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                       const WinogradBlock& blk, int ta, int tb);
void f32_winograd_f2k3_output__wasmsimd(float* y, int h_out, int w_out, const float* m, int64_t xi_stride,
                                        float bias, const WinogradBlock& blk, int ta, int tb);
#endif
using WinogradInputKernel = void (*)(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                     const WinogradBlock& blk, int ta, int tb);
using WinogradOutputKernel = void (*)(float* y, int h_out, int w_out, const float* m, int64_t xi_stride, float bias,
                                      const WinogradBlock& blk, int ta, int tb);
using WinogradGemmKernel = void (*)(int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                    int64_t v_xi, float* m, int64_t m_xi, int ldc);
// This build's fastest twins (wasmsimd where built).
WinogradInputKernel f32_winograd_f2k3_input_best();
WinogradOutputKernel f32_winograd_f2k3_output_best();
WinogradGemmKernel f32_winograd_gemm_4x8_best();

// The forward with given kernels on the calling thread's pool: tests run the scalar twins through
// the whole driver and compare bits with the dispatched ones.
void conv2d_winograd_forward_with(WinogradInputKernel in, WinogradOutputKernel out, WinogradGemmKernel gemm, float* y,
                                  float* scratch, const float* x, const float* u, const float* b,
                                  const Conv2dShape& s);

}  // namespace convlab
