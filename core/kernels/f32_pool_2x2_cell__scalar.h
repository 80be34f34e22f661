// One output column of the 2x2 stride-2 pools as the scalar twins compute it. The wasmsimd
// kernels use the same functions for the columns left over after their 4-wide loop, so a
// leftover column has the scalar twin's bits by construction.
#pragma once
#include <cstdint>

namespace convlab::pool_2x2 {

// r0, r1: the window's two input rows; ox: the output column; row0: the index of r0[0] in the
// input plane (argmax indexes the plane). First maximum wins, a NaN always wins (PyTorch).
inline void max_cell(float* y, int32_t* argmax, const float* r0, const float* r1, int ox, int row0, int w_in) {
  const int i0 = row0 + 2 * ox;
  float best = r0[2 * ox];
  int32_t at = i0;
  const float v01 = r0[2 * ox + 1], v10 = r1[2 * ox], v11 = r1[2 * ox + 1];
  if (v01 > best || v01 != v01) best = v01, at = i0 + 1;
  if (v10 > best || v10 != v10) best = v10, at = i0 + w_in;
  if (v11 > best || v11 != v11) best = v11, at = i0 + w_in + 1;
  y[ox] = best;
  argmax[ox] = at;
}

// (((0 + x00) + x01) + x10) + x11) * 0.25: the generic pool's sum, in its scan order.
inline float avg_cell(const float* r0, const float* r1, int ox) {
  float acc = 0.0f;
  acc += r0[2 * ox];
  acc += r0[2 * ox + 1];
  acc += r1[2 * ox];
  acc += r1[2 * ox + 1];
  return acc * 0.25f;
}

// Windows do not overlap, so every dx of a window is 0 + dy * 0.25 (the 0 + keeps -0 as +0,
// as the generic scatter into a zeroed dx does).
inline void avg_grad_cell(float* r0, float* r1, float dy, int ox) {
  const float g = 0.0f + dy * 0.25f;
  r0[2 * ox] = r0[2 * ox + 1] = r1[2 * ox] = r1[2 * ox + 1] = g;
}

}  // namespace convlab::pool_2x2
