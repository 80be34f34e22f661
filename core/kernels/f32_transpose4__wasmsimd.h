// The 4x4 transpose the Winograd kernels use to turn 4 tiles' rows into 4 columns of lanes
// (f32_winograd_f2k3__wasmsimd.cc, f32_winograd_f4k3__wasmsimd.cc).
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

namespace convlab::simd {

// lane j of result c = lane c of input j
inline void transpose4(v128_t& a, v128_t& b, v128_t& c, v128_t& d) {
  const v128_t t0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  const v128_t t2 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
  a = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5), b = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
  c = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5), d = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
}

}  // namespace convlab::simd
#endif
