// The trainer: seeded and sliceable (run(1) N times == run(N)), a stratified split,
// augmentation by hand, a confusion matrix, clear errors for data that cannot train, and a
// real learning check on a small synthetic task (tests/synthetic.h).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "convlab/train.h"
#include "synthetic.h"

using namespace convlab;
using Catch::Matchers::Contains;

namespace {

TrainConfig small_config(uint64_t seed) {
  TrainConfig cfg;
  cfg.epochs = 2;
  cfg.batch_size = 8;
  cfg.optim.kind = "adam";
  cfg.optim.lr = 0.01;
  cfg.val_fraction = 0.25;
  cfg.shift = 2;
  cfg.flip = true;
  cfg.seed = seed;
  return cfg;
}

std::string trainer_error(const Dataset& d, const TrainConfig& cfg, int classes = 3) {
  Model m(parse_spec(synthetic::spec(classes)), 1);
  try {
    Trainer t(m, d, cfg);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("augment: shift with zero fill and horizontal flip, by hand") {
  // in (1, 3, 3) = [1 2 3; 4 5 6; 7 8 9]
  const std::vector<float> in{1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<float> out(9, -1.0f);
  augment(out.data(), in.data(), 1, 3, 3, 0, 0, false);
  CHECK(out == in);
  augment(out.data(), in.data(), 1, 3, 3, 1, 0, false);  // right by one: out[y][x] = in[y][x-1]
  CHECK(out == std::vector<float>{0, 1, 2, 0, 4, 5, 0, 7, 8});
  augment(out.data(), in.data(), 1, 3, 3, 0, -1, false);  // up by one: out[y][x] = in[y+1][x]
  CHECK(out == std::vector<float>{4, 5, 6, 7, 8, 9, 0, 0, 0});
  augment(out.data(), in.data(), 1, 3, 3, -2, 2, false);  // left 2, down 2: only in[0][2] stays
  CHECK(out == std::vector<float>{0, 0, 0, 0, 0, 0, 3, 0, 0});
  augment(out.data(), in.data(), 1, 3, 3, 0, 0, true);  // mirror
  CHECK(out == std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7});
  augment(out.data(), in.data(), 1, 3, 3, 1, 0, true);  // mirror, then right by one
  CHECK(out == std::vector<float>{0, 3, 2, 0, 6, 5, 0, 9, 8});
  // channels are shifted alike: (2, 1, 2) = [[1 2], [3 4]] right by one -> [[0 1], [0 3]]
  std::vector<float> in2{1, 2, 3, 4}, out2(4);
  augment(out2.data(), in2.data(), 2, 1, 2, 1, 0, false);
  CHECK(out2 == std::vector<float>{0, 1, 0, 3});
}

TEST_CASE("trainer: the validation split is stratified, disjoint and complete") {
  // classes of 10, 5 and 1 images, fraction 0.2: round(2) = 2, round(1) = 1, and the lone
  // image of class 2 stays in training (at least one per class trains).
  Dataset d({1, 16, 16});
  Rng rng(3);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < (c == 0 ? 10 : c == 1 ? 5 : 1); ++i) d.add_bytes(synthetic::image(c, rng).data(), c);
  Model m(parse_spec(synthetic::spec(3)), 1);
  TrainConfig cfg = small_config(1);
  cfg.val_fraction = 0.2;
  Trainer t(m, d, cfg);
  std::vector<int> val_per_class(3, 0), train_per_class(3, 0);
  for (int i : t.val_indices()) val_per_class[size_t(d.label(i))]++;
  for (int i : t.train_indices()) train_per_class[size_t(d.label(i))]++;
  CHECK(val_per_class == std::vector<int>{2, 1, 0});
  CHECK(train_per_class == std::vector<int>{8, 4, 1});
  std::set<int> all(t.val_indices().begin(), t.val_indices().end());
  all.insert(t.train_indices().begin(), t.train_indices().end());
  CHECK(all.size() == 16);  // disjoint and complete
  CHECK(t.steps_per_epoch() == 2);  // 13 training images in batches of 8

  // fraction 0.5 on a class of one still keeps it for training
  cfg.val_fraction = 0.5;
  Trainer t2(m, d, cfg);
  std::vector<int> v2(3, 0);
  for (int i : t2.val_indices()) v2[size_t(d.label(i))]++;
  CHECK(v2 == std::vector<int>{5, 3, 0});  // round(2.5) = 3 (half away from zero)
}

TEST_CASE("trainer: the same seed gives the same bits, another seed another model") {
  Dataset d = synthetic::dataset(3, 12, 5);
  auto train = [&](uint64_t seed) {
    Model m(parse_spec(synthetic::spec(3)), seed);
    Trainer t(m, d, small_config(seed));
    t.run(1000);
    REQUIRE(t.done());
    return hash_params(m);
  };
  const uint64_t a = train(7);
  CHECK(train(7) == a);
  CHECK(train(8) != a);
  // the trainer's own seed alone (same init) also changes the result: split, order, augmentation
  Model m1(parse_spec(synthetic::spec(3)), 7);
  Trainer t1(m1, d, small_config(9));
  t1.run(1000);
  CHECK(hash_params(m1) != a);
}

TEST_CASE("trainer: run(1) slices give exactly what one run(N) gives") {
  Dataset d = synthetic::dataset(3, 12, 6);
  Model a(parse_spec(synthetic::spec(3)), 2), b(parse_spec(synthetic::spec(3)), 2);
  TrainConfig cfg = small_config(4);
  cfg.epochs = 3;
  Trainer ta(a, d, cfg), tb(b, d, cfg);
  const int total = cfg.epochs * ta.steps_per_epoch();
  CHECK_FALSE(ta.run(total - 1));
  CHECK(ta.run(total));  // stops at the end of the last epoch
  int slices = 0;
  while (!tb.run(1)) ++slices;
  CHECK(slices + 1 == total);
  CHECK(hash_params(a) == hash_params(b));
  REQUIRE(ta.history().size() == 3);
  REQUIRE(tb.history().size() == 3);
  for (size_t e = 0; e < 3; ++e) {
    CHECK(ta.history()[e].epoch == int(e) + 1);
    CHECK(ta.history()[e].train_loss == tb.history()[e].train_loss);
    CHECK(ta.history()[e].val_acc == tb.history()[e].val_acc);
    CHECK(std::isfinite(ta.history()[e].train_loss));
    CHECK(std::isfinite(ta.history()[e].val_loss));
  }
  CHECK(ta.confusion() == tb.confusion());
  CHECK(ta.images_seen() == int64_t(cfg.epochs) * int64_t(ta.train_indices().size()));
  // a finished run does nothing more
  const uint64_t h = hash_params(a);
  CHECK(ta.run(5));
  CHECK(hash_params(a) == h);
}

TEST_CASE("trainer: the confusion matrix counts every validation image once") {
  Dataset d = synthetic::dataset(3, 10, 7);
  Model m(parse_spec(synthetic::spec(3)), 3);
  TrainConfig cfg = small_config(3);
  cfg.epochs = 1;
  Trainer t(m, d, cfg);
  t.run(100);
  const auto& cm = t.confusion();
  REQUIRE(cm.size() == 9);
  CHECK(std::accumulate(cm.begin(), cm.end(), 0) == int(t.val_indices().size()));
  // rows are the true class: each row sums to that class's validation count
  for (int c = 0; c < 3; ++c) {
    int row = cm[size_t(c * 3)] + cm[size_t(c * 3 + 1)] + cm[size_t(c * 3 + 2)], want = 0;
    for (int i : t.val_indices()) want += d.label(i) == c;
    CHECK(row == want);
  }
  // the diagonal agrees with the reported validation accuracy
  const float acc = float(cm[0] + cm[4] + cm[8]) / float(t.val_indices().size());
  CHECK(acc == t.history().back().val_acc);
  // without a validation set the matrix is over the training images, and val metrics are NaN
  cfg.val_fraction = 0.0;
  Model m2(parse_spec(synthetic::spec(3)), 3);
  Trainer t2(m2, d, cfg);
  t2.run(100);
  CHECK(std::accumulate(t2.confusion().begin(), t2.confusion().end(), 0) == 30);
  CHECK(std::isnan(t2.history().back().val_acc));
}

TEST_CASE("trainer: data or settings that cannot train get a clear message") {
  Dataset ok = synthetic::dataset(3, 4, 8);
  CHECK(trainer_error(ok, small_config(1)) == "(no error)");

  Dataset empty_class({1, 16, 16});
  Rng rng(1);
  for (int i = 0; i < 4; ++i) empty_class.add_bytes(synthetic::image(0, rng).data(), i % 2 ? 0 : 2);
  CHECK_THAT(trainer_error(empty_class, small_config(1)), Contains("class 1 has no images: add some, or remove the class"));

  Dataset big_label = synthetic::dataset(3, 2, 8);
  big_label.add_bytes(synthetic::image(0, rng).data(), 3);
  CHECK_THAT(trainer_error(big_label, small_config(1)),
             Contains("an image has label 3 but the model's last layer has 3 outputs: set its out_features"));

  Dataset wrong_size({3, 16, 16});
  CHECK_THAT(trainer_error(wrong_size, small_config(1)), Contains("different input size than the model's"));

  Dataset negative({1, 16, 16});
  CHECK_THROWS_WITH(negative.add_bytes(synthetic::image(0, rng).data(), -1), Contains("label must be 0 or more"));

  auto with = [&](auto change) {
    TrainConfig c = small_config(1);
    change(c);
    return trainer_error(ok, c);
  };
  CHECK_THAT(with([](TrainConfig& c) { c.epochs = 0; }), Contains("epochs must be between 1 and 10000"));
  CHECK_THAT(with([](TrainConfig& c) { c.batch_size = 0; }), Contains("batch size must be between 1 and 1024"));
  CHECK_THAT(with([](TrainConfig& c) { c.val_fraction = 1.0; }), Contains("validation fraction must be between 0 and 0.5"));
  CHECK_THAT(with([](TrainConfig& c) { c.shift = 9; }), Contains("shift must be between 0 and half the input size"));
  CHECK_THAT(with([](TrainConfig& c) { c.optim.lr = -1; }), Contains("learning rate must be a positive number"));
}

TEST_CASE("trainer: learns a small synthetic task to over 95% validation accuracy") {
  // 3 classes (horizontal bar, vertical bar, blob) at random places on noise, 80 images each,
  // a quarter held out; augmentation on. Chance is 33%.
  Dataset d = synthetic::dataset(3, 80, 12);
  Model m(parse_spec(synthetic::spec(3)), 12);
  TrainConfig cfg;
  // 20 epochs at lr 0.005 reach 100% on each of seeds 1..12 (checked once by hand), so the
  // assertion holds with margin even if a kernel's rounding changes
  cfg.epochs = 20;
  cfg.batch_size = 16;
  cfg.optim.kind = "adam";
  cfg.optim.lr = 0.005;
  cfg.val_fraction = 0.25;
  cfg.shift = 2;
  cfg.seed = 12;
  Trainer t(m, d, cfg);
  t.run(100000);
  REQUIRE(t.done());
  const auto& h = t.history();
  for (const auto& e : h)
    UNSCOPED_INFO("epoch " << e.epoch << ": train loss " << e.train_loss << " acc " << e.train_acc << ", val loss "
                           << e.val_loss << " acc " << e.val_acc);
  CHECK(t.val_indices().size() == 60);
  CHECK(h.back().val_acc > 0.95f);
  CHECK(h.back().train_loss < h.front().train_loss);
}

TEST_CASE("trainer: a diverging run stops, says so and keeps the last good epoch's finite weights") {
  // The page reaches divergence with SGD lr 1 momentum 0.99 on real photos (e2e/robust.spec.js);
  // on this small task it takes a push: after the first epoch every weight is set near the float
  // limit, as exploding steps leave them, so the next step's loss is no number.
  Dataset d = synthetic::dataset(3, 12, 5);
  TrainConfig cfg = small_config(3);
  cfg.epochs = 5;
  cfg.optim.kind = "sgd";
  cfg.optim.lr = 1;
  cfg.optim.momentum = 0.99;
  Model m(parse_spec(synthetic::spec(3)), 3);
  Trainer t(m, d, cfg);
  CHECK(t.divergence_message().empty());
  CHECK_FALSE(t.run(t.steps_per_epoch()));
  REQUIRE(t.epoch() == 1);
  CHECK_FALSE(t.diverged());
  for (Param& p : m.params())
    for (float& v : p.value) v = 3e38f;
  CHECK(t.run(100000));  // done: nothing more runs
  REQUIRE(t.diverged());
  CHECK(t.epoch() == 1);
  CHECK(t.history().size() == 1);
  CHECK(std::isfinite(t.history()[0].train_loss));
  const std::string msg = t.divergence_message();
  CHECK_THAT(msg, Contains("training diverged in epoch 2: the loss stopped being a finite number"));
  CHECK_THAT(msg, Contains("the model of epoch 1 is kept"));
  CHECK_THAT(msg, Contains("smaller learning rate, for example 0.1"));
  CHECK_THAT(msg, Contains("less momentum"));
  // the kept weights are exactly those a run of one epoch ends with, all finite
  for (const Param& p : std::as_const(m).params())
    for (float v : p.value) REQUIRE(std::isfinite(v));
  Model ref(parse_spec(synthetic::spec(3)), 3);
  TrainConfig one = cfg;
  one.epochs = 1;
  Trainer r(ref, d, one);
  r.run(100000);
  REQUIRE_FALSE(r.diverged());
  CHECK(hash_params(m) == hash_params(ref));
  const uint64_t h = hash_params(m);
  t.run(10);
  CHECK(hash_params(m) == h);
}

TEST_CASE("trainer: divergence before the first epoch ends keeps the initial weights") {
  Dataset d = synthetic::dataset(3, 12, 5);
  TrainConfig cfg = small_config(4);
  cfg.optim.kind = "adam";
  cfg.optim.lr = 0.01;
  Model m(parse_spec(synthetic::spec(3)), 4);
  Trainer t(m, d, cfg);  // takes its fallback copy of the weights here
  const uint64_t initial = hash_params(m);
  m.params()[0].value[0] = std::numeric_limits<float>::infinity();
  t.run(100000);
  REQUIRE(t.diverged());
  CHECK(t.epoch() == 0);
  CHECK(t.history().empty());
  CHECK(hash_params(m) == initial);
  CHECK_THAT(t.divergence_message(), Contains("no epoch ended, so the model is untrained"));
  CHECK_THAT(t.divergence_message(), Contains("for example 0.001"));
  CHECK_THAT(t.divergence_message(), !Contains("momentum"));
}

TEST_CASE("trainer: a sane run never reports divergence") {
  Dataset d = synthetic::dataset(3, 12, 5);
  Model m(parse_spec(synthetic::spec(3)), 7);
  Trainer t(m, d, small_config(7));
  t.run(1000);
  CHECK(t.done());
  CHECK_FALSE(t.diverged());
  CHECK(t.epoch() == 2);
}
