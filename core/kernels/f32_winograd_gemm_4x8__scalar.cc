#include <cassert>

#include "f32_4x8_tile__scalar.h"

namespace convlab {

// The scalar twin of f32_winograd_gemm_4x8__wasmsimd: the 4x8 tile on every whole tile.
void f32_winograd_gemm_4x8__scalar(int nxi, int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                   int64_t v_xi, float* m, int64_t m_xi, int ldc) {
  assert(nxi >= 1 && np >= 0 && nq >= 0 && k >= 1 && ldc >= kGemmNr * nq);
  for (int xi = 0; xi < nxi; ++xi)
    for (int q = 0; q < nq; ++q)
      for (int p = 0; p < np; ++p) {
        const float* pb = v + xi * v_xi + int64_t(q) * kGemmNr * k;
        float acc[4][8] = {};
        f32_4x8_tile_sum__scalar(acc, k, u + xi * u_xi + int64_t(p) * kGemmMr * k,
                                 [pb](int i) { return pb + 8 * i; });
        f32_4x8_tile_store__scalar(acc, kGemmMr, kGemmNr, m + xi * m_xi + int64_t(p) * kGemmMr * ldc + q * kGemmNr,
                                   ldc, false);
      }
}

}  // namespace convlab
