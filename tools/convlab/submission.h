// A submission file (NAME-submission.convlab) read for grading: a .convlab project file (the
// project reader, its images in the FILE's order, since image_order counts convlab.json's
// entries) that also holds assignment.json, submission.json (core's manifest) and
// weights.safetensors. Grading itself is core's Grader; this only turns the file into its inputs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "convlab/assignment.h"
#include "image.h"
#include "project.h"

namespace convlab::cli {

// Grades one submission file's bytes into g: every failure (not a zip, not a project file, no
// submission.json, a bad manifest, ...) becomes the row's message, never an exception for bad
// bytes. test: the teacher's held-out images, labelled by the assignment's classes.
const GradeRow& grade_submission(Grader& g, const std::string& student, const uint8_t* data, size_t size,
                                 const std::vector<LabelledImage>& test);

// The assignment's text from an .assignment.json file's bytes, or from a .convlab file's
// assignment.json (a handed-out project or a submission). Throws std::runtime_error.
std::string assignment_text_of(const uint8_t* data, size_t size);

}  // namespace convlab::cli
