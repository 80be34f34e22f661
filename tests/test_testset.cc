// The test set's evaluation: counts, confusion and per-class accuracy on hand-made
// probabilities, the loss equal to the training loss's -log p[true], the hardest examples in
// order, bad input refused; the built-in dataset's spec is a valid 28×28×1 net with the class
// rule; and evaluation through a Session's batched prediction matches single predicts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "convlab/json.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "convlab/spec.h"
#include "convlab/testset.h"

using namespace convlab;

TEST_CASE("evaluate counts, confusion, per class and loss", "[testset]") {
  // 4 images, 3 classes: rows are probabilities
  const std::vector<float> p = {
      0.7f, 0.2f, 0.1f,  // true 0, predicted 0
      0.1f, 0.3f, 0.6f,  // true 1, predicted 2
      0.2f, 0.5f, 0.3f,  // true 1, predicted 1
      0.0f, 1.0f, 0.0f,  // true 2, predicted 1, probability of its class 0
  };
  const std::vector<int> y = {0, 1, 1, 2};
  const auto e = testset::evaluate(p.data(), y.data(), 4, 3);
  CHECK(e.correct == 2);
  CHECK(e.confusion == std::vector<int>{1, 0, 0, 0, 1, 1, 0, 1, 0});
  CHECK(e.per_class_total == std::vector<int>{1, 2, 1});
  CHECK(e.per_class_correct == std::vector<int>{1, 1, 0});
  CHECK(e.images[1].predicted == 2);
  CHECK(e.images[1].prob_true == Approx(0.3f));
  CHECK(e.images[1].prob_predicted == Approx(0.6f));
  CHECK(e.images[0].loss == Approx(-std::log(0.7)).epsilon(1e-5));
  CHECK(e.images[2].loss == Approx(-std::log(0.5)).epsilon(1e-5));
  // a zero probability gives a large finite loss, not infinity
  CHECK(std::isfinite(e.images[3].loss));
  CHECK(e.images[3].loss > 80.0f);
  // hardest first: image 3 (p 0), then 1 (0.3), 2 (0.5), 0 (0.7)
  CHECK(e.hardest == std::vector<int>{3, 1, 2, 0});
  const double mean = (e.images[0].loss + e.images[1].loss + e.images[2].loss + e.images[3].loss) / 4.0;
  CHECK(e.loss == Approx(mean));

  const Json j = Json::parse(testset::to_json(e).dump());
  CHECK(j.find("accuracy")->as_number() == Approx(0.5));
  Json jc = j;
  CHECK(jc["per_class"].items()[2].find("accuracy")->as_number() == Approx(0.0));
  CHECK(jc["images"].items()[1].find("predicted")->as_number() == 2);
}

TEST_CASE("evaluate keeps at most kHardestExamples, ties in input order", "[testset]") {
  const int n = testset::kHardestExamples + 5;
  std::vector<float> p;
  std::vector<int> y(size_t(n), 0);
  for (int i = 0; i < n; ++i) {
    p.push_back(0.5f);
    p.push_back(0.5f);
  }
  const auto e = testset::evaluate(p.data(), y.data(), n, 2);
  REQUIRE(int(e.hardest.size()) == testset::kHardestExamples);
  for (int i = 0; i < testset::kHardestExamples; ++i) CHECK(e.hardest[size_t(i)] == i);
  // an empty set: no accuracy rather than a division by zero
  const auto none = testset::evaluate(p.data(), y.data(), 0, 2);
  CHECK(Json::parse(testset::to_json(none).dump()).find("accuracy")->is_null());
}

TEST_CASE("evaluate refuses a label out of range or a probability that is not finite", "[testset]") {
  const std::vector<float> p = {0.5f, 0.5f};
  const std::vector<int> bad = {2};
  CHECK_THROWS_AS(testset::evaluate(p.data(), bad.data(), 1, 2), std::invalid_argument);
  const std::vector<float> nan = {NAN, 0.5f};
  const std::vector<int> ok = {0};
  CHECK_THROWS_AS(testset::evaluate(nan.data(), ok.data(), 1, 2), std::invalid_argument);
}

TEST_CASE("the built-in dataset's spec is a valid 28x28x1 net with one output per class", "[testset]") {
  for (int classes : {rules::kMinClasses, 3, rules::kMaxClasses}) {
    const std::string text = testset::builtin_spec(classes);
    const Json r = Json::parse(check_spec_json(text, classes));
    INFO(r.dump());
    CHECK(r.find("ok")->as_bool());
    Json spec = Json::parse(text);
    CHECK(spec["input"]["channels"].as_number() == 1);
    CHECK(spec["input"]["height"].as_number() == testset::kBuiltinSide);
    CHECK(spec["input"]["width"].as_number() == testset::kBuiltinSide);
    Json layers = spec["layers"];
    CHECK(layers.items().back().find("out_features")->as_number() == classes);
  }
  CHECK_THROWS(testset::builtin_spec(rules::kMaxClasses + 1));
}

TEST_CASE("testset rules: the page's hardest_examples is how many evaluate lists, builtin_side the spec's input", "[testset]") {
  const Json r = Json::parse(testset::rules_json().dump());  // as the worker hands it over
  const int hardest = int(r.find("hardest_examples")->as_number());
  REQUIRE(hardest > 0);
  for (int n : {hardest - 1, hardest, hardest + 1, 3 * hardest}) {
    std::vector<float> p;
    std::vector<int> y(size_t(n), 1);
    for (int i = 0; i < n; ++i) p.insert(p.end(), {0.9f, 0.1f});
    INFO(n << " images");
    CHECK(int(testset::evaluate(p.data(), y.data(), n, 2).hardest.size()) == std::min(n, hardest));
  }
  const int side = int(r.find("builtin_side")->as_number());
  const Json spec = Json::parse(testset::builtin_spec(2));
  CHECK(spec.find("input")->find("height")->as_number() == side);
  CHECK(spec.find("input")->find("width")->as_number() == side);
}

TEST_CASE("evaluating through predict_batch agrees with single predicts", "[testset]") {
  Session s;
  s.set_spec(testset::builtin_spec(3), 7);
  std::vector<std::vector<uint8_t>> px;
  std::vector<Session::Rgba> ims;
  std::vector<int> labels;
  for (int i = 0; i < 5; ++i) {
    std::vector<uint8_t> b(28 * 28 * 4);
    for (size_t k = 0; k < b.size(); ++k) b[k] = uint8_t((k * (i + 3)) % 251);
    px.push_back(b);
    labels.push_back(i % 3);
  }
  for (auto& b : px) ims.push_back({b.data(), b.size(), 28, 28});
  const std::vector<float> probs = s.predict_batch(ims.data(), 5);
  const auto e = testset::evaluate(probs.data(), labels.data(), 5, 3);
  for (int i = 0; i < 5; ++i) {
    const auto one = s.predict(px[size_t(i)].data(), px[size_t(i)].size(), 28, 28);
    int best = 0;
    for (int c = 1; c < 3; ++c)
      if (one[size_t(c)] > one[size_t(best)]) best = c;
    CHECK(e.images[size_t(i)].predicted == best);
    CHECK(e.images[size_t(i)].prob_true == Approx(one[size_t(labels[size_t(i)])]));
  }
}
