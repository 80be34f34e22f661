// Bindings of classroom assignments (core/include/convlab/assignment.h): strings in, core's
// JSON out. Reading an assignment (a file, or the fragment of a link: outside input) and checking
// a student's spec and settings against it are core's; nothing is decided here.
#include <memory>
#include <string>
#include <vector>

#include <emscripten/bind.h>

#include "convlab/assignment.h"
#include "engine.h"
#include "image_list.h"

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
// images: the training images in the order the page hands them to the trainer; given_json:
// {id: number} of the student's answers so far; spec_text: a draft spec the Model tab shows
// instead, or "". -> core's answers_check_json (which refuses while training runs).
std::string assignmentAnswers(convlab::wasm::Engine& e, const std::string& assignment, const val& images,
                              const std::string& given_json, const std::string& spec_text) {
  return guarded([&] {
    const convlab::wasm::ImageList list = convlab::wasm::image_list(images);
    return convlab::answers_check_json(assignment, e.session(), list.images, given_json, spec_text);
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

// -> core's grader_begin_json: {"ok": true, "hash"} or {"ok": false, "field", "error"}
std::string gradeBegin(const std::string& assignment) {
  return guarded([&] { return convlab::grader_begin_json(assignment, grader); });
}

// -> core's to_json(GradeRow) text; never fails for a bad submission (the row says what is wrong)
std::string gradeAdd(const std::string& student, const std::string& manifest, const std::string& spec, const val& weights,
                     const val& train, const val& test) {
  return guarded([&] {
    if (!grader) throw std::logic_error("gradeAdd before gradeBegin: start the grading with the assignment first");
    const std::vector<uint8_t> w = convlab::wasm::bytes_of(weights);
    // an image the page could not read keeps its place (rgba null), so image_order's indices hold
    const convlab::wasm::ImageList tr = convlab::wasm::image_list(train), te = convlab::wasm::image_list(test);
    return convlab::to_json(grader->add(student, manifest, spec, w.data(), w.size(), tr.images, te.images)).dump();
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
