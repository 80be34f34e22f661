#include "convlab/detmath.h"

#include <cmath>
#include <limits>

namespace convlab {

// exp(x) = 2^n exp(r), r = x - n ln2 in [-0.35, 0.35]; Taylor to r^13 (error < 1e-16),
// then one rounding to float: correctly rounded except in vanishingly rare ties.
float det_expf(float xf) {
  double x = xf;
  if (xf != xf) return xf;
  if (x > 88.8) return std::numeric_limits<float>::infinity();
  if (x < -104.0) return 0.0f;
  const double ln2 = 0.6931471805599453094;
  double n = std::nearbyint(x / ln2);
  double r = x - n * ln2;
  double term = 1.0, sum = 1.0;
  for (int i = 1; i <= 13; ++i) {
    term *= r / i;
    sum += term;
  }
  return static_cast<float>(std::ldexp(sum, static_cast<int>(n)));
}

// log(x) = e ln2 + 2 atanh(s), x = m 2^e with m in [sqrt(1/2), sqrt(2)), s = (m-1)/(m+1).
float det_logf(float xf) {
  if (xf != xf || xf < 0) return std::numeric_limits<float>::quiet_NaN();
  if (xf == 0) return -std::numeric_limits<float>::infinity();
  if (xf == std::numeric_limits<float>::infinity()) return xf;
  int e = 0;
  double m = std::frexp(static_cast<double>(xf), &e);  // m in [0.5, 1)
  if (m < 0.70710678118654752) {
    m *= 2;
    e -= 1;
  }
  double s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0;
  for (int k = 1; k <= 27; k += 2) {
    sum += term / k;
    term *= s2;
  }
  return static_cast<float>(e * 0.6931471805599453094 + 2 * sum);
}

}  // namespace convlab
