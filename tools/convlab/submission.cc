#include "submission.h"

#include <cstdio>
#include <stdexcept>

#include "convlab/rules.h"

namespace convlab::cli {

namespace {

bool is_zip(const uint8_t* data, size_t size) { return size >= 4 && data[0] == 'P' && data[1] == 'K'; }

}  // namespace

const GradeRow& grade_submission(Grader& g, const std::string& student, const uint8_t* data, size_t size,
                                 const std::vector<LabelledImage>& test) {
  Project p;
  try {
    p = read_project(data, size, ImageOrder::File);
  } catch (const std::exception& e) {
    // the reader's details (which entry, which check) differ from the page's: stderr has them,
    // the row and the CSV core's words
    std::fprintf(stderr, "convlab grade: %s: %s\n", student.c_str(), e.what());
    return g.add_unread(student, Grader::Unread::Damaged);
  }
  if (p.submission_unreadable) {
    std::fprintf(stderr, "convlab grade: %s: its submission.json is not readable\n", student.c_str());
    return g.add_unread(student, Grader::Unread::Damaged);
  }
  if (p.submission.empty()) return g.add_unread(student, Grader::Unread::NotASubmission);
  std::vector<LabelledImage> images;
  images.reserve(p.images.size());
  for (const ProjectImage& im : p.images)
    images.push_back({im.ok ? im.image.pixels.data() : nullptr, im.image.pixels.size(), im.image.width, im.image.height,
                      im.label});
  return g.add(student, p.submission, p.spec, p.has_weights ? p.weights.data() : nullptr, p.weights.size(), images, test);
}

std::string assignment_text_of(const uint8_t* data, size_t size) {
  if (!is_zip(data, size)) return std::string(reinterpret_cast<const char*>(data), size);
  const Project p = read_project(data, size, ImageOrder::File);
  if (p.assignment.empty())
    throw std::runtime_error("this project file holds no assignment (assignment.json): give the .assignment.json file, or the "
                             ".convlab file the assignment was handed out as");
  return p.assignment;
}


}  // namespace convlab::cli
