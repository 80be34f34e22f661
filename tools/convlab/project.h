// A .convlab project file (web/js/project-file.js writes it; the README's format table) read for
// training: the manifest convlab.json, spec.json, settings.json and images/<class>/<n>.png.
// The zip is checked by ZipReader (sizes against core's rules before anything is inflated), the
// manifest as the page's readProject checks it, and the images decoded with libpng. As in the
// page, a missing or damaged image is skipped (and counted in `skipped`) and the rest is read.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "image.h"

namespace convlab::cli {

struct ProjectImage {
  int label;  // the class's position in `classes`
  Rgba image;
};

struct Project {
  std::string name;
  std::vector<std::string> classes;  // in label order
  std::string spec;                  // spec.json's text ("" when the file has none)
  std::string settings;              // settings.json's text ("" when the file has none: the defaults)
  bool has_draft = false;            // a refused spec was being edited (draft.json)
  // In the order the page hands them to the engine (web/js/worker-sync.js): class by class in
  // label order, within a class in the manifest's order.
  std::vector<ProjectImage> images;
  std::vector<std::string> skipped;  // what was left out, for a person
};

// Throws ZipError or std::runtime_error with a message for a person.
Project read_project(const uint8_t* data, size_t size);

}  // namespace convlab::cli
