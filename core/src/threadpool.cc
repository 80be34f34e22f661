// parallel_for over a fixed pool: the calling thread plus up to rules::kMaxThreads - 1 workers,
// each started once, the first time a parallel_for runs with that many threads, and never
// stopped (a smaller count leaves the extra workers asleep). Under Emscripten a thread starts at
// once on a Worker of the pre-spawned pthread pool (-sPTHREAD_POOL_SIZE in CMakeLists.txt, read
// from rules.h); past that pool its Worker loads in the background and the thread joins in once
// the engine's event loop has turned. Nothing ever waits for a thread that has not started a
// piece (the caller takes every piece left), so that cannot deadlock; only joining such a
// thread could, which the browser never does (no exit). The single-threaded build runs inline.
#include "convlab/kernels.h"
#include "convlab/rules.h"
#include "convlab/threadpool.h"

#include <algorithm>
#include <cstdint>

#if CONVLAB_THREADS
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

namespace convlab {

#if CONVLAB_THREADS

namespace {

constexpr int kMaxThreads = rules::kMaxThreads;
thread_local bool t_inside = false;

// Work is cut into contiguous pieces (at least 16, four per thread in use) that the threads claim
// from one atomic word (job, piece count, next piece). If a worker is slow to wake (a busy
// machine, more threads than cores), the others simply take more pieces: nothing ever waits for
// a thread that has not started a piece. Which thread runs a piece never changes a result.
constexpr uint32_t kMinPieces = 16;

// How long a thread spins on a word before it sleeps on a condition variable: waking a sleeper
// (a futex; in the browser Atomics.wait and notify) costs tens of microseconds, as much as a
// piece of one image's layer. A fixed 65536 loads would run out sooner than that under V8 (at
// about a load a cycle, some 16 us: an estimate, not measured); counted in time, a slow load (a
// sanitizer, an oversubscribed core) does not stretch it either. Measured under node, the
// default net's one image on 2 threads, this against 65536 loads in alternating runs:
// 1.02-1.04x (medians of 10; workload A's batch of 32: 1.01-1.04x); under Chromium the VM's
// noise hid any difference (RESULTS.md, 21:30). pthreadpool and OpenMP spin longer still.
constexpr auto kSpin = std::chrono::microseconds(200);

// Spins until ready() or about kSpin has passed; false if it has not come true. The clock is
// read every 4096 loads, first after them: under V8 it is a call out to JavaScript.
template <class Ready>
bool spin_until(Ready ready) {
  std::chrono::steady_clock::time_point end;
  for (bool started = false;; started = true) {
    for (int i = 0; i < 4096; ++i)
      if (ready()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (!started)
      end = now + kSpin;
    else if (now >= end)
      return false;
  }
}

class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_.store(true, std::memory_order_relaxed);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (int i = 0; i < started_; ++i) workers_[i].join();
  }

  // Starts workers until `threads` - 1 of them exist (the caller is thread 0).
  void grow(int threads) {
    while (started_ + 1 < threads) {
      const int id = started_ + 1;
      workers_[started_] = std::thread([this, id] { work(id); });
      ++started_;
    }
  }

  void run(int n, void* ctx, ParallelFn fn, int threads) {
    uint32_t pieces = std::max<uint32_t>(kMinPieces, 4u * uint32_t(threads));
    if (uint32_t(n) < pieces) pieces = uint32_t(n);
    fn_ = fn, ctx_ = ctx, n_ = n;
    active_.store(threads, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    const uint32_t job = ++job_;
    claim_.store(uint64_t(job) << 32 | uint64_t(pieces) << 16, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lk(mu_);
      gen_.store(job, std::memory_order_release);
    }
    cv_.notify_all();
    take_pieces(job, 0);
    // Only pieces the workers have claimed are left: spin, then sleep (kSpin: one image's layers
    // take tens of microseconds each, and a sleeping caller's wake-up costs as much).
    if (spin_until([&] { return done_.load(std::memory_order_acquire) == pieces; })) return;
    std::unique_lock<std::mutex> lk(done_mu_);
    done_cv_.wait(lk, [&] { return done_.load(std::memory_order_acquire) == pieces; });
  }

 private:
  // Claims and runs pieces of `job` until none is left, then counts them done all at once: one
  // add to done_ per thread and job instead of one per piece (each add takes done_'s line from
  // the caller spinning on it). Until it adds, this thread's pieces are unfinished, so the job
  // (fn_, ctx_, n_) cannot change under it.
  void take_pieces(uint32_t job, int t) {
    uint32_t mine = 0, pieces = 0;
    for (;;) {
      uint64_t v = claim_.load(std::memory_order_acquire);
      pieces = uint32_t(v >> 16) & 0xffff;
      const uint32_t next = uint32_t(v) & 0xffff;
      if (uint32_t(v >> 32) != job || next >= pieces) break;
      if (!claim_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      const int b = int(int64_t(n_) * next / pieces), e = int(int64_t(n_) * (next + 1) / pieces);
      if (b < e) fn_(ctx_, b, e, t);
      ++mine;
    }
    if (mine && done_.fetch_add(mine, std::memory_order_acq_rel) + mine == pieces && t != 0) {
      { std::lock_guard<std::mutex> lk(done_mu_); }
      done_cv_.notify_one();
    }
  }

  void work(int id) {
    t_inside = true;  // a parallel_for inside a piece runs inline
    uint32_t seen = 0;
    for (;;) {
      // Spin a little before sleeping (kSpin): a training step calls parallel_for dozens of
      // times and a futex wake-up costs more than the gap between calls.
      uint32_t g = seen;
      spin_until([&] { return (g = gen_.load(std::memory_order_acquire)) != seen; });
      if (g == seen) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen; });
        g = gen_.load(std::memory_order_acquire);
      }
      seen = g;
      if (stop_.load(std::memory_order_relaxed)) return;
      // a worker past the count in use sits this job out (its thread id indexes no scratch in use)
      if (id < active_.load(std::memory_order_relaxed)) take_pieces(g, id);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  // Each word the threads write on its own cache line: a thread claiming a piece does not take
  // the line the caller spins on (done_) or the workers spin on (gen_). On this 2-core VM a line
  // goes from one core to the other and back in 445-674 ns (a C ping-pong of one atomic word
  // between two threads, sampled over ten minutes on 12-06). With both changes (these lines,
  // and one add to done_ per thread and job), `convlab_bench_mt --pool 32 --threads 2`, native:
  // 3.1-3.3 us a call over empty items before, 0.5-0.8 after; over items of a short busy loop
  // (17.2 us on one thread), 9.3-9.8 us before, 8.8-9.3 after. Wasm under node: empty calls
  // 0.56-0.68 us before, 0.43-0.53 after; busy ones the same within the noise (RESULTS.md).
  alignas(64) std::atomic<uint32_t> gen_{0};    // the job the workers should look at (wakes them)
  alignas(64) std::atomic<uint64_t> claim_{0};  // job << 32 | pieces << 16 | next unclaimed piece
  alignas(64) std::atomic<uint32_t> done_{0};   // finished pieces of the current job
  alignas(64) std::atomic<int> active_{1};      // threads the current job may use (ids 0 .. active_ - 1)
  uint32_t job_ = 0;                  // caller side only
  ParallelFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int n_ = 0;
  std::atomic<bool> stop_{false};  // atomic: a worker may read it while the destructor sets it
  int started_ = 0;                    // caller side only
  std::thread workers_[kMaxThreads - 1];  // ids 1 .. started_
};

// 0 until first asked: then the machine's core count, capped (rules::default_threads).
std::atomic<int> g_threads{0};

}  // namespace

int max_threads() { return kMaxThreads; }
int num_threads() {
  int n = g_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    n = rules::default_threads(int(std::thread::hardware_concurrency()));
    g_threads.store(n, std::memory_order_relaxed);
  }
  return n;
}
void set_num_threads(int n) { g_threads.store(n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n, std::memory_order_relaxed); }

void parallel_for(int n, void* ctx, ParallelFn fn) {
  if (n <= 0) return;
  const int threads = num_threads();
  if (threads == 1 || n == 1 || t_inside) return fn(ctx, 0, n, 0);
  static Pool pool;  // created once, on first use, from the engine's thread
  pool.grow(threads);
  t_inside = true;
  pool.run(n, ctx, fn, threads);
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
