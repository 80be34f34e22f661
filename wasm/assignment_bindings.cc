// Bindings of classroom assignments (core/include/convlab/assignment.h): strings in, core's
// JSON out. Reading an assignment (a file, or the fragment of a link: outside input) and checking
// a student's spec and settings against it are core's; nothing is decided here.
#include <string>

#include <emscripten/bind.h>

#include "convlab/assignment.h"
#include "engine.h"

using convlab::wasm::guarded;
using emscripten::val;

namespace {

// -> core's {"ok": true, "assignment": normalised, "hash"} or {"ok": false, "field", "error"}
// (core's functions answer every bad input in their JSON; guarded turns anything else, such as
// running out of memory, into the worker's usual error)
std::string assignmentCheck(const std::string& text) {
  return guarded([&] { return convlab::assignment_check_json(text); });
}

// -> {"ok", "rules": [{rule, ok, message}]}, or {"ok": false, "field", "error"} for a bad assignment
std::string assignmentConstraints(const std::string& assignment, const std::string& spec, const std::string& settings) {
  return guarded([&] { return convlab::constraints_check_json(assignment, spec, settings); });
}

// ---- student: the live checklist's answers ----
// The right answers for the session's current spec and model (core's compute_answers):
// images is a JS array of {rgba: Uint8Array, width, height, label}, the training images in
// the order the page hands them to the trainer (pool_unchanged_fraction's `image` indexes
// it). given: JSON {id: number} of the student's answers so far; each answered one gets
// "correct" (core's answer_matches, with its tolerance for fractions).
// -> {"ok": true, "answers": [{id, known, value, fraction, message, correct?}]} or {"ok": false,
// "field", "error"} for a bad assignment. While training runs the model is in use: refused.
std::string assignmentAnswers(convlab::wasm::Engine& e, const std::string& assignment, const val& images,
                              const std::string& given_json) {
  return guarded([&] {
    convlab::Session& s = e.session();
    if (s.training()) throw std::runtime_error("training is running: the answers are computed once it ends");
    convlab::Assignment a;
    try {
      a = convlab::parse_assignment(assignment);
    } catch (const convlab::AssignmentError& err) {
      convlab::Json j = convlab::Json::object();
      j["ok"] = false;
      j["field"] = err.field;
      j["error"] = err.what();
      return j.dump();
    }
    const int n = images.isUndefined() || images.isNull() ? 0 : images["length"].as<int>();
    std::vector<std::vector<uint8_t>> bytes(size_t(n));
    std::vector<convlab::LabelledImage> list(size_t(n));
    for (int i = 0; i < n; ++i) {
      const val im = images[i];
      bytes[size_t(i)] = convlab::wasm::bytes_of(im["rgba"]);
      list[size_t(i)] = {bytes[size_t(i)].data(), bytes[size_t(i)].size(), im["width"].as<int>(),
                         im["height"].as<int>(), im["label"].isUndefined() ? 0 : im["label"].as<int>()};
    }
    const convlab::ModelSpec spec = convlab::parse_spec(s.spec_json());
    convlab::Json j = convlab::Json::object();
    j["ok"] = true;
    const auto answers = convlab::compute_answers(a, spec, &s.model(), list);
    const convlab::Json given = given_json.empty() ? convlab::Json::object() : convlab::Json::parse(given_json);
    const convlab::Json rows = convlab::to_json(answers);
    convlab::Json out = convlab::Json::array();
    for (size_t i = 0; i < answers.size(); ++i) {
      convlab::Json row = rows.items()[i];
      const convlab::Json* g = given.is_object() ? given.find(answers[i].id) : nullptr;
      if (g && g->is_number() && answers[i].known) row["correct"] = convlab::answer_matches(answers[i], g->as_number());
      out.push_back(row);
    }
    j["answers"] = out;
    return j.dump();
  });
}
// ---- end student ----

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_assignment) {
  emscripten::function("assignmentCheck", &assignmentCheck);
  emscripten::function("assignmentConstraints", &assignmentConstraints);
  emscripten::function("assignmentAnswers", &assignmentAnswers);  // student
}
