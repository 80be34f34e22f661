#ifdef __wasm_simd128__
#include <cassert>

#include "f32_4x8_tile__wasmsimd.h"

namespace convlab {

// One 4x8 tile from packed panels (the loop and its operation order: f32_4x8_tile__wasmsimd.h).
void f32_gemm_4x8__wasmsimd(int mr, int nr, int k, const float* pa, const float* pb, float* c, int ldc,
                            bool accumulate) {
  assert(mr >= 1 && mr <= 4 && nr >= 1 && nr <= 8 && k >= 0);
  const F32Tile4x8 t = f32_4x8_tile_sum__wasmsimd(k, pa, [pb](int p) { return pb + 8 * p; });
  f32_4x8_tile_store__wasmsimd(t, mr, nr, c, ldc, accumulate);
}

}  // namespace convlab
#endif
