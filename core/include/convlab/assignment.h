// Classroom assignments (issue 14): the teacher's assignment, the student's submission
// manifest, and grading, all pure (no I/O): the page and the native CLI hand in decoded bytes
// and get the same rows, and the same CSV, byte for byte.
//
// An assignment (JSON, the file or a link's fragment):
//   {"format": "convlab-assignment", "version": 1,
//    "title": "Pooling", "instructions": "Plain text.\nLinks stay text.",
//    "spec": {model spec}, "changes": "none" | "any" | {"max_parameters": 20000, "max_layers": 8,
//             "required_types": ["maxpool2d"], "forbidden_types": ["avgpool2d"], "fixed_input": true},
//    "fixed_settings": {"seed": 7, "epochs": 10, ...}   (any setting not named is free),
//    "classes": ["cat", "cup"], "accuracy_target": 0.8,
//    "questions": [{"id": "q1", "kind": "output_width", "layer": 0, "text": "..."}],
//    "show_correctness": true}
// Text is kept as text: nothing here reads or strips markup; the page shows it with textContent.
//
// A question names a quantity of the student's own model; its right answer is computed from
// that model when it is asked, never stored in the assignment.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "convlab/json.h"
#include "convlab/spec.h"
#include "convlab/train.h"

namespace convlab {

class Session;

// A bad assignment or submission: names the field ("title", "questions[2].layer"), says what
// is wrong and what to do.
struct AssignmentError : std::runtime_error {
  AssignmentError(std::string field, const std::string& message)
      : std::runtime_error(message), field(std::move(field)) {}
  std::string field;
};

enum class ChangePolicy { None, Any, Constraints };

struct Constraints {
  int64_t max_parameters = -1;  // -1: no limit
  int max_layers = -1;          // -1: no limit
  std::vector<std::string> required_types, forbidden_types;  // layer type names (spec.h)
  bool fixed_input = false;     // the input (channels, height, width) stays the starting spec's
};

enum class QuestionKind {
  OutputWidth, OutputHeight, OutputChannels,  // of layer i
  LayerParameters,                            // of layer i
  LayerMacs,                                  // multiply-adds of layer i per image
  ReceptiveField,                             // of layer i (default: the last pooling layer)
  PoolUnchangedFraction,                      // of max-pooled outputs of layer i under a shift
  FcWeightsPerNeuron,                         // C·H·W of the input: one fully-connected neuron
  TotalParameters,
};
const char* question_kind_name(QuestionKind k);
// Every kind for the teacher's editor (rules_json's assignment.question_kinds): [{name,
// needs_layer (the layer must be given), layer_optional (receptive_field: the last pool when
// not given), image_shift (pool_unchanged_fraction: image and shift apply), wording (the
// default text; "%d": the layer)}], in the order of the enum.
Json assignment_question_kinds_json();
// The training settings an assignment may fix, in TrainConfig's order (fixed_settings' keys).
Json assignment_setting_keys_json();

struct Question {
  std::string id;    // unique within the assignment: "q1" when not given
  QuestionKind kind = QuestionKind::TotalParameters;
  int layer = -1;    // the kinds "of layer i"; -1: not given (receptive_field: the last pool)
  int image = 0;     // pool_unchanged_fraction: index into the training images in order
  int shift = 1;     // pool_unchanged_fraction: right by this many pixels
  std::string text;  // the teacher's wording; a default from the kind when not given
};

struct Assignment {
  std::string title, instructions;
  Json spec;  // the starting spec, as written (it validates)
  ModelSpec start;
  ChangePolicy changes = ChangePolicy::Any;
  Constraints constraints;  // when changes == Constraints
  Json fixed_settings = Json::object();  // setting key -> value, keys in TrainConfig order
  std::vector<std::string> classes;
  std::optional<double> accuracy_target;  // validation accuracy in (0, 1]
  std::vector<Question> questions;
  bool show_correctness = false;
};

// Throws AssignmentError. The text is refused unread past rules::kAssignmentMaxBytes.
Assignment parse_assignment(const std::string& text);
Assignment parse_assignment(const Json& j);
// The normalised assignment: every field present, defaults filled in, in one key order.
Json assignment_to_json(const Assignment& a);
// Object keys sorted (by bytes), no spaces, numbers as Json::dump writes them: the same
// assignment gives the same text on every engine build.
std::string canonical_json(const Json& j);
// sha256 hex of canonical_json(assignment_to_json(a)).
std::string assignment_hash(const Assignment& a);

// ---- constraints ----
struct RuleCheck {
  std::string rule;     // "max_parameters", "fixed_settings.epochs", "spec", ...
  bool ok = false;
  std::string message;  // "parameters 25,154 of at most 20,000: remove a layer or make one smaller"
};
// The student's spec (text) against what the assignment lets change, then the student's
// settings (JSON text, as the page writes them) against the fixed ones. A spec that does not
// validate gives one row, rule "spec", with the spec's own message.
std::vector<RuleCheck> check_constraints(const Assignment& a, const std::string& spec_text,
                                         const std::string& settings_json);
bool all_ok(const std::vector<RuleCheck>& rows);
Json to_json(const std::vector<RuleCheck>& rows);

// ---- questions ----
// Images for the questions that need one (pool_unchanged_fraction), in training order.
struct LabelledImage {
  const uint8_t* rgba;
  size_t bytes;  // w * h * 4, checked
  int w, h;
  int label;
};
struct Answer {
  std::string id;
  bool known = false;    // false: the question cannot be answered for this model (why: message)
  double value = 0;      // the right value, from the student's model
  bool fraction = false; // compared within rules::kFractionTolerance, else exactly
  std::string message;   // "layer 9 does not exist ...", or "" when known
};
// The right answers for the student's spec: shapes and counts from its table (validate, so
// the lecture's AlexNet needs no weights); pool_unchanged_fraction runs `model` (the student's
// weights; nullptr: that question is not known) on images[q.image]. Never throws for a
// question the model cannot answer: that answer is not known, with the reason.
std::vector<Answer> compute_answers(const Assignment& a, const ModelSpec& spec, Model* model,
                                    const std::vector<LabelledImage>& images);
bool answer_matches(const Answer& right, double given);
Json to_json(const std::vector<Answer>& answers);

// ---- the submission manifest ----
//   {"format": "convlab-submission", "version": 1, "assignment_hash": hex, "answers": {id: number},
//    "settings": {training settings}, "image_order": [indices into the project file's images],
//    "engine_version": "...", "weights_sha256": hex}
struct Submission {
  std::string assignment_hash;
  std::vector<std::pair<std::string, double>> answers;  // in the file's order
  Json settings = Json::object();  // as parse_train_config reads them (it validates them)
  TrainConfig config;
  std::vector<int> image_order;
  std::string engine_version;
  std::string weights_sha256;
};
Submission parse_submission(const std::string& text);  // throws AssignmentError
Json submission_to_json(const Submission& s);

// ---- grading ----
struct GradeInput {
  std::string student;            // a name for the row (the file name)
  std::string spec_text;          // the student's spec
  const uint8_t* weights = nullptr;  // the handed-in safetensors bytes
  size_t weights_size = 0;
  std::vector<LabelledImage> train;  // the training images, in the submission's image order
  std::vector<LabelledImage> test;   // the teacher's held-out images (may be empty)
};
struct GradeRow {
  std::string student;
  bool graded = true;          // false: the submission could not be read (message: why); the CSV
                               // leaves its hash, weights and constraints cells empty
  bool hash_ok = false;        // the submission answers this assignment
  bool weights_hash_ok = false;  // the weights are the ones the manifest names
  std::vector<RuleCheck> constraints;
  struct Graded { std::string id; bool answered = false; double given = 0; Answer right; bool correct = false; };
  std::vector<Graded> answers;
  double val_acc = -1, test_acc = -1;  // -1: not measured (no validation set, no test images)
  bool target_met = false;             // no target: true
  bool reproduced = false;
  std::string message;  // why a part could not be graded, or what differed in the retraining
};
// Retrains from the recorded seed, settings and order exactly as the page does (Session's
// set_spec, add_image in order, train_begin, train_run to the end) and compares every weight
// bit for bit. Never throws: a broken part is reported in the row.
GradeRow grade(const Assignment& a, const Submission& s, const GradeInput& in);
Json to_json(const GradeRow& r);
// One line per row under a header; the same bytes from the page and from the CLI.
std::string grade_csv(const std::vector<GradeRow>& rows);

// ---- a class of submissions, graded one by one ----
// What the page's grading view and `convlab grade` share: the assignment read once, then each
// submission as its files hold it (the manifest's text, the spec's text, the weights' bytes, the
// project's images in the file's order), and the CSV over every row. Pure: no I/O.
class Grader {
 public:
  // Throws AssignmentError for a bad assignment (the grading cannot start).
  explicit Grader(const std::string& assignment_text);
  const Assignment& assignment() const { return a_; }
  const std::string& hash() const { return hash_; }
  // images: every entry of the project file's convlab.json "images" list, in that order (test-
  // split entries too: image_order's indices count them); one that could not be read is given
  // with rgba == nullptr. The training images are images[image_order[i]], in image_order's order,
  // as the student's engine got them. Never throws: a bad manifest, an index out of range or a
  // damaged image is said in the row's message (and that part is not graded).
  const GradeRow& add(const std::string& student, const std::string& manifest_text, const std::string& spec_text,
                      const uint8_t* weights, size_t weights_size, const std::vector<LabelledImage>& images,
                      const std::vector<LabelledImage>& test);
  // A submission that could not be read at all: a row saying why. The page's zip reader and the
  // CLI's word a damaged file differently, so their details stay beside the row (the view's
  // cell, the CLI's stderr) and the row, the table and the CSV get core's words for `why`.
  enum class Unread { Damaged, NotASubmission };
  const GradeRow& add_unread(const std::string& student, Unread why);
  // Any other reason (the CLI's "cannot open the file": a teacher's slip the page cannot make).
  const GradeRow& add_unread(const std::string& student, const std::string& why);
  const std::vector<GradeRow>& rows() const { return rows_; }
  std::string csv() const { return grade_csv(rows_); }

 private:
  Assignment a_;
  std::string hash_;
  std::vector<GradeRow> rows_;
};

// The student's "Hand in": the manifest (submission.json) for this work, as text. settings_json
// and answers_json as the page holds them ({"seed": 7, ...}, {"q1": 55, ...}); image_order as
// parse_submission reads it. Refuses (AssignmentError naming the field) a bad assignment, answers
// that are not numbers or name no question of it, settings the trainer refuses, a repeated or
// negative index, and weights that are not a model file of `spec_text` (train again). The
// weights' SHA-256 and the engine version (rules::kEngineVersion) are core's.
std::string write_submission_manifest(const std::string& assignment_text, const std::string& spec_text,
                                      const std::string& settings_json, const std::string& answers_json,
                                      const std::vector<int>& image_order, const uint8_t* weights, size_t weights_size);

// The row's name for a handed-in file: its name (after the last '/') without
// "-submission.convlab" or ".convlab" ("Ana-submission.convlab" -> "Ana"); the page and the CLI
// name students alike so their CSVs are the same bytes.
std::string student_name(const std::string& file_name);

// ---- class folders (a teacher's test set: one sub-folder per class) ----
// The class a folder's name stands for: its index in `classes`, or -1. First the name equal to a
// class name ignoring case and surrounding spaces; else equal ignoring everything but letters
// and digits (a folder cannot be called "T-shirt/top": "T-shirt_top" matches it); a name two
// classes match in the same way is ambiguous and matches none. Letters: ASCII, and every code
// point from U+00C0 on except the punctuation and symbol blocks below U+3040; case folded for
// ASCII, Latin-1, Greek and Cyrillic (the page's toLocaleLowerCase for the names classes have).
int folder_class(const std::string& name, const std::vector<std::string>& classes);

// ---- JSON in, JSON out: what the Embind layer and the worker hand through one to one ----
// {"ok": true, "assignment": normalised, "hash": hex} or {"ok": false, "field", "error"}; never throws.
std::string assignment_check_json(const std::string& text);
// {"ok": bool, "rules": [{rule, ok, message}]}, or {"ok": false, "field", "error"} for a bad assignment.
std::string constraints_check_json(const std::string& assignment_text, const std::string& spec_text,
                                   const std::string& settings_json);

// The student's live checklist: the right answers for the session's current spec and model, or,
// when spec_text is not empty, for that spec alone (a draft the engine will not build, such as
// the lecture's AlexNet: its shapes and counts, and no trained model's answers). images: the
// training images in the order the trainer got them (pool_unchanged_fraction's `image` indexes
// them). given_json: {id: number} of the student's answers so far ("" for none); each answered
// one gets "correct" (answer_matches). -> {"ok": true, "answers": [{id, known, value, fraction,
// message, correct?}]} or {"ok": false, "field", "error"} for a bad assignment (its field) or a
// bad spec (field "spec"). Throws std::runtime_error while training runs (the model is in use).
std::string answers_check_json(const std::string& assignment_text, Session& session,
                               const std::vector<LabelledImage>& images, const std::string& given_json,
                               const std::string& spec_text);
// A class's grading starts: `grader` is let go, then made afresh from the assignment.
// -> {"ok": true, "hash"}, or {"ok": false, "field", "error"} for a bad assignment (grader null).
std::string grader_begin_json(const std::string& assignment_text, std::unique_ptr<Grader>& grader);

// {"ok": true, "manifest": text} or {"ok": false, "field", "error"}; never throws for bad input.
// image_order_json: a JSON array of indices.
std::string submission_manifest_json(const std::string& assignment_text, const std::string& spec_text,
                                     const std::string& settings_json, const std::string& answers_json,
                                     const std::string& image_order_json, const uint8_t* weights, size_t weights_size);

}  // namespace convlab
