// JSON in, JSON out: the envelopes the Embind layer hands through one to one.
#include <stdexcept>

#include "assignment_internal.h"
#include "convlab/assignment.h"
#include "convlab/rules.h"
#include "convlab/session.h"

namespace convlab {

using namespace assignment_detail;

namespace {

// {"ok": false, "field", "error"}: every entry point's refusal
std::string error_json(const AssignmentError& e) {
  return Json::object({{"ok", false}, {"field", e.field}, {"error", e.what()}}).dump();
}

}  // namespace

std::string assignment_check_json(const std::string& text) {
  try {
    const Assignment a = parse_assignment(text);
    return Json::object({{"ok", true}, {"assignment", assignment_to_json(a)}, {"hash", assignment_hash(a)}}).dump();
  } catch (const AssignmentError& e) {
    return error_json(e);
  }
}

std::string constraints_check_json(const std::string& assignment_text, const std::string& spec_text,
                                   const std::string& settings_json) {
  try {
    const auto rows = check_constraints(parse_assignment(assignment_text), spec_text, settings_json);
    return Json::object({{"ok", all_ok(rows)}, {"rules", to_json(rows)}}).dump();
  } catch (const AssignmentError& e) {
    return error_json(e);
  }
}

std::string answers_check_json(const std::string& assignment_text, Session& session,
                               const std::vector<LabelledImage>& images, const std::string& given_json,
                               const std::string& spec_text) {
  if (session.training()) throw std::runtime_error("training is running: the answers are computed once it ends");
  Assignment a;
  try {
    a = parse_assignment(assignment_text);
  } catch (const AssignmentError& e) {
    return error_json(e);
  }
  ModelSpec spec;
  try {
    spec = parse_spec(spec_text.empty() ? session.spec_json() : spec_text);
  } catch (const std::exception& e) {
    return error_json(AssignmentError("spec", e.what()));
  }
  // a draft spec has no trained model: only the answers its table gives
  const auto answers = compute_answers(a, spec, spec_text.empty() ? &session.model() : nullptr, images);
  const Json given = given_json.empty() ? Json::object() : Json::parse(given_json);
  const Json rows = to_json(answers);
  Json out = Json::array();
  for (size_t i = 0; i < answers.size(); ++i) {
    Json row = rows.items()[i];
    const Json* g = given.is_object() ? given.find(answers[i].id) : nullptr;
    if (g && g->is_number() && answers[i].known) row["correct"] = answer_matches(answers[i], g->as_number());
    out.push_back(std::move(row));
  }
  return Json::object({{"ok", true}, {"answers", out}}).dump();
}

std::string grader_begin_json(const std::string& assignment_text, std::unique_ptr<Grader>& grader) {
  grader.reset();
  try {
    grader = std::make_unique<Grader>(assignment_text);
  } catch (const AssignmentError& e) {
    return error_json(e);
  }
  return Json::object({{"ok", true}, {"hash", grader->hash()}}).dump();
}

std::string submission_manifest_json(const std::string& assignment_text, const std::string& spec_text,
                                     const std::string& settings_json, const std::string& answers_json,
                                     const std::string& image_order_json, const uint8_t* weights, size_t weights_size) {
  try {
    Json order;
    try {
      order = Json::parse(image_order_json);
    } catch (const JsonError& e) {
      throw AssignmentError("image_order", std::string("the image order is not valid JSON (") + e.what() + ")");
    }
    if (!order.is_array() || int(order.size()) > rules::kMaxImagesPerProject)
      throw AssignmentError("image_order", "the image order must be a list of at most " + grouped(rules::kMaxImagesPerProject) +
                                               " image indices");
    std::vector<int> idx;
    for (size_t i = 0; i < order.items().size(); ++i)
      idx.push_back(get_whole(order.items()[i], "image_order[" + std::to_string(i) + "]", 0, rules::kMaxImagesPerProject - 1));
    return Json::object({{"ok", true},
                         {"manifest", write_submission_manifest(assignment_text, spec_text, settings_json, answers_json, idx,
                                                                weights, weights_size)}})
        .dump();
  } catch (const AssignmentError& e) {
    return error_json(e);
  }
}

}  // namespace convlab
