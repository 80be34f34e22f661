// The worker's Session as the page drives it: training in slices (pause and resume) gives
// the same model as one long run, the same seed gives the same result, stop keeps the
// weights, bad input changes nothing, and save/load round-trips predictions.
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "convlab/json.h"
#include "convlab/session.h"

using namespace convlab;

namespace {

const char* kSpec = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
  {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";

// Two classes a person could tell apart: dark images with a bright left half, and bright
// images with a dark top; 12x10 RGBA so preprocessing crops and resizes too.
std::vector<uint8_t> image(int label, int k) {
  const int w = 12, h = 10;
  std::vector<uint8_t> px(size_t(w) * h * 4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t v = label == 0 ? (x < w / 2 ? 200 : 30) : (y < h / 2 ? 40 : 220);
      uint8_t* p = &px[(size_t(y) * w + x) * 4];
      p[0] = uint8_t(v + (k * 7) % 20);
      p[1] = v;
      p[2] = uint8_t(v - (k * 3) % 15);
      p[3] = 255;
    }
  return px;
}

void fill(Session& s, int per_class) {
  for (int k = 0; k < per_class; ++k)
    for (int label = 0; label < 2; ++label) s.add_image(image(label, k).data(), 12 * 10 * 4, 12, 10, label);
}

const char* kConfig = R"({"epochs": 3, "batch_size": 4, "val_fraction": 0.25, "seed": 9, "lr": 0.01})";

std::vector<float> weights(Session& s) {
  Param* p = s.model().find_param("4.weight");
  REQUIRE(p != nullptr);
  return std::vector<float>(p->value.data(), p->value.data() + p->value.size());
}

}  // namespace

TEST_CASE("session: training in slices of one step equals one long run") {
  Session a, b;
  for (Session* s : {&a, &b}) {
    s->set_spec(kSpec, 1);
    fill(*s, 6);
    s->train_begin(kConfig);
  }
  std::string pa, pb;
  while (a.training()) pa = a.train_run(1);  // the page's pause/resume granularity
  pb = b.train_run(1000);
  CHECK(Json::parse(pa).find("done")->as_bool());
  CHECK(Json::parse(pa).find("history")->dump() == Json::parse(pb).find("history")->dump());
  CHECK(weights(a) == weights(b));
}

TEST_CASE("session: the same seed gives the same result, another seed another") {
  auto run = [](const char* config) {
    Session s;
    s.set_spec(kSpec, 1);
    fill(s, 5);
    s.train_begin(config);
    s.train_run(1000);
    return weights(s);
  };
  CHECK(run(kConfig) == run(kConfig));
  CHECK(run(kConfig) != run(R"({"epochs": 3, "batch_size": 4, "val_fraction": 0.25, "seed": 10, "lr": 0.01})"));
}

TEST_CASE("session: images and predictions wait for training; stop keeps the weights") {
  Session s;
  s.set_spec(kSpec, 1);
  fill(s, 6);
  s.train_begin(kConfig);
  s.train_run(2);
  REQUIRE(s.training());
  auto px = image(0, 0);
  CHECK_THROWS_WITH(s.add_image(px.data(), px.size(), 12, 10, 0), Catch::Contains("stop training first"));
  CHECK_THROWS_WITH(s.predict(px.data(), px.size(), 12, 10), Catch::Contains("wait for it or stop it"));
  auto during = weights(s);
  Json filters = Json::parse(s.train_stop());
  CHECK_FALSE(s.training());
  // the filters kept so far come back with the stop: epoch 0 at least, one snapshot per epoch
  REQUIRE(filters["epochs"].size() >= 1);
  CHECK(filters["epochs"].items().at(0).as_number() == 0);
  CHECK(filters["weights"].size() == filters["epochs"].size());
  CHECK(Json::parse(s.train_stop()).size() == 0);  // no run: nothing
  CHECK(weights(s) == during);  // the partly trained model stays usable
  auto p = s.predict(px.data(), px.size(), 12, 10);
  REQUIRE(p.size() == 2);
  CHECK(p[0] + p[1] == Approx(1.0f));
  CHECK(s.num_images() == 12);
}

TEST_CASE("session: a trained model tells the two classes apart and survives save/load") {
  Session s;
  s.set_spec(kSpec, 1);
  fill(s, 8);
  s.train_begin(R"({"epochs": 25, "batch_size": 4, "val_fraction": 0, "seed": 2, "lr": 0.01, "shift": 0})");
  s.train_run(100000);
  auto a = image(0, 3), b = image(1, 3);
  auto pa = s.predict(a.data(), a.size(), 12, 10), pb = s.predict(b.data(), b.size(), 12, 10);
  CHECK(pa[0] > 0.5f);
  CHECK(pb[1] > 0.5f);

  auto bytes = s.save(R"({"classes": "[\"dark\", \"bright\"]"})");
  Session t;
  // t holds the default net: the file is for another model, so it must be adopted
  CHECK_THROWS_WITH(t.load(bytes.data(), bytes.size()), Catch::Contains("for another model"));
  t.load(bytes.data(), bytes.size(), /*adopt=*/true);
  auto qa = t.predict(a.data(), a.size(), 12, 10);
  CHECK(qa == pa);
}

TEST_CASE("session: a bad spec, config or file changes nothing") {
  Session s;
  s.set_spec(kSpec, 1);
  fill(s, 3);
  const std::string spec = s.spec_json();
  auto w = weights(s);
  CHECK_THROWS_WITH(s.set_spec(R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
    {"type": "conv2d", "out_channels": 4, "kernel": 9}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})", 1),
                    Catch::Contains("layer 0"));
  CHECK_THROWS_WITH(s.train_begin(R"({"epochs": 0})"), Catch::Contains("epochs"));
  std::vector<uint8_t> junk(100, 7);
  CHECK_THROWS(s.load(junk.data(), junk.size()));
  CHECK(s.spec_json() == spec);
  CHECK(weights(s) == w);
  CHECK(s.num_images() == 6);
}

TEST_CASE("session: a spec with another input size drops the images for the page to re-send") {
  Session s;
  s.set_spec(kSpec, 1);
  fill(s, 2);
  std::string same = kSpec;
  same.replace(same.find("\"out_channels\": 4"), 17, "\"out_channels\": 6");
  s.set_spec(same, 1);
  CHECK(s.num_images() == 4);  // same input: images kept
  std::string bigger = kSpec;
  bigger.replace(bigger.find("\"height\": 8"), 11, "\"height\": 16");
  s.set_spec(bigger, 1);
  CHECK(s.num_images() == 0);
}

TEST_CASE("session: info carries the size the page stores images at for this input") {
  Session s;  // the webcam preset: 64x64
  CHECK(Json::parse(s.info_json()).find("stored_size")->dump() == R"({"width":96,"height":96})");
  std::string tall = kSpec;
  tall.replace(tall.find("\"height\": 8"), 11, "\"height\": 16");
  Json info = Json::parse(s.set_spec(tall, 1));  // 16 high, 8 wide: 96 on the longer side
  CHECK(info.find("stored_size")->dump() == R"({"width":48,"height":96})");
  CHECK(info.find("layers")->size() == 5);
}

TEST_CASE("session: a parameter by its state_dict name, read-only") {
  Session s;
  s.set_spec(kSpec, 1);
  const auto& w = s.param("0.weight");  // (4, 3, 3, 3)
  CHECK(w.size() == 108);
  CHECK(w == s.model().params()[0].value);
  CHECK(s.param("4.bias").size() == 2);
  CHECK_THROWS_WITH(s.param("1.weight"), "the model has no parameter \"1.weight\": it has 0.weight, 0.bias, 4.weight, 4.bias");
}


TEST_CASE("session: the finished run names the trainer's validation images, the same for the same seed") {
  auto ints = [](const Json& a) {
    std::vector<int> v;
    for (const auto& e : a.items()) v.push_back(int(e.as_number()));
    return v;
  };
  Session a, b;
  for (Session* s : {&a, &b}) {
    s->set_spec(kSpec, 1);
    fill(*s, 6);
    s->train_begin(kConfig);
  }
  Json first = Json::parse(a.train_run(1));
  CHECK(first.find("val_indices") == nullptr);  // only once training is done
  Json pa = Json::parse(a.train_run(1000));
  Json pb = Json::parse(b.train_run(1000));
  REQUIRE(pa.find("done")->as_bool());
  REQUIRE(pa.find("val_indices") != nullptr);
  const std::vector<int> val = ints(*pa.find("val_indices"));
  REQUIRE(a.trainer() != nullptr);
  CHECK(val == a.trainer()->val_indices());
  CHECK(int(val.size()) == int(pa.find("val_size")->as_number()));
  // 6 images per class at 0.25: round(1.5) = 2 of each class held out; fill() alternates labels.
  int per_class[2] = {0, 0};
  for (int i : val) {
    REQUIRE(i >= 0);
    REQUIRE(i < 12);
    per_class[i % 2]++;
  }
  CHECK(per_class[0] == 2);
  CHECK(per_class[1] == 2);
  std::set<int> all(val.begin(), val.end());
  CHECK(all.size() == val.size());
  for (int i : a.trainer()->train_indices()) CHECK(all.insert(i).second);  // disjoint from training
  CHECK(all.size() == 12);  // and together complete
  CHECK(ints(*pb.find("val_indices")) == val);
}

// The page keeps the worker's images in its own order as they come and go (worker-sync.js):
// images inserted and removed at positions must leave exactly the dataset a fresh send in that
// order gives, and train to the same bits.
TEST_CASE("session: images inserted and removed at positions train like the same images sent afresh") {
  // the final order: class 0's images k = 0..4, then class 1's (the page's class-by-class order)
  Session fresh;
  fresh.set_spec(kSpec, 1);
  for (int label = 0; label < 2; ++label)
    for (int k = 0; k < 5; ++k) fresh.add_image(image(label, k).data(), 12 * 10 * 4, 12, 10, label);

  Session kept;
  kept.set_spec(kSpec, 1);
  auto add = [&](int at, int label, int k) { kept.insert_image(at, image(label, k).data(), 12 * 10 * 4, 12, 10, label); };
  // first a few of each class, then a stray one (k = 9) that is deleted later
  add(0, 0, 0), add(1, 0, 1), add(2, 1, 0), add(3, 1, 1), add(2, 0, 9);  // 0/0 0/1 0/9 1/0 1/1
  kept.train_begin(kConfig);
  kept.train_run(1000);  // a finished run: its trainer is let go by the next change
  add(3, 0, 2), add(4, 0, 3);                                             // 0/0 0/1 0/9 0/2 0/3 1/0 1/1
  kept.remove_image(2);                                                   // 0/0 0/1 0/2 0/3 1/0 1/1
  add(4, 0, 4), add(7, 1, 2), add(8, 1, 3), add(9, 1, 4);                 // the final order
  REQUIRE(kept.num_images() == fresh.num_images());

  for (Session* s : {&fresh, &kept}) s->train_begin(kConfig);
  const std::string pf = fresh.train_run(1000), pk = kept.train_run(1000);
  CHECK(Json::parse(pk).find("history")->dump() == Json::parse(pf).find("history")->dump());
  CHECK(weights(kept) == weights(fresh));

  // a wrong position, and a change while a run is under way, are refused and change nothing
  auto px = image(0, 0);
  CHECK_THROWS_WITH(kept.insert_image(11, px.data(), px.size(), 12, 10, 0), Catch::Contains("inserted at 0 to 10, not at 11"));
  CHECK_THROWS_WITH(kept.remove_image(10), Catch::Contains("no image 10 to remove (10 held)"));
  CHECK_THROWS_WITH(kept.insert_image(0, px.data(), px.size() - 1, 12, 10, 0), Catch::Contains("RGBA"));
  kept.train_begin(kConfig);
  kept.train_run(1);
  REQUIRE(kept.training());
  CHECK_THROWS_WITH(kept.insert_image(0, px.data(), px.size(), 12, 10, 0), Catch::Contains("stop training first"));
  CHECK_THROWS_WITH(kept.remove_image(0), Catch::Contains("stop training first"));
  CHECK(kept.num_images() == 10);
}
