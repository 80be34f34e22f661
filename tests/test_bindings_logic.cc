// What the wasm bindings used to decide themselves, now core's (issue 28): the live checklist's
// answers (the training guard, which spec answers, marking the given answers, the error
// envelopes), starting a class's grading, and evaluating a test set through the session's model.
// The bindings only convert types; these tests reach the logic natively.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "convlab/assignment.h"
#include "convlab/json.h"
#include "convlab/session.h"
#include "convlab/testset.h"

using namespace convlab;

namespace {

const char* kSpec = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
  {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";
// another net: 8 output channels, so its counts differ from kSpec's
const char* kDraft = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
  {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";

std::string assignment_text(const std::string& questions) {
  return R"({"format": "convlab-assignment", "version": 1, "title": "Lab", "spec": )" + std::string(kSpec) +
         R"(, "classes": ["a", "b"], "questions": )" + questions + "}";
}
const std::string kQuestions = R"([{"id": "p", "kind": "total_parameters"},
  {"id": "w", "kind": "output_channels", "layer": 0},
  {"id": "f", "kind": "pool_unchanged_fraction", "layer": 2, "image": 0},
  {"id": "open", "kind": "output_width", "layer": 2}])";

// 8x8 RGBA: a bright left half (label 0) or a bright top (label 1), varied by k
std::vector<uint8_t> image(int label, int k) {
  std::vector<uint8_t> px(8 * 8 * 4);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      const bool on = label == 0 ? x < 4 : y < 4;
      uint8_t* p = &px[size_t(y * 8 + x) * 4];
      p[0] = uint8_t((on ? 200 : 30) + (k * 7 + x) % 20);
      p[1] = uint8_t((on ? 190 : 40) + (k * 3 + y) % 15);
      p[2] = uint8_t(on ? 180 : 50);
      p[3] = 255;
    }
  return px;
}

const Json* answer(const Json& r, const std::string& id) {
  for (const Json& row : r.find("answers")->items())
    if (row.find("id")->as_string() == id) return &row;
  return nullptr;
}

}  // namespace

TEST_CASE("answers_check_json: refused while training runs, the model being in use") {
  Session s;
  s.set_spec(kSpec, 1);
  for (int k = 0; k < 4; ++k)
    for (int label = 0; label < 2; ++label) s.add_image(image(label, k).data(), 8 * 8 * 4, 8, 8, label);
  s.train_begin(R"({"epochs": 2, "batch_size": 2, "val_fraction": 0, "seed": 3})");
  REQUIRE(s.training());
  CHECK_THROWS_WITH(answers_check_json(assignment_text(kQuestions), s, {}, "", ""), Catch::Contains("training is running"));
  while (s.training()) s.train_run(100);
  CHECK(Json::parse(answers_check_json(assignment_text(kQuestions), s, {}, "", "")).find("ok")->as_bool());
}

TEST_CASE("answers_check_json: a bad assignment or spec is an error envelope naming the field") {
  Session s;
  s.set_spec(kSpec, 1);
  const Json bad = Json::parse(answers_check_json(R"({"format": "convlab-project", "version": 1})", s, {}, "", ""));
  CHECK_FALSE(bad.find("ok")->as_bool());
  CHECK(bad.find("field")->as_string() == "format");
  CHECK_THAT(bad.find("error")->as_string(), Catch::Contains("\"format\" must be"));
  const Json bad_spec = Json::parse(answers_check_json(assignment_text(kQuestions), s, {}, "", R"({"input": 3})"));
  CHECK_FALSE(bad_spec.find("ok")->as_bool());
  CHECK(bad_spec.find("field")->as_string() == "spec");
  CHECK_FALSE(bad_spec.find("error")->as_string().empty());
}

TEST_CASE("answers_check_json: the session's spec and model, or a draft's table; given answers marked") {
  Session s;
  s.set_spec(kSpec, 1);
  const std::vector<uint8_t> px = image(0, 0);
  const std::vector<LabelledImage> images = {{px.data(), px.size(), 8, 8, 0}};
  const int64_t params = s.model().num_params();
  const std::string given = R"({"p": )" + std::to_string(params) + R"(, "w": 5})";

  const Json r = Json::parse(answers_check_json(assignment_text(kQuestions), s, images, given, ""));
  REQUIRE(r.find("ok")->as_bool());
  REQUIRE(r.find("answers")->size() == 4);
  CHECK(answer(r, "p")->find("value")->as_number() == double(params));
  CHECK(answer(r, "p")->find("correct")->as_bool());
  CHECK(answer(r, "w")->find("value")->as_number() == 4);
  CHECK_FALSE(answer(r, "w")->find("correct")->as_bool());  // 5 given, 4 right
  CHECK(answer(r, "open")->find("correct") == nullptr);     // not answered: not marked
  // the session's model answers the pooling question (its weights, image 0)
  CHECK_THAT(answer(r, "f")->find("message")->as_string(), !Catch::Contains("trained model's weights"));

  // a draft spec: its own counts, and no trained model for the pooling question
  const Json d = Json::parse(answers_check_json(assignment_text(kQuestions), s, images, given, kDraft));
  REQUIRE(d.find("ok")->as_bool());
  CHECK(answer(d, "w")->find("value")->as_number() == 8);
  CHECK(answer(d, "p")->find("value")->as_number() == double(validate(parse_spec(kDraft)).params));
  CHECK_FALSE(answer(d, "p")->find("correct")->as_bool());  // the session's count is not the draft's
  CHECK_FALSE(answer(d, "f")->find("known")->as_bool());
  CHECK_THAT(answer(d, "f")->find("message")->as_string(), Catch::Contains("trained model's weights"));
}

TEST_CASE("grader_begin_json: a good assignment starts a grader, a bad one leaves none") {
  std::unique_ptr<Grader> g;
  const std::string text = assignment_text(kQuestions);
  const Json ok = Json::parse(grader_begin_json(text, g));
  REQUIRE(ok.find("ok")->as_bool());
  REQUIRE(g);
  CHECK(ok.find("hash")->as_string() == assignment_hash(parse_assignment(text)));
  CHECK(g->hash() == ok.find("hash")->as_string());
  g->add_unread("Ana", Grader::Unread::Damaged);
  // afresh: the earlier rows are gone
  REQUIRE(Json::parse(grader_begin_json(text, g)).find("ok")->as_bool());
  CHECK(g->rows().empty());
  const Json bad = Json::parse(grader_begin_json(R"({"format": "convlab-assignment", "version": 1})", g));
  CHECK_FALSE(bad.find("ok")->as_bool());
  CHECK(bad.find("field")->as_string() == "title");
  CHECK(g == nullptr);
}

TEST_CASE("testset::evaluate_images and evaluate_stored: the session's model on the images, with their labels") {
  Session s;
  s.set_spec(kSpec, 4);
  std::vector<std::vector<uint8_t>> px;
  std::vector<int> labels;
  for (int k = 0; k < 3; ++k)
    for (int label = 0; label < 2; ++label) {
      px.push_back(image(label, k));
      labels.push_back(label);
      s.add_image(px.back().data(), px.back().size(), 8, 8, label);
    }
  const int n = int(px.size());
  std::vector<Session::Rgba> views;
  for (const auto& p : px) views.push_back({p.data(), p.size(), 8, 8});

  const std::vector<float> probs = s.predict_batch(views.data(), n);
  const testset::Evaluation want = testset::evaluate(probs.data(), labels.data(), n, 2);
  const testset::Evaluation got = testset::evaluate_images(s, views.data(), labels.data(), n);
  CHECK(testset::to_json(got).dump() == testset::to_json(want).dump());
  CHECK(got.per_class_total == std::vector<int>{3, 3});

  // other labels give another evaluation: they are the ones used
  std::vector<int> flipped(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) flipped[i] = 1 - labels[i];
  const testset::Evaluation other = testset::evaluate_images(s, views.data(), flipped.data(), n);
  CHECK(other.correct == n - got.correct);

  // stored images, by index, with the labels they were added with
  const std::vector<int> idx = {5, 0, 3};
  const testset::Evaluation st = testset::evaluate_stored(s, idx.data(), 3);
  const std::vector<Session::Rgba> picked = {views[5], views[0], views[3]};
  const std::vector<int> picked_labels = {labels[5], labels[0], labels[3]};
  CHECK(testset::to_json(st).dump() ==
        testset::to_json(testset::evaluate_images(s, picked.data(), picked_labels.data(), 3)).dump());
  CHECK(st.per_class_total == std::vector<int>{1, 2});

  // the checks of the calls they chain
  const std::vector<int> out_of_range = {0, 6};
  CHECK_THROWS_WITH(testset::evaluate_stored(s, out_of_range.data(), 2), Catch::Contains("no stored image 6"));
  views[1].bytes = 7;
  CHECK_THROWS_WITH(testset::evaluate_images(s, views.data(), labels.data(), n), Catch::Contains("image 2 of 6"));
  views[1].bytes = px[1].size();
  labels[2] = 2;
  CHECK_THROWS_WITH(testset::evaluate_images(s, views.data(), labels.data(), n), Catch::Contains("class 2"));
}
