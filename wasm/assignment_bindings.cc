// Bindings of classroom assignments (core/include/convlab/assignment.h): strings in, core's
// JSON out. Reading an assignment (a file, or the fragment of a link: outside input) and checking
// a student's spec and settings against it are core's; nothing is decided here.
#include <memory>
#include <string>
#include <vector>

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
// "correct" (core's answer_matches, with its tolerance for fractions). spec_text, when not
// empty, is the spec the Model tab shows instead (a draft the engine will not build, such as the
// lecture's AlexNet): its shapes and counts, and no trained model's answers.
// -> {"ok": true, "answers": [{id, known, value, fraction, message, correct?}]} or {"ok": false,
// "field", "error"} for a bad assignment or spec. While training runs the model is in use: refused.
std::string assignmentAnswers(convlab::wasm::Engine& e, const std::string& assignment, const val& images,
                              const std::string& given_json, const std::string& spec_text) {
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
    std::vector<std::vector<uint8_t>> bytes(static_cast<size_t>(n));
    std::vector<convlab::LabelledImage> list(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const val im = images[i];
      bytes[size_t(i)] = convlab::wasm::bytes_of(im["rgba"]);
      list[size_t(i)] = {bytes[size_t(i)].data(), bytes[size_t(i)].size(), im["width"].as<int>(),
                         im["height"].as<int>(), im["label"].isUndefined() ? 0 : im["label"].as<int>()};
    }
    convlab::ModelSpec spec;
    try {
      spec = convlab::parse_spec(spec_text.empty() ? s.spec_json() : spec_text);
    } catch (const std::exception& err) {
      convlab::Json j = convlab::Json::object();
      j["ok"] = false;
      j["field"] = "spec";
      j["error"] = err.what();
      return j.dump();
    }
    convlab::Json j = convlab::Json::object();
    j["ok"] = true;
    const auto answers = convlab::compute_answers(a, spec, spec_text.empty() ? &s.model() : nullptr, list);
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
// -> {"ok": true, "manifest": text} or {"ok": false, "field", "error"}: core writes the
// submission manifest (the weights' SHA-256, the engine version) and refuses bad input.
std::string assignmentSubmission(const std::string& assignment, const std::string& spec, const std::string& settings,
                                 const std::string& answers, const std::string& image_order, const val& weights) {
  return guarded([&] {
    const std::vector<uint8_t> w = convlab::wasm::bytes_of(weights);
    return convlab::submission_manifest_json(assignment, spec, settings, answers, image_order, w.data(), w.size());
  });
}

// The one class being graded (gradeBegin starts it afresh; gradeAdd's rows stay until then).
std::unique_ptr<convlab::Grader> grader;

// -> {"ok": true, "hash"} or {"ok": false, "field", "error"} for a bad assignment
std::string gradeBegin(const std::string& assignment) {
  return guarded([&] {
    grader.reset();
    try {
      grader = std::make_unique<convlab::Grader>(assignment);
    } catch (const convlab::AssignmentError& e) {
      convlab::Json j = convlab::Json::object();
      j["ok"] = false;
      j["field"] = e.field;
      j["error"] = e.what();
      return j.dump();
    }
    convlab::Json j = convlab::Json::object();
    j["ok"] = true;
    j["hash"] = grader->hash();
    return j.dump();
  });
}

// images: a JS array of {rgba: Uint8Array, width, height, label}; an entry without rgba (an
// image the page could not read) is kept in its place as a damaged image, so indices hold.
struct ImageList {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<convlab::LabelledImage> views;
};
ImageList images_of(const val& list) {
  ImageList out;
  const int n = list["length"].as<int>();
  out.bytes.resize(size_t(n));
  for (int i = 0; i < n; ++i) {
    const val im = list[i];
    const bool has = !im["rgba"].isUndefined() && !im["rgba"].isNull();
    if (has) out.bytes[size_t(i)] = convlab::wasm::bytes_of(im["rgba"]);
    out.views.push_back({has ? out.bytes[size_t(i)].data() : nullptr, out.bytes[size_t(i)].size(),
                         has ? im["width"].as<int>() : 0, has ? im["height"].as<int>() : 0, im["label"].isNumber() ? im["label"].as<int>() : -1});
  }
  return out;
}

// -> core's to_json(GradeRow) text; never fails for a bad submission (the row says what is wrong)
std::string gradeAdd(const std::string& student, const std::string& manifest, const std::string& spec, const val& weights,
                     const val& train, const val& test) {
  return guarded([&] {
    if (!grader) throw std::logic_error("gradeAdd before gradeBegin: start the grading with the assignment first");
    const std::vector<uint8_t> w = convlab::wasm::bytes_of(weights);
    const ImageList tr = images_of(train), te = images_of(test);
    return convlab::to_json(grader->add(student, manifest, spec, w.data(), w.size(), tr.views, te.views)).dump();
  });
}

// A file the page could not read as a submission (kind "damaged", or "not_submission": a
// project without submission.json) -> core's row in core's words, as `convlab grade` writes it
std::string gradeUnread(const std::string& student, const std::string& kind) {
  return guarded([&] {
    if (!grader) throw std::logic_error("gradeUnread before gradeBegin: start the grading with the assignment first");
    const auto why = kind == "not_submission" ? convlab::Grader::Unread::NotASubmission : convlab::Grader::Unread::Damaged;
    return convlab::to_json(grader->add_unread(student, why)).dump();
  });
}

// the row's name for a handed-in file (core's student_name, shared with `convlab grade`)
std::string studentName(const std::string& file_name) { return convlab::student_name(file_name); }

// core's grade_csv over every row added since gradeBegin ("" before it)
std::string gradeCsv() { return grader ? grader->csv() : convlab::grade_csv({}); }

// the class index a folder name matches (core's rule, shared with `convlab grade --test`), or -1
int folderClass(const std::string& name, const val& classes) {
  return guarded([&] { return convlab::folder_class(name, emscripten::vecFromJSArray<std::string>(classes)); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_assignment) {
  emscripten::function("assignmentCheck", &assignmentCheck);
  emscripten::function("assignmentConstraints", &assignmentConstraints);
  emscripten::function("assignmentAnswers", &assignmentAnswers);  // student
  emscripten::function("assignmentSubmission", &assignmentSubmission);
  emscripten::function("gradeBegin", &gradeBegin);
  emscripten::function("gradeAdd", &gradeAdd);
  emscripten::function("gradeUnread", &gradeUnread);
  emscripten::function("studentName", &studentName);
  emscripten::function("gradeCsv", &gradeCsv);
  emscripten::function("folderClass", &folderClass);
}
