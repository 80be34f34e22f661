#include "convlab/optim.h"

#include <cmath>
#include <stdexcept>

namespace convlab {

Optimizer::Optimizer(const OptimConfig& cfg, const Model& model) : cfg_(cfg) {
  if (cfg.kind != "sgd" && cfg.kind != "adam")
    throw std::invalid_argument("optimizer must be \"sgd\" or \"adam\", not \"" + cfg.kind + "\"");
  if (!(cfg.lr > 0.0) || !std::isfinite(cfg.lr))
    throw std::invalid_argument("learning rate must be a positive number, e.g. 0.001 for Adam or 0.01 for SGD");
  if (!(cfg.momentum >= 0.0 && cfg.momentum < 1.0))
    throw std::invalid_argument("momentum must be in [0, 1), e.g. 0.9");
  if (!(cfg.weight_decay >= 0.0) || !std::isfinite(cfg.weight_decay))
    throw std::invalid_argument("weight decay must be 0 or a small positive number, e.g. 0.0005");
  // beta = 1 would divide by 1 - beta^t = 0 in Adam's bias correction
  if (!(cfg.beta1 >= 0.0 && cfg.beta1 < 1.0) || !(cfg.beta2 >= 0.0 && cfg.beta2 < 1.0))
    throw std::invalid_argument("Adam's betas must be in [0, 1), e.g. 0.9 and 0.999");
  if (!(cfg.eps > 0.0) || !std::isfinite(cfg.eps))
    throw std::invalid_argument("Adam's eps must be a small positive number, e.g. 1e-8");
  for (const auto& p : model.params()) {
    m_.emplace_back(p.value.size(), 0.0f);
    if (cfg.kind == "adam") v_.emplace_back(p.value.size(), 0.0f);
  }
}

void Optimizer::step(Model& model) {
  ++t_;
  auto& params = model.params();
  const float lr = float(cfg_.lr), wd = float(cfg_.weight_decay);
  if (cfg_.kind == "sgd") {
    // ref: torch.optim.SGD (dampening 0, no nesterov): g += wd p; buf = g on the first
    // step, else buf = momentum buf + g; p -= lr buf
    const float mu = float(cfg_.momentum);
    for (size_t i = 0; i < params.size(); ++i) {
      float* p = params[i].value.data();
      const float* g = params[i].grad.data();
      float* buf = m_[i].data();
      for (size_t j = 0; j < params[i].value.size(); ++j) {
        float d = wd != 0.0f ? g[j] + wd * p[j] : g[j];
        if (mu != 0.0f) {
          buf[j] = t_ == 1 ? d : mu * buf[j] + d;
          d = buf[j];
        }
        p[j] -= lr * d;
      }
    }
    return;
  }
  // ref: torch.optim.Adam (_single_tensor_adam): m.lerp_(g, 1-b1); v = b2 v + (1-b2) g²;
  // denom = sqrt(v)/sqrt(1-b2^t) + eps; p -= lr/(1-b1^t) · m/denom. Bias corrections in double
  // as Python computes them.
  const float w1 = float(1.0 - cfg_.beta1), b2 = float(cfg_.beta2), w2 = float(1.0 - cfg_.beta2);
  const float eps = float(cfg_.eps);
  beta1_t_ *= cfg_.beta1;
  beta2_t_ *= cfg_.beta2;
  const double bc1 = 1.0 - beta1_t_, bc2 = 1.0 - beta2_t_;
  const float step_size = static_cast<float>(cfg_.lr / bc1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  for (size_t i = 0; i < params.size(); ++i) {
    float* p = params[i].value.data();
    const float* g = params[i].grad.data();
    float* m = m_[i].data();
    float* v = v_[i].data();
    for (size_t j = 0; j < params[i].value.size(); ++j) {
      float d = wd != 0.0f ? g[j] + wd * p[j] : g[j];
      m[j] += w1 * (d - m[j]);
      v[j] = v[j] * b2 + w2 * d * d;
      float denom = std::sqrt(v[j]) / bc2_sqrt + eps;
      p[j] += (-step_size * m[j]) / denom;
    }
  }
}

}  // namespace convlab
