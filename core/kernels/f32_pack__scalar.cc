#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

int64_t f32_gemm_pack_size(int m, int n, int k) {
  return (round_up(m, kGemmMr) + round_up(n, kGemmNr)) * int64_t(k);
}

// pa[P][p][r] = op(A)(4P + r, p), zero for rows >= m.
void f32_packa_4__scalar(float* pa, const float* a, int lda, bool trans_a, int m, int k, int p0, int p1) {
  assert(p0 >= 0 && p0 <= p1 && int64_t(p1 - 1) * 4 < m + 4);
  for (int P = p0; P < p1; ++P) {
    const int r0 = P * 4, rows = m - r0 < 4 ? m - r0 : 4;
    if (trans_a) {
      // A stored (k, m): four neighbours in one row of storage.
      for (int p = 0; p < k; ++p, pa += 4) {
        const float* src = a + int64_t(p) * lda + r0;
        for (int r = 0; r < 4; ++r) pa[r] = r < rows ? src[r] : 0.0f;
      }
    } else {
      for (int r = 0; r < 4; ++r) {
        const float* src = a + int64_t(r0 + (r < rows ? r : 0)) * lda;
        if (r < rows)
          for (int p = 0; p < k; ++p) pa[p * 4 + r] = src[p];
        else
          for (int p = 0; p < k; ++p) pa[p * 4 + r] = 0.0f;
      }
      pa += int64_t(k) * 4;
    }
  }
}

// pb[Q][p][c] = op(B)(p, 8Q + c), zero for columns >= n.
void f32_packb_8__scalar(float* pb, const float* b, int ldb, bool trans_b, int k, int n, int q0, int q1) {
  assert(q0 >= 0 && q0 <= q1 && int64_t(q1 - 1) * 8 < n + 8);
  for (int Q = q0; Q < q1; ++Q) {
    const int c0 = Q * 8, cols = n - c0 < 8 ? n - c0 : 8;
    if (!trans_b) {
      for (int p = 0; p < k; ++p, pb += 8) {
        const float* src = b + int64_t(p) * ldb + c0;
        if (cols == 8)
          for (int c = 0; c < 8; ++c) pb[c] = src[c];
        else
          for (int c = 0; c < 8; ++c) pb[c] = c < cols ? src[c] : 0.0f;
      }
    } else {
      // B stored (n, k): column c of op(B) is row c of storage.
      for (int c = 0; c < 8; ++c) {
        const float* src = b + int64_t(c0 + (c < cols ? c : 0)) * ldb;
        if (c < cols)
          for (int p = 0; p < k; ++p) pb[p * 8 + c] = src[p];
        else
          for (int p = 0; p < k; ++p) pb[p * 8 + c] = 0.0f;
      }
      pb += int64_t(k) * 8;
    }
  }
}

}  // namespace convlab
