// NAME.py: a short standalone PyTorch script for a model (python3 + torch + PIL only, on
// Debian python3-torch and python3-pil). It rebuilds the nn.Sequential from the spec (layer
// i is module i, so the state_dict names are ConvLab's), loads NAME.safetensors with
// strict=True, applies ConvLab's preprocessing (preprocess.h, step by step in float32, so the
// input bytes equal the engine's) to the image paths on its command line and prints each
// image's class probabilities (--json: machine-readable, full precision).
#pragma once
#include <string>
#include <vector>

#include "convlab/spec.h"

namespace convlab {

// weights_file: the safetensors file name the script loads by default (beside the script).
// class_names: one per output (fewer or none: "class 0", "class 1", ... for the rest).
std::string torch_script(const ModelSpec& spec, const std::vector<std::string>& class_names,
                         const std::string& weights_file);

}  // namespace convlab
