#include "convlab/kernels.h"

namespace convlab {

// Splitting each row at the image border leaves inner loops with no bounds test, which the
// compiler vectorises (and the stride-1 case is a plain copy).
Conv2dColRange conv2d_inside_columns(const Conv2dShape& s, int kx) {
  const int a = s.pad_left - kx;               // ox*s >= a
  const int b = s.w_in - 1 + s.pad_left - kx;  // ox*s <= b
  int lo = a <= 0 ? 0 : (a + s.stride - 1) / s.stride;
  int hi = b < 0 ? 0 : b / s.stride + 1;
  lo = lo < s.w_out ? lo : s.w_out;
  hi = hi < s.w_out ? hi : s.w_out;
  return {lo, hi > lo ? hi : lo};
}

// Row r = (ci, ky, kx) of col holds, for every output position (oy, ox), the input pixel
// under filter tap (ky, kx): x[ci, oy*s + ky - pad_top, ox*s + kx - pad_left], 0 outside.
void f32_im2col__scalar(float* col, const float* x, const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out;
  for (int ci = 0; ci < s.c_in; ++ci)
    for (int ky = 0; ky < s.k; ++ky)
      for (int kx = 0; kx < s.k; ++kx) {
        float* row = col + ((ci * s.k + ky) * s.k + kx) * hw;
        const Conv2dColRange r = conv2d_inside_columns(s, kx);
        for (int oy = 0; oy < s.h_out; ++oy) {
          int iy = oy * s.stride + ky - s.pad_top;
          float* out = row + oy * s.w_out;
          if (iy < 0 || iy >= s.h_in || r.lo == r.hi) {
            for (int ox = 0; ox < s.w_out; ++ox) out[ox] = 0.0f;
            continue;
          }
          const float* in = x + (ci * s.h_in + iy) * s.w_in + (r.lo * s.stride + kx - s.pad_left);
          for (int ox = 0; ox < r.lo; ++ox) out[ox] = 0.0f;
          float* mid = out + r.lo;
          const int n = r.hi - r.lo;
          if (s.stride == 1)
            for (int j = 0; j < n; ++j) mid[j] = in[j];
          else
            for (int j = 0; j < n; ++j) mid[j] = in[j * s.stride];
          for (int ox = r.hi; ox < s.w_out; ++ox) out[ox] = 0.0f;
        }
      }
}

void f32_im2col_packb8t__scalar(float* pb, const float* x, const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out, kk = s.k * s.k, ckk = s.c_in * kk, nq = (ckk + 7) / 8;
  for (int r = 0; r < nq * 8; ++r) {
    float* lane = pb + int64_t(r / 8) * hw * 8 + r % 8;  // column r of panel r/8, row stride 8
    if (r >= ckk) {
      for (int p = 0; p < hw; ++p) lane[p * 8] = 0.0f;
      continue;
    }
    const int ci = r / kk, ky = r % kk / s.k, kx = r % s.k;
    const Conv2dColRange cr = conv2d_inside_columns(s, kx);
    for (int oy = 0; oy < s.h_out; ++oy) {
      const int iy = oy * s.stride + ky - s.pad_top;
      float* d = lane + int64_t(oy) * s.w_out * 8;
      const bool row_in = iy >= 0 && iy < s.h_in;
      const float* in = x + (int64_t(ci) * s.h_in + (row_in ? iy : 0)) * s.w_in;
      for (int ox = 0; ox < s.w_out; ++ox)
        d[ox * 8] = row_in && ox >= cr.lo && ox < cr.hi ? in[ox * s.stride + kx - s.pad_left] : 0.0f;
    }
  }
}

// Accumulates in the same order as a plain scan of every (row, oy, ox): each dx element gets
// its terms in the same sequence, so the bits do not depend on the range split.
void f32_col2im__scalar(float* dx, const float* dcol, const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out;
  for (int ci = 0; ci < s.c_in; ++ci)
    for (int ky = 0; ky < s.k; ++ky)
      for (int kx = 0; kx < s.k; ++kx) {
        const float* row = dcol + ((ci * s.k + ky) * s.k + kx) * hw;
        const Conv2dColRange r = conv2d_inside_columns(s, kx);
        const int n = r.hi - r.lo;
        if (n == 0) continue;
        for (int oy = 0; oy < s.h_out; ++oy) {
          int iy = oy * s.stride + ky - s.pad_top;
          if (iy < 0 || iy >= s.h_in) continue;
          float* out = dx + (ci * s.h_in + iy) * s.w_in + (r.lo * s.stride + kx - s.pad_left);
          const float* src = row + oy * s.w_out + r.lo;
          if (s.stride == 1)
            for (int j = 0; j < n; ++j) out[j] += src[j];
          else
            for (int j = 0; j < n; ++j) out[j * s.stride] += src[j];
        }
      }
}

}  // namespace convlab

namespace convlab {

// Panel q, row r = (ci, ky, kx), lane c: x[ci, oy*s + ky - pad_top, ox*s + kx - pad_left] for
// output position 8q + c = (oy, ox); 0 outside the image or past the last position. Where all 8
// positions sit in one output row at stride 1 and inside the image, a lane run is a plain copy.
void f32_im2col_packb8__scalar(float* pb, const float* x, const Conv2dShape& s, int q0, int q1) {
  const int hw = s.h_out * s.w_out, kk = s.k * s.k, plane = s.h_in * s.w_in;
  int off[8 * 64];  // per (ky, kx) and lane: offset in the input plane, or -1 (kernels up to 8x8)
  for (int q = q0; q < q1; ++q) {
    const int p0 = q * 8;
    const int oy0 = p0 / s.w_out, ox0 = p0 % s.w_out;
    const bool one_row = s.stride == 1 && p0 + 8 <= hw && ox0 + 8 <= s.w_out;
    if (one_row || kk > 64) {
      // lanes are consecutive columns of one output row
      for (int ci = 0; ci < s.c_in; ++ci) {
        const float* xp = x + int64_t(ci) * plane;
        for (int ky = 0; ky < s.k; ++ky) {
          const int iy = oy0 * s.stride + ky - s.pad_top;
          for (int kx = 0; kx < s.k; ++kx, pb += 8) {
            const int ix = ox0 * s.stride + kx - s.pad_left;
            if (one_row && iy >= 0 && iy < s.h_in && ix >= 0 && ix + 7 < s.w_in) {
              for (int c = 0; c < 8; ++c) pb[c] = xp[iy * s.w_in + ix + c];
              continue;
            }
            for (int c = 0; c < 8; ++c) {
              const int p = p0 + c, oy = p / s.w_out, ox = p % s.w_out;
              const int yy = oy * s.stride + ky - s.pad_top, xx = ox * s.stride + kx - s.pad_left;
              pb[c] = (p < hw && yy >= 0 && yy < s.h_in && xx >= 0 && xx < s.w_in) ? xp[yy * s.w_in + xx] : 0.0f;
            }
          }
        }
      }
      continue;
    }
    // lanes straddle output rows or the border: look the offsets up once per panel, use them
    // for every input channel
    for (int ky = 0; ky < s.k; ++ky)
      for (int kx = 0; kx < s.k; ++kx)
        for (int c = 0; c < 8; ++c) {
          const int p = p0 + c, oy = p / s.w_out, ox = p % s.w_out;
          const int yy = oy * s.stride + ky - s.pad_top, xx = ox * s.stride + kx - s.pad_left;
          off[(ky * s.k + kx) * 8 + c] = (p < hw && yy >= 0 && yy < s.h_in && xx >= 0 && xx < s.w_in) ? yy * s.w_in + xx : -1;
        }
    for (int ci = 0; ci < s.c_in; ++ci) {
      const float* xp = x + int64_t(ci) * plane;
      for (int t = 0; t < kk; ++t, pb += 8)
        for (int c = 0; c < 8; ++c) {
          const int o = off[t * 8 + c];
          pb[c] = o >= 0 ? xp[o] : 0.0f;
        }
    }
  }
}

}  // namespace convlab
