#include <cassert>

#include "convlab/kernels.h"
#include "f32_pool_2x2_cell__scalar.h"

namespace convlab {

// Window taps in scan order (0,0), (0,1), (1,0), (1,1): the first is taken, a later one only
// when strictly greater or NaN, so the first maximum wins and a NaN always wins (PyTorch).
void f32_maxpool_2x2__scalar(float* y, int32_t* argmax, const float* x, int64_t planes, int h_in, int w_in) {
  assert(h_in % 2 == 0 && w_in % 2 == 0);
  const int h_out = h_in / 2, w_out = w_in / 2;
  for (int64_t pl = 0; pl < planes; ++pl, x += int64_t(h_in) * w_in)
    for (int oy = 0; oy < h_out; ++oy, y += w_out, argmax += w_out) {
      const float* r0 = x + 2 * oy * w_in;
      const float* r1 = r0 + w_in;
      for (int ox = 0; ox < w_out; ++ox) pool_2x2::max_cell(y, argmax, r0, r1, ox, 2 * oy * w_in, w_in);
    }
}

}  // namespace convlab
