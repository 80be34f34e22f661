#include "convlab/layers.h"

#include <cassert>
#include <cstring>
#include <limits>

#include "convlab/detmath.h"

namespace convlab {

// ---------------------------------------------------------------- conv2d

int64_t conv2d_col_size(const Conv2dShape& s) { return int64_t(s.c_in) * s.k * s.k * s.h_out * s.w_out; }

// Per image: y_i(c_out, hw) = W(c_out, c_in*k*k) · col_i(c_in*k*k, hw), then + b per channel.
void conv2d_forward(float* y, float* col, const float* x, const float* w, const float* b, const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out, ckk = s.c_in * s.k * s.k;
  for (int i = 0; i < s.n; ++i) {
    const float* xi = x + int64_t(i) * s.c_in * s.h_in * s.w_in;
    float* yi = y + int64_t(i) * s.c_out * hw;
    f32_im2col__scalar(col, xi, s);
    f32_gemm({s.c_out, hw, ckk, w, ckk, false, col, hw, false, yi, hw, false});
    for (int o = 0; o < s.c_out; ++o)
      for (int p = 0; p < hw; ++p) yi[o * hw + p] += b[o];
  }
}

// dW(c_out, ckk) += dy_i(c_out, hw) · col_i^T;  db += row sums of dy_i;
// dcol(ckk, hw) = W^T · dy_i, then col2im into dx_i.
void conv2d_backward(float* dx, float* dw, float* db, float* col, const float* dy, const float* x, const float* w,
                     const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out, ckk = s.c_in * s.k * s.k;
  const int64_t in_size = int64_t(s.c_in) * s.h_in * s.w_in;
  for (int i = 0; i < s.n; ++i) {
    const float* dyi = dy + int64_t(i) * s.c_out * hw;
    f32_im2col__scalar(col, x + i * in_size, s);
    f32_gemm({s.c_out, ckk, hw, dyi, hw, false, col, hw, true, dw, ckk, true});
    for (int o = 0; o < s.c_out; ++o) {
      float acc = 0.0f;
      for (int p = 0; p < hw; ++p) acc += dyi[o * hw + p];
      db[o] += acc;
    }
    if (dx) {
      // col is free again: reuse it for dcol.
      f32_gemm({ckk, hw, s.c_out, w, ckk, true, dyi, hw, false, col, hw, false});
      float* dxi = dx + i * in_size;
      std::memset(dxi, 0, sizeof(float) * in_size);
      f32_col2im__scalar(dxi, col, s);
    }
  }
}

void conv2d_forward_reference(float* y, const float* x, const float* w, const float* b, const Conv2dShape& s) {
  for (int i = 0; i < s.n; ++i)
    for (int o = 0; o < s.c_out; ++o)
      for (int oy = 0; oy < s.h_out; ++oy)
        for (int ox = 0; ox < s.w_out; ++ox) {
          // the sliding dot product: k x k x c_in filter o against the patch under it
          float acc = 0.0f;
          for (int c = 0; c < s.c_in; ++c)
            for (int ky = 0; ky < s.k; ++ky)
              for (int kx = 0; kx < s.k; ++kx) {
                int iy = oy * s.stride + ky - s.pad_top, ix = ox * s.stride + kx - s.pad_left;
                if (iy < 0 || iy >= s.h_in || ix < 0 || ix >= s.w_in) continue;
                acc += x[((int64_t(i) * s.c_in + c) * s.h_in + iy) * s.w_in + ix] *
                       w[((o * s.c_in + c) * s.k + ky) * s.k + kx];
              }
          y[((int64_t(i) * s.c_out + o) * s.h_out + oy) * s.w_out + ox] = acc + b[o];
        }
}

void conv2d_backward_reference(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w,
                               const Conv2dShape& s) {
  if (dx) std::memset(dx, 0, sizeof(float) * s.n * s.c_in * s.h_in * s.w_in);
  for (int i = 0; i < s.n; ++i)
    for (int o = 0; o < s.c_out; ++o)
      for (int oy = 0; oy < s.h_out; ++oy)
        for (int ox = 0; ox < s.w_out; ++ox) {
          float g = dy[((int64_t(i) * s.c_out + o) * s.h_out + oy) * s.w_out + ox];
          db[o] += g;
          for (int c = 0; c < s.c_in; ++c)
            for (int ky = 0; ky < s.k; ++ky)
              for (int kx = 0; kx < s.k; ++kx) {
                int iy = oy * s.stride + ky - s.pad_top, ix = ox * s.stride + kx - s.pad_left;
                if (iy < 0 || iy >= s.h_in || ix < 0 || ix >= s.w_in) continue;
                int64_t xi = ((int64_t(i) * s.c_in + c) * s.h_in + iy) * s.w_in + ix;
                int wi = ((o * s.c_in + c) * s.k + ky) * s.k + kx;
                dw[wi] += g * x[xi];
                if (dx) dx[xi] += g * w[wi];
              }
        }
}

// ---------------------------------------------------------------- relu

void relu_forward(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(float* dx, const float* dy, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

// ---------------------------------------------------------------- pools

void maxpool2d_forward(float* y, int32_t* argmax, const float* x, const Pool2dShape& s) {
  const int64_t planes = int64_t(s.n) * s.c;
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x + p * s.h_in * s.w_in;
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

void maxpool2d_backward(float* dx, const float* dy, const int32_t* argmax, const Pool2dShape& s) {
  const int64_t planes = int64_t(s.n) * s.c;
  std::memset(dx, 0, sizeof(float) * planes * s.h_in * s.w_in);
  for (int64_t p = 0; p < planes; ++p)
    for (int q = 0; q < s.h_out * s.w_out; ++q) {
      int64_t o = p * s.h_out * s.w_out + q;
      dx[p * s.h_in * s.w_in + argmax[o]] += dy[o];
    }
}

void avgpool2d_forward(float* y, const float* x, const Pool2dShape& s) {
  const int64_t planes = int64_t(s.n) * s.c;
  const float inv = 1.0f / float(s.k * s.k);
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x + p * s.h_in * s.w_in;
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

void avgpool2d_backward(float* dx, const float* dy, const Pool2dShape& s) {
  const int64_t planes = int64_t(s.n) * s.c;
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

void linear_forward(float* y, const float* x, const float* w, const float* b, int n, int in, int out) {
  f32_gemm({n, out, in, x, in, false, w, in, true, y, out, false});
  for (int i = 0; i < n; ++i)
    for (int o = 0; o < out; ++o) y[i * out + o] += b[o];
}

void linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, int n, int in,
                     int out) {
  f32_gemm({out, in, n, dy, out, true, x, in, false, dw, in, true});  // dW += dy^T x
  for (int o = 0; o < out; ++o) {
    float acc = 0.0f;
    for (int i = 0; i < n; ++i) acc += dy[i * out + o];
    db[o] += acc;
  }
  if (dx) f32_gemm({n, in, out, dy, out, false, w, in, false, dx, in, false});  // dx = dy W
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
