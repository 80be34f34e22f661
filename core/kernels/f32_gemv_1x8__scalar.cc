#include <algorithm>
#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

// The scalar twin of f32_gemv_1x8__wasmsimd: column j of panel q is one sum from 0.0f over
// p = 0, 1, ..., k-1 of a[p] * pb[q][8p + j], then + c when accumulating: row 0 of the 4x8 tile.
void f32_gemv_1x8__scalar(int n, int k, const float* a, const float* pb, float* c, bool accumulate, int q0, int q1) {
  assert(n >= 0 && k >= 0 && q0 >= 0 && q1 >= q0);
  for (int q = q0; q < q1; ++q) {
    const float* b = pb + int64_t(q) * kGemmNr * k;
    float acc[kGemmNr] = {};
    for (int p = 0; p < k; ++p)
      for (int j = 0; j < kGemmNr; ++j) acc[j] += a[p] * b[p * kGemmNr + j];
    const int nr = std::min(kGemmNr, n - q * kGemmNr);
    for (int j = 0; j < nr; ++j) c[q * kGemmNr + j] = accumulate ? c[q * kGemmNr + j] + acc[j] : acc[j];
  }
}

}  // namespace convlab
