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
  bool ok = true;     // false: missing or damaged (only in ImageOrder::File, which keeps every entry)
  bool test = false;  // a test-split image: never trained on (only in ImageOrder::File)
};

// Page: the training images as the page hands them to the engine (web/js/worker-sync.js): class
// by class in label order, within a class in the manifest's order; test-split images and
// damaged ones left out. File: every entry of convlab.json's "images" list in its order, a
// damaged one in its place (ok false), since a submission's image_order counts these entries.
enum class ImageOrder { Page, File };

struct Project {
  std::string name;
  std::vector<std::string> classes;  // in label order
  std::string spec;                  // spec.json's text ("" when the file has none)
  std::string settings;              // settings.json's text ("" when the file has none: the defaults)
  bool has_draft = false;            // a refused spec was being edited (draft.json)
  std::vector<ProjectImage> images;  // in the order asked for (ImageOrder)
  std::vector<std::string> skipped;  // what was left out, for a person
  // Classroom entries, empty when the file has none: assignment.json (a handed-out assignment,
  // or the one a submission answers), submission.json (core's manifest) and weights.safetensors.
  std::string assignment, submission;
  bool has_weights = false;
  std::vector<uint8_t> weights;
};

// Throws ZipError or std::runtime_error with a message for a person.
Project read_project(const uint8_t* data, size_t size, ImageOrder order = ImageOrder::Page);

}  // namespace convlab::cli
