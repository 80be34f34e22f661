#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

// y = (((0 + x00) + x01) + x10) + x11) * 0.25: the generic pool's sum, in its scan order.
void f32_avgpool_2x2__scalar(float* y, const float* x, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  for (int64_t pl = 0; pl < planes; ++pl, x += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, y += w_out) {
      const float* r0 = x + 2 * oy * w_in;
      const float* r1 = r0 + w_in;
      for (int ox = 0; ox < w_out; ++ox) {
        float acc = 0.0f;
        acc += r0[2 * ox];
        acc += r0[2 * ox + 1];
        acc += r1[2 * ox];
        acc += r1[2 * ox + 1];
        y[ox] = acc * 0.25f;
      }
    }
}

// Windows do not overlap, so every dx is 0 + dy * 0.25 of its one window (the 0 + keeps
// -0 as +0, as the generic scatter into a zeroed dx does).
void f32_avgpool_2x2_grad__scalar(float* dx, const float* dy, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  for (int64_t pl = 0; pl < planes; ++pl, dx += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, dy += w_out) {
      float* r0 = dx + 2 * oy * w_in;
      float* r1 = r0 + w_in;
      for (int ox = 0; ox < w_out; ++ox) {
        const float g = 0.0f + dy[ox] * 0.25f;
        r0[2 * ox] = r0[2 * ox + 1] = r1[2 * ox] = r1[2 * ox + 1] = g;
      }
    }
}

}  // namespace convlab
