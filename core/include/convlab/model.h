// A Sequential CNN built from a spec: parameters with PyTorch's names and layouts, and all
// buffers for a batch allocated once (reserve) and reused by every step.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "convlab/spec.h"

namespace convlab {

struct Param {
  std::string name;             // "0.weight", "0.bias", ... (nn.Sequential state_dict keys)
  std::vector<int64_t> shape;   // conv (out, in, kh, kw), linear (out, in), bias (out)
  std::vector<float> value;
  std::vector<float> grad;      // same shape; accumulated by backward
  int64_t size() const { return static_cast<int64_t>(value.size()); }
};

class Model {
 public:
  // Validates the spec (throws SpecError) and draws PyTorch's default initialisation
  // (kaiming_uniform with a=sqrt(5): U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases).
  // enforce_budget = false: for exporting and checking the lecture's large nets natively
  // (tools/convlab_export.cc), never for a model the page trains.
  Model(const ModelSpec& spec, uint64_t seed, bool enforce_budget = true);

  const ModelSpec& spec() const { return spec_; }
  const ModelInfo& info() const { return info_; }
  int num_classes() const { return info_.output.c; }
  const InputSpec& input() const { return spec_.input; }
  int64_t input_size() const { return int64_t(spec_.input.channels) * spec_.input.height * spec_.input.width; }

  // Non-const access may change the weights: it marks the packed copies stale.
  std::vector<Param>& params() {
    weights_changed();
    return params_;
  }
  const std::vector<Param>& params() const { return params_; }
  Param* find_param(const std::string& name);
  // Index into params() of layer i's weight, or -1 (layers without parameters).
  int weight_index(int layer) const { return weight_index_[layer]; }
  int64_t num_params() const { return info_.params; }

  // Sizes every buffer for up to `batch` images; a no-op when already large enough.
  void reserve(int batch);
  int capacity() const { return capacity_; }

  // x: (n, C, H, W) -> logits (n, classes). Keeps every activation for backward and for
  // the feature-map views. n <= capacity() after reserve (reserve is called if not).
  // Always repacks the direct path's weights (training writes them through raw pointers) and
  // marks Winograd's transformed weights stale: only predict transforms them, when it runs.
  const float* forward(const float* x, int n);
  // Inference: 3x3 stride-1 convolutions with c_in >= 3 run as Winograd F(4x4, 3x3) or
  // F(2x2, 3x3) where it pays (4x or 2.25x fewer multiplies; winograd_tile_of says which; equal
  // to forward within float rounding, not bit for bit: the class
  // probabilities agree to the 0.1 % the page prints, tested on every trainable preset), and
  // weights are repacked only when they changed since the last predict (or forward). What live prediction and
  // evaluation use; training and the lecture's views use forward (the direct convolution).
  // A relu followed by a max pool runs as one pass that writes only the pool's output
  // (relu_maxpool2d_infer): the same bits, without the relu map and the argmax.
  // Non-const params()/find_param() mark the packed copies stale; after writing weights through
  // a pointer kept from earlier, call weights_changed().
  const float* predict(const float* x, int n);
  // The same for images of bytes x: (n, C, H, W) whose input is x / 255 (bytes_to_input), the
  // same bits as predict of the converted floats. The conversion runs where the threads are: for
  // one image each row band converts the rows it reads, for a batch each image on some thread.
  const float* predict_bytes(const uint8_t* x, int n);
  void weights_changed() { packed_ok_ = wino_ok_ = false; }
  // Whether predict runs layer i through Winograd (inference_plan.cc winograd_tile says where it pays),
  // and its output tile: F(m x m, 3x3) with m = 2 or 4, or 0 for the direct path.
  bool predicts_with_winograd(size_t i) const { return !wino_[i].empty(); }
  int winograd_tile_of(size_t i) const { return wino_tile_[i]; }
  // How many layers from the first predict runs in row bands for one image on `threads`
  // threads (0: none; inference_plan.cc band_depth says why and where).
  size_t band_depth_for(int threads) const {
    return band_depth_[size_t(std::clamp(threads, 0, int(band_depth_.size()) - 1))];
  }
  // dlogits: (n, classes) of the last forward. Accumulates into every Param::grad.
  void backward(const float* dlogits);
  // The same, and also d/d(input) written into dinput (n, C, H, W): the first layer's input
  // gradient, which training never needs (the saliency view's; looks.h). dinput may be null.
  void backward(const float* dlogits, float* dinput);
  void zero_grad();

  // Output of layer i (shape info().layers[i].out) for image `image` of the last forward;
  // layer -1 is the input. A predict writes only part of them: not a relu feeding a max pool
  // (predict pools the conv's output through the relu on the fly), and for one image on several
  // threads not the input nor the layers it ran in row bands (run_bands keeps them in each
  // thread's buffers). Ask last_run_was_forward() before reading one.
  const float* activation(int layer, int image = 0) const;
  int last_batch() const { return n_; }
  bool last_run_was_forward() const { return last_was_forward_; }

  // Bytes of every buffer the model holds (parameters, gradients, activations, scratch).
  int64_t buffer_bytes() const;

 private:
  // The constructor's inference plan: packed-weight buffers, Winograd tiles, stack, bands.
  void plan_inference();
  void pack_direct();
  void pack_winograd();
  // x: float images, or xb: byte images (predict_bytes); the other is null
  const float* run(const float* x, const uint8_t* xb, int n, bool inference);
  void run_layers(size_t from, size_t to, int i0, int n, bool inference, float* col);
  // One image's first layers [0, depth) in row bands, one per thread (inference_plan.cc).
  size_t band_depth(size_t stack, int threads) const;
  void band_rows(std::pair<int, int>* need, std::pair<int, int>* out, size_t stack, int a, int b) const;
  void run_bands(size_t stack, const float* input, const uint8_t* input_bytes);
  // The layers after the bands, with each Winograd conv (and its relu and max pool) split by
  // output channels over the threads.
  void run_after_bands(size_t from);
  size_t run_channel_groups(size_t i);
  // Floats of activation per slice of images in batched inference (run): 32K floats, 128 KB,
  // a map and its successor in a core's L2.
  static constexpr int64_t kSliceFloats = 32 * 1024;
  // Packed weights of the layers after the stack, at most, for them to run slice by slice too.
  static constexpr int64_t kSliceHeadBytes = 128 * 1024;

  ModelSpec spec_;
  ModelInfo info_;
  std::vector<Param> params_;
  std::vector<int> weight_index_;
  int capacity_ = 0, n_ = 0;
  bool last_was_forward_ = false;
  std::vector<std::vector<float>> act_;    // act_[0] input (n,C,H,W); act_[i+1] output of layer i
  std::vector<float> grad_a_, grad_b_;     // ping-pong activation gradients, max activation size
  std::vector<float> col_;                 // conv/linear scratch (im2col, packed panels), largest layer
  std::vector<float> slice_col_;           // batched inference: one conv scratch per thread (run)
  std::vector<float> band_buf_;            // one image in bands: per thread two maps and a conv scratch
  size_t stack_ = 0;                       // the layers before the first flatten or linear
  size_t sliced_ = 0;                      // batched inference: the layers run slice by slice
  std::vector<size_t> band_depth_;         // layers run in bands, per thread count (0: none)
  std::vector<std::pair<int, int>> band_plan_;  // per thread: need and out rows of each layer
  std::vector<std::vector<int32_t>> argmax_;  // maxpool layers
  // Per conv/linear layer, its weights in the GEMM's panel layout (conv2d_pack_weights,
  // linear_pack_weights). Packed by every forward, and by predict when stale, so a run of
  // predictions packs once.
  std::vector<std::vector<float>> wpack_;
  std::vector<std::vector<float>> wino_;  // Winograd U (conv2d_winograd_transform_weights), or empty
  std::vector<int> wino_tile_;            // its output tile m (2 or 4), 0 for the direct path
  bool packed_ok_ = false;  // wpack_ matches the weights
  bool wino_ok_ = false;    // wino_ matches the weights
};

// FNV-1a over the parameter bytes: what the determinism tests compare.
uint64_t hash_params(const Model& m);

}  // namespace convlab
