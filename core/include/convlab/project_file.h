// The .convlab project file, defined once: the page (through the engine worker) and the
// convlab CLI both read and write it here, so they give every file the same verdict. A zip
// (zip.h) that any unzip tool opens:
//   convlab.json         {format: "convlab-project", version, name, created, classes: [names in
//                        label order], image_count, images: [{file, class, width, height, split?}]}
//                        (split "test": a test-set image; absent: a training image)
//   spec.json            the model spec (JSON text, as the page keeps it)
//   settings.json        the training settings, seed included
//   result.json          the last training's curves, confusion matrix, classes (the page's view)
//   draft.json           a refused spec being edited {text, report} (optional)
//   runs.json            the last few runs kept for comparison (optional)
//   weights.safetensors  the trained weights (optional)
//   assignment.json      the classroom assignment the project was made from (assignment.h)
//   answers.json         the student's answers, {question id: number} (optional)
//   submission.json      a hand-in's manifest (assignment.h; only in NAME-submission.convlab)
//   images/<class>/<n>.png   every image as stored (PNG, lossless)
// Outside bytes: the zip is checked by zip::Reader; the manifest and every entry are checked
// here; what can be repaired (a duplicate class name, an unreadable setting) is repaired with a
// note, what is broken but not needed (a damaged image, an over-long assignment) is set aside
// with a note, and only a file that is not a project at all is refused (ProjectFileError).
// Decoding a PNG's pixels stays on each side (the browser's decoder, libpng); its structure and
// size are checked here, so a PNG can never carry more bytes than its pixels need.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "convlab/json.h"
#include "convlab/text.h"

namespace convlab::project_file {

struct ProjectFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kFormat = "convlab-project";
inline constexpr const char* kManifest = "convlab.json";
// Every entry the format names besides the images, in the order the writer emits them: the
// reader allows this many entries beyond the images, so every file the writer makes reopens.
inline constexpr const char* kNamedEntries[] = {"convlab.json", "spec.json",           "settings.json",   "result.json",
                                                "draft.json",   "runs.json",           "weights.safetensors",
                                                "assignment.json", "answers.json",     "submission.json"};
inline constexpr int kNamedEntryCount = int(sizeof(kNamedEntries) / sizeof(kNamedEntries[0]));

// ---- names (characters are counted, cut and compared as text.h defines them) ----
// A class name as typed: cleaned, refused when it shows nothing, hides an invisible character
// inside (a zero-width space, a direction mark; an emoji's joiners and tags are part of it) or
// repeats one of `others` (ignoring case), cut to rules::kClassNameMax characters with a note.
// Throws ProjectFileError with the message to show.
struct ClassName {
  std::string name;
  std::string note;  // "" or "The name was cut to 60 characters."
};
ClassName check_class_name(std::string_view typed, const std::vector<std::string>& others);
// A project's name: cleaned and cut to rules::kProjectNameMax characters; `fallback` when it
// shows nothing.
std::string project_name(std::string_view typed, std::string_view fallback);

// The class names of a file or record: a list of rules::kMinClasses..kMaxClasses entries, each
// repaired when unusable (an invisible, duplicate or non-text name becomes "Class N"; a long one
// is cut), with a note per repair. nullopt: not a usable list at all.
std::optional<std::vector<std::string>> read_class_names(const Json& list, std::vector<std::string>& notes);

// ---- PNG ----
// The most bytes a PNG of a width x height image may take: signature, IHDR, IEND, the IDAT of
// its 8-bit RGBA scanlines stored uncompressed, and kPngAncillaryMax for small chunks. A PNG
// past this carries something else (a padded private chunk) and is set aside unread.
inline constexpr int64_t kPngAncillaryMax = 4096;
int64_t png_max_bytes(int width, int height);
// The PNG's structure: the signature, IHDR first with this width and height, 8-bit grey, RGB
// or RGBA, not interlaced (what the page writes and both decoders read), every chunk inside the
// bytes with its CRC-32, at least one IDAT, IEND last, no more bytes than png_max_bytes and at
// most kPngAncillaryMax in chunks other than IHDR, IDAT, IEND. "" when it holds, else what is
// wrong. Pixels are not decoded: a PNG that passes and still does not decode is damaged inside
// its (checksummed) pixel data, which both decoders refuse.
std::string check_png(const uint8_t* png, size_t size, int width, int height);

// ---- reading ----
// Where bytes are: a stored entry is a slice of the file itself; a deflated one is inflated
// into ProjectFile::unpacked. The bindings hand slices to the page without a copy per image.
struct Slice {
  size_t offset = 0, size = 0;
  bool in_file = true;  // false: in ProjectFile::unpacked
};

struct FileImage {
  int label = -1;   // class position; -1 when the entry's class is not readable
  int width = 0, height = 0;
  bool test = false;      // split "test": never trained on
  bool readable = false;  // false: missing, damaged or oversized (kept in its place: a
                          // submission's image_order counts convlab.json's entries)
  Slice png;
};

struct ProjectFile {
  std::string name;
  double created = 0;
  std::vector<std::string> classes;  // in label order
  std::vector<FileImage> images;     // in the file's order
  // The optional entries as text, "" when absent or set aside (each with a note): spec.json,
  // settings.json (only the settings the engine knows, each of its type and in its range),
  // answers.json (only well-formed answers), the page's view state (result, draft, runs: JSON
  // the page checks further), assignment.json and submission.json (checked by assignment.h).
  std::string spec, settings, result, draft, runs, assignment, answers, submission;
  bool submission_unreadable = false;  // submission.json was there but could not be read
  std::optional<Slice> weights;        // weights.safetensors
  std::vector<uint8_t> unpacked;       // deflated entries' bytes, where Slice::in_file is false
  std::vector<std::string> notes;      // what was repaired or set aside, for a person
  int unreadable_images = 0;
};

// "" when a file of `size` bytes may be opened, else why not: the page asks before it hands a
// file to the engine (a 600 MB file is refused without being copied anywhere).
std::string size_problem(int64_t size);
// Throws ProjectFileError (a zip error included) with a message for a person when the bytes
// are not a project file that can be opened; everything else opens, with notes.
ProjectFile read(const uint8_t* data, size_t size);
// The bytes of a slice (file: the bytes read() was given).
const uint8_t* bytes_of(const ProjectFile& p, const uint8_t* file, const Slice& s);

// The training images in the order the trainer is given them: class by class in label order,
// within a class in the file's order; test images and unreadable ones left out. Indices into
// ProjectFile::images. A submission's image_order and the grader's retraining rest on it.
std::vector<size_t> training_order(const std::vector<FileImage>& images, size_t classes);

// "1 image could not be read and was skipped" / "3 images could not ..."
std::string skipped_images_note(int n);
// The note each side adds for PNGs that passed check_png but that its decoder could not decode.
std::string undecodable_images_note(int n);

// ---- writing ----
struct ImageIn {
  int label = 0;
  int width = 0, height = 0;
  bool test = false;
  const uint8_t* png = nullptr;
  size_t size = 0;
};
struct ProjectIn {
  std::string name;
  double created = 0;
  std::vector<std::string> classes;
  std::vector<ImageIn> images;  // in the order to list them
  // optional entries, written when not empty ("" / no bytes: absent)
  std::string spec, settings, result, draft, runs, assignment, answers, submission;
  const uint8_t* weights = nullptr;
  size_t weights_size = 0;
};
// The file's bytes. Throws ProjectFileError when the project breaks a limit the reader holds
// (so every file written reopens).
std::vector<uint8_t> write(const ProjectIn& p);

// ---- for the page (the worker's projectRead / projectWrite / className) ----
// read() as JSON: {name, created, classes, images: [{class, width, height, split, png:
// {offset, size, in_file}} | {class, split, unreadable: true}], spec?, settings?, ...,
// weights?: slice, notes}.
std::string read_json(const ProjectFile& p);
// meta: ProjectIn as JSON ({name, created, classes, images: [{class, width, height, split?,
// offset, size}], spec?, ...}); the images' PNGs at their offsets in `blob`.
std::vector<uint8_t> write_from_json(const std::string& meta, const uint8_t* blob, size_t blob_size, const uint8_t* weights,
                                     size_t weights_size);

}  // namespace convlab::project_file
