// conv2d: im2col + GEMM forward (or, in wasm at stride 1, an implicit GEMM reading the padded
// image in place, in two tilings), backward as dW = dY · col^T with db folded in and dx as the
// transposed convolution (stride 1) or W^T dY + col2im; all carved from one caller-owned scratch.
#include <algorithm>
#include <cstring>

#include "convlab/gemm.h"
#include "convlab/layers.h"
#include "convlab/threadpool.h"

namespace convlab {

namespace {

// The conv scratch, carved from one caller-owned buffer (sized once per model and batch):
//   wpack   packed W (forward) or W^T (input gradient)
//   part    per image: dW_i (c_out, ckk) then db_i (c_out); reduced in image order so the sum
//           is the same with any number of threads
//   thread  per thread: backward, col/dcol (ckk, hw), packed dY_i as A (c_out rounded up to 4,
//           hw), packed col^T or dY_i as B.
// The forward needs no partials: its per-thread slots (packed im2col panels, or the padded
// image) start at `part`, so a forward run on one thread needs only wpack's area and one slot
// (conv2d_forward_col_size_one_thread), whatever the batch. The backward's transposed forward
// overwrites the partials only after they are reduced.
struct ConvScratch {
  float* wpack;
  float* part;
  float* thread0;
  int64_t per_thread;
};

int64_t conv_wpack_size(const Conv2dShape& s) {
  const int64_t ckk = int64_t(s.c_in) * s.k * s.k;
  return std::max(round_up(s.c_out, kGemmMr) * ckk, round_up(ckk, kGemmMr) * s.c_out);
}

// The implicit (no im2col) forward for stride 1: the image zero-padded to (c_in, hp, wp), and
// the output over "padded-width" positions P = oy*wp + ox (columns ox >= w_out are junk, dropped
// when copying out). Tap (ci, ky, kx) of position P is then xpad[ci*hp*wp + ky*wp + kx + P]:
// 8 neighbouring positions are 8 neighbouring floats, read in place by f32_igemm.
constexpr int kMaxImplicitK = 4608;  // ckk bound for the offset table on the stack
struct Implicit {
  int hp, wp, npos;
  int64_t xpad_size, ypad_stride;
};
// Only where the SIMD igemm is built: g++ auto-vectorises the packed scalar GEMM well but not
// the in-place one, so native builds keep im2col (both paths give the same bits).
bool conv_implicit(const Conv2dShape& s) {
#ifdef __wasm_simd128__
  return s.stride == 1 && int64_t(s.c_in) * s.k * s.k <= kMaxImplicitK;
#else
  (void)s;
  return false;
#endif
}
Implicit implicit_geometry(const Conv2dShape& s) {
  Implicit g;
  g.hp = s.h_out + s.k - 1, g.wp = s.w_out + s.k - 1, g.npos = s.h_out * g.wp;
  // the last panel reads up to k + 6 floats past the padded image: zero slack
  g.xpad_size = round_up(int64_t(s.c_in) * g.hp * g.wp + s.k + 8, 4);
  g.ypad_stride = round_up(g.npos, kGemmNr);
  return g;
}

int64_t conv_per_thread_size(const Conv2dShape& s) {
  const int64_t ckk = int64_t(s.c_in) * s.k * s.k, hw = int64_t(s.h_out) * s.w_out;
  int64_t fwd = round_up(hw, kGemmNr) * ckk;
  if (conv_implicit(s)) {
    const Implicit g = implicit_geometry(s);
    fwd = std::max(fwd, g.xpad_size + g.ypad_stride * s.c_out);
  }
  // im2col scratch (also dcol, when dx is not a convolution), packed dY as A, then packed
  // [col^T | 1] (dW and db in one GEMM) or packed dY as B
  const int64_t bwd = f32_im2col_packb8t_scratch_size(s) + round_up(s.c_out, kGemmMr) * hw +
                      std::max(round_up(ckk + 1, kGemmNr) * hw, round_up(hw, kGemmNr) * s.c_out);
  return std::max(fwd, bwd);
}

// One image's partial gradients: (c_out, ckk + 1), dW_i with db_i as its last column.
int64_t conv_part_stride(const Conv2dShape& s) { return int64_t(s.c_out) * (s.c_in * s.k * s.k + 1); }

ConvScratch carve(float* col, const Conv2dShape& s) {
  ConvScratch c;
  c.wpack = col;
  c.part = c.wpack + round_up(conv_wpack_size(s), 4);
  c.thread0 = c.part + round_up(int64_t(s.n) * conv_part_stride(s), 4);
  c.per_thread = round_up(conv_per_thread_size(s), 4);
  return c;
}

// The input gradient of a stride-1 convolution is itself a stride-1 convolution: dy, zero-padded
// by k-1-p, correlated with the weights flipped in space and with in and out channels swapped,
//   dx[ci, iy, ix] = sum over (o, ky, kx) of W[o, ci, k-1-ky, k-1-kx] * dy[o, iy + ky - (k-1-p_top), ix + kx - (k-1-p_left)]
// so it runs on the forward's fast path (the implicit GEMM in wasm) with no dcol and no col2im.
// ref: Dumoulin & Visin, "A guide to convolution arithmetic", the transpose of a convolution.
bool dx_as_conv(const Conv2dShape& s) { return s.stride == 1 && s.pad_top <= s.k - 1 && s.pad_left <= s.k - 1; }
Conv2dShape transposed_shape(const Conv2dShape& s) {
  return {s.n, s.c_out, s.h_out, s.w_out, s.c_in, s.h_in, s.w_in, s.k, 1, s.k - 1 - s.pad_top, s.k - 1 - s.pad_left};
}
// W'(c_in, c_out*k*k), W'[ci, (o, ky, kx)] = W[o, ci, k-1-ky, k-1-kx], in conv2d_pack_weights' A panels.
void pack_weights_transposed(float* wpack, const float* w, const Conv2dShape& s) {
  const int kk = s.k * s.k, K = s.c_out * kk, panels = int(round_up(s.c_in, kGemmMr) / kGemmMr);
  for (int P = 0; P < panels; ++P)
    for (int t = 0; t < K; ++t) {
      const int o = t / kk, tap = kk - 1 - t % kk;  // (k-1-ky)*k + (k-1-kx)
      for (int r = 0; r < kGemmMr; ++r) {
        const int ci = kGemmMr * P + r;
        wpack[(int64_t(P) * K + t) * kGemmMr + r] = ci < s.c_in ? w[(int64_t(o) * s.c_in + ci) * kk + tap] : 0.0f;
      }
    }
}

int64_t col_size_of(const Conv2dShape& s) {
  return round_up(conv_wpack_size(s), 4) + round_up(int64_t(s.n) * conv_part_stride(s), 4) +
         round_up(conv_per_thread_size(s), 4) * max_threads();
}

}  // namespace

// wpack's area, then the forward's thread-0 slot (carve).
int64_t conv2d_forward_col_size_one_thread(const Conv2dShape& s) {
  return round_up(conv_wpack_size(s), 4) + round_up(conv_per_thread_size(s), 4);
}

int64_t conv2d_col_size(const Conv2dShape& s) {
  // the backward's transposed forward carves the same buffer for its own shape
  return std::max(col_size_of(s), dx_as_conv(s) ? col_size_of(transposed_shape(s)) : 0);
}

namespace {

// y_i = sum + b with the sum over ckk in the same order as the im2col path (padding taps are the
// same explicit zeros), so both paths give the same bits. Two tilings of the output positions:
//  - by rows (tiles of 8 along each output row, stored straight into y, which starts as the bias):
//    no junk columns and no copy-out; used when it makes no more tiles than the other one;
//  - by padded width (tiles run on across rows, junk columns dropped when copying out with the
//    bias): fewer tiles when w_out is well short of a multiple of 8 (28 wide: 105 tiles vs 112).
bool implicit_by_rows(const Conv2dShape& s, const Implicit& g) {
  return round_up(s.w_out, kGemmNr) * s.h_out <= round_up(g.npos, kGemmNr);
}

void conv2d_forward_implicit(float* y, const ConvScratch& sc, const float* x, const float* wpack, const float* b,
                             const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out, ckk = s.c_in * s.k * s.k;
  const Implicit g = implicit_geometry(s);
  const bool rows = implicit_by_rows(s, g);
  const int tpr = int(round_up(s.w_out, kGemmNr) / kGemmNr);  // tiles per output row (by rows)
  const int nq = rows ? s.h_out * tpr : int(g.ypad_stride / kGemmNr), np = int(round_up(s.c_out, kGemmMr) / kGemmMr);
  // by rows, tile q covers y positions [start(q), start(q + 1)), consecutive in q
  auto start = [&](int q) { return (q / tpr) * s.w_out + std::min(kGemmNr * (q % tpr), s.w_out); };
  int32_t koff[kMaxImplicitK];
  for (int ci = 0, r = 0; ci < s.c_in; ++ci)
    for (int ky = 0; ky < s.k; ++ky)
      for (int kx = 0; kx < s.k; ++kx) koff[r++] = (ci * g.hp + ky) * g.wp + kx;
  const int blocks = s.n >= num_threads() ? 1 : std::min(num_threads(), nq);
  const IgemmMicrokernel uk = f32_igemm_4x8_best();
  parallel_for(s.n * blocks, [&](int begin, int end, int t) {
    float* xpad = sc.part + t * sc.per_thread;  // (c_in, hp, wp) + slack: forward slots start at part
    float* ypad = xpad + g.xpad_size;               // (c_out, ypad_stride), padded-width tiling only
    for (int item = begin; item < end; ++item) {
      const int i = item / blocks, blk = item % blocks;
      const int q0 = nq * blk / blocks, q1 = nq * (blk + 1) / blocks;
      const float* xi = x + int64_t(i) * s.c_in * s.h_in * s.w_in;
      float* yi = y + int64_t(i) * s.c_out * hw;
      // zero-padded copy of image i
      std::fill(xpad, xpad + g.xpad_size, 0.0f);
      for (int ci = 0; ci < s.c_in; ++ci)
        for (int iy = 0; iy < s.h_in; ++iy) {
          const int yy = iy + s.pad_top;
          if (yy >= g.hp) break;
          const int x0 = s.pad_left, cols = std::min(s.w_in, g.wp - x0);
          std::memcpy(xpad + (int64_t(ci) * g.hp + yy) * g.wp + x0, xi + (int64_t(ci) * s.h_in + iy) * s.w_in,
                      sizeof(float) * size_t(cols));
        }
      if (rows) {
        const int a = start(q0), e = q1 == nq ? hw : start(q1);
        for (int o = 0; o < s.c_out; ++o) std::fill(yi + int64_t(o) * hw + a, yi + int64_t(o) * hw + e, b ? b[o] : 0.0f);
        for (int q = q0; q < q1; ++q) {
          const int oy = q / tpr, ox = kGemmNr * (q % tpr), nr = std::min(kGemmNr, s.w_out - ox);
          for (int p = 0; p < np; ++p)
            uk(std::min(kGemmMr, s.c_out - p * kGemmMr), nr, ckk, wpack + int64_t(p) * kGemmMr * ckk,
               xpad + oy * g.wp + ox, koff, yi + int64_t(p) * kGemmMr * hw + oy * s.w_out + ox, hw, true);
        }
        continue;
      }
      for (int q = q0; q < q1; ++q) {
        const int nr = std::min(kGemmNr, g.npos - q * kGemmNr);
        for (int p = 0; p < np; ++p)
          uk(std::min(kGemmMr, s.c_out - p * kGemmMr), nr, ckk, wpack + int64_t(p) * kGemmMr * ckk,
             xpad + q * kGemmNr, koff, ypad + p * kGemmMr * g.ypad_stride + q * kGemmNr, int(g.ypad_stride), false);
      }
      // drop the junk columns, add the bias: rows of output positions inside [8 q0, 8 q1)
      const int P0 = q0 * kGemmNr, P1 = std::min(g.npos, q1 * kGemmNr);
      for (int o = 0; o < s.c_out; ++o) {
        const float* src = ypad + o * g.ypad_stride;
        float* dst = yi + int64_t(o) * hw;
        const float bo = b ? b[o] : 0.0f;
        for (int oy = P0 / g.wp; oy * g.wp < P1; ++oy) {
          const int a = std::max(P0, oy * g.wp), e = std::min(P1, oy * g.wp + s.w_out);
          for (int P = a; P < e; ++P) dst[oy * s.w_out + (P - oy * g.wp)] = src[P] + bo;
        }
      }
    }
  });
}

}  // namespace

// Per image: y_i(c_out, hw) = b + W(c_out, ckk) · col_i(ckk, hw), col_i packed straight from x
// by f32_im2col_packb8. Threads take whole images, or column panels of one image when there are
// fewer images than threads (live prediction); every output is the same sum either way.
void conv2d_forward(float* y, float* col, const float* x, const float* w, const float* b, const Conv2dShape& s) {
  const ConvScratch sc = carve(col, s);
  conv2d_pack_weights(sc.wpack, w, s);
  conv2d_forward_packed(y, col, x, sc.wpack, b, s);
}

int64_t conv2d_wpack_size(const Conv2dShape& s) { return round_up(s.c_out, kGemmMr) * s.c_in * s.k * s.k; }

void conv2d_pack_weights(float* wpack, const float* w, const Conv2dShape& s) {
  const int ckk = s.c_in * s.k * s.k;
  f32_packa_4__scalar(wpack, w, ckk, false, s.c_out, ckk, 0, int(round_up(s.c_out, kGemmMr) / kGemmMr));
}

void conv2d_forward_packed(float* y, float* col, const float* x, const float* wpack, const float* b,
                           const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out, ckk = s.c_in * s.k * s.k;
  const int nq = int(round_up(hw, kGemmNr) / kGemmNr);
  const ConvScratch sc = carve(col, s);
  if (conv_implicit(s)) return conv2d_forward_implicit(y, sc, x, wpack, b, s);
  const int blocks = s.n >= num_threads() ? 1 : std::min(num_threads(), nq);
  const GemmMicrokernel uk = f32_gemm_4x8_best();
  parallel_for(s.n * blocks, [&](int begin, int end, int t) {
    float* pb = sc.part + t * sc.per_thread;  // forward slots start at part
    for (int item = begin; item < end; ++item) {
      const int i = item / blocks, blk = item % blocks;
      const int q0 = nq * blk / blocks, q1 = nq * (blk + 1) / blocks;
      const int c0 = q0 * kGemmNr, c1 = std::min(hw, q1 * kGemmNr);
      float* yi = y + int64_t(i) * s.c_out * hw;
      f32_im2col_packb8__scalar(pb, x + int64_t(i) * s.c_in * s.h_in * s.w_in, s, q0, q1);
      // y starts as the bias and the GEMM adds its sum: b + sum == sum + b, bit for bit
      for (int o = 0; o < s.c_out; ++o) std::fill(yi + int64_t(o) * hw + c0, yi + int64_t(o) * hw + c1, b ? b[o] : 0.0f);
      f32_gemm_packed(uk, s.c_out, hw - c0, ckk, wpack, pb, yi + c0, hw, true, 0, q1 - q0);
    }
  });
}

// Per image i (threads take whole images): [dW_i | db_i](c_out, ckk + 1) = dy_i(c_out, hw) ·
// [col_i^T | 1] into per-image partials: the column of ones makes the GEMM sum each row of dy_i
// for the bias (the same sum, in the same order, as a plain loop, but 8 rows at a time instead
// of one latency-bound chain). Then dw += dW_0, += dW_1, ... in image order (the single-thread
// order). dx: at stride 1 the transposed convolution, run after the loop on the forward path;
// otherwise per image dcol(ckk, hw) = W^T · dy_i, then col2im into dx_i.
void conv2d_backward(float* dx, float* dw, float* db, float* col, const float* dy, const float* x, const float* w,
                     const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out, ckk = s.c_in * s.k * s.k;
  const int64_t in_size = int64_t(s.c_in) * s.h_in * s.w_in;
  const int64_t stride = conv_part_stride(s);
  const ConvScratch sc = carve(col, s);
  const bool dx_conv = dx && dx_as_conv(s);  // else dcol = W^T dy and col2im, per image
  if (dx && !dx_conv) f32_packa_4__scalar(sc.wpack, w, ckk, true, ckk, s.c_out, 0, int(round_up(ckk, kGemmMr) / kGemmMr));
  const GemmMicrokernel uk = f32_gemm_4x8_best();
  const Im2colPackb8tKernel im2col_packb8t = f32_im2col_packb8t_best();
  const int nqw = int(round_up(ckk + 1, kGemmNr) / kGemmNr);  // panels of [col^T | 1]
  parallel_for(s.n, [&](int begin, int end, int t) {
    // (ckk, hw): the im2col scratch, then dcol when dx is not a convolution
    float* coli = sc.thread0 + t * sc.per_thread;
    float* pa = coli + f32_im2col_packb8t_scratch_size(s);  // at least ckk * hw
    float* pb = pa + round_up(s.c_out, kGemmMr) * hw;
    for (int i = begin; i < end; ++i) {
      const float* dyi = dy + int64_t(i) * s.c_out * hw;
      float* part = sc.part + i * stride;
      f32_packa_4__scalar(pa, dyi, hw, false, s.c_out, hw, 0, int(round_up(s.c_out, kGemmMr) / kGemmMr));
      im2col_packb8t(pb, coli, x + i * in_size, s);  // col_i^T (hw, ckk), zero columns past ckk
      if (ckk % kGemmNr == 0) std::fill(pb + int64_t(ckk) * hw, pb + int64_t(ckk + kGemmNr) * hw, 0.0f);
      float* ones = pb + int64_t(ckk / kGemmNr) * hw * kGemmNr + ckk % kGemmNr;  // column ckk
      for (int p = 0; p < hw; ++p) ones[p * kGemmNr] = 1.0f;
      f32_gemm_packed(uk, s.c_out, ckk + 1, hw, pa, pb, part, ckk + 1, false, 0, nqw);
      if (dx && !dx_conv) {
        const int nq = int(round_up(hw, kGemmNr) / kGemmNr);
        f32_packb_8__scalar(pb, dyi, hw, false, s.c_out, hw, 0, nq);
        f32_gemm_packed(uk, ckk, hw, s.c_out, sc.wpack, pb, coli, hw, false, 0, nq);
        float* dxi = dx + i * in_size;
        std::memset(dxi, 0, sizeof(float) * in_size);
        f32_col2im__scalar(dxi, coli, s);
      }
    }
  });
  parallel_for(int(stride), [&](int begin, int end, int) {
    for (int j = begin; j < end; ++j) {
      const int o = j / (ckk + 1), c = j % (ckk + 1);
      float* target = c < ckk ? dw + int64_t(o) * ckk + c : db + o;
      float v = *target;
      for (int i = 0; i < s.n; ++i) v += sc.part[i * stride + j];
      *target = v;
    }
  });
  if (dx_conv) {
    // after the partials are reduced: the transposed forward may reuse all of col but its
    // packed weights, which sit where its own carve puts them (col's start)
    pack_weights_transposed(sc.wpack, w, s);
    conv2d_forward_packed(dx, col, dy, sc.wpack, nullptr, transposed_shape(s));
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

}  // namespace convlab
