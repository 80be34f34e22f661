#include "convlab/kernels.h"

namespace convlab {

// y = x / 255 (torchvision's ToTensor): a true division, so every byte maps to the float nearest
// its quotient; x * (1 / 255) would round twice and differ for some bytes.
void f32_u8_unit__scalar(float* y, const uint8_t* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = float(x[i]) / 255.0f;
}

}  // namespace convlab
