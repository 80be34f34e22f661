// F(4x4, 3x3)'s two 6-point transforms, written once for the scalar twins (float) and the
// wasmsimd kernels (v128_t, 4 tiles per vector): the same operations in the same order whatever
// the type, so both give the same bits. Multiplying by 2, 4 or 8 is exact; by 5 it rounds the
// same way in both.
// ref: Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2015), F(4x4, 3x3) with
// points 0, 1, -1, 2, -2 and infinity (the B^T, G and A^T that NNPACK and ncnn use).
#pragma once
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace convlab::wino4 {

inline float add(float a, float b) { return a + b; }
inline float sub(float a, float b) { return a - b; }
inline float mulc(float a, float c) { return a * c; }
#ifdef __wasm_simd128__
inline v128_t add(v128_t a, v128_t b) { return wasm_f32x4_add(a, b); }
inline v128_t sub(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); }
inline v128_t mulc(v128_t a, float c) { return wasm_f32x4_mul(a, wasm_f32x4_splat(c)); }
#endif

// t = B^T d for one row or column d of a 6x6 input tile:
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
template <class V>
inline void input6(V t[6], V d0, V d1, V d2, V d3, V d4, V d5) {
  const V d12s = add(d1, d2), d12d = sub(d1, d2), d42 = sub(d4, d2), d31 = mulc(sub(d3, d1), 2.0f);
  t[0] = add(sub(mulc(d0, 4.0f), mulc(d2, 5.0f)), d4);
  t[1] = sub(add(d3, d4), mulc(d12s, 4.0f));
  t[2] = add(sub(d4, d3), mulc(d12d, 4.0f));
  t[3] = add(d42, d31);
  t[4] = sub(d42, d31);
  t[5] = add(sub(mulc(d1, 4.0f), mulc(d3, 5.0f)), d5);
}

// o = A^T m for one row or column m of a 6x6 product tile:
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
template <class V>
inline void output6(V o[4], V m0, V m1, V m2, V m3, V m4, V m5) {
  const V a = add(m1, m2), b = sub(m1, m2), c = add(m3, m4), d = sub(m3, m4);
  o[0] = add(add(m0, a), c);
  o[1] = add(b, mulc(d, 2.0f));
  o[2] = add(a, mulc(c, 4.0f));
  o[3] = add(add(b, mulc(d, 8.0f)), m5);
}

}  // namespace convlab::wino4
