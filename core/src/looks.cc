#include "convlab/looks.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "convlab/layers.h"
#include "convlab/rules.h"

namespace convlab::looks {

namespace {

void check_class(const Model& m, int cls) {
  if (cls < 0 || cls >= m.num_classes())
    throw std::invalid_argument("no class " + std::to_string(cls) + ": the model has classes 0 to " +
                                std::to_string(m.num_classes() - 1));
}

}  // namespace

Saliency saliency(Model& m, const float* x, int cls) {
  check_class(m, cls);
  const InputSpec& in = m.input();
  Saliency s;
  s.cls = cls, s.c = in.channels, s.h = in.height, s.w = in.width;
  m.forward(x, 1);
  // d(logit_cls)/d(logits) is one-hot: the score itself, not the loss (no softmax in the way)
  std::vector<float> onehot(size_t(m.num_classes()), 0.0f);
  onehot[size_t(cls)] = 1.0f;
  s.grad.assign(size_t(m.input_size()), 0.0f);
  m.zero_grad();
  m.backward(onehot.data(), s.grad.data());
  m.zero_grad();  // the parameter gradients were a by-product: leave none behind
  const int64_t plane = int64_t(s.h) * s.w;
  s.map.assign(size_t(plane), 0.0f);
  for (int c = 0; c < s.c; ++c)
    for (int64_t i = 0; i < plane; ++i) s.map[size_t(i)] = std::max(s.map[size_t(i)], std::fabs(s.grad[size_t(c * plane + i)]));
  for (float v : s.map) s.max = std::max(s.max, v);
  return s;
}

int occlusion_positions(int n, int patch, int stride) { return (n - patch + stride - 1) / stride + 1; }

Occlusion occlusion(Model& m, const float* x, int cls, int patch, int stride, int chunk) {
  check_class(m, cls);
  const InputSpec& in = m.input();
  const int C = in.channels, H = in.height, W = in.width;
  if (patch == 0) patch = rules::occlusion_default_patch(H, W);
  if (stride == 0) stride = rules::occlusion_default_stride(patch);
  rules::check_occlusion(patch, stride, H, W);
  if (chunk < 1) throw std::invalid_argument("occlusion: the batch size must be at least 1");
  Occlusion o;
  o.cls = cls, o.patch = patch, o.stride = stride, o.grey = rules::kOcclusionGrey;
  o.h = H, o.w = W;
  o.rows = occlusion_positions(H, patch, stride), o.cols = occlusion_positions(W, patch, stride);
  const int n = o.rows * o.cols, classes = m.num_classes();
  const int64_t isz = m.input_size(), plane = int64_t(H) * W;
  const int batch = std::min(n, chunk);
  std::vector<float> xs(size_t(isz) * size_t(batch)), probs(size_t(batch) * size_t(classes));  // (batch, C, H, W), (batch, classes)
  {
    const float* logits = m.predict(x, 1);
    softmax_forward(probs.data(), logits, 1, classes);
    o.base = probs[size_t(cls)];
  }
  o.probs.resize(size_t(n));
  for (int p0 = 0; p0 < n; p0 += batch) {
    const int b = std::min(batch, n - p0);
    for (int k = 0; k < b; ++k) {
      float* dst = xs.data() + int64_t(k) * isz;
      std::copy(x, x + isz, dst);
      const int i = (p0 + k) / o.cols, j = (p0 + k) % o.cols;
      const int y0 = i * stride, x0 = j * stride, y1 = std::min(H, y0 + patch), x1 = std::min(W, x0 + patch);
      for (int c = 0; c < C; ++c)
        for (int y = y0; y < y1; ++y) std::fill(dst + c * plane + y * W + x0, dst + c * plane + y * W + x1, o.grey);
    }
    const float* logits = m.predict(xs.data(), b);
    softmax_forward(probs.data(), logits, b, classes);
    for (int k = 0; k < b; ++k) o.probs[size_t(p0 + k)] = probs[size_t(k) * size_t(classes) + size_t(cls)];
  }
  // per pixel: the mean drop over the patches that covered it (0 where none did: a stride
  // larger than the patch leaves gaps)
  std::vector<double> sum(size_t(plane), 0.0);
  std::vector<int> count(size_t(plane), 0);
  for (int i = 0; i < o.rows; ++i)
    for (int j = 0; j < o.cols; ++j) {
      const double d = double(o.base) - double(o.probs[size_t(i * o.cols + j)]);
      const int y0 = i * stride, x0 = j * stride, y1 = std::min(H, y0 + patch), x1 = std::min(W, x0 + patch);
      for (int y = y0; y < y1; ++y)
        for (int xx = x0; xx < x1; ++xx) sum[size_t(y * W + xx)] += d, ++count[size_t(y * W + xx)];
    }
  o.drop.assign(size_t(plane), 0.0f);
  for (int64_t i = 0; i < plane; ++i)
    if (count[size_t(i)] > 0) o.drop[size_t(i)] = float(sum[size_t(i)] / count[size_t(i)]);
  o.max_drop = *std::max_element(o.drop.begin(), o.drop.end());
  o.min_drop = *std::min_element(o.drop.begin(), o.drop.end());
  return o;
}

void FilterHistory::reset(const Model& m) {
  layer_ = -1, spacing_ = 1;
  shape_.clear(), epochs_.clear(), weights_.clear();
  const auto& layers = m.info().layers;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].spec.type == LayerType::Conv2d) {
      layer_ = int(i);
      shape_ = m.params()[size_t(m.weight_index(layer_))].shape;
      break;
    }
  // the snapshots' storage, once: keep() copies into it without allocating mid-run
  if (layer_ >= 0) weights_.reserve(size_t(rules::kFilterEpochsKept));
  keep(m, 0);
}

void FilterHistory::keep(const Model& m, int epoch) {
  if (layer_ < 0) return;
  if (epoch % spacing_ != 0) return;
  if (int(epochs_.size()) == rules::kFilterEpochsKept) {
    // drop every second snapshot (epochs spacing, 3·spacing, ...): the rest are 2·spacing apart
    size_t out = 0;
    for (size_t i = 0; i < epochs_.size(); ++i)
      if (epochs_[i] % (2 * spacing_) == 0) epochs_[out] = epochs_[i], weights_[out].swap(weights_[i]), ++out;
    epochs_.resize(out), weights_.resize(out);
    spacing_ *= 2;
    if (epoch % spacing_ != 0) return;
  }
  const Param& w = m.params()[size_t(m.weight_index(layer_))];
  epochs_.push_back(epoch);
  weights_.emplace_back(w.value.begin(), w.value.end());
}

Json to_json(const Saliency& s) {
  return Json::object({{"class", s.cls}, {"c", s.c}, {"h", s.h}, {"w", s.w}, {"map", json_numbers(s.map)},
                       {"max", double(s.max)}, {"reduction", "max over channels of |d score / d input|"}});
}

Json to_json(const Occlusion& r) {
  return Json::object({{"class", r.cls}, {"patch", r.patch}, {"stride", r.stride}, {"grey", double(r.grey)},
                       {"rows", r.rows}, {"cols", r.cols}, {"h", r.h}, {"w", r.w}, {"base", double(r.base)},
                       {"probs", json_numbers(r.probs)}, {"drop", json_numbers(r.drop)},
                       {"max_drop", double(r.max_drop)}, {"min_drop", double(r.min_drop)}});
}

Json to_json(const FilterHistory& f) {
  Json ws = Json::array();
  for (const auto& w : f.weights()) ws.push_back(json_numbers(w));
  return Json::object({{"layer", f.layer()}, {"shape", json_numbers(f.shape())}, {"epochs", json_numbers(f.epochs())},
                       {"weights", ws}});
}

}  // namespace convlab::looks
