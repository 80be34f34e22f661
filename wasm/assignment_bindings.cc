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
  emscripten::function("assignmentSubmission", &assignmentSubmission);
  emscripten::function("gradeBegin", &gradeBegin);
  emscripten::function("gradeAdd", &gradeAdd);
  emscripten::function("gradeCsv", &gradeCsv);
  emscripten::function("folderClass", &folderClass);
}
