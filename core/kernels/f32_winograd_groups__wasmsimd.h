// What the wasmsimd Winograd kernels (f32_winograd_f2k3__wasmsimd.cc, f32_winograd_f4k3__wasmsimd.cc)
// share: the walk over a range of tiles in groups of 4, and the 4x4 transpose that turns 4
// tiles' rows into 4 columns of lanes.
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

namespace convlab::simd {

// Tiles [ta, tb) of a block starting at tile t0: four(t) for each group of 4 that starts a
// multiple of 4 tiles from t0 and lies inside the range (4 tiles per vector, their V and M
// columns 4 neighbouring floats), one(t) for every other tile (the scalar twin, one tile).
template <class One, class Four>
inline void for_tile_groups(int t0, int ta, int tb, One one, Four four) {
  for (int t = ta; t < tb;) {
    if ((t - t0) % 4 != 0 || t + 4 > tb) {
      one(t);
      ++t;
    } else {
      four(t);
      t += 4;
    }
  }
}

// lane j of result c = lane c of input j
inline void transpose4(v128_t& a, v128_t& b, v128_t& c, v128_t& d) {
  const v128_t t0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  const v128_t t2 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
  a = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5), b = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
  c = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5), d = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
}

}  // namespace convlab::simd
#endif
