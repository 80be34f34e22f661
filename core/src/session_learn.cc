// The Session's lecture views (learn.h) and where the model looks (looks.h), on the image of
// the last learn_run.
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "convlab/layers.h"
#include "convlab/learn.h"
#include "convlab/looks.h"
#include "convlab/session.h"

namespace convlab {

// ---- the lecture views ----

Model& Session::idle_model() {
  if (training()) throw std::invalid_argument("the model is training: wait for training to finish or stop it");
  return *model_;
}

Model& Session::learn_model() {
  Model& m = idle_model();
  // a model replaced since (new spec, loaded file) has another input size: nothing to restore
  if (learn_x_.empty() || int64_t(learn_x_.size()) != m.input_size()) return m;
  const bool current = m.last_run_was_forward() && m.last_batch() == 1 &&
                       std::memcmp(m.activation(-1, 0), learn_x_.data(), sizeof(float) * learn_x_.size()) == 0;
  if (!current) m.forward(learn_x_.data(), 1);
  return m;
}

std::vector<float> Session::last_input() {
  Model& m = learn_model();
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const float* x = m.activation(-1, 0);
  return std::vector<float>(x, x + m.input_size());
}

std::vector<float> Session::learn_run(const uint8_t* rgba, size_t bytes, int w, int h) {
  Model& m = idle_model();
  check_rgba(bytes, w, h);
  learn::forward_rgba(m, learn_x_, rgba, w, h);
  return learn_x_;
}

std::vector<float> Session::learn_activation(int layer) {
  Model& m = learn_model();
  const int n = int(m.info().layers.size());
  if (layer < -1 || layer >= n)
    throw std::invalid_argument("no layer " + std::to_string(layer) + ": the model has layers 0 to " + std::to_string(n - 1) +
                                " (-1: the input)");
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const int64_t size = layer < 0 ? m.input_size() : m.info().layers[size_t(layer)].out.size();
  const float* a = m.activation(layer, 0);
  return std::vector<float>(a, a + size);
}

std::vector<float> Session::learn_probabilities() {
  Model& m = learn_model();
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const int c = m.num_classes();
  std::vector<float> p(static_cast<size_t>(c));
  softmax_forward(p.data(), m.activation(int(m.info().layers.size()) - 1, 0), 1, c);
  return p;
}

std::string Session::learn_conv_step(int layer, int filter, int oy, int ox) {
  return learn::to_json(learn::conv_step(learn_model(), layer, filter, oy, ox)).dump();
}

std::string Session::learn_equivariance(int layer, int dx, int dy) {
  auto x = last_input();
  Model& m = *model_;
  Json j = learn::to_json(learn::measure_equivariance(m, x.data(), layer, dx, dy));
  const float* shifted = m.activation(-1, 1);  // image 1 of the pair
  j.append("shifted_input", json_numbers(std::vector<float>(shifted, shifted + m.input_size())));
  m.forward(x.data(), 1);  // leave the unshifted image as the last run
  return j.dump();
}

std::string Session::learn_pool_invariance(int layer, int max_shift) {
  Model& m = learn_model();
  const auto& layers = m.info().layers;
  if (layer < 0 || layer >= int(layers.size()) ||
      (layers[size_t(layer)].spec.type != LayerType::MaxPool2d && layers[size_t(layer)].spec.type != LayerType::AvgPool2d))
    throw std::invalid_argument("layer " + std::to_string(layer) + " is not a pooling layer: pick a maxpool2d or avgpool2d layer");
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const LayerInfo& li = layers[size_t(layer)];
  return learn::to_json(learn::pool_invariance(m.activation(layer - 1, 0), li.in.c, li.in.h, li.in.w, li.spec.kernel,
                                               li.spec.stride, max_shift))
      .dump();
}

std::string Session::learn_predict_shifts(const std::vector<int>& shifts) {
  auto x = last_input();
  auto rows = learn::predict_shifts(*model_, x.data(), shifts);
  model_->forward(x.data(), 1);  // leave the unshifted image as the last run
  Json a = Json::array();
  for (const auto& r : rows) a.push_back(json_numbers(r));
  return a.dump();
}

std::string Session::learn_receptive_field(int layer, int oy, int ox) const {
  return learn::to_json(learn::receptive_field(model_->info(), layer, oy, ox)).dump();
}

// Where the model looks (looks.h): saliency and occlusion, for the class asked or the one predicted.
namespace {
int predicted_class(const Model& m) {
  const int c = m.num_classes();
  const float* logits = m.activation(int(m.info().layers.size()) - 1, 0);
  return int(std::max_element(logits, logits + c) - logits);
}
}  // namespace

std::string Session::learn_saliency(int cls) {
  auto x = last_input();
  Model& m = *model_;
  if (cls == -1) cls = predicted_class(m);
  Json j = looks::to_json(looks::saliency(m, x.data(), cls));  // runs x itself: still the last run
  return j.dump();
}

std::string Session::learn_occlusion(int cls, int patch, int stride) {
  auto x = last_input();
  Model& m = *model_;
  if (cls == -1) cls = predicted_class(m);
  Json j;
  try {
    j = looks::to_json(looks::occlusion(m, x.data(), cls, patch, stride, predict_chunk()));
  } catch (...) {
    m.forward(x.data(), 1);
    throw;
  }
  m.forward(x.data(), 1);  // leave the unoccluded image as the last run
  return j.dump();
}

}  // namespace convlab
