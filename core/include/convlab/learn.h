// The lecture's computations behind the "Inside the CNN" views and the model editor: every
// number those views show comes from here (and so from the engine), never from page code.
// Notation follows the lecture: w_in, k, p, s, c_in; tensors are (C, H, W) of one image.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "convlab/model.h"
#include "convlab/spec.h"

namespace convlab::learn {

// ---- presets (view 1) ----
struct Preset {
  std::string id;           // "webcam", "lenet", "alexnet"
  std::string name;         // shown on the button
  std::string description;  // one sentence
  std::string spec;         // JSON text
  bool trainable;           // within the browser's parameter budget
};
// "webcam" is the page's default net (rules::default_spec fits it to the class count), with
// 2 classes.
std::vector<Preset> presets();

// ---- fully-connected versus convolutional (view 2) ----
struct FcVsConv {
  int64_t fc_weights_per_neuron;  // c_in·h·w: one neuron sees every input value
  int64_t fc_layer_weights;       // units · c_in·h·w (+ units biases in fc_layer_params)
  int64_t fc_layer_params;
  int64_t conv_weights_per_filter;  // k·k·c_in, shared over every position
  int64_t conv_layer_params;        // c_out·(k·k·c_in) + c_out
};
// An input of c_in×h×w feeding `units` fully-connected neurons, or c_out k×k filters.
FcVsConv fc_vs_conv(int c_in, int h, int w, int units, int k, int c_out);

// ---- convolution as a sliding dot product (view 3) ----
struct ConvStep {
  int c_in = 0, k = 0;
  int in_y0 = 0, in_x0 = 0;       // top-left of the window on the (unpadded) input; may be < 0
  std::vector<float> patch;       // (c_in, k, k) input values under the window, 0 in the padding
  std::vector<uint8_t> padded;    // (c_in, k, k) 1 where the window lies on zero padding
  std::vector<float> weights;     // (c_in, k, k) the filter
  float bias = 0;
  double dot = 0;                 // Σ patch·weights (double, to show the exact sum)
  float value = 0;                // dot + bias, as the engine computed it (its output cell)
  float relu = 0;                 // max(0, value)
};
// The window of output cell (oy, ox) of filter `filter` in conv layer `layer`, read from the
// model's last forward (image `image`). Throws std::invalid_argument for a bad layer/cell.
ConvStep conv_step(const Model& m, int layer, int filter, int oy, int ox, int image = 0);

// ---- preprocessing + one forward pass, for the feature-map views (view 4) ----
// x: (C, H, W) filled by the one preprocessing function; runs the model on it (batch 1).
void forward_rgba(Model& m, std::vector<float>& x, const uint8_t* rgba, int w, int h);

// ---- translation (view 5) ----
// y(c, i, j) = x(c, i - dy, j - dx), zero where that falls outside: x moved right dx, down dy.
std::vector<float> shift_image(const float* x, int c, int h, int w, int dx, int dy);

struct Equivariance {
  int layer = 0;
  Shape shape;            // the layer's output (C, H, W)
  int jump = 1;           // input pixels per output cell
  int sx = 0, sy = 0;     // the shift in this layer's cells: (dx, dy) / jump
  bool whole_cells = true;  // dx and dy are multiples of the jump (else equivariance is only approximate)
  std::vector<float> conv_of_shifted;   // (C, H, W) f(shift(x))
  std::vector<float> shifted_conv;      // (C, H, W) shift(f(x)), zero-filled like the input
  std::vector<float> diff;              // (H, W) max over channels of |difference|
  std::vector<uint8_t> interior;        // (H, W) 1 where neither the zero-filled strip nor padding reaches
  float max_interior = 0, max_border = 0;
  int64_t interior_cells = 0, border_cells = 0, border_nonzero = 0;
};
// f is the model up to and including `layer` (a spatial layer). Runs the model on x and on
// shift(x) (a batch of 2), x: (C, H, W) model input.
Equivariance measure_equivariance(Model& m, const float* x, int layer, int dx, int dy);

struct PoolInvariance {
  int shift = 0;
  int64_t cells = 0;              // pooled cells whose window misses the zero-filled strip and is not all zero
  int64_t max_unchanged = 0, avg_unchanged = 0;  // of those, equal to the unshifted output
  double max_change = 0, avg_change = 0;         // mean |change| / mean |output|
};
// Shifts the detector stage a (C, H, W) right by 0..max_shift pixels and pools it with a k×k
// window of stride s, max and average, comparing with the unshifted pooled output.
std::vector<PoolInvariance> pool_invariance(const float* a, int c, int h, int w, int k, int s, int max_shift);

// Class probabilities of shift(x) by (d, 0) for every d in shifts (one batch), row per shift.
std::vector<std::vector<float>> predict_shifts(Model& m, const float* x, const std::vector<int>& shifts);

// ---- receptive fields (views 4 and 6) ----
struct Rect {
  int y0, x0, y1, x1;  // half-open [y0, y1) × [x0, x1) on the input; may reach into the padding
};
// The input pixels that output cell (oy, ox) of layer `layer` depends on, walked back through
// every layer's k, s and padding. Flatten/linear layers see the whole input.
Rect receptive_field(const ModelInfo& info, int layer, int oy, int ox);
// r = 1 + l(k − 1) for l stacked k×k stride-1 layers; the general rule
// r_l = r_{l−1} + (k_l − 1)·j_{l−1}, j_l = j_{l−1}·s_l for a stack of (k, s) layers.
int rf_of_stack(const std::vector<int>& kernels, const std::vector<int>& strides);

// ---- stride and padding playground (view 7) ----
struct Coverage {
  int w_in = 0, k = 0, s = 0, p = 0;
  int numerator = 0;    // w_in + 2p − k
  bool exact = false;   // numerator divisible by s
  int w_out = 0;        // floor(numerator / s) + 1 (what PyTorch does; ConvLab's specs refuse it)
  std::vector<int> counts;  // (w_in + 2p): how many windows sample each padded position, per axis
  int unused = 0;       // real input pixels no window reaches (the remainder of an inexact division)
  std::string formula;  // "(7 + 2·0 − 3)/2 + 1 = 3"
};
// One axis; a square grid's count at (i, j) is counts[i]·counts[j].
Coverage coverage(int w_in, int k, int s, int p);

// ---- the results as JSON, as the worker hands them to the views (field names as above;
// tensors as arrays of numbers, which the worker turns back into typed arrays) ----
Json presets_json();  // [{id, name, description, spec, trainable}]
Json to_json(const FcVsConv& r);
Json to_json(const ConvStep& r);
Json to_json(const Equivariance& r);  // shape as c, h, w
Json to_json(const std::vector<PoolInvariance>& rows);
Json to_json(const Rect& r);
Json to_json(const Coverage& r);

}  // namespace convlab::learn
