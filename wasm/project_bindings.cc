// The .convlab project file for the page (core/include/convlab/project_file.h): the worker's
// projectRead, projectWrite, className, classNames, projectName, projectSizeProblem and
// undecodableNote. Types only: core reads, checks and writes.
#include <emscripten/bind.h>

#include "convlab/json.h"
#include "convlab/project_file.h"
#include "engine.h"

namespace convlab::wasm {

namespace {

// bytes: the file -> {json: core's read_json (slices into the file or into unpacked),
// unpacked: Uint8Array of the deflated entries' bytes}. Throws an Error saying why the file is
// refused.
val projectRead(const val& bytes) {
  return guarded([&] {
    const std::vector<uint8_t> b = bytes_of(bytes);
    const project_file::ProjectFile p = project_file::read(b.data(), b.size());
    val out = val::object();
    out.set("json", project_file::read_json(p));
    out.set("unpacked", uint8_copy(p.unpacked));
    return out;
  });
}

// meta: ProjectIn as JSON (write_from_json), blob: every image's PNG at its offset, weights:
// safetensors bytes or empty -> the file's bytes.
val projectWrite(const std::string& meta, const val& blob, const val& weights) {
  return guarded([&] {
    const std::vector<uint8_t> b = bytes_of(blob), w = bytes_of(weights);
    return uint8_copy(project_file::write_from_json(meta, b.data(), b.size(), w.data(), w.size()));
  });
}

// -> {name, note} of a class name as typed; throws an Error with the message to show.
val className(const std::string& typed, const val& others) {
  return guarded([&] {
    const project_file::ClassName r = project_file::check_class_name(typed, emscripten::vecFromJSArray<std::string>(others));
    val out = val::object();
    out.set("name", r.name);
    out.set("note", r.note);
    return out;
  });
}

std::string projectSizeProblem(double size) { return project_file::size_problem(int64_t(size)); }

std::string undecodableNote(int n) { return project_file::undecodable_images_note(n); }

// names: the class names of a record in label order -> {names: [...] | null, notes: [...]}
// (core's read_class_names: each unusable name repaired, with a note).
val classNames(const val& names) {
  return guarded([&] {
    Json list = Json::array();
    const size_t n = names["length"].as<size_t>();
    for (size_t i = 0; i < n; ++i) {
      const val v = names[i];
      list.push_back(v.typeOf().as<std::string>() == "string" ? Json(v.as<std::string>()) : Json());
    }
    std::vector<std::string> notes;
    const auto repaired = project_file::read_class_names(list, notes);
    const auto strings = [](const std::vector<std::string>& v) {
      val a = val::array();
      for (const std::string& x : v) a.call<void>("push", val(x));
      return a;
    };
    val out = val::object();
    out.set("names", repaired ? strings(*repaired) : val::null());
    out.set("notes", strings(notes));
    return out;
  });
}

std::string projectName(const std::string& typed, const std::string& fallback) { return project_file::project_name(typed, fallback); }

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_project_file) {
  emscripten::function("projectRead", &projectRead);
  emscripten::function("projectWrite", &projectWrite);
  emscripten::function("className", &className);
  emscripten::function("projectName", &projectName);
  emscripten::function("classNames", &classNames);
  emscripten::function("undecodableNote", &undecodableNote);
  emscripten::function("projectSizeProblem", &projectSizeProblem);
}

}  // namespace convlab::wasm
