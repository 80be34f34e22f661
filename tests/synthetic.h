// A small seeded image task for the training tests: 16x16 grayscale images of one of four
// shapes (a horizontal bar, a vertical bar, a square blob or a cross) at a random position on a
// noisy background; dataset() takes the first `classes` of them. The same seed gives the same
// bytes everywhere (integer PCG32 only).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "convlab/rng.h"
#include "convlab/train.h"

namespace synthetic {

// (1, 16, 16) bytes of class `label` (0 horizontal bar, 1 vertical bar, 2 blob, 3 cross).
inline std::vector<uint8_t> image(int label, convlab::Rng& rng) {
  const int n = 16;
  std::vector<uint8_t> px(n * n);
  for (auto& v : px) v = uint8_t(rng.below(60));  // background noise 0..59
  auto put = [&](int y, int x) { px[size_t(y * n + x)] = uint8_t(180 + rng.below(76)); };
  const int a = int(rng.below(n - 8 + 1)), b = int(rng.below(n - 2)) + 1;  // start along, position across
  if (label == 0) {
    for (int x = a; x < a + 8; ++x) put(b, x);
  } else if (label == 1) {
    for (int y = a; y < a + 8; ++y) put(y, b);
  } else if (label == 2) {
    const int y0 = int(rng.below(n - 4 + 1)), x0 = int(rng.below(n - 4 + 1));
    for (int y = y0; y < y0 + 4; ++y)
      for (int x = x0; x < x0 + 4; ++x) put(y, x);
  } else {
    const int cy = int(rng.below(n - 6)) + 3, cx = int(rng.below(n - 6)) + 3;
    for (int d = -3; d <= 3; ++d) {
      put(cy + d, cx);
      put(cy, cx + d);
    }
  }
  return px;
}

// per_class images of each of `classes` classes, interleaved by class.
inline convlab::Dataset dataset(int classes, int per_class, uint64_t seed) {
  convlab::Dataset d({1, 16, 16});
  convlab::Rng rng(seed, 11);
  for (int i = 0; i < per_class; ++i)
    for (int c = 0; c < classes; ++c) d.add_bytes(image(c, rng).data(), c);
  return d;
}

// conv8 3x3 same, relu, maxpool 2, conv8 3x3 same, relu, maxpool 2, flatten, linear classes
inline std::string spec(int classes) {
  return R"({"input": {"channels": 1, "height": 16, "width": 16}, "layers": [
    {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": "same"}, {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2},
    {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": "same"}, {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
    {"type": "linear", "out_features": )" +
         std::to_string(classes) + "}]}";
}

}  // namespace synthetic
