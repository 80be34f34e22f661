// The one way an image becomes a model input, for training, live prediction and export
// alike: RGBA bytes of any size -> centre crop to the input's aspect ratio -> area-average
// resize -> grayscale when the model has 1 channel -> bytes (as PIL would hand them to
// torchvision) -> float in [0, 1], layout (C, H, W).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "convlab/json.h"
#include "convlab/spec.h"

namespace convlab {

// ITU-R 601 luma weights (float32), as PIL's convert("L"): gray = R·kLumaR + G·kLumaG + B·kLumaB.
inline constexpr float kLumaR = 0.299f, kLumaG = 0.587f, kLumaB = 0.114f;

// The exact algorithm above with its constants, for the metadata of exported files (safetensors
// and ONNX) and the generated PyTorch script (torch_script.h), which follow it step by step.
Json preprocessing_json(const InputSpec& in);

// RGBA from outside (the page): `bytes` must be w·h·4 with w, h >= 1. Throws
// std::invalid_argument naming both sizes otherwise.
void check_rgba(size_t bytes, int w, int h);

// A source image's size is usable (1 to 8192 pixels each way); throws std::invalid_argument
// saying so otherwise. check_rgba includes it.
void check_source_size(int w, int h);

// The buffers preprocessing needs (resize taps, one row, the bytes), kept by a caller that
// preprocesses many images: once they have grown to the largest image nothing is allocated.
struct PreprocessScratch {
  struct Taps {
    std::vector<int> first, count;
    std::vector<float> w;  // count[o] weights per output, concatenated
  } tx, ty;
  std::vector<float> line;     // one source row of RGBA floats
  std::vector<uint8_t> bytes;  // (C, H, W) before the float conversion
};

// out: (in.channels, in.height, in.width) bytes. Throws std::invalid_argument on a bad size.
void preprocess_rgba_u8(uint8_t* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in);
void preprocess_rgba_u8(uint8_t* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in,
                        PreprocessScratch& scratch);
// out: (in.channels, in.height, in.width) floats in [0, 1] = bytes / 255.
void preprocess_rgba(float* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in);
void preprocess_rgba(float* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in,
                     PreprocessScratch& scratch);
// The second half on its own, for images already stored as preprocessed bytes.
void bytes_to_input(float* out, const uint8_t* chw, int64_t n);

}  // namespace convlab
