// The one way an image becomes a model input, for training, live prediction and export
// alike: RGBA bytes of any size -> centre crop to the input's aspect ratio -> area-average
// resize -> grayscale when the model has 1 channel -> bytes (as PIL would hand them to
// torchvision) -> float in [0, 1], layout (C, H, W).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "convlab/spec.h"

namespace convlab {

// RGBA from outside (the page): `bytes` must be w·h·4 with w, h >= 1. Throws
// std::invalid_argument naming both sizes otherwise.
void check_rgba(size_t bytes, int w, int h);

// out: (in.channels, in.height, in.width) bytes. Throws std::invalid_argument on a bad size.
void preprocess_rgba_u8(uint8_t* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in);
// out: (in.channels, in.height, in.width) floats in [0, 1] = bytes / 255.
void preprocess_rgba(float* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in);
// The second half on its own, for images already stored as preprocessed bytes.
void bytes_to_input(float* out, const uint8_t* chw, int64_t n);

}  // namespace convlab
