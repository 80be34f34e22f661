// The GEMM driver: packs op(A) and op(B) into the microkernel's panels, then runs the 4x8 tiles,
// on this thread or split over the pool by column (or row) panels. Every output element is the
// same sum whichever thread computes it (see the determinism contract in convlab/kernels.h).
#include <algorithm>
#include <cassert>
#include <vector>

#include "convlab/gemm.h"
#include "convlab/kernels.h"
#include "convlab/threadpool.h"

namespace convlab {

void f32_gemm_packed(GemmMicrokernel uk, int m, int n, int k, const float* pa, const float* pb, float* c, int ldc,
                     bool accumulate, int q0, int q1) {
  const int np = int((m + kGemmMr - 1) / kGemmMr);
  for (int q = q0; q < q1; ++q) {
    const int nr = std::min(kGemmNr, n - q * kGemmNr);
    const float* b = pb + int64_t(q) * kGemmNr * k;
    // every row panel against one column panel: the B panel stays in L1
    for (int p = 0; p < np; ++p) {
      const int mr = std::min(kGemmMr, m - p * kGemmMr);
      uk(mr, nr, k, pa + int64_t(p) * kGemmMr * k, b, c + int64_t(p) * kGemmMr * ldc + q * kGemmNr, ldc, accumulate);
    }
  }
}

namespace {

// k == 0: C = 0 (or unchanged when accumulating), as the triple loop gives.
bool gemm_trivial(const GemmArgs& g) {
  assert(g.m >= 0 && g.n >= 0 && g.k >= 0);
  if (g.m == 0 || g.n == 0) return true;
  if (g.k > 0) return false;
  if (!g.accumulate)
    for (int i = 0; i < g.m; ++i) std::fill(g.c + int64_t(i) * g.ldc, g.c + int64_t(i) * g.ldc + g.n, 0.0f);
  return true;
}

// Where the packed operands go: np A panels then nq B panels, in the caller's g.pack or, when it
// is null, in a buffer of our own (fine for tests, not for a training step).
struct Packs {
  std::vector<float> own;
  int np, nq;
  float* pa;
  float* pb;
  explicit Packs(const GemmArgs& g) : np(int((g.m + kGemmMr - 1) / kGemmMr)), nq(int((g.n + kGemmNr - 1) / kGemmNr)) {
    pa = g.pack;
    if (!pa) {
      own.resize(size_t(f32_gemm_pack_size(g.m, g.n, g.k)));
      pa = own.data();
    }
    pb = pa + int64_t(np) * kGemmMr * g.k;
  }
};

// One row of A against weights packed once (a one-image linear layer): the GEMV, whose columns
// are the tile's row 0 bit for bit (kernels.h), instead of a 4-row tile three quarters zeros.
bool gemv_applies(const GemmArgs& g) { return g.m == 1 && !g.trans_a && g.packed_b; }

}  // namespace

void f32_gemm_tiled(GemmMicrokernel uk, const GemmArgs& g) {
  if (gemm_trivial(g)) return;
  Packs pk(g);
  const int np = pk.np, nq = pk.nq;
  float* pa = pk.pa;
  float* pb = pk.pb;
  f32_packa_4__scalar(pa, g.a, g.lda, g.trans_a, g.m, g.k, 0, np);
  if (!g.packed_b) f32_packb_8__scalar(pb, g.b, g.ldb, g.trans_b, g.k, g.n, 0, nq);
  f32_gemm_packed(uk, g.m, g.n, g.k, pa, g.packed_b ? g.packed_b : pb, g.c, g.ldc, g.accumulate, 0, nq);
}

void f32_gemm(const GemmArgs& g) {
  if (gemv_applies(g) && !gemm_trivial(g))
    return f32_gemv_1x8_best()(g.n, g.k, g.a, g.packed_b, g.c, g.accumulate, 0, int((g.n + kGemmNr - 1) / kGemmNr));
  f32_gemm_tiled(f32_gemm_4x8_best(), g);
}

void f32_gemm_parallel(const GemmArgs& g) {
  if (gemm_trivial(g)) return;
  // below ~64K multiply-adds a hand-over costs more than it saves; for one row (a linear layer
  // on one image) below 128K: the default net's 2048 -> 32 layer (64K) took 6.5-7.4 us on 2
  // threads against 5.3 us on 1 under Chromium (its weights stream from memory either way)
  const int64_t macs = int64_t(g.m) * g.n * g.k;
  if (num_threads() == 1 || macs < (1 << 16) || (gemv_applies(g) && macs < (1 << 17))) return f32_gemm(g);
  if (gemv_applies(g)) {
    // one contiguous run of column panels per thread: the kernel keeps four panels' sums at once
    const int nq = int((g.n + kGemmNr - 1) / kGemmNr), parts = std::min(num_threads(), nq);
    const GemvKernel gemv = f32_gemv_1x8_best();
    return parallel_for(parts, [&](int b, int e, int) {
      gemv(g.n, g.k, g.a, g.packed_b, g.c, g.accumulate, nq * b / parts, nq * e / parts);
    });
  }
  Packs pk(g);
  const int np = pk.np, nq = pk.nq;
  float* pa = pk.pa;
  float* pb = pk.pb;
  const int nqp = g.packed_b ? 0 : nq;  // B panels still to pack
  parallel_for(np + nqp, [&](int b, int e, int) {
    if (b < np) f32_packa_4__scalar(pa + int64_t(b) * kGemmMr * g.k, g.a, g.lda, g.trans_a, g.m, g.k, b, std::min(e, np));
    if (e > np) {
      const int q0 = std::max(b, np) - np;
      f32_packb_8__scalar(pb + int64_t(q0) * kGemmNr * g.k, g.b, g.ldb, g.trans_b, g.k, g.n, q0, e - np);
    }
  });
  const float* pbr = g.packed_b ? g.packed_b : pb;
  const GemmMicrokernel uk = f32_gemm_4x8_best();
  if (nq >= np) {
    parallel_for(nq, [&](int b, int e, int) { f32_gemm_packed(uk, g.m, g.n, g.k, pa, pbr, g.c, g.ldc, g.accumulate, b, e); });
  } else {
    // few columns (a linear layer's output): split the row panels instead
    parallel_for(np, [&](int b, int e, int) {
      const int m = std::min(g.m, e * kGemmMr) - b * kGemmMr;
      f32_gemm_packed(uk, m, g.n, g.k, pa + int64_t(b) * kGemmMr * g.k, pbr, g.c + int64_t(b) * kGemmMr * g.ldc, g.ldc,
                      g.accumulate, 0, nq);
    });
  }
}

}  // namespace convlab
