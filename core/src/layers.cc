// relu, pools, linear and softmax cross-entropy (conv2d has its own file, conv2d.cc).
#include "convlab/gemm.h"
#include "convlab/layers.h"
#include "convlab/threadpool.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "convlab/detmath.h"

namespace convlab {

// ---------------------------------------------------------------- relu

namespace {
// Floats per parallel work item: smaller pieces cost more to hand over than they save.
constexpr int64_t kElementwiseBlock = 16384;
int elementwise_blocks(int64_t n) { return int((n + kElementwiseBlock - 1) / kElementwiseBlock); }
}  // namespace

void relu_forward(float* y, const float* x, int64_t n) {
  parallel_for(elementwise_blocks(n), [&](int b, int e, int) {
    const int64_t i0 = b * kElementwiseBlock, i1 = std::min(n, e * kElementwiseBlock);
    f32_relu_best()(y + i0, x + i0, i1 - i0);
  });
}

void relu_backward(float* dx, const float* dy, const float* y, int64_t n) {
  parallel_for(elementwise_blocks(n), [&](int b, int e, int) {
    const int64_t i0 = b * kElementwiseBlock, i1 = std::min(n, e * kElementwiseBlock);
    f32_relu_grad_best()(dx + i0, dy + i0, y + i0, i1 - i0);
  });
}

// ---------------------------------------------------------------- pools

// The common 2x2/2 pool without padding goes to the kernels, any other to the plain loops; both
// split their planes over the threads.
static bool is_pool_2x2(const Pool2dShape& s) {
  return s.k == 2 && s.stride == 2 && s.pad_top == 0 && s.pad_left == 0 && s.h_in == 2 * s.h_out &&
         s.w_in == 2 * s.w_out;
}

// Groups of whole planes split over the threads: about kElementwiseBlock floats per group, and
// for one image (or a few) at least one group per thread when the planes allow and the work is
// worth a hand-over, so that live prediction's pools run on every thread. Each plane is computed
// by the same code whichever group holds it, so the split never changes a result.
constexpr int64_t kMinPlaneSplit = 4096;  // floats: below this a hand-over costs more than it saves
template <class F>
static void for_plane_groups(const Pool2dShape& s, F&& f) {
  const int64_t planes = int64_t(s.n) * s.c, in = int64_t(s.h_in) * s.w_in;
  int64_t per = std::max<int64_t>(1, kElementwiseBlock / in);
  if (planes * in >= kMinPlaneSplit) per = std::min(per, std::max<int64_t>(1, planes / num_threads()));
  const int64_t items = (planes + per - 1) / per;
  parallel_for(int(items), [&](int b, int e, int) { f(b * per, std::min(planes, e * per)); });
}

// Planes [p0, p1) of the max pool (the kernels for 2x2/2, the general loop otherwise).
static void maxpool_planes(float* y, int32_t* argmax, const float* x, const Pool2dShape& s, int64_t p0, int64_t p1) {
  const int64_t in = int64_t(s.h_in) * s.w_in, out = int64_t(s.h_out) * s.w_out;
  if (is_pool_2x2(s)) {
    f32_maxpool_2x2_best()(y + p0 * out, argmax + p0 * out, x + p0 * in, p1 - p0, s.h_in, s.w_in);
    return;
  }
  for (int64_t p = p0; p < p1; ++p) {
    const float* xp = x + p * in;
    for (int oy = 0; oy < s.h_out; ++oy)
      for (int ox = 0; ox < s.w_out; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        int32_t at = -1;
        for (int ky = 0; ky < s.k; ++ky) {
          int iy = oy * s.stride + ky - s.pad_top;
          if (iy < 0 || iy >= s.h_in) continue;
          for (int kx = 0; kx < s.k; ++kx) {
            int ix = ox * s.stride + kx - s.pad_left;
            if (ix < 0 || ix >= s.w_in) continue;
            float v = xp[iy * s.w_in + ix];
            // PyTorch's rule: strict > keeps the first maximum, and a NaN always wins
            if (at < 0 || v > best || v != v) {
              best = v;
              at = iy * s.w_in + ix;
            }
          }
        }
        int64_t o = (p * s.h_out + oy) * s.w_out + ox;
        y[o] = best;
        argmax[o] = at;
      }
  }
}

// Planes [p0, p1) of the average pool.
static void avgpool_planes(float* y, const float* x, const Pool2dShape& s, int64_t p0, int64_t p1) {
  const int64_t in = int64_t(s.h_in) * s.w_in, out = int64_t(s.h_out) * s.w_out;
  if (is_pool_2x2(s)) {
    f32_avgpool_2x2_best()(y + p0 * out, x + p0 * in, p1 - p0, s.h_in, s.w_in);
    return;
  }
  const float inv = 1.0f / float(s.k * s.k);
  for (int64_t p = p0; p < p1; ++p) {
    const float* xp = x + p * in;
    for (int oy = 0; oy < s.h_out; ++oy)
      for (int ox = 0; ox < s.w_out; ++ox) {
        float acc = 0.0f;
        for (int ky = 0; ky < s.k; ++ky) {
          int iy = oy * s.stride + ky - s.pad_top;
          if (iy < 0 || iy >= s.h_in) continue;
          for (int kx = 0; kx < s.k; ++kx) {
            int ix = ox * s.stride + kx - s.pad_left;
            if (ix >= 0 && ix < s.w_in) acc += xp[iy * s.w_in + ix];
          }
        }
        y[(p * s.h_out + oy) * s.w_out + ox] = acc * inv;
      }
  }
}

void maxpool2d_forward(float* y, int32_t* argmax, const float* x, const Pool2dShape& s) {
  for_plane_groups(s, [&](int64_t p0, int64_t p1) { maxpool_planes(y, argmax, x, s, p0, p1); });
}

// relu then pool, plane group by plane group: one hand-over instead of two, and each group's
// relu output is pooled while it is still in cache. The same bits as the two layers apart.
void relu_maxpool2d_forward(float* r, float* y, int32_t* argmax, const float* x, const Pool2dShape& s) {
  const int64_t in = int64_t(s.h_in) * s.w_in;
  for_plane_groups(s, [&](int64_t p0, int64_t p1) {
    f32_relu_best()(r + p0 * in, x + p0 * in, (p1 - p0) * in);
    maxpool_planes(y, argmax, r, s, p0, p1);
  });
}

// Inference keeps neither the relu map nor the argmax (nothing runs backward through predict):
// the window's taps go through the relu as they are read. Same bits as relu_maxpool2d_forward's y.
void relu_maxpool2d_infer(float* y, const float* x, const Pool2dShape& s) {
  const int64_t in = int64_t(s.h_in) * s.w_in, out = int64_t(s.h_out) * s.w_out;
  for_plane_groups(s, [&](int64_t p0, int64_t p1) {
    if (is_pool_2x2(s)) return f32_relu_maxpool_2x2_best()(y + p0 * out, x + p0 * in, p1 - p0, s.h_in, s.w_in);
    for (int64_t p = p0; p < p1; ++p)
      for (int oy = 0; oy < s.h_out; ++oy)
        for (int ox = 0; ox < s.w_out; ++ox) {
          // the relu'd taps hold no NaN and no -0: the first maximum is the maximum
          float best = -std::numeric_limits<float>::infinity();
          for (int ky = 0; ky < s.k; ++ky) {
            const int iy = oy * s.stride + ky - s.pad_top;
            if (iy < 0 || iy >= s.h_in) continue;
            for (int kx = 0; kx < s.k; ++kx) {
              const int ix = ox * s.stride + kx - s.pad_left;
              if (ix < 0 || ix >= s.w_in) continue;
              const float v = x[p * in + iy * s.w_in + ix];
              best = std::max(best, v > 0.0f ? v : 0.0f);
            }
          }
          y[p * out + int64_t(oy) * s.w_out + ox] = best;
        }
  });
}

void relu_avgpool2d_forward(float* r, float* y, const float* x, const Pool2dShape& s) {
  const int64_t in = int64_t(s.h_in) * s.w_in;
  for_plane_groups(s, [&](int64_t p0, int64_t p1) {
    f32_relu_best()(r + p0 * in, x + p0 * in, (p1 - p0) * in);
    avgpool_planes(y, r, s, p0, p1);
  });
}

void maxpool2d_backward(float* dx, const float* dy, const int32_t* argmax, const Pool2dShape& s) {
  const int64_t in = int64_t(s.h_in) * s.w_in, out = int64_t(s.h_out) * s.w_out;
  // each plane scatters only into its own plane of dx: groups of planes split over the threads
  for_plane_groups(s, [&](int64_t b, int64_t e) {
    std::memset(dx + b * in, 0, sizeof(float) * (e - b) * in);
    for (int64_t p = b; p < e; ++p)
      for (int64_t q = 0; q < out; ++q) dx[p * in + argmax[p * out + q]] += dy[p * out + q];
  });
}

void avgpool2d_forward(float* y, const float* x, const Pool2dShape& s) {
  for_plane_groups(s, [&](int64_t p0, int64_t p1) { avgpool_planes(y, x, s, p0, p1); });
}

void avgpool2d_backward(float* dx, const float* dy, const Pool2dShape& s) {
  const int64_t planes = int64_t(s.n) * s.c;
  if (is_pool_2x2(s)) {
    const int64_t in = int64_t(s.h_in) * s.w_in, out = int64_t(s.h_out) * s.w_out;
    for_plane_groups(s, [&](int64_t p0, int64_t p1) {
      f32_avgpool_2x2_grad_best()(dx + p0 * in, dy + p0 * out, p1 - p0, s.h_in, s.w_in);
    });
    return;
  }
  const float inv = 1.0f / float(s.k * s.k);
  std::memset(dx, 0, sizeof(float) * planes * s.h_in * s.w_in);
  for (int64_t p = 0; p < planes; ++p) {
    float* dxp = dx + p * s.h_in * s.w_in;
    for (int oy = 0; oy < s.h_out; ++oy)
      for (int ox = 0; ox < s.w_out; ++ox) {
        float g = dy[(p * s.h_out + oy) * s.w_out + ox] * inv;
        for (int ky = 0; ky < s.k; ++ky) {
          int iy = oy * s.stride + ky - s.pad_top;
          if (iy < 0 || iy >= s.h_in) continue;
          for (int kx = 0; kx < s.k; ++kx) {
            int ix = ox * s.stride + kx - s.pad_left;
            if (ix >= 0 && ix < s.w_in) dxp[iy * s.w_in + ix] += g;
          }
        }
      }
  }
}

// ---------------------------------------------------------------- linear

int64_t linear_scratch_size(int n, int in, int out) {
  return std::max({f32_gemm_pack_size(n, out, in), f32_gemm_pack_size(out, in, n), f32_gemm_pack_size(n, in, out)});
}

// y starts as the bias and the GEMM adds x W^T: b + sum == sum + b, bit for bit.
void linear_forward(float* y, float* scratch, const float* x, const float* w, const float* b, int n, int in,
                    int out) {
  for (int i = 0; i < n; ++i) std::memcpy(y + int64_t(i) * out, b, sizeof(float) * out);
  f32_gemm_parallel({n, out, in, x, in, false, w, in, true, y, out, true, scratch});
}

int64_t linear_wpack_size(int in, int out) { return round_up(out, kGemmNr) * in; }

void linear_pack_weights(float* wpack, const float* w, int in, int out) {
  f32_packb_8__scalar(wpack, w, in, true, in, out, 0, int(round_up(out, kGemmNr) / kGemmNr));
}

// The same GEMM with W^T already in its B panels: the same bits as linear_forward.
void linear_forward_packed(float* y, float* scratch, const float* x, const float* wpack, const float* b, int n, int in,
                           int out) {
  for (int i = 0; i < n; ++i) std::memcpy(y + int64_t(i) * out, b, sizeof(float) * out);
  GemmArgs g{n, out, in, x, in, false, nullptr, in, true, y, out, true, scratch};
  g.packed_b = wpack;
  f32_gemm_parallel(g);
}

void linear_backward(float* dx, float* dw, float* db, float* scratch, const float* dy, const float* x,
                     const float* w, int n, int in, int out) {
  f32_gemm_parallel({out, in, n, dy, out, true, x, in, false, dw, in, true, scratch});  // dW += dy^T x
  for (int o = 0; o < out; ++o) {
    float acc = 0.0f;
    for (int i = 0; i < n; ++i) acc += dy[i * out + o];
    db[o] += acc;
  }
  if (dx) f32_gemm_parallel({n, in, out, dy, out, false, w, in, false, dx, in, false, scratch});  // dx = dy W
}

void linear_forward(float* y, const float* x, const float* w, const float* b, int n, int in, int out) {
  std::vector<float> scratch(size_t(linear_scratch_size(n, in, out)));
  linear_forward(y, scratch.data(), x, w, b, n, in, out);
}

void linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, int n, int in,
                     int out) {
  std::vector<float> scratch(size_t(linear_scratch_size(n, in, out)));
  linear_backward(dx, dw, db, scratch.data(), dy, x, w, n, in, out);
}

// ---------------------------------------------------------------- softmax cross-entropy

void softmax_forward(float* probs, const float* logits, int n, int classes) {
  for (int i = 0; i < n; ++i) {
    const float* z = logits + i * classes;
    float* p = probs + i * classes;
    // subtract the row max before exp: softmax is shift-invariant and this cannot overflow
    float mx = z[0];
    for (int c = 1; c < classes; ++c) mx = z[c] > mx ? z[c] : mx;
    float sum = 0.0f;
    for (int c = 0; c < classes; ++c) {
      p[c] = det_expf(z[c] - mx);
      sum += p[c];
    }
    for (int c = 0; c < classes; ++c) p[c] /= sum;
  }
}

// ref: PyTorch CrossEntropyLoss (log-softmax + NLL, reduction="mean")
float softmax_cross_entropy_forward(float* probs, const float* logits, const int32_t* labels, int n, int classes) {
  double total = 0;
  for (int i = 0; i < n; ++i) {
    const float* z = logits + i * classes;
    float mx = z[0];
    for (int c = 1; c < classes; ++c) mx = z[c] > mx ? z[c] : mx;
    float sum = 0.0f;
    for (int c = 0; c < classes; ++c) sum += det_expf(z[c] - mx);
    // loss_i = log(sum_c exp(z_c - mx)) - (z_y - mx): never log(0)
    total += double(det_logf(sum)) - double(z[labels[i]] - mx);
  }
  softmax_forward(probs, logits, n, classes);
  return static_cast<float>(total / n);
}

void softmax_cross_entropy_backward(float* dlogits, const float* probs, const int32_t* labels, int n, int classes) {
  const float inv_n = 1.0f / float(n);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < classes; ++c)
      dlogits[i * classes + c] = (probs[i * classes + c] - (c == labels[i] ? 1.0f : 0.0f)) * inv_n;
}

}  // namespace convlab
