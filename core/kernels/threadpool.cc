// parallel_for over a fixed pool: the calling thread plus one worker, created once on first
// use and never more (the wasm build's pthread pool holds 2 workers; starting more threads than
// it holds and joining them deadlocks, see TOOLCHAIN.md). The single-threaded build runs inline.
#include "convlab/kernels.h"

#if CONVLAB_THREADS
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

namespace convlab {

#if CONVLAB_THREADS

namespace {

constexpr int kMaxThreads = 2;
thread_local bool t_inside = false;

class Pool {
 public:
  Pool() : worker_([this] { work(); }) {}
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_one();
    worker_.join();
  }

  // Chunk 0 on the caller, chunk 1 on the worker.
  void run(int n, void* ctx, ParallelFn fn) {
    fn_ = fn, ctx_ = ctx, n_ = n;
    pending_.store(1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(mu_);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_one();
    chunk(0);
    // the worker's half is about as long as ours: spin rather than sleep
    while (pending_.load(std::memory_order_acquire) != 0) {
    }
  }

 private:
  void chunk(int t) {
    const int b = int(int64_t(n_) * t / kMaxThreads), e = int(int64_t(n_) * (t + 1) / kMaxThreads);
    if (b < e) fn_(ctx_, b, e, t);
  }

  void work() {
    t_inside = true;  // a parallel_for inside a chunk runs inline
    uint32_t seen = 0;
    for (;;) {
      // Spin a little before sleeping: a training step calls parallel_for dozens of times and
      // a futex wake-up costs more than the gap between calls.
      uint32_t g = gen_.load(std::memory_order_acquire);
      for (int i = 0; g == seen && i < (1 << 16); ++i) g = gen_.load(std::memory_order_acquire);
      if (g == seen) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen; });
        g = gen_.load(std::memory_order_acquire);
      }
      seen = g;
      if (stop_) return;
      chunk(1);
      pending_.store(0, std::memory_order_release);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint32_t> gen_{0};
  std::atomic<int> pending_{0};
  ParallelFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int n_ = 0;
  bool stop_ = false;
  std::thread worker_;  // last: starts after every other member is ready
};

int g_threads = kMaxThreads;

}  // namespace

int max_threads() { return kMaxThreads; }
int num_threads() { return g_threads; }
void set_num_threads(int n) { g_threads = n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n; }

void parallel_for(int n, void* ctx, ParallelFn fn) {
  if (n <= 0) return;
  if (g_threads == 1 || n == 1 || t_inside) return fn(ctx, 0, n, 0);
  static Pool pool;  // created once, on first use, from the engine's thread
  t_inside = true;
  pool.run(n, ctx, fn);
  t_inside = false;
}

#else

int max_threads() { return 1; }
int num_threads() { return 1; }
void set_num_threads(int) {}

void parallel_for(int n, void* ctx, ParallelFn fn) {
  if (n > 0) fn(ctx, 0, n, 0);
}

#endif

}  // namespace convlab
