// Optimisers against update formulas worked by hand (PyTorch's torch.optim.SGD and Adam),
// three steps on a one-number parameter; bad configurations are refused with a message.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "convlab/optim.h"

using namespace convlab;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;

namespace {

// flatten -> linear 1 on a 1x1x1 input: "1.weight" (1, 1) and "1.bias" (1), two scalars.
Model tiny() {
  Model m(parse_spec(R"({"input": {"channels": 1, "height": 1, "width": 1},
                        "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 1}]})"),
          1);
  m.params()[0].value[0] = 1.0f;
  m.params()[1].value[0] = -2.0f;
  return m;
}

// Three steps with gradients 0.5, -0.25, 1.0 on the weight (and 0 on the bias); returns the
// weight after each step.
std::vector<float> three_steps(const OptimConfig& cfg, Model& m) {
  Optimizer opt(cfg, m);
  std::vector<float> out;
  for (float g : {0.5f, -0.25f, 1.0f}) {
    m.params()[0].grad[0] = g;
    m.params()[1].grad[0] = 0.0f;
    opt.step(m);
    out.push_back(m.params()[0].value[0]);
  }
  CHECK(opt.steps() == 3);
  return out;
}

std::string config_error(OptimConfig cfg) {
  Model m = tiny();
  try {
    Optimizer opt(cfg, m);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("sgd: momentum and weight decay, three steps by hand") {
  // d = g + wd p; buf = d (step 1), then mu buf + d; p -= lr buf.  lr 0.1, mu 0.9, wd 0.01.
  // 1: d = 0.5 + 0.01        = 0.51;     buf = 0.51;                     p = 1 - 0.051          = 0.949
  // 2: d = -0.25 + 0.00949   = -0.24051; buf = 0.459 - 0.24051 = 0.21849; p = 0.949 - 0.021849   = 0.927151
  // 3: d = 1 + 0.00927151    = 1.00927151; buf = 0.196641 + 1.00927151 = 1.20591251;
  //                                                                      p = 0.927151 - 0.120591251 = 0.806559749
  OptimConfig cfg;
  cfg.kind = "sgd";
  cfg.lr = 0.1;
  cfg.momentum = 0.9;
  cfg.weight_decay = 0.01;
  Model m = tiny();
  auto p = three_steps(cfg, m);
  CHECK_THAT(p[0], WithinAbs(0.949, 1e-6));
  CHECK_THAT(p[1], WithinAbs(0.927151, 1e-6));
  CHECK_THAT(p[2], WithinAbs(0.806559749, 1e-6));
  // the bias had gradient 0 but weight decay still pulls it: d = 0.01 * p each step
  // 1: d = buf = -0.02, p = -1.998;  2: d = -0.01998, buf = -0.018 - 0.01998 = -0.03798, p = -1.994202
  // 3: d = -0.01994202, buf = -0.034182 - 0.01994202 = -0.05412402, p = -1.988789598
  CHECK_THAT(m.params()[1].value[0], WithinAbs(-1.988789598, 1e-6));
}

TEST_CASE("sgd: momentum 0 is plain gradient descent") {
  // p = 1 - 0.1 (0.5) = 0.95 -> 0.95 + 0.025 = 0.975 -> 0.975 - 0.1 = 0.875
  OptimConfig cfg;
  cfg.kind = "sgd";
  cfg.lr = 0.1;
  cfg.momentum = 0.0;
  Model m = tiny();
  auto p = three_steps(cfg, m);
  CHECK_THAT(p[0], WithinAbs(0.95, 1e-7));
  CHECK_THAT(p[1], WithinAbs(0.975, 1e-7));
  CHECK_THAT(p[2], WithinAbs(0.875, 1e-7));
  CHECK(m.params()[1].value[0] == -2.0f);  // zero gradient, no decay: untouched
}

TEST_CASE("adam: three steps by hand, without and with weight decay") {
  // m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
  // lr 0.1, betas (0.9, 0.999), eps 1e-8.
  // 1: g 0.5:   m 0.05,  v 0.00025;     m^ 0.5,       v^ 0.25       p = 1 - 0.1(0.5/0.5)         = 0.9
  // 2: g -0.25: m 0.02,  v 0.00031225;  m^ 0.1052632, v^ 0.1562031  p = 0.9 - 0.1(0.10526/0.39522) = 0.8733663
  // 3: g 1:     m 0.118, v 0.00131194;  m^ 0.4354244, v^ 0.4377502  p = 0.8733663 - 0.0658112     = 0.8075551
  OptimConfig cfg;
  cfg.kind = "adam";
  cfg.lr = 0.1;
  Model m = tiny();
  auto p = three_steps(cfg, m);
  CHECK_THAT(p[0], WithinAbs(0.900000002, 1e-6));
  CHECK_THAT(p[1], WithinAbs(0.8733662987, 1e-6));
  CHECK_THAT(p[2], WithinAbs(0.8075551397, 1e-6));
  CHECK(m.params()[1].value[0] == -2.0f);  // m = v = 0: the update is 0 / (0 + eps) = 0

  // weight decay 0.1 is L2 added to the gradient (Adam, not AdamW): g' = g + 0.1 p
  // 1: g' 0.6 -> 0.9;  2: g' -0.16 -> 0.8544414;  3: g' 1.0854441 -> 0.7815044
  cfg.weight_decay = 0.1;
  Model m2 = tiny();
  p = three_steps(cfg, m2);
  CHECK_THAT(p[0], WithinAbs(0.9000000017, 1e-6));
  CHECK_THAT(p[1], WithinAbs(0.8544413675, 1e-6));
  CHECK_THAT(p[2], WithinAbs(0.7815043999, 1e-6));
}

TEST_CASE("optimizer: bad configurations are refused with what to use instead") {
  OptimConfig c;
  c.kind = "rmsprop";
  CHECK_THAT(config_error(c), Contains("optimizer must be \"sgd\" or \"adam\", not \"rmsprop\""));
  for (double lr : {0.0, -0.01, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    OptimConfig bad;
    bad.lr = lr;
    INFO("lr " << lr);
    CHECK_THAT(config_error(bad), Contains("learning rate must be a positive number"));
  }
  for (double mu : {-0.1, 1.0, 1.5}) {
    OptimConfig bad;
    bad.kind = "sgd";
    bad.momentum = mu;
    CHECK_THAT(config_error(bad), Contains("momentum must be in [0, 1)"));
  }
  OptimConfig wd;
  wd.weight_decay = -1e-4;
  CHECK_THAT(config_error(wd), Contains("weight decay must be 0 or a small positive number"));
  OptimConfig b1;
  b1.beta1 = 1.0;
  CHECK_THAT(config_error(b1), Contains("betas must be in [0, 1)"));
  OptimConfig b2;
  b2.beta2 = -0.5;
  CHECK_THAT(config_error(b2), Contains("betas must be in [0, 1)"));
  OptimConfig eps;
  eps.eps = 0.0;
  CHECK_THAT(config_error(eps), Contains("eps must be a small positive number"));
  CHECK(config_error(OptimConfig{}) == "(no error)");
}
