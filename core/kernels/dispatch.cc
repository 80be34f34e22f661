// Chooses this build's kernel for every op: the wasm SIMD kernel where compiled with -msimd128,
// else the scalar twin (which g++ may auto-vectorise).
//
// One mechanism, function pointers: f32_<op>_best() returns the kernel, and the callers (the
// GEMM and Winograd drivers, the layers) call through it. Pointers rather than #ifdef wrappers
// because the drivers must also run with a given kernel (f32_gemm_tiled, the Winograd
// forward_with): that is how the tests push the scalar twins through the whole driver in the
// SIMD build and compare bits. Which kernel runs is chosen here and nowhere else (conv2d.cc also
// asks whether this is the SIMD build, to pick an algorithm: the implicit GEMM pays only with the
// SIMD igemm); the indirect call costs nothing next to a tile or a block of elements.
#include <algorithm>

#include "convlab/gemm.h"
#include "convlab/kernels.h"

namespace convlab {

namespace {

#ifndef __wasm_simd128__
// Natively: im2col into scratch, then the transposing pack; g++ vectorises those two loops, not
// the twin's stride-8 stores.
void im2col_then_packb8t(float* pb, float* scratch, const float* x, const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out, ckk = s.c_in * s.k * s.k;
  f32_im2col__scalar(scratch, x, s);
  f32_packb_8__scalar(pb, scratch, hw, true, hw, ckk, 0, (ckk + 7) / 8);
}
#endif

}  // namespace

#ifdef __wasm_simd128__
#define CONVLAB_BEST(simd, scalar) simd
#else
#define CONVLAB_BEST(simd, scalar) scalar
#endif

GemmMicrokernel f32_gemm_4x8_best() { return CONVLAB_BEST(f32_gemm_4x8__wasmsimd, f32_gemm_4x8__scalar); }
GemvKernel f32_gemv_1x8_best() { return CONVLAB_BEST(f32_gemv_1x8__wasmsimd, f32_gemv_1x8__scalar); }
IgemmMicrokernel f32_igemm_4x8_best() { return CONVLAB_BEST(f32_igemm_4x8__wasmsimd, f32_igemm_4x8__scalar); }
Im2colPackb8tKernel f32_im2col_packb8t_best() {
  return CONVLAB_BEST(f32_im2col_packb8t__wasmsimd, im2col_then_packb8t);
}
U8UnitKernel f32_u8_unit_best() { return CONVLAB_BEST(f32_u8_unit__wasmsimd, f32_u8_unit__scalar); }
ReluKernel f32_relu_best() { return CONVLAB_BEST(f32_relu__wasmsimd, f32_relu__scalar); }
ReluGradKernel f32_relu_grad_best() { return CONVLAB_BEST(f32_relu_grad__wasmsimd, f32_relu_grad__scalar); }
Maxpool2x2Kernel f32_maxpool_2x2_best() { return CONVLAB_BEST(f32_maxpool_2x2__wasmsimd, f32_maxpool_2x2__scalar); }
ReluMaxpool2x2Kernel f32_relu_maxpool_2x2_best() {
  return CONVLAB_BEST(f32_relu_maxpool_2x2__wasmsimd, f32_relu_maxpool_2x2__scalar);
}
Avgpool2x2Kernel f32_avgpool_2x2_best() { return CONVLAB_BEST(f32_avgpool_2x2__wasmsimd, f32_avgpool_2x2__scalar); }
Avgpool2x2GradKernel f32_avgpool_2x2_grad_best() {
  return CONVLAB_BEST(f32_avgpool_2x2_grad__wasmsimd, f32_avgpool_2x2_grad__scalar);
}
WinogradInputKernel f32_winograd_f2k3_input_best() {
  return CONVLAB_BEST(f32_winograd_f2k3_input__wasmsimd, f32_winograd_f2k3_input__scalar);
}
WinogradOutputKernel f32_winograd_f2k3_output_best() {
  return CONVLAB_BEST(f32_winograd_f2k3_output__wasmsimd, f32_winograd_f2k3_output__scalar);
}
WinogradInputKernel f32_winograd_f4k3_input_best() {
  return CONVLAB_BEST(f32_winograd_f4k3_input__wasmsimd, f32_winograd_f4k3_input__scalar);
}
WinogradOutputKernel f32_winograd_f4k3_output_best() {
  return CONVLAB_BEST(f32_winograd_f4k3_output__wasmsimd, f32_winograd_f4k3_output__scalar);
}
WinogradGemmKernel f32_winograd_gemm_4x8_best() {
  return CONVLAB_BEST(f32_winograd_gemm_4x8__wasmsimd, f32_winograd_gemm_4x8__scalar);
}

#undef CONVLAB_BEST

// The SIMD kernel pads one image (stride 1) into scratch; im2col_then_packb8t writes col there.
int64_t f32_im2col_packb8t_scratch_size(const Conv2dShape& s) {
  const int64_t col = int64_t(s.c_in) * s.k * s.k * s.h_out * s.w_out;
  const int64_t xpad = int64_t(s.c_in) * (s.h_out + s.k - 1) * (s.w_out + s.k - 1) + round_up(s.w_out, 4);
  return std::max(col, xpad);
}

}  // namespace convlab
