// Bindings of classroom assignments (core/include/convlab/assignment.h): strings in, core's
// JSON out. Reading an assignment (a file, or the fragment of a link: outside input) and checking
// a student's spec and settings against it are core's; nothing is decided here.
#include <string>

#include <emscripten/bind.h>

#include "convlab/assignment.h"
#include "engine.h"

using convlab::wasm::guarded;

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

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_assignment) {
  emscripten::function("assignmentCheck", &assignmentCheck);
  emscripten::function("assignmentConstraints", &assignmentConstraints);
}
