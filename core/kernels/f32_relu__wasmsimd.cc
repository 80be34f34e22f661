#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include "convlab/kernels.h"

namespace convlab {

// pmax(0, x) = 0 < x ? x : 0, exactly the scalar comparison (NaN and -0 give +0); f32x4.max
// would propagate NaN instead.
void f32_relu__wasmsimd(float* y, const float* x, int64_t n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    wasm_v128_store(y + i, wasm_f32x4_pmax(zero, wasm_v128_load(x + i)));
    wasm_v128_store(y + i + 4, wasm_f32x4_pmax(zero, wasm_v128_load(x + i + 4)));
  }
  for (; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

// dy where y > 0, else +0: a mask from the comparison, and-ed with dy's bits.
void f32_relu_grad__wasmsimd(float* dx, const float* dy, const float* y, int64_t n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(y + i), zero)));
  for (; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace convlab
#endif
