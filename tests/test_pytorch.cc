// PyTorch agreement: ConvLab against reference fixtures written by torch itself
// (tools/make_fixtures.py, `make fixtures`; the .safetensors files are committed so this test
// needs no torch). Both directions: torch's numbers reproduced by ConvLab, and a file saved by
// ConvLab loaded into torch (checked by tools/torch_convlab.py when the fixtures are made;
// here ConvLab, loading that same committed file, must give the logits torch gave).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "convlab/layers.h"
#include "convlab/model.h"
#include "convlab/optim.h"
#include "convlab/safetensors.h"

using namespace convlab;

namespace {

std::vector<uint8_t> read_fixture(const std::string& name) {
  const std::string path = std::string(CONVLAB_FIXTURES) + "/" + name;
  std::ifstream f(path, std::ios::binary);
  INFO("fixture " << path << " is missing: regenerate it with `make fixtures` (needs python3-torch)");
  REQUIRE(f.good());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

const NamedTensor& tensor(const SafeTensors& st, const std::string& name) {
  const NamedTensor* t = st.find(name);
  INFO("fixture has no tensor \"" << name << "\": regenerate it with `make fixtures`");
  REQUIRE(t != nullptr);
  return *t;
}

// The tolerance: |got - want| <= rel * max(|want|, floor). A pure relative test cannot hold
// near zero: a float32 sum's rounding error scales with the sum of |terms|, not with the
// result, so a value that is small because its terms cancel (a weight gradient summed over a
// batch whose softmax-minus-onehot rows have both signs; a parameter that a step moved close
// to zero) carries an absolute error of order 1e-7 x the scale of its terms, in torch and in
// ConvLab alike. On the committed fixture torch float32 itself is 3.7e-5 from float64 with a
// floor of 0.01 x max, 4.5e-6 with 0.1 (tools/make_fixtures.py prints both). The floor is
// therefore tied to the tensor's own scale: floor_frac x its largest |value|.
struct Tol {
  double rel, floor_frac;
};

// Worst relative error of got against want (as defined above); also CHECKs it.
double compare(const std::string& what, const float* got, const std::vector<float>& want, Tol tol) {
  double scale = 0;
  for (float w : want) scale = std::max(scale, std::fabs(double(w)));
  const double floor = tol.floor_frac * scale;
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    double err = std::fabs(double(got[i]) - want[i]) / std::max(std::fabs(double(want[i])), floor);
    if (!(err <= worst)) {  // NaN counts as worst
      worst = err;
      at = i;
      if (std::isnan(err)) break;
    }
  }
  INFO(what << ": worst relative error " << worst << " at element " << at << " (ConvLab " << got[at] << ", torch "
            << want[at] << "), tolerance " << tol.rel << " with floor " << floor);
  CHECK(worst <= tol.rel);
  return worst;
}

// Prints the figure whatever the outcome (WARN is Catch2's always-shown message).
void report(const std::string& what, double worst, Tol tol) {
  char line[160];
  std::snprintf(line, sizeof line, "%s: worst relative error vs PyTorch %.2e (tolerance %.0e, floor %.0e x max|value|)",
                what.c_str(), worst, tol.rel, tol.floor_frac);
  WARN(line);
}

struct Reference {
  SafeTensors st;
  ModelSpec spec;
  std::vector<float> x;         // (n, C, H, W)
  std::vector<int32_t> labels;  // (n)
  int n = 0;
};

Reference load_reference() {
  Reference r;
  const auto bytes = read_fixture("torch_reference.safetensors");
  r.st = read_safetensors(bytes.data(), bytes.size());
  REQUIRE(r.st.metadata.count("convlab_spec") == 1);
  r.spec = parse_spec(r.st.metadata.at("convlab_spec"));
  const NamedTensor& x = tensor(r.st, "input");
  const NamedTensor& y = tensor(r.st, "labels");
  r.x = x.data;
  r.n = int(x.shape.at(0));
  for (float v : y.data) r.labels.push_back(int32_t(v));
  REQUIRE(int(r.labels.size()) == r.n);
  return r;
}

// A model with torch's initial parameters ("init.<name>").
Model model_from(const Reference& r) {
  Model m(r.spec, /*seed=*/0);
  for (Param& p : m.params()) {
    const NamedTensor& t = tensor(r.st, "init." + p.name);
    REQUIRE(t.shape == p.shape);
    p.value = t.data;
  }
  return m;
}

// One forward + loss + backward of the reference batch; returns the mean loss.
float forward_backward(Model& m, const Reference& r) {
  m.zero_grad();
  const float* logits = m.forward(r.x.data(), r.n);
  const int classes = m.num_classes();
  std::vector<float> probs(size_t(r.n * classes)), dlogits(probs.size());
  const float loss = softmax_cross_entropy_forward(probs.data(), logits, r.labels.data(), r.n, classes);
  softmax_cross_entropy_backward(dlogits.data(), probs.data(), r.labels.data(), r.n, classes);
  m.backward(dlogits.data());
  return loss;
}

OptimConfig optim_from(const Reference& r, const std::string& kind, int* steps) {
  REQUIRE(r.st.metadata.count(kind) == 1);
  const Json j = Json::parse(r.st.metadata.at(kind));
  OptimConfig c;
  c.kind = kind;
  c.lr = j.find("lr")->as_number();
  c.weight_decay = j.find("weight_decay")->as_number();
  if (kind == "sgd") {
    c.momentum = j.find("momentum")->as_number();
  } else {
    c.beta1 = j.find("beta1")->as_number();
    c.beta2 = j.find("beta2")->as_number();
    c.eps = j.find("eps")->as_number();
  }
  *steps = int(j.find("steps")->as_number());
  return c;
}

// Measured on the committed fixture (ConvLab vs torch, both float32; each test prints its
// figure): logits agree to 3e-7 and get 2e-6 (headroom for a reordered SIMD sum), the loss
// exactly and gets 1e-6. Gradients and trained parameters get 1e-5, relative for values down
// to a tenth of their tensor's largest and absolute (1e-6 x that largest) below: with a floor
// of a hundredth, cancelled gradient elements differ by up to 3e-5, which is float32 noise
// (see above), not a disagreement.
constexpr Tol kLogits{2e-6, 1e-3};
constexpr Tol kLoss{1e-6, 0.0};
constexpr Tol kGrads{1e-5, 0.1};
constexpr Tol kParams{1e-5, 0.1};

void check_training(const std::string& kind, Tol tol) {
  const Reference r = load_reference();
  Model m = model_from(r);
  int steps = 0;
  Optimizer opt(optim_from(r, kind, &steps), m);
  REQUIRE(steps > 0);
  for (int s = 0; s < steps; ++s) {
    forward_backward(m, r);
    opt.step(m);
  }
  double worst = 0;
  for (const Param& p : m.params()) {
    const NamedTensor& want = tensor(r.st, kind + "." + p.name);
    REQUIRE(want.shape == p.shape);
    // the step must have moved the parameters, or agreement would prove nothing
    CHECK(want.data != tensor(r.st, "init." + p.name).data);
    worst = std::max(worst, compare(kind + " " + p.name, p.value.data(), want.data, tol));
  }
  report("parameters after " + std::to_string(steps) + " " + kind + " steps", worst, tol);
}

}  // namespace

TEST_CASE("PyTorch agreement: logits, loss and every gradient of a net with every layer type") {
  const Reference r = load_reference();
  // the fixture covers what it claims: every layer type, an even "same" kernel, padded pools
  std::vector<bool> seen(6, false);
  bool even_same = false, strided_padded = false, padded_max = false, padded_avg = false;
  for (const LayerSpec& l : r.spec.layers) {
    seen[size_t(l.type)] = true;
    even_same |= l.type == LayerType::Conv2d && l.same && l.kernel % 2 == 0;
    strided_padded |= l.type == LayerType::Conv2d && l.stride > 1 && l.padding > 0;
    padded_max |= l.type == LayerType::MaxPool2d && l.padding > 0;
    padded_avg |= l.type == LayerType::AvgPool2d && l.padding > 0;
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }));
  CHECK(even_same);
  CHECK(strided_padded);
  CHECK(padded_max);
  CHECK(padded_avg);

  Model m = model_from(r);
  const float loss = forward_backward(m, r);
  const NamedTensor& logits = tensor(r.st, "logits");
  REQUIRE(logits.shape == std::vector<int64_t>{r.n, m.num_classes()});
  report("logits", compare("logits", m.activation(int(r.spec.layers.size()) - 1), logits.data, kLogits), kLogits);
  report("loss", compare("loss", &loss, tensor(r.st, "loss").data, kLoss), kLoss);
  double worst = 0;
  for (const Param& p : m.params()) {
    const NamedTensor& g = tensor(r.st, "grad." + p.name);
    REQUIRE(g.shape == p.shape);
    worst = std::max(worst, compare("gradient of " + p.name, p.grad.data(), g.data, kGrads));
  }
  report("gradients", worst, kGrads);
}

TEST_CASE("PyTorch agreement: parameters after SGD with momentum and weight decay") {
  check_training("sgd", kParams);
}

TEST_CASE("PyTorch agreement: parameters after Adam with weight decay") {
  check_training("adam", kParams);
}

TEST_CASE("PyTorch agreement: a file saved by ConvLab gives torch's logits when ConvLab loads it") {
  // torch_export_model.safetensors was written by convlab::save_safetensors
  // (tools/convlab_export.cc); tools/torch_convlab.py loaded it into an nn.Sequential and
  // stored torch's logits on the fixed input beside ConvLab's.
  const auto model_bytes = read_fixture("torch_export_model.safetensors");
  const auto io_bytes = read_fixture("torch_export_io.safetensors");
  Model m = load_model(model_bytes.data(), model_bytes.size());
  const SafeTensors io = read_safetensors(io_bytes.data(), io_bytes.size());
  const NamedTensor& x = tensor(io, "input");
  const NamedTensor& want = tensor(io, "torch_logits");
  const int n = int(x.shape.at(0));
  REQUIRE(want.shape == std::vector<int64_t>{n, m.num_classes()});
  const float* logits = m.forward(x.data.data(), n);
  report("logits of the ConvLab-saved file", compare("logits of the ConvLab-saved file", logits, want.data, kLogits),
         kLogits);
}

TEST_CASE("init is PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases") {
  // Not bit equality (the generators differ): the bounds, and mean and variance of a large
  // layer against U(-b, b)'s 0 and b^2/3.
  const ModelSpec spec = parse_spec(R"({"input": {"channels": 3, "height": 16, "width": 16},
    "layers": [{"type": "conv2d", "out_channels": 64, "kernel": 5, "padding": 2},
               {"type": "flatten"}, {"type": "linear", "out_features": 64}]})");
  const Model m(spec, 123);
  for (const Param& p : m.params()) {
    const bool conv = p.name[0] == '0';
    const double fan_in = conv ? 3 * 5 * 5 : 64 * 16 * 16;
    const double b = 1 / std::sqrt(fan_in);
    double sum = 0, sq = 0, biggest = 0;
    for (float v : p.value) {
      sum += v;
      sq += double(v) * v;
      biggest = std::max(biggest, std::fabs(double(v)));
    }
    const double count = double(p.value.size());
    const double mean = sum / count, var = sq / count - mean * mean;
    INFO(p.name << ": fan_in " << fan_in << ", bound " << b << ", max |w| " << biggest << ", mean " << mean
                << ", variance " << var << " (expected " << b * b / 3 << ")");
    CHECK(biggest <= b);
    CHECK(biggest >= b * (1 - 20 / count));  // the draws reach the bound: it is not a smaller one
    // within 5 standard errors: the mean's is b/sqrt(3N); the variance estimate's, relative to
    // b^2/3, is 3 sqrt(Var(w^2)/N) with Var(w^2) = b^4/5 - b^4/9 = 4b^4/45
    CHECK(std::fabs(mean) <= 5 * b / std::sqrt(3 * count));
    CHECK(std::fabs(var / (b * b / 3) - 1) <= 5 * 3 * std::sqrt(4 / (45 * count)));
  }

  // torch's own draws in the reference fixture lie within the same bounds and fill them
  const Reference r = load_reference();
  const Model shape_only(r.spec, 0);
  const std::vector<Param>& ps = shape_only.params();
  for (size_t i = 0; i < ps.size(); ++i) {
    const Param& p = ps[i];
    const Param& w = ps[i - i % 2];  // params come in (weight, bias) pairs; fan_in is the weight's
    const double fan_in = double(w.size()) / double(w.shape[0]);
    const double b = 1 / std::sqrt(fan_in);
    double biggest = 0;
    for (float v : tensor(r.st, "init." + p.name).data) biggest = std::max(biggest, std::fabs(double(v)));
    INFO("torch init " << p.name << ": max |w| " << biggest << ", ConvLab's bound " << b);
    CHECK(biggest <= b * (1 + 1e-6));
    if (p.size() >= 30) CHECK(biggest >= 0.8 * b);
  }
}
