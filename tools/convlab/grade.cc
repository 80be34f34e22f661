// convlab grade ASSIGNMENT SUBMISSION... [--test DIR] --csv OUT
// Grades a class's submission files as the page's grading view does, with the same core Grader:
// constraints, answers, validation and held-out test accuracy, and whether retraining from the
// recorded seed reproduces the handed-in weights bit for bit. Prints a table and writes core's
// CSV (the same bytes as the page's export for the same files). A broken or foreign submission
// is a row saying so; only a bad assignment, an unreadable test folder or an unwritable CSV stop
// the grading.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"
#include "convlab/assignment.h"
#include "convlab/rules.h"
#include "image.h"
#include "submission.h"

namespace convlab::cli {

namespace {

namespace fs = std::filesystem;

struct TestImage {
  int label;
  Rgba image;
};

std::string lower(std::string s) {
  for (char& c : s) c = char(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

// DIR/<class>/<image>.png|jpg|jpeg, each sub-folder matched to a class by core's rule (as the
// page's test-set and grading views match them); sorted by path so a run is repeatable.
std::vector<TestImage> read_test_dir(const std::string& dir, const std::vector<std::string>& classes) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(dir + ": not a folder: give --test a folder with one sub-folder of images per class");
  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory()) folders.push_back(e.path());
  if (ec) throw std::runtime_error(dir + ": cannot read the folder (" + ec.message() + ")");
  std::sort(folders.begin(), folders.end());
  std::vector<TestImage> out;
  std::vector<std::string> unmatched;
  int unreadable = 0;
  for (const fs::path& f : folders) {
    const int label = folder_class(f.filename().string(), classes);
    if (label < 0) {
      unmatched.push_back(f.filename().string());
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(f, ec)) {
      const std::string ext = lower(e.path().extension().string());
      if (e.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& p : files) {
      try {
        const std::vector<uint8_t> b = read_file(p.string(), rules::kMaxProjectEntryBytes);
        out.push_back({label, decode_image(b.data(), b.size(), p.string())});
      } catch (const std::exception& e) {
        std::fprintf(stderr, "convlab grade: note: %s (left out of the test set)\n", e.what());
        ++unreadable;
      }
    }
  }
  if (!unmatched.empty()) {
    std::string names;
    for (const auto& n : unmatched) names += (names.empty() ? "" : ", ") + n;
    std::fprintf(stderr, "convlab grade: note: %s: folders that match no class of the assignment (left out): %s\n", dir.c_str(),
                 names.c_str());
  }
  if (out.empty())
    throw std::runtime_error(dir + ": no test images were read" + (unreadable ? " (the images are unreadable)" : "") +
                             ": name each sub-folder like a class of the assignment and put PNG or JPEG images in it");
  return out;
}

std::string pct(double v) {
  if (v < 0) return "-";
  char b[16];
  std::snprintf(b, sizeof b, "%.1f%%", 100 * v);
  return b;
}

void print_table(const std::vector<GradeRow>& rows) {
  size_t w = 7;
  for (const auto& r : rows) w = std::max(w, r.student.size());
  std::printf("%-*s  %-10s  %-7s  %-11s  %-7s  %-7s  %-7s  %-6s  %-10s  %s\n", int(w), "student", "assignment", "weights",
              "constraints", "answers", "val", "test", "target", "reproduced", "notes");
  for (const auto& r : rows) {
    int right = 0;
    for (const auto& g : r.answers) right += g.correct;
    const std::string answers = std::to_string(right) + "/" + std::to_string(r.answers.size());
    std::printf("%-*s  %-10s  %-7s  %-11s  %-7s  %-7s  %-7s  %-6s  %-10s  %s\n", int(w), r.student.c_str(), r.hash_ok ? "ok" : "OTHER",
                r.weights_hash_ok ? "ok" : "CHANGED", all_ok(r.constraints) ? "ok" : "BROKEN", answers.c_str(), pct(r.val_acc).c_str(),
                pct(r.test_acc).c_str(), r.target_met ? "met" : "no", r.reproduced ? "yes" : "NO", r.message.c_str());
    for (const auto& c : r.constraints)
      if (!c.ok) std::printf("%-*s    constraint %s: %s\n", int(w), "", c.rule.c_str(), c.message.c_str());
  }
}

}  // namespace

int cmd_grade(Args& args) {
  std::string assignment, csv, test;
  std::vector<std::string> submissions;
  while (!args.empty()) {
    const std::string a = args.next();
    if (a == "--csv") csv = args.value_of(a);
    else if (a == "--test") test = args.value_of(a);
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option " + a);
    else if (assignment.empty()) assignment = a;
    else submissions.push_back(a);
  }
  if (assignment.empty()) throw UsageError("give the assignment (.assignment.json, or the .convlab it was handed out as)");
  if (submissions.empty()) throw UsageError("give at least one submission file (NAME-submission.convlab)");
  if (csv.empty()) throw UsageError("give --csv OUT.csv, where the table goes");

  std::string text;
  try {
    const std::vector<uint8_t> b = read_file(assignment, rules::kMaxProjectFileBytes);
    text = assignment_text_of(b.data(), b.size());
  } catch (const std::exception& e) {
    throw std::runtime_error(assignment + ": " + e.what());
  }
  Grader g = [&] {
    try {
      return Grader(text);
    } catch (const AssignmentError& e) {
      throw std::runtime_error(assignment + ": the assignment" + (e.field.empty() ? "" : " (" + e.field + ")") + ": " + e.what());
    }
  }();

  std::vector<TestImage> test_images;
  if (!test.empty()) test_images = read_test_dir(test, g.assignment().classes);
  std::vector<LabelledImage> held_out;
  for (const TestImage& t : test_images)
    held_out.push_back({t.image.pixels.data(), t.image.pixels.size(), t.image.width, t.image.height, t.label});

  int missing = 0;
  for (const std::string& path : submissions) {
    const std::string name = student_name(path);
    std::vector<uint8_t> bytes;
    try {
      bytes = read_file(path, rules::kMaxProjectFileBytes);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "convlab grade: %s\n", e.what());
      g.add_unread(name, e.what());
      ++missing;
      continue;
    }
    std::fprintf(stderr, "convlab grade: %s: retraining...\n", path.c_str());
    grade_submission(g, name, bytes.data(), bytes.size(), held_out);
  }
  print_table(g.rows());
  write_text_file(csv, g.csv());
  std::printf("%zu submission(s) graded; the CSV is %s\n", g.rows().size(), csv.c_str());
  // a file that could not be opened is a teacher's slip (a wrong path), not a student's work
  return missing ? kExitInput : kExitOk;
}

}  // namespace convlab::cli
