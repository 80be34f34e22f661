// Optimisers with PyTorch's exact update formulas (torch.optim.SGD and torch.optim.Adam,
// single-tensor path), so a few steps here match a few steps there.
#pragma once
#include <string>
#include <vector>

#include "convlab/model.h"
#include "convlab/rules.h"

namespace convlab {

struct OptimConfig {
  std::string kind = rules::kDefaultOptimizer;  // "sgd" (with momentum) or "adam"
  // Doubles, as Python passes them; each is rounded to float where PyTorch's float kernels do.
  double lr = rules::kDefaultLrAdam;
  double momentum = rules::kDefaultMomentum;  // sgd
  double weight_decay = 0.0;  // L2 added to the gradient, as both PyTorch optimisers do
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam
};

class Optimizer {
 public:
  Optimizer(const OptimConfig& cfg, const Model& model);  // throws std::invalid_argument
  // One update of every parameter from its gradient.
  void step(Model& model);
  const OptimConfig& config() const { return cfg_; }
  long steps() const { return t_; }

 private:
  OptimConfig cfg_;
  long t_ = 0;
  double beta1_t_ = 1.0, beta2_t_ = 1.0;  // beta^t by repeated multiplication: no libm pow
  std::vector<std::vector<float>> m_, v_;  // sgd: momentum buffer in m_; adam: both moments
};

}  // namespace convlab
