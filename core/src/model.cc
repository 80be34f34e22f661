// The trainable Sequential: parameters with PyTorch's names and initialisation, the buffers of a
// batch, forward (the direct convolution, layer by layer) and backward. How predict runs the
// same layers faster (packing, Winograd, slices, bands, channel groups) is inference_plan.cc.
#include "convlab/model.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "convlab/layers.h"
#include "convlab/rng.h"
#include "convlab/winograd.h"
#include "model_internal.h"

namespace convlab {

using namespace model_detail;

Model::Model(const ModelSpec& spec, uint64_t seed, bool enforce_budget)
    : spec_(spec), info_(validate(spec, enforce_budget)) {
  Rng rng(seed, /*stream=*/1);
  weight_index_.assign(info_.layers.size(), -1);
  argmax_.resize(info_.layers.size());
  for (size_t i = 0; i < info_.layers.size(); ++i) {
    const LayerInfo& li = info_.layers[i];
    std::vector<int64_t> wshape;
    int64_t fan_in = 0, out = 0;
    if (li.spec.type == LayerType::Conv2d) {
      out = li.out.c;
      fan_in = int64_t(li.in.c) * li.spec.kernel * li.spec.kernel;
      wshape = {out, li.in.c, li.spec.kernel, li.spec.kernel};
    } else if (li.spec.type == LayerType::Linear) {
      out = li.out.c;
      fan_in = li.in.c;
      wshape = {out, fan_in};
    } else {
      continue;
    }
    // ref: torch.nn.Conv2d/Linear.reset_parameters: kaiming_uniform_(a=sqrt(5)) gives
    // bound = gain*sqrt(3/fan_in) with gain = sqrt(2/(1+5)), i.e. 1/sqrt(fan_in); bias the same.
    const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
    const std::string prefix = std::to_string(i);
    Param w{prefix + ".weight", wshape, std::vector<float>(size_t(out * fan_in)), std::vector<float>(size_t(out * fan_in))};
    for (float& v : w.value) v = (2.0f * rng.uniform() - 1.0f) * bound;
    Param b{prefix + ".bias", {out}, std::vector<float>(size_t(out)), std::vector<float>(size_t(out))};
    for (float& v : b.value) v = (2.0f * rng.uniform() - 1.0f) * bound;
    weight_index_[i] = static_cast<int>(params_.size());
    params_.push_back(std::move(w));
    params_.push_back(std::move(b));
  }
  plan_inference();
}

Param* Model::find_param(const std::string& name) {
  weights_changed();  // the caller may write through the pointer
  for (auto& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

void Model::reserve(int batch) {
  assert(batch > 0);
  if (batch <= capacity_) return;
  capacity_ = batch;
  act_.resize(info_.layers.size() + 1);
  int64_t biggest = input_size(), col = 0;
  act_[0].assign(size_t(input_size() * batch), 0.0f);
  for (size_t i = 0; i < info_.layers.size(); ++i) {
    const LayerInfo& li = info_.layers[i];
    act_[i + 1].assign(size_t(li.out.size() * batch), 0.0f);
    biggest = std::max(biggest, li.out.size());
    if (li.spec.type == LayerType::Conv2d) col = std::max(col, conv2d_col_size(conv_shape(li, batch)));
    if (wino_tile_[i]) col = std::max(col, conv2d_winograd_scratch_size(conv_shape(li, batch), wino_tile_[i]));
    if (li.spec.type == LayerType::Linear) col = std::max(col, linear_scratch_size(batch, li.in.c, li.out.c));
    if (li.spec.type == LayerType::MaxPool2d) argmax_[i].assign(size_t(li.out.size() * batch), 0);
  }
  grad_a_.assign(size_t(biggest * batch), 0.0f);
  grad_b_.assign(size_t(biggest * batch), 0.0f);
  col_.assign(size_t(col), 0.0f);
}

// Training writes the weights through raw pointers every step: always repack the direct panels,
// and leave Winograd's U stale for the next predict to transform (a training step never reads it).
const float* Model::forward(const float* x, int n) {
  pack_direct();
  wino_ok_ = false;
  return run(x, nullptr, n, false);
}

// Layers [from, to) on images [i0, i0 + n) of the activations, with `col` as the layers' scratch.
void Model::run_layers(size_t from, size_t to, int i0, int n, bool inference, float* col) {
  auto act = [&](size_t a) { return act_[a].data() + (a == 0 ? input_size() : info_.layers[a - 1].out.size()) * i0; };
  for (size_t i = from; i < to; ++i) {
    const LayerInfo& li = info_.layers[i];
    const float* in = act(i);
    float* out = act(i + 1);
    switch (li.spec.type) {
      case LayerType::Conv2d: {
        const Param& b = params_[weight_index_[i] + 1];
        if (inference && !wino_[i].empty())
          conv2d_winograd_forward(out, col, in, wino_[i].data(), b.value.data(), conv_shape(li, n), wino_tile_[i]);
        else
          conv2d_forward_packed(out, col, in, wpack_[i].data(), b.value.data(), conv_shape(li, n));
        break;
      }
      case LayerType::ReLU: {
        // a relu feeding a pool runs with it, plane group by plane group (same bits, one
        // hand-over to the threads instead of two); both activations are kept
        const LayerType next = i + 1 < to ? info_.layers[i + 1].spec.type : LayerType::ReLU;
        if (next == LayerType::MaxPool2d && inference) {
          // predict: the relu map is never read (activation() documents it), nor the argmax
          relu_maxpool2d_infer(act(i + 2), in, pool_shape(info_.layers[i + 1], n));
          ++i;
        } else if (next == LayerType::MaxPool2d) {
          relu_maxpool2d_forward(out, act(i + 2), argmax_[i + 1].data() + info_.layers[i + 1].out.size() * i0, in,
                                 pool_shape(info_.layers[i + 1], n));
          ++i;
        } else if (next == LayerType::AvgPool2d) {
          relu_avgpool2d_forward(out, act(i + 2), in, pool_shape(info_.layers[i + 1], n));
          ++i;
        } else {
          relu_forward(out, in, li.out.size() * n);
        }
        break;
      }
      case LayerType::MaxPool2d:
        maxpool2d_forward(out, argmax_[i].data() + li.out.size() * i0, in, pool_shape(li, n));
        break;
      case LayerType::AvgPool2d: avgpool2d_forward(out, in, pool_shape(li, n)); break;
      case LayerType::Flatten: std::memcpy(out, in, sizeof(float) * size_t(li.out.size() * n)); break;
      case LayerType::Linear: {
        const Param& b = params_[weight_index_[i] + 1];
        linear_forward_packed(out, col, in, wpack_[i].data(), b.value.data(), n, li.in.c, li.out.c);
        break;
      }
    }
  }
}

void Model::backward(const float* dlogits) { backward(dlogits, nullptr); }

void Model::backward(const float* dlogits, float* dinput) {
  const int n = n_;
  const size_t L = info_.layers.size();
  std::memcpy(grad_a_.data(), dlogits, sizeof(float) * size_t(info_.output.c * n));
  // grad_a_ holds d(loss)/d(output of layer i); each layer writes d/d(its input) into grad_b_.
  for (size_t ii = L; ii-- > 0;) {
    const LayerInfo& li = info_.layers[ii];
    const float* dy = grad_a_.data();
    // The first layer's input is the image: training needs no gradient for it (dinput null).
    float* dx = ii == 0 ? dinput : grad_b_.data();
    const float* x = act_[ii].data();
    switch (li.spec.type) {
      case LayerType::Conv2d: {
        Param& w = params_[weight_index_[ii]];
        Param& b = params_[weight_index_[ii] + 1];
        conv2d_backward(dx, w.grad.data(), b.grad.data(), col_.data(), dy, x, w.value.data(), conv_shape(li, n));
        break;
      }
      case LayerType::ReLU:
        if (dx) relu_backward(dx, dy, act_[ii + 1].data(), li.out.size() * n);
        break;
      case LayerType::MaxPool2d:
        if (dx) maxpool2d_backward(dx, dy, argmax_[ii].data(), pool_shape(li, n));
        break;
      case LayerType::AvgPool2d:
        if (dx) avgpool2d_backward(dx, dy, pool_shape(li, n));
        break;
      case LayerType::Flatten:
        if (dx) std::memcpy(dx, dy, sizeof(float) * size_t(li.out.size() * n));
        break;
      case LayerType::Linear: {
        Param& w = params_[weight_index_[ii]];
        Param& b = params_[weight_index_[ii] + 1];
        linear_backward(dx, w.grad.data(), b.grad.data(), col_.data(), dy, x, w.value.data(), n, li.in.c, li.out.c);
        break;
      }
    }
    grad_a_.swap(grad_b_);
  }
}

void Model::zero_grad() {
  for (auto& p : params_) std::fill(p.grad.begin(), p.grad.end(), 0.0f);
}

const float* Model::activation(int layer, int image) const {
  const auto& a = act_[size_t(layer + 1)];
  int64_t per = layer < 0 ? input_size() : info_.layers[size_t(layer)].out.size();
  return a.data() + per * image;
}

int64_t Model::buffer_bytes() const {
  int64_t b = 0;
  for (const auto& p : params_) b += int64_t(p.value.capacity() + p.grad.capacity()) * 4;
  for (const auto& a : act_) b += int64_t(a.capacity()) * 4;
  for (const auto& a : argmax_) b += int64_t(a.capacity()) * 4;
  for (const auto& a : wpack_) b += int64_t(a.capacity()) * 4;
  for (const auto& a : wino_) b += int64_t(a.capacity()) * 4;
  b += int64_t(grad_a_.capacity() + grad_b_.capacity() + col_.capacity() + slice_col_.capacity() + band_buf_.capacity()) * 4;
  return b;
}

uint64_t hash_params(const Model& m) {
  uint64_t h = 1469598103934665603ULL;
  for (const auto& p : m.params()) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p.value.data());
    for (size_t i = 0; i < p.value.size() * sizeof(float); ++i) {
      h ^= bytes[i];
      h *= 1099511628211ULL;
    }
  }
  return h;
}

}  // namespace convlab
