#include <cassert>

#include "f32_4x8_tile__scalar.h"

namespace convlab {

// The scalar twin of f32_igemm_4x8__wasmsimd: f32_gemm_4x8 with B row p read at b + koff[p].
void f32_igemm_4x8__scalar(int mr, int nr, int k, const float* pa, const float* b, const int32_t* koff, float* c,
                           int ldc, bool accumulate) {
  assert(mr >= 1 && mr <= 4 && nr >= 1 && nr <= 8 && k >= 0);
  float acc[4][8] = {};
  f32_4x8_tile_sum__scalar(acc, k, pa, [b, koff](int p) { return b + koff[p]; });
  f32_4x8_tile_store__scalar(acc, mr, nr, c, ldc, accumulate);
}

}  // namespace convlab
