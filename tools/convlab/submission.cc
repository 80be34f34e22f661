#include "submission.h"

#include <stdexcept>

#include "convlab/rules.h"

namespace convlab::cli {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool is_zip(const uint8_t* data, size_t size) { return size >= 4 && data[0] == 'P' && data[1] == 'K'; }

}  // namespace

const GradeRow& grade_submission(Grader& g, const std::string& student, const uint8_t* data, size_t size,
                                 const std::vector<LabelledImage>& test) {
  Project p;
  try {
    p = read_project(data, size, ImageOrder::File);
  } catch (const std::exception& e) {
    return g.add_unread(student, std::string("the file is not a readable submission: ") + e.what());
  }
  if (p.submission.empty())
    return g.add_unread(student, "this project file is not a submission (it has no submission.json): the student hands in "
                                 "with the page's Hand in, which writes NAME-submission.convlab");
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

std::string student_name(const std::string& path) {
  std::string n = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  for (const char* tail : {"-submission.convlab", ".convlab"})
    if (ends_with(n, tail) && n.size() > std::string(tail).size()) return n.substr(0, n.size() - std::string(tail).size());
  return n;
}

}  // namespace convlab::cli
