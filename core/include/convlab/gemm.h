// The GEMM driver (core/src/gemm.cc): packs the operands, then tiles C with a 4x8
// microkernel of kernels.h, on this thread or split over the pool's threads.
#pragma once
#include "convlab/kernels.h"

namespace convlab {

// Tiles of panel columns [q0, q1) against every row panel: C(m, 8*q0 .. 8*q1) from packed operands.
void f32_gemm_packed(GemmMicrokernel uk, int m, int n, int k, const float* pa, const float* pb, float* c, int ldc,
                     bool accumulate, int q0, int q1);
// Packs and multiplies on the calling thread with the given microkernel (tests run both twins).
void f32_gemm_tiled(GemmMicrokernel uk, const GemmArgs& g);
// The dispatching entry points the layers call: the best microkernel, on this thread or split
// over the engine's threads by column (or row) panels. Both give the same bits.
void f32_gemm(const GemmArgs& g);
void f32_gemm_parallel(const GemmArgs& g);

}  // namespace convlab
