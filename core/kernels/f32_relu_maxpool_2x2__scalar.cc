#include <cassert>

#include "convlab/kernels.h"

namespace convlab {

// Each tap through the relu's comparison first, then the pool's scan: the same bits as
// f32_relu__scalar followed by f32_maxpool_2x2__scalar (after the relu there is no NaN, and
// every zero is +0, so the first maximum's value is the maximum's value).
void f32_relu_maxpool_2x2__scalar(float* y, const float* x, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  auto relu = [](float v) { return v > 0.0f ? v : 0.0f; };
  for (int64_t pl = 0; pl < planes; ++pl, x += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, y += w_out) {
      const float* r0 = x + 2 * oy * w_in;
      const float* r1 = r0 + w_in;
      for (int ox = 0; ox < w_out; ++ox) {
        float best = relu(r0[2 * ox]);
        const float v01 = relu(r0[2 * ox + 1]), v10 = relu(r1[2 * ox]), v11 = relu(r1[2 * ox + 1]);
        if (v01 > best) best = v01;
        if (v10 > best) best = v10;
        if (v11 > best) best = v11;
        y[ox] = best;
      }
    }
}

}  // namespace convlab
