// libFuzzer target for the assignment and submission readers: any text becomes an
// assignment, a submission or an AssignmentError, never a crash or a hang; an assignment that
// parses round-trips through its normalised form with the same hash, and the constraint check
// and the questions run on it (its own starting spec as the student's) without throwing.
// Built by the native-fuzz preset; make test-fuzz runs it 20000 times on a fixed seed from the
// committed corpus tests/fuzz/corpus/assignment/ (Makefile).
#include <cstdint>
#include <string>

#include "convlab/assignment.h"

using namespace convlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const Assignment a = parse_assignment(text);
    const Json norm = assignment_to_json(a);
    const Assignment b = parse_assignment(norm.dump());
    if (assignment_hash(b) != assignment_hash(a)) __builtin_trap();
    const auto rows = check_constraints(a, a.spec.dump(), "{}");
    if (rows.empty()) __builtin_trap();
    const auto answers = compute_answers(a, a.start, nullptr, {});
    if (answers.size() != a.questions.size()) __builtin_trap();
  } catch (const AssignmentError&) {
  }
  try {
    const Submission s = parse_submission(text);
    const std::string once = submission_to_json(s).dump();
    if (submission_to_json(parse_submission(once)).dump() != once) __builtin_trap();
  } catch (const AssignmentError&) {
  }
  return 0;
}
