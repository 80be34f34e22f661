// The hot kernels, behind one seam: every kernel declaration (core/kernels/, one file per
// function). The GEMM driver that tiles them is convlab/gemm.h, the thread pool the drivers
// and layers split work over is convlab/threadpool.h. Every fast kernel keeps a scalar twin with
// the same name grammar (XNNPACK's: datatype_op_tile__arch) that tests compare it against, bit for
// bit. Dispatch is one mechanism: f32_<op>_best() returns this build's kernel as a function
// pointer (core/kernels/dispatch.cc), and drivers take kernels as pointers so tests can run the
// scalar twins through them.
//
// Determinism contract (it is what makes 1 vs 2 threads, scalar vs SIMD and native vs wasm
// bit-identical): each output element of a GEMM is a single sum over k taken in increasing k
// from 0.0f, then added to C when accumulating; multiplies and adds stay separate (no FMA,
// -ffp-contract=off, no relaxed SIMD). SIMD tiles over m and n only; threads split m, n or
// independent images, and per-image partial results are reduced in image order.
#pragma once
#include <cstddef>
#include <cstdint>

#include "convlab/shapes.h"

namespace convlab {

// C(M,N) = op(A)(M,K) · op(B)(K,N)  (+ C when accumulate).
// op(A) = A (row-major, lda) or A^T when trans_a (A stored K x M); same for B.
// pack: scratch of f32_gemm_pack_size(m, n, k) floats for the packed operands, or null
// (then f32_gemm allocates one: fine for tests, not for a training step).
struct GemmArgs {
  int m, n, k;
  const float* a; int lda; bool trans_a;
  const float* b; int ldb; bool trans_b;
  float* c; int ldc;
  bool accumulate;
  float* pack = nullptr;
  // op(B) already in its 8-column panels (f32_packb_8's layout; b is then unused): weights
  // packed once and reused by many products.
  const float* packed_b = nullptr;
};

// The plain triple loop: the algorithmic reference every tiled GEMM is tested against.
void f32_gemm__scalar(const GemmArgs& g);

// ---- the packed, register-tiled GEMM family (tile 4 rows x 8 columns) ----
// Packed A: ceil(m/4) panels of (k, 4): panel P holds A(4P + r, p) at [p*4 + r], zero for rows
// past m. Packed B: ceil(n/8) panels of (k, 8): panel Q holds B(p, 8Q + c) at [p*8 + c], zero
// past n. The zero padding lets the microkernel run whole tiles with no branch in its k loop.
constexpr int kGemmMr = 4, kGemmNr = 8;
inline int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }
int64_t f32_gemm_pack_size(int m, int n, int k);
// Packs rows [4*p0, 4*p1) of op(A) into panels p0..p1-1 (pa points at panel p0).
void f32_packa_4__scalar(float* pa, const float* a, int lda, bool trans_a, int m, int k, int p0, int p1);
// Packs columns [8*q0, 8*q1) of op(B) into panels q0..q1-1 (pb points at panel q0).
void f32_packb_8__scalar(float* pb, const float* b, int ldb, bool trans_b, int k, int n, int q0, int q1);

// One tile: C(mr, nr) (+)= packed A panel (k, 4) · packed B panel (k, 8), mr <= 4, nr <= 8.
using GemmMicrokernel = void (*)(int mr, int nr, int k, const float* pa, const float* pb, float* c, int ldc,
                                 bool accumulate);
void f32_gemm_4x8__scalar(int mr, int nr, int k, const float* pa, const float* pb, float* c, int ldc,
                          bool accumulate);
#ifdef __wasm_simd128__
void f32_gemm_4x8__wasmsimd(int mr, int nr, int k, const float* pa, const float* pb, float* c, int ldc,
                            bool accumulate);
#endif
// This build's fastest microkernel (wasmsimd where built, else the scalar twin).
GemmMicrokernel f32_gemm_4x8_best();

// One row times packed B: c(1, 8*q0 .. min(n, 8*q1)) (+)= a(1, k) · panels q0..q1-1 of packed B.
// Each column is the sum the 4x8 tile gives its row 0 (from 0.0f, one product per k in
// increasing k, then + c when accumulating), so a one-image linear layer gets the tile's bits
// without its three zero rows (a quarter of the work). a: k contiguous floats.
using GemvKernel = void (*)(int n, int k, const float* a, const float* pb, float* c, bool accumulate, int q0, int q1);
void f32_gemv_1x8__scalar(int n, int k, const float* a, const float* pb, float* c, bool accumulate, int q0, int q1);
#ifdef __wasm_simd128__
void f32_gemv_1x8__wasmsimd(int n, int k, const float* a, const float* pb, float* c, bool accumulate, int q0, int q1);
#endif
GemvKernel f32_gemv_1x8_best();

// The same tile with B read in place: row p of B is the 8 floats at b + koff[p] (no packing).
// A stride-1 convolution reads its zero-padded input this way, with no im2col.
using IgemmMicrokernel = void (*)(int mr, int nr, int k, const float* pa, const float* b, const int32_t* koff,
                                  float* c, int ldc, bool accumulate);
void f32_igemm_4x8__scalar(int mr, int nr, int k, const float* pa, const float* b, const int32_t* koff, float* c,
                           int ldc, bool accumulate);
#ifdef __wasm_simd128__
void f32_igemm_4x8__wasmsimd(int mr, int nr, int k, const float* pa, const float* b, const int32_t* koff, float* c,
                             int ldc, bool accumulate);
#endif
IgemmMicrokernel f32_igemm_4x8_best();

// ---- convolution data movement ----
// im2col for one image: col(c_in*k*k, h_out*w_out) from x(c_in, h_in, w_in), zero padding.
void f32_im2col__scalar(float* col, const float* x, const Conv2dShape& s);
// col2im, accumulating: dx(c_in, h_in, w_in) += scatter of dcol.
void f32_col2im__scalar(float* dx, const float* dcol, const Conv2dShape& s);
// im2col straight into packed-B panels q0..q1-1 (8 output positions each, zero past h_out*w_out):
// the same values f32_packb_8 would make of f32_im2col's col, without the intermediate.
void f32_im2col_packb8__scalar(float* pb, const float* x, const Conv2dShape& s, int q0, int q1);

// The output columns ox in [lo, hi) whose tap kx lands inside the input row
// (0 <= ox*s + kx - pad_left < w_in): im2col kernels split each row there.
struct Conv2dColRange {
  int lo, hi;
};
Conv2dColRange conv2d_inside_columns(const Conv2dShape& s, int kx);
// im2col transposed straight into packed-B panels for the weight gradient dW = dY · col^T:
// panel Q (hw, 8) holds col(8Q + c, p) at [p*8 + c], zero for rows 8Q + c >= c_in*k*k; panels
// 0 .. ceil(c_in*k*k / 8) - 1. The same values f32_packb_8(trans) makes of f32_im2col's col,
// without writing col (it is the largest buffer of a training step).
void f32_im2col_packb8t__scalar(float* pb, const float* x, const Conv2dShape& s);
#ifdef __wasm_simd128__
// scratch: f32_im2col_packb8t_scratch_size(s) floats (the zero-padded image, at stride 1).
void f32_im2col_packb8t__wasmsimd(float* pb, float* scratch, const float* x, const Conv2dShape& s);
#endif
// This build's kernel: the SIMD one where built; natively im2col into scratch and the transposing
// pack (g++ vectorises those two, not the twin's stride-8 stores). The scratch size is at least
// c_in*k*k*h_out*w_out, so a caller may reuse the scratch as a col buffer.
using Im2colPackb8tKernel = void (*)(float* pb, float* scratch, const float* x, const Conv2dShape& s);
int64_t f32_im2col_packb8t_scratch_size(const Conv2dShape& s);
Im2colPackb8tKernel f32_im2col_packb8t_best();

// ---- elementwise and pooling kernels ----
// y = x / 255: stored image bytes to the network's input floats in [0, 1] (torchvision's ToTensor).
void f32_u8_unit__scalar(float* y, const uint8_t* x, int64_t n);
// y = x > 0 ? x : 0 (NaN and -0 give +0, like the scalar comparison).
void f32_relu__scalar(float* y, const float* x, int64_t n);
// dx = y > 0 ? dy : 0
void f32_relu_grad__scalar(float* dx, const float* dy, const float* y, int64_t n);
// 2x2 max pool, stride 2, no padding, over `planes` planes of (h_in, w_in) -> (h_in/2, w_in/2),
// with the argmax index into the input plane; first maximum wins, a NaN always wins (PyTorch).
void f32_maxpool_2x2__scalar(float* y, int32_t* argmax, const float* x, int64_t planes, int h_in, int w_in);
// Inference's relu then 2x2 max pool in one pass, with neither the relu map nor the argmax
// written: the same bits as f32_relu then f32_maxpool_2x2.
void f32_relu_maxpool_2x2__scalar(float* y, const float* x, int64_t planes, int h_in, int w_in);
// 2x2 average pool, stride 2, no padding: y = sum of the window in scan order, times 0.25;
// its gradient writes dy * 0.25 into every tap (windows do not overlap).
void f32_avgpool_2x2__scalar(float* y, const float* x, int64_t planes, int h_in, int w_in);
void f32_avgpool_2x2_grad__scalar(float* dx, const float* dy, int64_t planes, int h_in, int w_in);
#ifdef __wasm_simd128__
void f32_avgpool_2x2__wasmsimd(float* y, const float* x, int64_t planes, int h_in, int w_in);
void f32_avgpool_2x2_grad__wasmsimd(float* dx, const float* dy, int64_t planes, int h_in, int w_in);
void f32_u8_unit__wasmsimd(float* y, const uint8_t* x, int64_t n);
void f32_relu__wasmsimd(float* y, const float* x, int64_t n);
void f32_relu_grad__wasmsimd(float* dx, const float* dy, const float* y, int64_t n);
void f32_maxpool_2x2__wasmsimd(float* y, int32_t* argmax, const float* x, int64_t planes, int h_in, int w_in);
void f32_relu_maxpool_2x2__wasmsimd(float* y, const float* x, int64_t planes, int h_in, int w_in);
#endif
// Whether this build has the wasmsimd kernels (a compile-time property of the module).
#ifdef __wasm_simd128__
inline constexpr bool kBuiltWithSimd = true;
#else
inline constexpr bool kBuiltWithSimd = false;
#endif
// This build's kernels (wasmsimd where built, else the scalar twins); the layers split the
// planes or elements over the threads.
using U8UnitKernel = void (*)(float* y, const uint8_t* x, int64_t n);
using ReluKernel = void (*)(float* y, const float* x, int64_t n);
using ReluGradKernel = void (*)(float* dx, const float* dy, const float* y, int64_t n);
using Maxpool2x2Kernel = void (*)(float* y, int32_t* argmax, const float* x, int64_t planes, int h_in, int w_in);
using ReluMaxpool2x2Kernel = void (*)(float* y, const float* x, int64_t planes, int h_in, int w_in);
using Avgpool2x2Kernel = void (*)(float* y, const float* x, int64_t planes, int h_in, int w_in);
using Avgpool2x2GradKernel = void (*)(float* dx, const float* dy, int64_t planes, int h_in, int w_in);
U8UnitKernel f32_u8_unit_best();
ReluKernel f32_relu_best();
ReluGradKernel f32_relu_grad_best();
Maxpool2x2Kernel f32_maxpool_2x2_best();
ReluMaxpool2x2Kernel f32_relu_maxpool_2x2_best();
Avgpool2x2Kernel f32_avgpool_2x2_best();
Avgpool2x2GradKernel f32_avgpool_2x2_grad_best();

// ---- Winograd F(2x2, 3x3) kernels (the driver and the algebra: convlab/winograd.h) ----
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
// F(4x4, 3x3)'s transforms, with the same contracts for 4x4 output tiles: 6x6 windows at padded
// rows 4 (ty - ty0) .. +5, columns 4 tx .. +5 (wp >= 4 tw + 2, readable up to 2 floats past the
// last row), 36 elements xi = 6 * row + col. B^T, A^T and the order of operations:
// f32_winograd_f4k3_math.h (one template for both twins).
void f32_winograd_f4k3_input__scalar(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                     const WinogradBlock& blk, int ta, int tb);
void f32_winograd_f4k3_output__scalar(float* y, int h_out, int w_out, const float* m, int64_t xi_stride, float bias,
                                      const WinogradBlock& blk, int ta, int tb);
// The nxi GEMMs of a block (16 for F(2x2, 3x3), 36 for F(4x4, 3x3)): for xi < nxi, M_xi(4 np, 8 nq) = U_xi · V_xi, U_xi in np f32_packa_4
// panels of (k, 4) at u + xi * u_xi, V_xi in nq 8-column panels of (k, 8) at v + xi * v_xi, M_xi
// rows of ldc floats at m + xi * m_xi. Whole 4x8 tiles only (M is scratch with room for them),
// each element a sum over k from 0.0f in increasing k, as f32_gemm_4x8 gives: one call per block
// instead of 16 np nq indirect microkernel calls (the forward ran 11-33 % faster without them:
// at k = c_in = 16 a call does little work).
void f32_winograd_gemm_4x8__scalar(int nxi, int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                   int64_t v_xi, float* m, int64_t m_xi, int ldc);
#ifdef __wasm_simd128__
void f32_winograd_gemm_4x8__wasmsimd(int nxi, int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                     int64_t v_xi, float* m, int64_t m_xi, int ldc);
void f32_winograd_f2k3_input__wasmsimd(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                       const WinogradBlock& blk, int ta, int tb);
void f32_winograd_f2k3_output__wasmsimd(float* y, int h_out, int w_out, const float* m, int64_t xi_stride,
                                        float bias, const WinogradBlock& blk, int ta, int tb);
void f32_winograd_f4k3_input__wasmsimd(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                       const WinogradBlock& blk, int ta, int tb);
void f32_winograd_f4k3_output__wasmsimd(float* y, int h_out, int w_out, const float* m, int64_t xi_stride,
                                        float bias, const WinogradBlock& blk, int ta, int tb);
#endif
using WinogradInputKernel = void (*)(float* v, int64_t xi_stride, int64_t panel_stride, const float* xp, int wp,
                                     const WinogradBlock& blk, int ta, int tb);
using WinogradOutputKernel = void (*)(float* y, int h_out, int w_out, const float* m, int64_t xi_stride, float bias,
                                      const WinogradBlock& blk, int ta, int tb);
using WinogradGemmKernel = void (*)(int nxi, int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                    int64_t v_xi, float* m, int64_t m_xi, int ldc);
// This build's fastest twins (wasmsimd where built).
WinogradInputKernel f32_winograd_f2k3_input_best();
WinogradOutputKernel f32_winograd_f2k3_output_best();
WinogradInputKernel f32_winograd_f4k3_input_best();
WinogradOutputKernel f32_winograd_f4k3_output_best();
WinogradGemmKernel f32_winograd_gemm_4x8_best();

}  // namespace convlab
