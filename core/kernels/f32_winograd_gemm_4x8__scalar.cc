#include <cassert>

#include "convlab/winograd.h"

namespace convlab {

// The scalar twin of f32_winograd_gemm_4x8__wasmsimd: f32_gemm_4x8__scalar on every whole tile.
void f32_winograd_gemm_4x8__scalar(int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                   int64_t v_xi, float* m, int64_t m_xi, int ldc) {
  assert(np >= 0 && nq >= 0 && k >= 1 && ldc >= kGemmNr * nq);
  for (int xi = 0; xi < 16; ++xi)
    for (int q = 0; q < nq; ++q)
      for (int p = 0; p < np; ++p)
        f32_gemm_4x8__scalar(kGemmMr, kGemmNr, k, u + xi * u_xi + int64_t(p) * kGemmMr * k,
                             v + xi * v_xi + int64_t(q) * kGemmNr * k,
                             m + xi * m_xi + int64_t(p) * kGemmMr * ldc + q * kGemmNr, ldc, false);
}

}  // namespace convlab
