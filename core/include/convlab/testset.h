// A test set kept apart: images never used in training or validation, run through the trained
// model to say how it does on new data (accuracy, per class, the confusion matrix) and which
// images it gets most wrong (the highest loss). Also the spec the page starts a project from
// the built-in Fashion-MNIST subset with (28×28 grey).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "convlab/json.h"
#include "convlab/session.h"

namespace convlab::testset {

// The images with the highest loss that evaluate() names, per split.
inline constexpr int kHardestExamples = 12;
// The built-in dataset's image size (Fashion-MNIST: 28×28, one channel).
inline constexpr int kBuiltinSide = 28;

// One image's result: the predicted class (argmax, lowest index on ties), the probability of
// its true class and its cross-entropy loss (layers.h softmax_cross_entropy, the training loss).
struct ImageResult {
  int predicted = 0;
  float prob_true = 0;
  float prob_predicted = 0;
  float loss = 0;
};

struct Evaluation {
  int n = 0, classes = 0, correct = 0;
  float loss = 0;                    // mean over the images
  std::vector<int> confusion;        // (classes, classes): row = true class, column = predicted
  std::vector<int> per_class_total;  // images of each true class
  std::vector<int> per_class_correct;
  std::vector<ImageResult> images;   // in input order
  std::vector<int> hardest;          // indices, highest loss first, at most kHardestExamples
};

// probs: (n, classes) probabilities row after row (Session::predict_batch); labels: n true
// classes in [0, classes). Throws std::invalid_argument for a label out of range, a row that
// is not finite or n < 0.
Evaluation evaluate(const float* probs, const int* labels, int n, int classes);
// The test set through the session's current model: n images (Session::predict_batch, which
// checks each) with their true classes, evaluated.
Evaluation evaluate_images(Session& session, const Session::Rgba* images, const int* labels, int n);
// The same for images the session stores (Session::predict_stored, which checks every index),
// each with the label it was added with: the training and validation images, nothing sent again.
Evaluation evaluate_stored(Session& session, const int* indices, int n);
// {n, classes, correct, accuracy (null when n == 0), loss, confusion, per_class: [{total,
// correct, accuracy (null when total == 0)}], images: [{predicted, prob (of the true class), prob_predicted, loss}], hardest}
Json to_json(const Evaluation& e);

// The Fashion-MNIST starter net for `classes` outputs: 28×28×1, two conv-ReLU-pool stages and a
// linear layer (small enough to train in seconds in the page). Throws outside the class rule.
std::string builtin_spec(int classes);
// {hardest_examples, builtin_side}: what the page asks instead of keeping a copy.
Json rules_json();

}  // namespace convlab::testset
