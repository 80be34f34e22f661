// libFuzzer target for the submission reader path of grading (tools/convlab/submission.cc and
// core's Grader): any bytes, as a submission file (zip container + project reader in the file's
// order + assignment.json + submission.json) and as a manifest's text, become a grade row or a
// message, never a crash, a hang or a read outside the buffer. The row path is taken with a spec
// that does not validate, so nothing is retrained (retraining is tested, not fuzzed).
// Built by the native-fuzz preset; make test runs it 20000 times on a fixed seed from the
// committed corpus tests/fuzz/corpus/submission/.
#include <cstdint>
#include <exception>
#include <string>

#include "convlab/assignment.h"
#include "project.h"
#include "submission.h"

using namespace convlab;
using namespace convlab::cli;

namespace {

const char* kAssignment = R"({"format": "convlab-assignment", "version": 1, "title": "Fuzz",
  "spec": {"input": {"channels": 1, "height": 4, "width": 4}, "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 2}]},
  "classes": ["a", "b"], "questions": [{"id": "q1", "kind": "total_parameters"}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Grader grader(kAssignment);
  try {
    const Project p = read_project(data, size, ImageOrder::File);
    try {
      (void)parse_submission(p.submission);
    } catch (const AssignmentError&) {
    }
    try {
      (void)parse_assignment(p.assignment);
    } catch (const AssignmentError&) {
    }
    // the row of this file, the student's spec replaced by one that does not validate
    std::vector<LabelledImage> images;
    for (const ProjectImage& im : p.images)
      images.push_back({im.ok ? im.image.pixels.data() : nullptr, im.image.pixels.size(), im.image.width, im.image.height, im.label});
    (void)grader.add("fuzz", p.submission, "{}", p.weights.data(), p.weights.size(), images, {});
  } catch (const std::exception&) {
  }
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)assignment_text_of(data, size);
  } catch (const std::exception&) {
  }
  // the bytes as submission.json itself
  const GradeRow& row = grader.add("fuzz", text, "{}", nullptr, 0, {}, {});
  if (row.reproduced) __builtin_trap();  // nothing was retrained, so nothing can have reproduced
  if (grader.rows().size() > 64) grader = Grader(kAssignment);  // bounded memory over a long run
  return 0;
}
