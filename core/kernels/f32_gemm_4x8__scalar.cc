#include <cassert>

#include "f32_4x8_tile__scalar.h"

namespace convlab {

// The scalar twin of f32_gemm_4x8__wasmsimd: the same tile, the same order of operations
// (each lane's sum starts at 0.0f and adds one product per k, in increasing k).
void f32_gemm_4x8__scalar(int mr, int nr, int k, const float* pa, const float* pb, float* c, int ldc,
                          bool accumulate) {
  assert(mr >= 1 && mr <= 4 && nr >= 1 && nr <= 8 && k >= 0);
  float acc[4][8] = {};
  f32_4x8_tile_sum__scalar(acc, k, pa, [pb](int p) { return pb + 8 * p; });
  f32_4x8_tile_store__scalar(acc, mr, nr, c, ldc, accumulate);
}

}  // namespace convlab
