// Chooses the kernel family for this build. The wasm SIMD family and the thread pool plug in
// here (issue: SIMD kernels and threads); until then every build runs the scalar twins.
#include "convlab/kernels.h"

namespace convlab {

void f32_gemm(const GemmArgs& g) { f32_gemm__scalar(g); }

void parallel_for(int n, void* ctx, ParallelFn fn) {
  if (n > 0) fn(ctx, 0, n);
}

int num_threads() { return 1; }

}  // namespace convlab
