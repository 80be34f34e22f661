// A .convlab project file read for the command line: core reads and checks the file
// (core/include/convlab/project_file.h, the same reader the page uses, so both give every file
// the same verdict and notes), and the images' pixels are decoded here with libpng. As in the
// page, a missing or damaged image is set aside (and named in `skipped`) and the rest is read.
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

// Page: the training images in core's training order (project_file::training_order, what the
// page hands the engine): class by class in label order, within a class in the file's order;
// test-split and damaged images left out. File: every entry of convlab.json's "images" list in
// its order, a damaged one in its place (ok false), since a submission's image_order counts them.
enum class ImageOrder { Page, File };

struct Project {
  std::string name;
  std::vector<std::string> classes;  // in label order, as core repaired them
  std::string spec;                  // spec.json's text ("" when the file has none)
  std::string settings;              // settings.json's readable settings ("" when none: the defaults)
  bool has_draft = false;            // a refused spec was being edited (draft.json)
  std::vector<ProjectImage> images;  // in the order asked for (ImageOrder)
  std::vector<std::string> skipped;  // core's notes: what was repaired or set aside, for a person
  // Classroom entries, empty when the file has none: assignment.json (a handed-out assignment,
  // or the one a submission answers), submission.json (core's manifest) and weights.safetensors.
  std::string assignment, submission;
  bool submission_unreadable = false;
  bool has_weights = false;
  std::vector<uint8_t> weights;
};

// Throws project_file::ProjectFileError with a message for a person.
Project read_project(const uint8_t* data, size_t size, ImageOrder order = ImageOrder::Page);

}  // namespace convlab::cli
