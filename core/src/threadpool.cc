// parallel_for over a fixed pool: the calling thread plus one worker, created once on first
// use and never more (the wasm build's pthread pool holds 2 workers, -sPTHREAD_POOL_SIZE=2 in
// CMakeLists.txt; under Emscripten, starting more threads than the pool holds and joining them
// synchronously deadlocks). The single-threaded build runs inline.
#include "convlab/kernels.h"
#include "convlab/threadpool.h"

#include <cstdint>

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

// Work is cut into up to kPieces contiguous pieces that both threads claim from one atomic word
// (job, piece count, next piece). If the worker is slow to wake (a busy machine), the caller
// simply takes more pieces: nothing ever waits for a thread that has not started a piece.
// Which thread runs a piece never changes a result.
constexpr uint32_t kPieces = 16;

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

  void run(int n, void* ctx, ParallelFn fn) {
    const uint32_t pieces = uint32_t(n) < kPieces ? uint32_t(n) : kPieces;
    fn_ = fn, ctx_ = ctx, n_ = n;
    done_.store(0, std::memory_order_relaxed);
    const uint32_t job = ++job_;
    claim_.store(uint64_t(job) << 32 | uint64_t(pieces) << 16, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lk(mu_);
      gen_.store(job, std::memory_order_release);
    }
    cv_.notify_one();
    take_pieces(job, 0);
    // Only pieces the worker has claimed are left: spin a little, then sleep.
    for (int i = 0; i < (1 << 14); ++i)
      if (done_.load(std::memory_order_acquire) == pieces) return;
    std::unique_lock<std::mutex> lk(done_mu_);
    done_cv_.wait(lk, [&] { return done_.load(std::memory_order_acquire) == pieces; });
  }

 private:
  void take_pieces(uint32_t job, int t) {
    for (;;) {
      uint64_t v = claim_.load(std::memory_order_acquire);
      const uint32_t pieces = uint32_t(v >> 16) & 0xffff, next = uint32_t(v) & 0xffff;
      if (uint32_t(v >> 32) != job || next >= pieces) return;
      if (!claim_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      // piece `next` is ours and unfinished, so the job (fn_, ctx_, n_) cannot change under us
      const int b = int(int64_t(n_) * next / pieces), e = int(int64_t(n_) * (next + 1) / pieces);
      if (b < e) fn_(ctx_, b, e, t);
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == pieces && t != 0) {
        { std::lock_guard<std::mutex> lk(done_mu_); }
        done_cv_.notify_one();
      }
    }
  }

  void work() {
    t_inside = true;  // a parallel_for inside a piece runs inline
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
      take_pieces(g, 1);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::atomic<uint32_t> gen_{0};      // the job the worker should look at (wakes it)
  std::atomic<uint64_t> claim_{0};    // job << 32 | pieces << 16 | next unclaimed piece
  std::atomic<uint32_t> done_{0};     // finished pieces of the current job
  uint32_t job_ = 0;                  // caller side only
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
