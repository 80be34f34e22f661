#include "convlab/kernels.h"

namespace convlab {

// Row r = (ci, ky, kx) of col holds, for every output position (oy, ox), the input pixel
// under filter tap (ky, kx): x[ci, oy*s + ky - pad_top, ox*s + kx - pad_left], 0 outside.
void f32_im2col__scalar(float* col, const float* x, const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out;
  for (int ci = 0; ci < s.c_in; ++ci)
    for (int ky = 0; ky < s.k; ++ky)
      for (int kx = 0; kx < s.k; ++kx) {
        float* row = col + ((ci * s.k + ky) * s.k + kx) * hw;
        for (int oy = 0; oy < s.h_out; ++oy) {
          int iy = oy * s.stride + ky - s.pad_top;
          float* out = row + oy * s.w_out;
          if (iy < 0 || iy >= s.h_in) {
            for (int ox = 0; ox < s.w_out; ++ox) out[ox] = 0.0f;
            continue;
          }
          const float* in = x + (ci * s.h_in + iy) * s.w_in;
          for (int ox = 0; ox < s.w_out; ++ox) {
            int ix = ox * s.stride + kx - s.pad_left;
            out[ox] = (ix >= 0 && ix < s.w_in) ? in[ix] : 0.0f;
          }
        }
      }
}

void f32_col2im__scalar(float* dx, const float* dcol, const Conv2dShape& s) {
  const int hw = s.h_out * s.w_out;
  for (int ci = 0; ci < s.c_in; ++ci)
    for (int ky = 0; ky < s.k; ++ky)
      for (int kx = 0; kx < s.k; ++kx) {
        const float* row = dcol + ((ci * s.k + ky) * s.k + kx) * hw;
        for (int oy = 0; oy < s.h_out; ++oy) {
          int iy = oy * s.stride + ky - s.pad_top;
          if (iy < 0 || iy >= s.h_in) continue;
          float* out = dx + (ci * s.h_in + iy) * s.w_in;
          for (int ox = 0; ox < s.w_out; ++ox) {
            int ix = ox * s.stride + kx - s.pad_left;
            if (ix >= 0 && ix < s.w_in) out[ix] += row[oy * s.w_out + ox];
          }
        }
      }
}

}  // namespace convlab
