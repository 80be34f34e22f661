#include <cassert>

#include "convlab/kernels.h"
#include "f32_pool_2x2_cell__scalar.h"

namespace convlab {

// y: the generic pool's sum in its scan order, times 0.25 (f32_pool_2x2_cell__scalar.h).
void f32_avgpool_2x2__scalar(float* y, const float* x, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  for (int64_t pl = 0; pl < planes; ++pl, x += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, y += w_out) {
      const float* r0 = x + 2 * oy * w_in;
      const float* r1 = r0 + w_in;
      for (int ox = 0; ox < w_out; ++ox) y[ox] = pool_2x2::avg_cell(r0, r1, ox);
    }
}

// Windows do not overlap: every dx is 0 + dy * 0.25 of its one window.
void f32_avgpool_2x2_grad__scalar(float* dx, const float* dy, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  for (int64_t pl = 0; pl < planes; ++pl, dx += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, dy += w_out) {
      float* r0 = dx + 2 * oy * w_in;
      float* r1 = r0 + w_in;
      for (int ox = 0; ox < w_out; ++ox) pool_2x2::avg_grad_cell(r0, r1, dy[ox], ox);
    }
}

}  // namespace convlab
