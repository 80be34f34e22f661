// The 4x8 register tile's inner loop, written once for the scalar twins of f32_gemm_4x8,
// f32_igemm_4x8 and f32_winograd_gemm_4x8 (the wasmsimd twin: f32_4x8_tile__wasmsimd.h). Each of
// the 32 lanes is one sum from 0.0f over p = 0, 1, ..., k-1 of pa[4p + r] * B(p)[j], multiply and
// add kept apart: the determinism contract of convlab/kernels.h.
#pragma once
#include "convlab/kernels.h"

namespace convlab {

// acc(4, 8) += the tile's products; pa: a packed A panel (k, 4); brow(p): row p of B (8 floats).
template <class BRow>
inline void f32_4x8_tile_sum__scalar(float (&acc)[4][8], int k, const float* pa, BRow brow) {
  for (int p = 0; p < k; ++p, pa += 4) {
    const float* bp = brow(p);
    for (int r = 0; r < 4; ++r)
      for (int j = 0; j < 8; ++j) acc[r][j] += pa[r] * bp[j];
  }
}

// The tile's rows < mr and columns < nr into C (rows of ldc floats): C + acc when accumulating.
inline void f32_4x8_tile_store__scalar(const float (&acc)[4][8], int mr, int nr, float* c, int ldc, bool accumulate) {
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r][j] : acc[r][j];
}

}  // namespace convlab
