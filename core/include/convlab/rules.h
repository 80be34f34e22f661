// Every rule, limit, default and preset of ConvLab, written once. The engine validates with
// these constants (spec.cc parse_layer, train.cc Trainer, session.cc parse_train_config) and
// rules_json() hands the very same numbers to the page (the worker's `rules` command), so
// the page's form limits and the engine's checks cannot drift apart.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "convlab/json.h"

namespace convlab::rules {

// ---- the project's classes ----
inline constexpr int kMinClasses = 2;
inline constexpr int kMaxClasses = 10;
inline constexpr int kClassNameMax = 60;  // characters; the page trims and cuts to this

// ---- the model spec: whole-number fields within [min, max] ----
struct IntRange {
  const char* key;
  int min, max;
};
inline constexpr IntRange kInputChannels{"channels", 1, 3};  // and never 2: grayscale or RGB
inline constexpr IntRange kInputHeight{"height", 1, 1024};
inline constexpr IntRange kInputWidth{"width", 1, 1024};
inline constexpr IntRange kConvOutChannels{"out_channels", 1, 4096};
inline constexpr IntRange kConvKernel{"kernel", 1, 64};
inline constexpr IntRange kConvStride{"stride", 1, 64};
inline constexpr IntRange kConvPadding{"padding", 0, 64};  // or "same"
inline constexpr IntRange kPoolKernel{"kernel", 1, 64};
inline constexpr IntRange kPoolStride{"stride", 1, 64};
inline constexpr IntRange kPoolPadding{"padding", 0, 32};  // and at most half the kernel
inline constexpr IntRange kLinearOutFeatures{"out_features", 1, 1 << 20};
inline constexpr int kConvStrideDefault = 1;  // PyTorch's; a pool's stride defaults to its kernel
inline constexpr int kMaxLayers = 200;

// Largest model the engine accepts: parameters, gradients and two Adam moments must fit
// comfortably in a browser tab's wasm heap (4 x 16M x 4 bytes = 256 MB).
inline constexpr int64_t kMaxParameters = 16'000'000;
// Largest activation of one image, in floats (a batch of 32 of them must fit too).
inline constexpr int64_t kMaxActivation = 4'000'000;

// ---- training settings: numbers within [min, max]; step 1 = whole numbers, 0 = any ----
struct NumberRange {
  const char* key;
  const char* name;  // in messages: "batch size must be between 1 and 1024"
  double min, max, step;
};
inline constexpr NumberRange kEpochs{"epochs", "epochs", 1, 10000, 1};
inline constexpr NumberRange kBatchSize{"batch_size", "batch size", 1, 1024, 1};
inline constexpr NumberRange kLr{"lr", "learning rate", 1e-5, 1, 0};
inline constexpr NumberRange kMomentum{"momentum", "momentum", 0, 0.99, 0.01};
inline constexpr NumberRange kValFraction{"val_fraction", "validation fraction", 0, 0.5, 0.05};
// and at most half the input's smaller side (checked by the Trainer, which knows the input)
inline constexpr NumberRange kShift{"shift", "shift", 0, 16, 1};
inline constexpr NumberRange kSeed{"seed", "seed", 0, 9007199254740991.0, 1};  // 2^53 - 1: exact in JS

// The product's training defaults: TrainConfig's member initialisers, so a config parsed
// from "{}" and a default-constructed one agree.
inline constexpr int kDefaultEpochs = 15;
inline constexpr int kDefaultBatchSize = 16;
inline constexpr const char* kDefaultOptimizer = "adam";
inline constexpr double kDefaultLrAdam = 0.001;
inline constexpr double kDefaultLrSgd = 0.01;
inline constexpr double kDefaultMomentum = 0.9;
inline constexpr double kDefaultValFraction = 0.2;
inline constexpr int kDefaultShift = 4;
inline constexpr bool kDefaultFlip = false;
inline constexpr uint64_t kDefaultSeed = 1;
// The learning rate an optimiser gets when the settings name none.
double default_lr(const std::string& optimizer);

// Throws std::invalid_argument("<name> must be between <min> and <max>[, e.g. <example>], not <v>")
// when v is outside the range or not finite ("a whole number between" for a fraction where
// the step is 1).
void check_range(const NumberRange& r, double v, const std::string& example = "");

// ---- stored images ----
// The page stores images as RGBA with the model input's aspect ratio and kStoredMaxSide
// pixels on the longer side (or the input's own size when larger, up to kStoredCap): small
// enough that thousands fit (96x96x4 = 36 KB), and a spec change to another input size
// needs no recapture (the engine's one preprocessing path crops and resizes).
inline constexpr int kStoredMaxSide = 96;
inline constexpr int kStoredCap = 224;

// ---- downloaded files (Download model, Save project as file): NAME is the project's name made
// safe for a file system and a shell (web/js/file-names.js), at most kFileNameMax characters;
// without a name, the default base of each kind ----
inline constexpr const char* kModelFileName = "convlab-model";
inline constexpr const char* kProjectFileName = "convlab-project";
inline constexpr int kFileNameMax = 80;
struct Size {
  int width, height;
};
Size stored_size(int height, int width);  // of a model input height x width

// ---- projects and project files (web/js/storage/project-store.js; the file format itself: project_file.h) ----
// A .convlab file is outside input: its reader checks these sizes in the zip's central
// directory before inflating anything, and bounds what it actually inflates.
inline constexpr int kProjectFormatVersion = 1;  // the .convlab format written (and the newest read)
inline constexpr int kProjectNameMax = 80;       // characters
// 10,000 photos were tried in one project; twice that at ~19 KB each is ~380 MB of storage.
inline constexpr int kMaxImagesPerProject = 20'000;
inline constexpr int64_t kMaxProjectFileBytes = int64_t{512} << 20;    // the .convlab file itself
inline constexpr int64_t kMaxProjectUnpackedBytes = int64_t{1} << 30;  // all its entries, inflated
// one entry inflated: the largest weights file (kMaxParameters float32 plus its JSON header)
inline constexpr int64_t kMaxProjectEntryBytes = kMaxParameters * 4 + (int64_t{8} << 20);
inline constexpr int64_t kMaxProjectJsonBytes = int64_t{16} << 20;  // project.json, result.json, ...
// A project the engine trained must read back: its weights entry and its JSON entries are
// each within one entry's limit, and one entry within the whole file's.
static_assert(kMaxProjectEntryBytes > kMaxParameters * 4, "the largest model's float32 weights must fit in one entry");
static_assert(kMaxProjectJsonBytes <= kMaxProjectEntryBytes && kMaxProjectEntryBytes <= kMaxProjectUnpackedBytes,
              "a JSON entry is an entry, and an entry is part of the unpacked project");

// ---- image files the student uploads (web/js/image-files.js) ----
// Checked from the file's header before decoding: a larger image would need more memory than a
// tab may have (a 40000x40000 PNG is 6.4 GB as RGBA).
inline constexpr int kUploadMaxSide = 16'384;
inline constexpr int64_t kUploadMaxPixels = 50'000'000;
// The 6.4 GB 40000 x 40000 PNG is refused by both limits (either alone must stop it), and the
// largest image the page stores (kStoredCap square) is an upload it accepts.
static_assert(kUploadMaxSide < 40'000 && kUploadMaxPixels < int64_t{40'000} * 40'000,
              "a 40000 x 40000 upload would need more memory than a tab has");
static_assert(kStoredCap <= kUploadMaxSide && int64_t{kStoredCap} * kStoredCap <= kUploadMaxPixels,
              "an image at the stored size must itself be uploadable");

// ---- the project's model ----
// The class rule (the last layer is linear with one output per class) is applied by
// check_spec(text, budget, classes) in spec.h, with kMinClasses and kMaxClasses.
// `spec` (JSON text) with its last linear layer's out_features set to `classes`, written one
// layer per line. Throws std::invalid_argument when the text is not a spec with a linear layer.
std::string fit_spec(const std::string& spec, int classes);
// The "webcam" preset (ConvLab's default net) with `classes` outputs.
std::string default_spec(int classes);
// A spec as the page shows it: one layer per line, keys in their order, still plain JSON.
std::string spec_text(const Json& spec);

// ---- the engine's threads ----
// The threaded engine runs as many threads as the machine reports (navigator.hardwareConcurrency
// in the browser, std::thread::hardware_concurrency natively), at most kMaxThreads, and the page
// may set any count in [1, kMaxThreads]. Every buffer is sized for kMaxThreads threads, so the
// cap bounds the scratch memory (8 regions of one image's im2col); past 8 a small net gains
// nothing from more threads. CMakeLists.txt reads this line for the wasm pthread pool size.
inline constexpr int kMaxThreads = 8;
// The default thread count for a machine reporting `cores` (0: unknown): clamped to [1, kMaxThreads].
int default_threads(int cores);
// Throws std::invalid_argument("threads must be a whole number from 1 to 8, not <n>") outside.
void check_threads(int n);

// ---- the lecture calculators' fields (whole numbers within [min, max]) ----
// The stride and padding playground (view 7) draws every input pixel as a cell, so w_in stays
// small enough to read; learn::coverage refuses what the page does not offer.
inline constexpr IntRange kPlaygroundFields[] = {{"w", 1, 24}, {"k", 1, 11}, {"s", 1, 8}, {"p", 0, 5}};
// The FC-versus-conv calculator (view 2): room for the lecture's 300×300×3 and more.
inline constexpr IntRange kFcConvFields[] = {{"c", 1, 512},       {"h", 1, 4096}, {"w", 1, 4096},
                                             {"units", 1, 100000}, {"k", 1, 64},   {"c_out", 1, 4096}};
// Throws std::invalid_argument("<who>: <key> must be a whole number from <min> to <max>, not <v>")
// for the first of values[i] outside fields[i].
template <size_t N>
void check_fields(const IntRange (&fields)[N], const int (&values)[N], const std::string& who) {
  for (size_t i = 0; i < N; ++i)
    if (values[i] < fields[i].min || values[i] > fields[i].max)
      throw std::invalid_argument(who + ": " + fields[i].key + " must be a whole number from " +
                                  std::to_string(fields[i].min) + " to " + std::to_string(fields[i].max) + ", not " +
                                  std::to_string(values[i]));
}

// Where the model looks (looks.h): occlusion sensitivity and the filters kept across training.
// The grey square covers patch x patch input pixels (at most the input's smaller side), moved by
// `stride`; every channel under it is set to kOcclusionGrey, mid-grey on the [0, 1] input
// (bytes / 255), not the dataset mean: the same grey for every project, and no colour hint.
// kOcclusionMaxPositions bounds one map's batch (64 x 64 positions: a 64-pixel input at stride 1).
inline constexpr IntRange kOcclusionPatch{"patch", 1, 64};
inline constexpr IntRange kOcclusionStride{"stride", 1, 32};
inline constexpr int kOcclusionMaxPositions = 4096;
inline constexpr float kOcclusionGrey = 0.5f;
// Defaults for an input of h x w: a patch of 1/6 of the smaller side (at least 1), stride half
// the patch (at least 1): a 64 x 64 input gets 10 / 5, a 12 x 12 grid of positions.
int occlusion_default_patch(int h, int w);
int occlusion_default_stride(int patch);
// Throws std::invalid_argument naming the field and the fix: patch or stride outside its range,
// a patch larger than the input's smaller side, or more than kOcclusionMaxPositions positions.
void check_occlusion(int patch, int stride, int h, int w);
// Snapshots of the first conv layer's filters one training run keeps (epoch 0 and epoch ends;
// looks::FilterHistory thins them to every second epoch, then every fourth, ... when full).
inline constexpr int kFilterEpochsKept = 64;
// The sketch pad (web/js/views/sketch.js): its longer side in pixels, and the stroke width in
// those pixels: thin enough for a digit's detail, thick enough to survive the scaling down to
// the stored size (the range only means something beside the pad's size, so both live here).
inline constexpr int kSketchPad = 240;
inline constexpr IntRange kSketchStroke{"stroke", 2, 40};
inline constexpr int kSketchStrokeDefault = 14;
static_assert(kSketchStroke.max < kSketchPad / 4, "a stroke never fills the pad: a sketch needs room for a shape");
static_assert(kSketchStroke.min <= kSketchStrokeDefault && kSketchStrokeDefault <= kSketchStroke.max,
              "the pad opens with a stroke its own slider offers");

// ---- earlier runs kept for comparison (web/js/storage/records.js runs record) ----
// The Train tab overlays the last kRunsKept runs' curves; each keeps at most kRunEpochsKept
// epochs of history and kRunLayersKept layer names, so the record stays small (a few KB).
inline constexpr int kRunsKept = 5;
inline constexpr int kRunEpochsKept = 500;
inline constexpr int kRunLayersKept = 64;
static_assert(kRunsKept >= 2, "comparing runs needs a before and an after");

// ---- the engine's version: recorded in a submission, so a grader knows which engine trained it ----
inline constexpr const char* kEngineVersion = "convlab-core 1";

// ---- classroom assignments and submissions (assignment.h) ----
// An assignment is outside input (a file, or a link whose fragment carries it): its reader
// refuses more than kAssignmentMaxBytes before parsing anything, so a 10 MB fragment is a
// message, not a hang. 256 KB holds long instructions and the largest spec the editor writes.
inline constexpr int kAssignmentFormatVersion = 1;
inline constexpr int64_t kAssignmentMaxBytes = int64_t{256} << 10;
static_assert(kAssignmentMaxBytes < 10'000'000, "a 10 MB fragment must be refused unread, not parsed");
inline constexpr int kAssignmentTitleMax = 120;           // characters
inline constexpr int kAssignmentInstructionsMax = 20'000;  // characters
inline constexpr int kAssignmentMaxQuestions = 40;
inline constexpr int kQuestionTextMax = 500;  // characters of a question's own wording
inline constexpr int kQuestionIdMax = 40;     // characters
// A submission carries the image order (up to kMaxImagesPerProject indices) and the answers.
inline constexpr int kSubmissionFormatVersion = 1;
inline constexpr int64_t kSubmissionMaxBytes = int64_t{2} << 20;
// A fraction answer (pool_unchanged_fraction) is right within this absolute distance: a
// student reads it off the page rounded to two decimals. Whole-number answers must be exact.
inline constexpr double kFractionTolerance = 0.005;
// The pool-invariance question's shift, in input pixels of the pool's own input.
inline constexpr int kQuestionShiftMax = 8;
// A link's fragment (#assignment=<base64url of the raw-deflated JSON>) is refused by its
// length before anything is decoded or inflated, so a 10 MB fragment costs nothing. Deflate
// never grows its input by more than 5 bytes per 16 KB stored block (+ a few), and base64
// writes 4 characters per 3 bytes: every assignment the reader accepts fits, nothing far larger.
inline constexpr int64_t kAssignmentLinkMaxChars = (kAssignmentMaxBytes + kAssignmentMaxBytes / 16'384 * 5 + 64) / 3 * 4 + 4;
static_assert(kAssignmentLinkMaxChars < 10'000'000, "a 10 MB fragment is refused by its length alone");

// Everything above as one object for the page (the worker's `rules` command).
Json rules_json();

}  // namespace convlab::rules
