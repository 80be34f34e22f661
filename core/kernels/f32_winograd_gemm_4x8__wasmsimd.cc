#ifdef __wasm_simd128__
#include <cassert>

#include "f32_4x8_tile__wasmsimd.h"

namespace convlab {

// The 4x8 tile loop (f32_4x8_tile__wasmsimd.h) inlined in the loops over xi, column panels and
// row panels, always storing a whole tile: no indirect call and no partial-tile branch per tile,
// which matters when k = c_in is as small as 16.
void f32_winograd_gemm_4x8__wasmsimd(int nxi, int np, int nq, int k, const float* u, int64_t u_xi, const float* v,
                                     int64_t v_xi, float* m, int64_t m_xi, int ldc) {
  assert(nxi >= 1 && np >= 0 && nq >= 0 && k >= 1 && ldc >= kGemmNr * nq);
  for (int xi = 0; xi < nxi; ++xi)
    for (int q = 0; q < nq; ++q) {
      const float* pb = v + xi * v_xi + int64_t(q) * kGemmNr * k;
      for (int p = 0; p < np; ++p) {
        const F32Tile4x8 t =
            f32_4x8_tile_sum__wasmsimd(k, u + xi * u_xi + int64_t(p) * kGemmMr * k, [pb](int i) { return pb + 8 * i; });
        f32_4x8_tile_store_full__wasmsimd(t, m + xi * m_xi + int64_t(p) * kGemmMr * ldc + q * kGemmNr, ldc, false);
      }
    }
}

}  // namespace convlab
#endif
