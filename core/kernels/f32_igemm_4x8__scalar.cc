#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

// The scalar twin of f32_igemm_4x8__wasmsimd: f32_gemm_4x8 with B row p read at b + koff[p].
void f32_igemm_4x8__scalar(int mr, int nr, int k, const float* pa, const float* b, const int32_t* koff, float* c,
                           int ldc, bool accumulate) {
  assert(mr >= 1 && mr <= 4 && nr >= 1 && nr <= 8 && k >= 0);
  float acc[4][8] = {};
  for (int p = 0; p < k; ++p, pa += 4) {
    const float* bp = b + koff[p];
    for (int r = 0; r < 4; ++r)
      for (int j = 0; j < 8; ++j) acc[r][j] += pa[r] * bp[j];
  }
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r][j] : acc[r][j];
}

}  // namespace convlab
