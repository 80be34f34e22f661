#ifdef __wasm_simd128__
#include <cassert>

#include "f32_4x8_tile__wasmsimd.h"

namespace convlab {

// f32_gemm_4x8__wasmsimd with B row p read in place at b + koff[p] (8 floats, unaligned) instead
// of from a packed panel: a stride-1 convolution reads its zero-padded input this way with no
// im2col (koff[(ci, ky, kx)] = ci*plane + ky*row + kx). The same tile loop, the same order.
void f32_igemm_4x8__wasmsimd(int mr, int nr, int k, const float* pa, const float* b, const int32_t* koff, float* c,
                             int ldc, bool accumulate) {
  assert(mr >= 1 && mr <= 4 && nr >= 1 && nr <= 8 && k >= 0);
  const F32Tile4x8 t = f32_4x8_tile_sum__wasmsimd(k, pa, [b, koff](int p) { return b + koff[p]; });
  f32_4x8_tile_store__wasmsimd(t, mr, nr, c, ldc, accumulate);
}

}  // namespace convlab
#endif
