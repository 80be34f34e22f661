#include "convlab/rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "convlab/assignment.h"
#include "convlab/learn.h"
#include "convlab/spec.h"
#include "convlab/train.h"

namespace convlab::rules {

namespace {

// "0.00001", "0.99", "10000", "9007199254740991": as a person writes them (%g would say 1e-05).
std::string num_str(double v) {
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e16) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.10f", v);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  return s;
}

Json int_field(const IntRange& r) {
  Json o = Json::object();
  o["key"] = r.key;
  o["min"] = r.min;
  o["max"] = r.max;
  return o;
}

Json number_field(const NumberRange& r) {
  Json o = Json::object();
  o["min"] = r.min;
  o["max"] = r.max;
  o["step"] = r.step > 0 ? Json(r.step) : Json("any");
  return o;
}

void check_classes(int classes) {
  if (classes < kMinClasses || classes > kMaxClasses)
    throw std::invalid_argument("a project has " + std::to_string(kMinClasses) + " to " + std::to_string(kMaxClasses) +
                                " classes, not " + std::to_string(classes));
}

// The layers the model editor inserts ("+ conv + ReLU", "+ max pool", ...), one per type.
Json editor_defaults() {
  auto layer = [](const char* type) {
    Json o = Json::object();
    o["type"] = type;
    return o;
  };
  Json conv = layer("conv2d");
  conv["out_channels"] = 16;
  conv["kernel"] = 3;
  conv["stride"] = kConvStrideDefault;
  conv["padding"] = "same";
  Json d = Json::object();
  d["conv2d"] = conv;
  d["relu"] = layer("relu");
  for (const char* pool : {"maxpool2d", "avgpool2d"}) {
    Json p = layer(pool);
    p["kernel"] = 2;
    p["stride"] = 2;
    p["padding"] = 0;
    d[pool] = p;
  }
  d["flatten"] = layer("flatten");
  Json lin = layer("linear");
  lin["out_features"] = 32;
  d["linear"] = lin;
  return d;
}

// The stride and padding playground's presets (one axis: w_in, k, s, p).
struct PlaygroundPreset {
  const char* name;
  int w, k, s, p;
};
constexpr PlaygroundPreset kPlayground[] = {
    {"corner, no padding", 5, 3, 1, 0},
    {"corner, padding 1", 5, 3, 1, 1},
    {"7×7, stride 2 → 3×3", 7, 3, 2, 0},
    {"not exact: stride 3", 7, 3, 3, 0},
};

}  // namespace

double default_lr(const std::string& optimizer) { return optimizer == "sgd" ? kDefaultLrSgd : kDefaultLrAdam; }

void check_range(const NumberRange& r, double v, const std::string& example) {
  const bool fraction = r.step == 1 && std::isfinite(v) && v != std::floor(v);
  if (std::isfinite(v) && v >= r.min && v <= r.max && !fraction) return;
  throw std::invalid_argument(std::string(r.name) + " must be " + (fraction ? "a whole number " : "") + "between " +
                              num_str(r.min) + " and " + num_str(r.max) + (example.empty() ? "" : ", e.g. " + example) +
                              (std::isfinite(v) ? ", not " + num_str(v) : ""));
}

Size stored_size(int height, int width) {
  // JS's Math.round (floor(x + 0.5)), as the page computed this before
  const double s = double(std::min(kStoredCap, std::max({kStoredMaxSide, height, width}))) / double(std::max(height, width));
  return {std::max(1, int(std::floor(width * s + 0.5))), std::max(1, int(std::floor(height * s + 0.5)))};
}

std::string spec_text(const Json& spec) {
  std::string out = "{";
  for (size_t i = 0; i < spec.members().size(); ++i) {
    const auto& [key, value] = spec.members()[i];
    out += (i ? ",\n  " : "\n  ") + Json(key).dump() + ": ";
    if (key == "layers" && value.is_array() && value.size() > 0) {
      out += "[\n";
      for (size_t l = 0; l < value.items().size(); ++l) out += (l ? ",\n    " : "    ") + value.items()[l].dump();
      out += "\n  ]";
    } else {
      out += value.dump();
    }
  }
  return out + "\n}\n";
}

std::string fit_spec(const std::string& text, int classes) {
  check_classes(classes);
  Json j;
  try {
    j = Json::parse(text);
  } catch (const JsonError& e) {
    throw std::invalid_argument(std::string("the spec is not valid JSON: ") + e.what());
  }
  const Json* layers = j.is_object() ? j.find("layers") : nullptr;
  if (!layers || !layers->is_array())
    throw std::invalid_argument("the spec needs \"layers\": a list ending with {\"type\": \"linear\", \"out_features\": " +
                                std::to_string(classes) + "}");
  const auto& items = layers->items();
  size_t last = items.size();
  for (size_t i = 0; i < items.size(); ++i) {
    const Json* t = items[i].is_object() ? items[i].find("type") : nullptr;
    if (t && t->is_string() && t->as_string() == "linear") last = i;
  }
  if (last == items.size())
    throw std::invalid_argument("the spec has no linear layer to give one output per class: add {\"type\": \"flatten\"}, "
                                "{\"type\": \"linear\", \"out_features\": " + std::to_string(classes) + "} at the end");
  Json fitted = Json::array();
  for (size_t i = 0; i < items.size(); ++i) {
    Json l = items[i];
    if (i == last) l["out_features"] = classes;
    fitted.push_back(l);
  }
  j["layers"] = fitted;
  return spec_text(j);
}

std::string default_spec(int classes) {
  for (const auto& p : learn::presets())
    if (p.id == "webcam") return fit_spec(p.spec, classes);
  throw std::logic_error("the webcam preset is missing");
}

int default_threads(int cores) { return cores < 1 ? 1 : cores > kMaxThreads ? kMaxThreads : cores; }

void check_threads(int n) {
  if (n < 1 || n > kMaxThreads)
    throw std::invalid_argument("threads must be a whole number from 1 to " + std::to_string(kMaxThreads) + ", not " +
                                std::to_string(n));
}

Json rules_json() {
  Json j = Json::object();

  Json classes = Json::object();
  classes["min"] = kMinClasses;
  classes["max"] = kMaxClasses;
  classes["name_max"] = kClassNameMax;
  Json names = Json::array();
  for (int i = 1; i <= kMinClasses; ++i) names.push_back("Class " + std::to_string(i));
  classes["default_names"] = names;
  j["classes"] = classes;

  Json threads = Json::object();
  threads["min"] = 1;
  threads["max"] = kMaxThreads;
  j["threads"] = threads;

  // The defaults of a default-constructed config: what parse_train_config("{}") gives.
  const TrainConfig c;
  Json train = Json::object();
  const Json all = train_config_json(c);
  Json defaults = Json::object();  // weight decay is no page setting
  for (const auto& [key, v] : all.members())
    if (key != "weight_decay") defaults[key] = v;
  train["defaults"] = defaults;
  Json fields = Json::object();
  for (const NumberRange* r : {&kEpochs, &kBatchSize, &kLr, &kMomentum, &kValFraction, &kShift, &kSeed})
    fields[r->key] = number_field(*r);
  train["fields"] = fields;
  Json optimizers = Json::array();
  Json lrs = Json::object();
  for (const char* o : {"adam", "sgd"}) {
    optimizers.push_back(o);
    lrs[o] = default_lr(o);
  }
  train["optimizers"] = optimizers;
  train["default_lr"] = lrs;
  j["train"] = train;

  Json input = Json::object();
  Json channels = Json::array();
  channels.push_back(1);
  channels.push_back(3);
  input["channels"] = channels;
  for (const IntRange* r : {&kInputHeight, &kInputWidth}) {
    Json o = Json::object();
    o["min"] = r->min;
    o["max"] = r->max;
    input[r->key] = o;
  }
  j["input"] = input;

  Json layers = Json::object();
  Json types = Json::array();
  for (LayerType t : {LayerType::Conv2d, LayerType::ReLU, LayerType::MaxPool2d, LayerType::AvgPool2d, LayerType::Flatten,
                      LayerType::Linear})
    types.push_back(layer_type_name(t));
  layers["types"] = types;
  Json lf = Json::object();
  {
    Json conv = Json::array();
    conv.push_back(int_field(kConvOutChannels));
    conv.push_back(int_field(kConvKernel));
    Json stride = int_field(kConvStride);
    stride["default"] = kConvStrideDefault;
    conv.push_back(stride);
    Json pad = int_field(kConvPadding);
    pad["same"] = true;
    conv.push_back(pad);
    lf["conv2d"] = conv;
    lf["relu"] = Json::array();
    for (const char* pool : {"maxpool2d", "avgpool2d"}) {
      Json p = Json::array();
      p.push_back(int_field(kPoolKernel));
      Json ps = int_field(kPoolStride);
      ps["default"] = "kernel";
      p.push_back(ps);
      p.push_back(int_field(kPoolPadding));
      lf[pool] = p;
    }
    lf["flatten"] = Json::array();
    Json lin = Json::array();
    lin.push_back(int_field(kLinearOutFeatures));
    lf["linear"] = lin;
  }
  layers["fields"] = lf;
  layers["defaults"] = editor_defaults();
  j["layers"] = layers;

  Json budget = Json::object();
  budget["max_params"] = kMaxParameters;
  budget["max_activation"] = kMaxActivation;
  j["budget"] = budget;

  Json store = Json::object();
  store["max_side"] = kStoredMaxSide;
  store["cap"] = kStoredCap;
  j["store"] = store;
  Json files = Json::object();
  files["model"] = kModelFileName;
  files["project"] = kProjectFileName;
  files["name_max"] = kFileNameMax;
  j["file_names"] = files;

  Json project = Json::object();
  project["format_version"] = kProjectFormatVersion;
  project["name_max"] = kProjectNameMax;
  project["max_images"] = kMaxImagesPerProject;
  project["max_file_bytes"] = kMaxProjectFileBytes;
  project["max_unpacked_bytes"] = kMaxProjectUnpackedBytes;
  project["max_entry_bytes"] = kMaxProjectEntryBytes;
  project["max_json_bytes"] = kMaxProjectJsonBytes;
  j["project"] = project;

  Json upload = Json::object();
  upload["max_side"] = kUploadMaxSide;
  upload["max_pixels"] = kUploadMaxPixels;
  j["upload"] = upload;

  Json assignment = Json::object();
  assignment["format_version"] = kAssignmentFormatVersion;
  assignment["max_bytes"] = kAssignmentMaxBytes;
  assignment["title_max"] = kAssignmentTitleMax;
  assignment["instructions_max"] = kAssignmentInstructionsMax;
  assignment["max_questions"] = kAssignmentMaxQuestions;
  assignment["question_text_max"] = kQuestionTextMax;
  assignment["question_id_max"] = kQuestionIdMax;
  assignment["fraction_tolerance"] = kFractionTolerance;
  assignment["question_shift_max"] = kQuestionShiftMax;
  assignment["submission_format_version"] = kSubmissionFormatVersion;
  assignment["submission_max_bytes"] = kSubmissionMaxBytes;
  assignment["link_max_chars"] = kAssignmentLinkMaxChars;
  assignment["question_kinds"] = assignment_question_kinds_json();
  assignment["setting_keys"] = assignment_setting_keys_json();
  j["assignment"] = assignment;
  j["engine_version"] = kEngineVersion;

  Json playground = Json::array();
  for (const auto& p : kPlayground) {
    Json o = Json::object();
    o["name"] = p.name;
    o["w"] = p.w;
    o["k"] = p.k;
    o["s"] = p.s;
    o["p"] = p.p;
    playground.push_back(o);
  }
  j["playground"] = playground;

  Json calculators = Json::object();
  Json pg = Json::array(), fc = Json::array();
  for (const IntRange& r : kPlaygroundFields) pg.push_back(int_field(r));
  for (const IntRange& r : kFcConvFields) fc.push_back(int_field(r));
  calculators["playground"] = pg;
  calculators["fc_vs_conv"] = fc;
  j["calculators"] = calculators;

  // ---- where it looks ----
  Json looks = Json::object();
  looks["patch"] = int_field(kOcclusionPatch);
  looks["stride"] = int_field(kOcclusionStride);
  looks["max_positions"] = kOcclusionMaxPositions;
  looks["grey"] = double(kOcclusionGrey);
  looks["filter_epochs_kept"] = kFilterEpochsKept;
  Json stroke = int_field(kSketchStroke);
  stroke["default"] = kSketchStrokeDefault;
  looks["sketch_stroke"] = stroke;
  looks["sketch_pad"] = kSketchPad;
  j["looks"] = looks;

  // ---- earlier runs kept for comparison ----
  Json runs = Json::object();
  runs["kept"] = kRunsKept;
  runs["epochs_kept"] = kRunEpochsKept;
  runs["layers_kept"] = kRunLayersKept;
  j["runs"] = runs;
  return j;
}

// ---- where it looks ----
int occlusion_default_patch(int h, int w) { return std::max(1, std::min(h, w) / 6); }

int occlusion_default_stride(int patch) { return std::max(1, patch / 2); }

void check_occlusion(int patch, int stride, int h, int w) {
  const int side = std::min(h, w);
  auto bad = [](const IntRange& r, int v, const std::string& more) {
    throw std::invalid_argument("occlusion: " + std::string(r.key) + " must be a whole number from " +
                                std::to_string(r.min) + " to " + std::to_string(r.max) + more + ", not " +
                                std::to_string(v));
  };
  if (patch < kOcclusionPatch.min || patch > kOcclusionPatch.max) bad(kOcclusionPatch, patch, "");
  if (patch > side) bad(kOcclusionPatch, patch, " and at most the input's smaller side (" + std::to_string(side) + ")");
  if (stride < kOcclusionStride.min || stride > kOcclusionStride.max) bad(kOcclusionStride, stride, "");
  const int64_t rows = (h - patch + stride - 1) / stride + 1, cols = (w - patch + stride - 1) / stride + 1;
  if (rows * cols > kOcclusionMaxPositions)
    throw std::invalid_argument("occlusion: a " + std::to_string(patch) + "-pixel patch at stride " +
                                std::to_string(stride) + " on a " + std::to_string(h) + "x" + std::to_string(w) +
                                " input gives " + std::to_string(rows * cols) + " positions, more than " +
                                std::to_string(kOcclusionMaxPositions) + ": use a larger stride");
}

}  // namespace convlab::rules
