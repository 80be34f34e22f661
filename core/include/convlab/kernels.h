// The hot kernels, behind one seam. Every fast kernel keeps a scalar twin with the same
// name grammar (XNNPACK's: datatype_op_tile__arch) that tests compare it against.
//
// Determinism contract (it is what makes 1 vs 2 threads and native vs wasm bit-identical):
// each output element of a GEMM is a single sum over k taken in increasing k from 0.0f,
// then added to C when accumulating. SIMD tiles over m and n only, threads split m or n only.
#pragma once
#include <cstddef>
#include <cstdint>

namespace convlab {

// C(M,N) = op(A)(M,K) · op(B)(K,N)  (+ C when accumulate).
// op(A) = A (row-major, lda) or A^T when trans_a (A stored K x M); same for B.
struct GemmArgs {
  int m, n, k;
  const float* a; int lda; bool trans_a;
  const float* b; int ldb; bool trans_b;
  float* c; int ldc;
  bool accumulate;
};

void f32_gemm__scalar(const GemmArgs& g);
// The dispatching entry point the layers call: the SIMD kernel where built, else scalar.
void f32_gemm(const GemmArgs& g);

// im2col for one image: col(c_in*k*k, h_out*w_out) from x(c_in, h_in, w_in), zero padding.
struct Conv2dShape {
  int n, c_in, h_in, w_in;
  int c_out, h_out, w_out;
  int k, stride, pad_top, pad_left;
};
void f32_im2col__scalar(float* col, const float* x, const Conv2dShape& s);
// col2im, accumulating: dx(c_in, h_in, w_in) += scatter of dcol.
void f32_col2im__scalar(float* dx, const float* dcol, const Conv2dShape& s);

// Runs fn(begin, end) over [0, n) split in contiguous chunks across the engine's threads
// (one thread in the single-threaded build). The split never changes a result.
using ParallelFn = void (*)(void* ctx, int begin, int end);
void parallel_for(int n, void* ctx, ParallelFn fn);
int num_threads();

}  // namespace convlab
