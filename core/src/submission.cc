// The submission manifest (submission.json): reading it, writing it for the student's Hand in.
#include <cmath>

#include "assignment_internal.h"
#include "convlab/assignment.h"
#include "convlab/rules.h"
#include "convlab/safetensors.h"
#include "convlab/sha256.h"

namespace convlab {

using namespace assignment_detail;

namespace {

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

Submission parse_submission(const std::string& text) {
  const Json j = parse_text(text, rules::kSubmissionMaxBytes, "submission");
  check_format(j, kSubmissionFormat, rules::kSubmissionFormatVersion, "submission");
  known_keys(j, {"format", "version", "assignment_hash", "answers", "settings", "image_order", "engine_version",
                 "weights_sha256"}, "");
  Submission s;
  for (auto [key, dst] : {std::pair{"assignment_hash", &s.assignment_hash}, std::pair{"weights_sha256", &s.weights_sha256}}) {
    const Json* v = j.find(key);
    if (!v || !v->is_string() || !is_hex64(v->as_string()))
      throw AssignmentError(key, std::string("\"") + key + "\" must be a SHA-256 as 64 lower-case hex digits: "
                                                          "hand the work in again from the page");
    *dst = v->as_string();
  }
  const Json* answers = j.find("answers");
  if (!answers || !answers->is_object())
    throw AssignmentError("answers", "\"answers\" must be an object {question id: number} (empty when there are no questions)");
  if (int(answers->size()) > rules::kAssignmentMaxQuestions)
    throw AssignmentError("answers", "\"answers\" holds " + std::to_string(answers->size()) + " answers but an assignment has at most " +
                                         std::to_string(rules::kAssignmentMaxQuestions) + " questions");
  for (const auto& [id, v] : answers->members()) {
    if (!v.is_number() || !std::isfinite(v.as_number()))
      throw AssignmentError("answers." + id, "the answer to \"" + id + "\" must be a number, not " + v.dump());
    if (int(chars(id)) > rules::kQuestionIdMax)
      throw AssignmentError("answers", "a question id is longer than " + std::to_string(rules::kQuestionIdMax) + " characters");
    for (const auto& [seen, _] : s.answers)
      if (seen == id) throw AssignmentError("answers." + id, "\"" + id + "\" is answered twice: keep one answer");
    s.answers.emplace_back(id, v.as_number());
  }
  const Json* settings = j.find("settings");
  if (!settings || !settings->is_object())
    throw AssignmentError("settings", "\"settings\" must be the training settings object (seed, epochs, ...)");
  try {
    s.config = parse_train_config(settings->dump());
  } catch (const std::invalid_argument& e) {
    throw AssignmentError("settings", std::string("\"settings\": ") + e.what());
  }
  s.settings = train_config_json(s.config);
  const Json* order = j.find("image_order");
  if (!order || !order->is_array())
    throw AssignmentError("image_order", "\"image_order\" must be the list of image indices in training order");
  if (int(order->size()) > rules::kMaxImagesPerProject)
    throw AssignmentError("image_order", "\"image_order\" lists " + grouped(int64_t(order->size())) + " images but a project holds at most " +
                                             grouped(rules::kMaxImagesPerProject));
  std::vector<bool> seen(size_t(rules::kMaxImagesPerProject), false);
  for (size_t i = 0; i < order->items().size(); ++i) {
    const std::string field = "image_order[" + std::to_string(i) + "]";
    const int v = get_whole(order->items()[i], field, 0, rules::kMaxImagesPerProject - 1);
    if (seen[size_t(v)]) throw AssignmentError(field, "image " + std::to_string(v) + " is listed twice in \"image_order\"");
    seen[size_t(v)] = true;
    s.image_order.push_back(v);
  }
  const std::string none;
  s.engine_version = get_text(j, "engine_version", "", 100, true, none);
  return s;
}

namespace {

// The manifest's members in the file's order (the reader's and the writer's one shape).
Json manifest_json(const std::string& hash, const Json& answers, const Json& settings,
                   const std::vector<int>& image_order, const std::string& engine_version, const std::string& weights_sha256) {
  return Json::object({{"format", kSubmissionFormat},
                       {"version", rules::kSubmissionFormatVersion},
                       {"assignment_hash", hash},
                       {"answers", answers},
                       {"settings", settings},
                       {"image_order", json_numbers(image_order)},
                       {"engine_version", engine_version},
                       {"weights_sha256", weights_sha256}});
}

}  // namespace

Json submission_to_json(const Submission& s) {
  Json answers = Json::object();
  for (const auto& [id, v] : s.answers) answers.append(id, v);
  return manifest_json(s.assignment_hash, answers, s.settings, s.image_order, s.engine_version, s.weights_sha256);
}

std::string write_submission_manifest(const std::string& assignment_text, const std::string& spec_text,
                                      const std::string& settings_json, const std::string& answers_json,
                                      const std::vector<int>& image_order, const uint8_t* weights, size_t weights_size) {
  const Assignment a = parse_assignment(assignment_text);
  Json settings, answers;
  try {
    settings = Json::parse(settings_json);
  } catch (const JsonError& e) {
    throw AssignmentError("settings", std::string("the training settings are not valid JSON (") + e.what() + ")");
  }
  try {
    answers = Json::parse(answers_json);
  } catch (const JsonError& e) {
    throw AssignmentError("answers", std::string("the answers are not valid JSON (") + e.what() + ")");
  }
  if (answers.is_object())
    for (const auto& [id, v] : answers.members()) {
      bool asked = false;
      for (const Question& q : a.questions) asked = asked || q.id == id;
      if (!asked)
        throw AssignmentError("answers." + id, "\"" + id + "\" is not a question of this assignment: answer only its questions");
    }
  try {  // what the retraining's Trainer would refuse, refused now (settings.epochs -1, ...)
    checked_train_config(settings.dump());
  } catch (const std::invalid_argument& e) {
    throw AssignmentError("settings", std::string("the training settings: ") + e.what());
  }
  if (!weights || weights_size == 0)
    throw AssignmentError("weights", "there is no trained model to hand in: train the model first");
  try {
    ModelSpec spec = parse_spec(spec_text);
    validate(spec);
    load_weights(read_safetensors(weights, weights_size), spec, "the project's spec");
  } catch (const std::exception& e) {
    throw AssignmentError("weights", std::string("the trained model does not fit the project's spec (") + e.what() +
                                         "): train the model again, then hand in");
  }
  const Json j = manifest_json(assignment_hash(a), answers, settings, image_order, rules::kEngineVersion,
                               sha256_hex(weights, weights_size));
  // read back as a grader reads it: every check of the reader applies, and the settings are
  // written normalised (every key, in TrainConfig's order), as the retraining will use them
  return submission_to_json(parse_submission(j.dump())).dump();
}

}  // namespace convlab
