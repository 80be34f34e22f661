// Winograd F(2x2, 3x3) and F(4x4, 3x3) convolution for inference: 3x3 stride-1 convs in 16
// multiplies per 2x2 output tile instead of 36 (2.25x fewer FLOPs), or 36 per 4x4 tile instead of
// 144 (4x fewer; its transforms have larger entries, so it rounds a little worse). Training keeps the direct path (conv2d_forward):
// this one rounds differently, so the two agree only within a tolerance, not bit for bit.
// reference: Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2015);
// XNNPACK's and NNPACK's F(2x2, 3x3) use the same B^T, G and A^T. This header is the driver; its
// kernels (transforms and the 16-GEMM block) are declared with the others in convlab/kernels.h.
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

// Output tiles per block of F(2x2, 3x3) (a multiple of 2 kGemmNr): the block's V (16, c_in, 32)
// and M (16, c_out, 32) take 96 KB at c_in = 16, c_out = 32. 16 tiles measured 5-10 % slower in
// node, 48 and 64 the same as 32; 32 keeps the scratch small and gives two threads work on one
// small image. F(4x4, 3x3) takes half as many tiles per block (each has 4x the outputs).
constexpr int kWinogradBlockTiles = 32;

// The output tile edge m: 2 for F(2x2, 3x3), 4 for F(4x4, 3x3); the only two there are.
bool winograd_tile_ok(int m);

// k == 3 and stride 1, any padding and output size (a ragged last tile row/column when h_out or
// w_out is not a multiple of m: its missing outputs are not written).
bool conv2d_winograd_applies(const Conv2dShape& s);

// u: ((m + 2)^2, ceil(c_out/4), c_in, 4) = for each xi, U_xi(c_out, c_in) in f32_packa_4 panels,
// zero past c_out. w: (c_out, c_in, 3, 3). Computed in double and rounded once; recompute it
// whenever the weights change.
int64_t conv2d_winograd_weights_size(int c_out, int c_in, int m = 2);
void conv2d_winograd_transform_weights(float* u, const float* w, int c_out, int c_in, int m = 2);

// scratch: conv2d_winograd_scratch_size(s, m) floats for all threads (max_threads() regions of
// the zero-padded image, one block's V and its M); sized once per shape, nothing is allocated in
// the forward.
int64_t conv2d_winograd_scratch_size(const Conv2dShape& s, int m = 2);
// Thread 0's region alone: for a forward run on one thread (conv2d_forward_col_size_one_thread).
int64_t conv2d_winograd_scratch_size_one_thread(const Conv2dShape& s, int m = 2);
// y: (n, c_out, h_out, w_out)  x: (n, c_in, h_in, w_in)  u: transformed for the same m  b: (c_out)
void conv2d_winograd_forward(float* y, float* scratch, const float* x, const float* u, const float* b,
                             const Conv2dShape& s, int m = 2);

// Only output channels [o0, o1) of y (o0 a multiple of kGemmMr; o1 a multiple of it too, or
// c_out), with the same bits as the whole forward gives them: each thread of one image's forward
// computes a group of channels (Model::run_channel_groups), reading only its part of u.
void conv2d_winograd_forward_channels(float* y, float* scratch, const float* x, const float* u, const float* b,
                                      const Conv2dShape& s, int m, int o0, int o1);

// The forward with given kernels (the transforms of tile m) on the calling thread's pool, for
// output channels [o0, o1) (o1 < 0: to c_out): tests run the scalar twins through the whole
// driver and compare bits with the dispatched ones.
void conv2d_winograd_forward_with(WinogradInputKernel in, WinogradOutputKernel out, WinogradGemmKernel gemm, float* y,
                                  float* scratch, const float* x, const float* u, const float* b,
                                  const Conv2dShape& s, int m = 2, int o0 = 0, int o1 = -1);

}  // namespace convlab
