#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include "convlab/kernels.h"

namespace convlab {

namespace {

// Four bytes (as i32 lanes) to their quotients by 255, through double: x * (1/255) in f64 is
// within 2^-52 of x / 255, and rounding it to f32 gives the float nearest x / 255 unless x / 255
// lies that close to a halfway point between two floats. It never does: for 0 < x < 255 the
// binary expansion of x / 255 repeats x's 8 bits forever, so past a float's 24 bits it never runs
// on as 1 then 28 zeros or 0 then 28 ones (0 and 255 are exact). So this equals the scalar
// division bit for bit (the test checks all 256 bytes). Under V8 it ran 2.6x faster than
// f32x4.div, and than a multiply in f32 (13 us against 5 us for a 64x64x3 image).
v128_t quotients(v128_t x, v128_t r) {
  const v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(x), r));
  const v128_t hi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3)), r));
  return wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5);
}

}  // namespace

void f32_u8_unit__wasmsimd(float* y, const uint8_t* x, int64_t n) {
  const v128_t r = wasm_f64x2_splat(1.0 / 255.0);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t b = wasm_v128_load(x + i);
    const v128_t lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
    wasm_v128_store(y + i, quotients(wasm_u32x4_extend_low_u16x8(lo), r));
    wasm_v128_store(y + i + 4, quotients(wasm_u32x4_extend_high_u16x8(lo), r));
    wasm_v128_store(y + i + 8, quotients(wasm_u32x4_extend_low_u16x8(hi), r));
    wasm_v128_store(y + i + 12, quotients(wasm_u32x4_extend_high_u16x8(hi), r));
  }
  for (; i < n; ++i) y[i] = float(x[i]) / 255.0f;
}

}  // namespace convlab
#endif
