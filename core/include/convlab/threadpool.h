// The engine's thread pool (core/src/threadpool.cc): one fixed pool, created once on first use,
// that the GEMM driver, the conv layers and the Winograd driver split work over.
#pragma once

namespace convlab {

// Runs fn(ctx, begin, end, thread) over [0, n) split in contiguous chunks, one per thread in use
// (thread 0 is the caller); returns when all are done. `thread` < max_threads() indexes
// per-thread scratch. Nested calls run inline. The split never changes a result.
using ParallelFn = void (*)(void* ctx, int begin, int end, int thread);
void parallel_for(int n, void* ctx, ParallelFn fn);
template <class F>
void parallel_for(int n, F&& f) {
  parallel_for(n, &f, [](void* ctx, int b, int e, int t) { (*static_cast<F*>(ctx))(b, e, t); });
}
// Threads in use now (1 in the single-threaded build; by default the machine's core count capped
// at rules::kMaxThreads), and the most this build can use (rules::kMaxThreads): scratch buffers
// are sized for max_threads(), so any count up to it can be set at any time.
int num_threads();
int max_threads();
// Clamped to [1, max_threads()]: the page's thread setting, and tests comparing thread counts.
void set_num_threads(int n);

}  // namespace convlab
