#include "convlab/kernels.h"

namespace convlab {

// Reference GEMM: the plain triple loop, one sum per output element in k order.
void f32_gemm__scalar(const GemmArgs& g) {
  for (int i = 0; i < g.m; ++i) {
    for (int j = 0; j < g.n; ++j) {
      float acc = 0.0f;
      for (int p = 0; p < g.k; ++p) {
        float a = g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
        float b = g.trans_b ? g.b[j * g.ldb + p] : g.b[p * g.ldb + j];
        acc += a * b;
      }
      float* c = &g.c[i * g.ldc + j];
      *c = g.accumulate ? *c + acc : acc;
    }
  }
}

}  // namespace convlab
