// Grading: one submission retrained and checked (grade), a class of them (Grader), the CSV.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "convlab/assignment.h"
#include "convlab/model.h"
#include "convlab/preprocess.h"
#include "convlab/safetensors.h"
#include "convlab/session.h"
#include "convlab/sha256.h"

namespace convlab {

namespace {

std::string num_text(double v) {
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

void note(GradeRow& r, const std::string& m) { r.message += (r.message.empty() ? "" : "; ") + m; }

int argmax(const float* p, int n) {
  int best = 0;
  for (int c = 1; c < n; ++c) best = p[c] > p[best] ? c : best;
  return best;
}

}  // namespace

GradeRow grade(const Assignment& a, const Submission& s, const GradeInput& in) {
  GradeRow row;
  row.student = in.student;
  row.hash_ok = s.assignment_hash == assignment_hash(a);
  if (!row.hash_ok) note(row, "the submission answers another assignment (or a changed copy of this one)");
  row.weights_hash_ok = in.weights && sha256_hex(in.weights, in.weights_size) == s.weights_sha256;
  if (!row.weights_hash_ok) note(row, "the weights file is not the one the submission names");
  row.constraints = check_constraints(a, in.spec_text, s.settings.dump());
  if (in.train.size() != s.image_order.size())
    note(row, "the submission lists " + std::to_string(s.image_order.size()) + " training images but " +
                  std::to_string(in.train.size()) + " were given: hand in the project file with the submission");
  for (const Question& q : a.questions) {
    GradeRow::Graded g;
    g.id = q.id;
    for (const auto& [id, v] : s.answers)
      if (id == q.id) {
        g.answered = true;
        g.given = v;
      }
    g.right.id = q.id;
    row.answers.push_back(g);
  }
  row.target_met = !a.accuracy_target;

  ModelSpec spec;
  try {
    spec = parse_spec(in.spec_text);
    validate(spec);
  } catch (const SpecError& e) {
    note(row, std::string("not retrained: the model spec: ") + e.what());
    const auto rights = compute_answers(a, spec, nullptr, in.train);
    for (size_t i = 0; i < rights.size(); ++i) row.answers[i].right = rights[i];
    return row;
  }
  std::unique_ptr<Model> handed;
  try {
    if (!in.weights) throw FormatError("no weights file was handed in");
    handed = std::make_unique<Model>(load_weights(read_safetensors(in.weights, in.weights_size), spec, "the student's spec"));
  } catch (const std::exception& e) {
    note(row, std::string("the weights file: ") + e.what());
  }
  try {
    for (const auto& im : in.train) check_rgba(im.bytes, im.w, im.h);
  } catch (const std::exception& e) {
    note(row, std::string("a training image: ") + e.what());
    return row;
  }
  const auto rights = compute_answers(a, spec, handed.get(), in.train);
  for (size_t i = 0; i < rights.size(); ++i) {
    GradeRow::Graded& g = row.answers[i];
    g.right = rights[i];
    g.correct = g.answered && answer_matches(g.right, g.given);
  }
  if (!handed) return row;

  // Accuracy of the handed-in weights: validation is the Trainer's own split of these images
  // for this seed, as the page's run measured it.
  try {
    Dataset data(spec.input);
    for (const auto& im : in.train) data.add_rgba(im.rgba, im.w, im.h, im.label);
    Trainer t(*handed, data, s.config);
    if (!t.val_indices().empty()) row.val_acc = t.evaluate(t.val_indices()).acc;
  } catch (const std::exception& e) {
    note(row, std::string("validation: ") + e.what());
  }
  if (a.accuracy_target) row.target_met = row.val_acc >= *a.accuracy_target;
  if (!in.test.empty()) {
    int64_t correct = 0;
    std::vector<float> x(size_t(handed->input_size()));
    try {
      for (const auto& im : in.test) {
        check_rgba(im.bytes, im.w, im.h);
        preprocess_rgba(x.data(), im.rgba, im.w, im.h, spec.input);
        correct += argmax(handed->predict(x.data(), 1), handed->num_classes()) == im.label;
      }
      row.test_acc = double(correct) / double(in.test.size());
    } catch (const std::exception& e) {
      note(row, std::string("a test image: ") + e.what());
    }
  }

  // Reproduction: the page's path (engine.worker.js train: setSpec, addImages in order,
  // trainBegin, trainRun in slices), so a page-trained model reproduces bit for bit.
  try {
    Session sess;
    sess.set_spec(in.spec_text, s.config.seed);
    for (const auto& im : in.train) sess.add_image(im.rgba, im.bytes, im.w, im.h, im.label);
    sess.train_begin(s.settings.dump());
    while (sess.training()) sess.train_run(64);
    const auto& mine = std::as_const(sess).model().params();
    const auto& theirs = static_cast<const Model&>(*handed).params();
    row.reproduced = true;
    for (size_t p = 0; p < mine.size() && row.reproduced; ++p)
      for (size_t i = 0; i < mine[p].value.size(); ++i)
        if (std::memcmp(&mine[p].value[i], &theirs[p].value[i], sizeof(float)) != 0) {
          row.reproduced = false;
          char buf[200];
          std::snprintf(buf, sizeof buf, "retraining from the recorded seed gives other weights: %s[%zu] is %.9g retrained, %.9g handed in",
                        mine[p].name.c_str(), i, double(mine[p].value[i]), double(theirs[p].value[i]));
          note(row, buf);
          break;
        }
  } catch (const std::exception& e) {
    note(row, std::string("not retrained: ") + e.what());
  }
  return row;
}

Json to_json(const GradeRow& r) {
  Json answers = Json::array();
  for (const auto& g : r.answers)
    answers.push_back(Json::object({{"id", g.id},
                                    {"answered", g.answered},
                                    {"given", g.answered ? Json(g.given) : Json()},
                                    {"right", g.right.known ? Json(g.right.value) : Json()},
                                    {"correct", g.correct},
                                    {"message", g.right.message}}));
  return Json::object({{"student", r.student},
                       {"graded", r.graded},
                       {"assignment_hash_ok", r.hash_ok},
                       {"weights_hash_ok", r.weights_hash_ok},
                       {"constraints_ok", all_ok(r.constraints)},
                       {"constraints", to_json(r.constraints)},
                       {"answers", answers},
                       {"val_acc", r.val_acc < 0 ? Json() : Json(r.val_acc)},
                       {"test_acc", r.test_acc < 0 ? Json() : Json(r.test_acc)},
                       {"target_met", r.target_met},
                       {"reproduced", r.reproduced},
                       {"message", r.message}});
}

namespace {

// RFC 4180 quoting, and a leading ' before = + - @ so a spreadsheet shows a student's text
// as text instead of running it as a formula.
std::string csv_text(const std::string& s) {
  std::string v = s;
  if (!v.empty() && std::strchr("=+-@\t\r", v[0])) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string yes(bool b) { return b ? "yes" : "no"; }

std::string acc(double v) {
  if (v < 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

std::string grade_csv(const std::vector<GradeRow>& rows) {
  std::string out = "student,assignment_hash_ok,weights_hash_ok,constraints_ok,constraints_failed";
  std::vector<std::string> ids;
  if (!rows.empty())
    for (const auto& g : rows.front().answers) ids.push_back(g.id);
  for (const auto& id : ids) out += "," + csv_text(id + " given") + "," + csv_text(id + " right") + "," + csv_text(id + " correct");
  out += ",val_acc,test_acc,target_met,reproduced,message\r\n";
  for (const GradeRow& r : rows) {
    std::string failed;
    for (const auto& c : r.constraints)
      if (!c.ok) failed += (failed.empty() ? "" : "; ") + c.message;
    // a submission that could not be read: nothing was checked, so no "yes" or "no" is claimed
    out += csv_text(r.student) + "," + (r.graded ? yes(r.hash_ok) + "," + yes(r.weights_hash_ok) + "," + yes(all_ok(r.constraints)) : ",,") +
           "," + csv_text(failed);
    for (const auto& id : ids) {
      const GradeRow::Graded* g = nullptr;
      for (const auto& x : r.answers)
        if (x.id == id) g = &x;
      out += "," + (g && g->answered ? num_text(g->given) : "") + "," + (g && g->right.known ? num_text(g->right.value) : "") +
             "," + (g ? yes(g->correct) : "");
    }
    out += "," + acc(r.val_acc) + "," + acc(r.test_acc) + "," + yes(r.target_met) + "," + yes(r.reproduced) + "," +
           csv_text(r.message) + "\r\n";
  }
  return out;
}

// ---- a class of submissions ----

Grader::Grader(const std::string& assignment_text) : a_(parse_assignment(assignment_text)), hash_(assignment_hash(a_)) {}

const GradeRow& Grader::add(const std::string& student, const std::string& manifest_text, const std::string& spec_text,
                            const uint8_t* weights, size_t weights_size, const std::vector<LabelledImage>& images,
                            const std::vector<LabelledImage>& test) {
  GradeRow row;
  try {
    const Submission s = parse_submission(manifest_text);
    GradeInput in{student, spec_text, weights, weights_size, {}, test};
    std::string bad;  // the indices image_order names that the file does not give
    int missing = 0;
    for (int i : s.image_order) {
      if (i >= int(images.size())) {
        bad += (bad.empty() ? "" : ", ") + std::to_string(i);
        continue;
      }
      if (!images[size_t(i)].rgba) {
        ++missing;
        continue;
      }
      in.train.push_back(images[size_t(i)]);
    }
    row = grade(a_, s, in);
    if (!bad.empty())
      note(row, "the submission's image_order names images the project file does not hold (" + bad + " of " +
                    std::to_string(images.size()) + "): the file is damaged or was changed");
    if (missing)
      note(row, std::to_string(missing) + " training image(s) of the project file are missing or damaged");
  } catch (const AssignmentError& e) {
    return add_unread(student, std::string("the submission manifest (submission.json") +
                                   (e.field.empty() ? "" : ", " + e.field) + "): " + e.what());
  } catch (const std::exception& e) {  // out of memory, or a bug: the other rows still come
    return add_unread(student, e.what());
  }
  rows_.push_back(std::move(row));
  return rows_.back();
}

const GradeRow& Grader::add_unread(const std::string& student, Unread why) {
  return add_unread(student, why == Unread::Damaged
                                 ? "the file is not a readable submission (damaged, or cut short when it was copied): "
                                   "ask the student for the file again"
                                 : "this project file is not a submission (it has no submission.json): the student hands "
                                   "in with the page's Hand in, which writes NAME-submission.convlab");
}

std::string student_name(const std::string& file_name) {
  const size_t slash = file_name.find_last_of('/');
  const std::string n = slash == std::string::npos ? file_name : file_name.substr(slash + 1);
  for (const std::string tail : {"-submission.convlab", ".convlab"})
    if (n.size() > tail.size() && n.compare(n.size() - tail.size(), tail.size(), tail) == 0)
      return n.substr(0, n.size() - tail.size());
  return n;
}

const GradeRow& Grader::add_unread(const std::string& student, const std::string& why) {
  GradeRow row;
  row.student = student;
  row.graded = false;
  for (const Question& q : a_.questions) {
    GradeRow::Graded g;
    g.id = g.right.id = q.id;
    row.answers.push_back(g);
  }
  note(row, "not graded: " + why);
  rows_.push_back(std::move(row));
  return rows_.back();
}

}  // namespace convlab
