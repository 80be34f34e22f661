#include "convlab/testset.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "convlab/layers.h"
#include "convlab/rules.h"

namespace convlab::testset {

Evaluation evaluate(const float* probs, const int* labels, int n, int classes) {
  if (n < 0) throw std::invalid_argument("evaluate: a negative number of images");
  if (classes < 1) throw std::invalid_argument("evaluate: no classes");
  Evaluation e;
  e.n = n;
  e.classes = classes;
  e.confusion.assign(size_t(classes) * size_t(classes), 0);
  e.per_class_total.assign(size_t(classes), 0);
  e.per_class_correct.assign(size_t(classes), 0);
  e.images.resize(size_t(n));
  std::vector<float> logp(static_cast<size_t>(classes)), scratch(static_cast<size_t>(classes));
  double total = 0;
  for (int i = 0; i < n; ++i) {
    const float* p = probs + size_t(i) * size_t(classes);
    const int y = labels[i];
    if (y < 0 || y >= classes)
      throw std::invalid_argument("evaluate: image " + std::to_string(i + 1) + " has class " + std::to_string(y) +
                                  ", outside 0 to " + std::to_string(classes - 1));
    int best = 0;
    for (int c = 0; c < classes; ++c) {
      if (!std::isfinite(p[c])) throw std::invalid_argument("evaluate: image " + std::to_string(i + 1) + " has a probability that is not finite");
      if (p[c] > p[best]) best = c;
      // log p as logits: softmax(log p) = p, so the training loss gives -log p[y] (a zero
      // probability is clamped to FLT_MIN: a finite, large loss instead of infinity)
      logp[size_t(c)] = std::log(std::max(p[c], FLT_MIN));
    }
    const int32_t label = y;
    const float loss = softmax_cross_entropy_forward(scratch.data(), logp.data(), &label, 1, classes);
    e.images[size_t(i)] = {best, p[y], p[best], loss};
    total += loss;
    e.confusion[size_t(y) * size_t(classes) + size_t(best)]++;
    e.per_class_total[size_t(y)]++;
    if (best == y) {
      e.per_class_correct[size_t(y)]++;
      e.correct++;
    }
  }
  e.loss = n ? float(total / n) : 0.0f;
  std::vector<int> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  // highest loss first; equal losses keep input order (stable), so the list is reproducible
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return e.images[size_t(a)].loss > e.images[size_t(b)].loss; });
  order.resize(std::min<size_t>(order.size(), size_t(kHardestExamples)));
  e.hardest = std::move(order);
  return e;
}

Evaluation evaluate_images(Session& session, const Session::Rgba* images, const int* labels, int n) {
  const auto& probs = session.predict_batch(images, n);
  return evaluate(probs.data(), labels, n, session.model().num_classes());
}

Evaluation evaluate_stored(Session& session, const int* indices, int n) {
  const auto& probs = session.predict_stored(indices, n);  // checks every index
  std::vector<int> labels(size_t(std::max(n, 0)));
  for (int i = 0; i < n; ++i) labels[size_t(i)] = session.stored_label(indices[i]);
  return evaluate(probs.data(), labels.data(), n, session.model().num_classes());
}

Json to_json(const Evaluation& e) {
  Json per = Json::array();
  for (int c = 0; c < e.classes; ++c) {
    const int t = e.per_class_total[size_t(c)], k = e.per_class_correct[size_t(c)];
    per.push_back(Json::object({{"total", t}, {"correct", k}, {"accuracy", t ? Json(double(k) / t) : Json(nullptr)}}));
  }
  Json ims = Json::array();
  for (const auto& r : e.images)
    ims.push_back(Json::object({{"predicted", r.predicted},
                                {"prob", double(r.prob_true)},
                                {"prob_predicted", double(r.prob_predicted)},
                                {"loss", double(r.loss)}}));
  return Json::object({{"n", e.n},
                       {"classes", e.classes},
                       {"correct", e.correct},
                       {"accuracy", e.n ? Json(double(e.correct) / e.n) : Json(nullptr)},
                       {"loss", double(e.loss)},
                       {"confusion", json_numbers(e.confusion)},
                       {"per_class", per},
                       {"images", ims},
                       {"hardest", json_numbers(e.hardest)}});
}

std::string builtin_spec(int classes) {
  // 28 -> conv 3 same -> pool 2 -> 14 -> conv 3 same -> pool 2 -> 7: 16·7·7 = 784 features
  static const char* kSpec = R"({
  "input": {"channels": 1, "height": 28, "width": 28},
  "layers": [
    {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": "same"},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2},
    {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2},
    {"type": "flatten"},
    {"type": "linear", "out_features": 2}
  ]
})";
  return rules::fit_spec(kSpec, classes);
}

Json rules_json() {
  return Json::object({{"hardest_examples", kHardestExamples}, {"builtin_side", kBuiltinSide}});
}

}  // namespace convlab::testset
