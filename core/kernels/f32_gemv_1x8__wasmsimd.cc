#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <algorithm>
#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

namespace {

// P panels side by side: 2P accumulators, so the k loop is not one add's latency per step (one
// panel alone would be two dependent chains). Per k: one load-splat of a, 2P loads, 2P mul,
// 2P add (never fused: the scalar twin's bits).
template <int P>
__attribute__((always_inline)) inline void panels(int n, int k, const float* a, const float* pb, float* c,
                                                  bool accumulate, int q) {
  v128_t acc[2 * P];
  for (int i = 0; i < 2 * P; ++i) acc[i] = wasm_f32x4_splat(0.0f);
  const float* b = pb + int64_t(q) * kGemmNr * k;
  const int64_t step = int64_t(kGemmNr) * k;  // one panel to the next
  for (int p = 0; p < k; ++p) {
    const v128_t x = wasm_v128_load32_splat(a + p);
    for (int i = 0; i < P; ++i) {
      const float* r = b + i * step + p * kGemmNr;
      acc[2 * i] = wasm_f32x4_add(acc[2 * i], wasm_f32x4_mul(x, wasm_v128_load(r)));
      acc[2 * i + 1] = wasm_f32x4_add(acc[2 * i + 1], wasm_f32x4_mul(x, wasm_v128_load(r + 4)));
    }
  }
  for (int i = 0; i < P; ++i) {
    float* ci = c + (q + i) * kGemmNr;
    const int nr = std::min(kGemmNr, n - (q + i) * kGemmNr);
    if (nr == kGemmNr) {
      v128_t lo = acc[2 * i], hi = acc[2 * i + 1];
      if (accumulate) lo = wasm_f32x4_add(wasm_v128_load(ci), lo), hi = wasm_f32x4_add(wasm_v128_load(ci + 4), hi);
      wasm_v128_store(ci, lo), wasm_v128_store(ci + 4, hi);
    } else {
      alignas(16) float s[kGemmNr];
      wasm_v128_store(s, acc[2 * i]), wasm_v128_store(s + 4, acc[2 * i + 1]);
      for (int j = 0; j < nr; ++j) ci[j] = accumulate ? ci[j] + s[j] : s[j];
    }
  }
}

}  // namespace

// One row times packed B panels [q0, q1): four panels at a time, then two, then one.
void f32_gemv_1x8__wasmsimd(int n, int k, const float* a, const float* pb, float* c, bool accumulate, int q0,
                            int q1) {
  assert(n >= 0 && k >= 0 && q0 >= 0 && q1 >= q0);
  int q = q0;
  for (; q + 4 <= q1; q += 4) panels<4>(n, k, a, pb, c, accumulate, q);
  if (q + 2 <= q1) panels<2>(n, k, a, pb, c, accumulate, q), q += 2;
  if (q < q1) panels<1>(n, k, a, pb, c, accumulate, q);
}

}  // namespace convlab
#endif
