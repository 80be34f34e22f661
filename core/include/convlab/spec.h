// The model spec (plain JSON, written by hand or by the page's editor) and the lecture's
// arithmetic over it: output sizes, parameter counts, multiply-adds, receptive fields.
//
//   {"input": {"channels": 3, "height": 64, "width": 64},
//    "layers": [{"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"},
//               {"type": "relu"}, {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"},
//               {"type": "linear", "out_features": 2}]}
//
// Layer i of the spec is module i of a PyTorch nn.Sequential, so its parameters are named
// "i.weight" and "i.bias" exactly as in that Sequential's state_dict.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "convlab/json.h"
#include "convlab/rules.h"

namespace convlab {

enum class LayerType { Conv2d, ReLU, MaxPool2d, AvgPool2d, Flatten, Linear };

struct InputSpec {
  int channels = 3;  // 1 (grayscale) or 3 (RGB)
  int height = 64;
  int width = 64;
};

struct LayerSpec {
  LayerType type = LayerType::ReLU;
  int out_channels = 0;  // conv2d
  int kernel = 0;        // conv2d, pools: k (square k x k)
  int stride = 0;        // conv2d default 1, pools default = kernel (PyTorch's defaults)
  int padding = 0;       // p per side; ignored when same
  bool same = false;     // conv2d padding "same" (PyTorch's meaning)
  int out_features = 0;  // linear
};

struct ModelSpec {
  InputSpec input;
  std::vector<LayerSpec> layers;
};

// The budget (rules.h): the largest model and activation the engine accepts.
using rules::kMaxActivation;
using rules::kMaxParameters;

// A bad spec: names the layer (-1: the input or the spec as a whole), says what is wrong
// and how to fix it.
struct SpecError : std::runtime_error {
  SpecError(int layer, std::string field, const std::string& message)
      : std::runtime_error(message), layer(layer), field(std::move(field)) {}
  int layer;
  std::string field;  // the JSON key at fault ("kernel", "padding", ...) or ""
};

// A tensor shape of one image: (c, h, w), or a flat vector of c features (h = w = 1).
struct Shape {
  int c = 0, h = 0, w = 0;
  bool flat = false;
  int64_t size() const { return int64_t(c) * h * w; }
  bool operator==(const Shape&) const = default;
};

// w_out = (w_in + p_before + p_after - k) / s + 1  (p per side: p_before = p_after = p).
// ref: the CNN lecture; PyTorch Conv2d / MaxPool2d docs. This is the one place it is computed.
struct OutputSize {
  int value;       // w_out when exact
  bool exact;      // (w_in + p_before + p_after - k) divisible by s, and >= 0
  int numerator;   // w_in + p_before + p_after - k
};
OutputSize output_size(int w_in, int k, int s, int p_before, int p_after);

// PyTorch's padding="same" for stride 1: total k - 1, the smaller half before.
inline int same_pad_before(int k) { return (k - 1) / 2; }
inline int same_pad_after(int k) { return (k - 1) - (k - 1) / 2; }

// What validation computes for one layer: everything the page's table shows.
struct LayerInfo {
  LayerSpec spec;
  Shape in, out;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;  // resolved
  int64_t params = 0;
  std::string params_formula;  // "16·(3·3·3)+16", "" when 0
  int64_t macs = 0;            // multiply-adds per image
  // Receptive field of one output unit on the input, and its jump (distance on the input
  // between neighbouring output units): r_l = r_{l-1} + (k_l - 1) j_{l-1}, j_l = j_{l-1} s_l.
  int rf = 1, jump = 1;
  bool rf_full = false;        // flatten/linear: every output sees the whole input
  std::string size_formula;    // "(28 + 2·1 − 3)/1 + 1 = 28" (width; height too if it differs)
  std::string describe() const;  // "conv2d 16 3×3 s1 p1"
};

struct ModelInfo {
  Shape input;
  std::vector<LayerInfo> layers;
  Shape output;
  int64_t params = 0, macs = 0;
};

std::string layer_type_name(LayerType t);
ModelSpec parse_spec(const Json& j);              // throws SpecError
ModelSpec parse_spec(const std::string& text);    // throws SpecError (JSON errors too)
// A string literal would be ambiguous between the two above (Json converts from const char*).
inline ModelSpec parse_spec(const char* text) { return parse_spec(std::string(text)); }
Json spec_to_json(const ModelSpec& s);
// enforce_budget = false skips the parameter/activation budget: for reading the lecture's
// large nets (AlexNet) in the table, never for building a Model.
ModelInfo validate(const ModelSpec& s, bool enforce_budget = true);  // throws SpecError

// Everything wrong with a spec text, for the page: per-layer info as far as it could be
// computed, and the first error (layer, field, message) if any. Never throws.
struct SpecReport {
  bool ok = false;
  ModelInfo info;          // layers computed before the error (all of them for a class-rule error)
  int error_layer = -2;    // -2: no error; -1: the input or the spec as a whole; else the layer
  std::string error_field, error;
  // Without the budget: the first budget the spec exceeds ("" when within it), with the
  // message the budgeted check would give.
  std::string budget_error;
};
// classes > 0 also applies the project's class rule: the last layer is linear with
// out_features == classes (and classes is within rules::kMinClasses..kMaxClasses).
SpecReport check_spec(const std::string& text, bool enforce_budget = true, int classes = 0);

}  // namespace convlab
