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

Json int_field(const IntRange& r) { return Json::object({{"key", r.key}, {"min", r.min}, {"max", r.max}}); }

// o with one more member: a field's {key, min, max} and its default
Json with(Json o, const char* key, Json v) {
  o.append(key, std::move(v));
  return o;
}

Json number_field(const NumberRange& r) {
  return Json::object({{"min", r.min}, {"max", r.max}, {"step", r.step > 0 ? Json(r.step) : Json("any")}});
}

void check_classes(int classes) {
  if (classes < kMinClasses || classes > kMaxClasses)
    throw std::invalid_argument("a project has " + std::to_string(kMinClasses) + " to " + std::to_string(kMaxClasses) +
                                " classes, not " + std::to_string(classes));
}

// The layers the model editor inserts ("+ conv + ReLU", "+ max pool", ...), one per type.
Json editor_defaults() {
  auto pool = [](const char* type) {
    return Json::object({{"type", type}, {"kernel", 2}, {"stride", 2}, {"padding", 0}});
  };
  return Json::object(
      {{"conv2d", Json::object({{"type", "conv2d"}, {"out_channels", 16}, {"kernel", 3},
                                {"stride", kConvStrideDefault}, {"padding", "same"}})},
       {"relu", Json::object({{"type", "relu"}})},
       {"maxpool2d", pool("maxpool2d")},
       {"avgpool2d", pool("avgpool2d")},
       {"flatten", Json::object({{"type", "flatten"}})},
       {"linear", Json::object({{"type", "linear"}, {"out_features", 32}})}});
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

  Json names = Json::array();
  for (int i = 1; i <= kMinClasses; ++i) names.push_back("Class " + std::to_string(i));
  j["classes"] =
      Json::object({{"min", kMinClasses}, {"max", kMaxClasses}, {"name_max", kClassNameMax}, {"default_names", names}});
  j["threads"] = Json::object({{"min", 1}, {"max", kMaxThreads}});

  // The defaults of a default-constructed config: what parse_train_config("{}") gives.
  const TrainConfig c;
  const Json all = train_config_json(c);
  Json defaults = Json::object();  // weight decay is no page setting
  for (const auto& [key, v] : all.members())
    if (key != "weight_decay") defaults.append(key, v);
  Json fields = Json::object();
  for (const NumberRange* r : {&kEpochs, &kBatchSize, &kLr, &kMomentum, &kValFraction, &kShift, &kSeed})
    fields.append(r->key, number_field(*r));
  j["train"] = Json::object({{"defaults", defaults},
                             {"fields", fields},
                             {"optimizers", Json::array({"adam", "sgd"})},
                             {"default_lr", Json::object({{"adam", default_lr("adam")}, {"sgd", default_lr("sgd")}})}});

  Json input = Json::object({{"channels", Json::array({1, 3})}});
  for (const IntRange* r : {&kInputHeight, &kInputWidth}) input[r->key] = Json::object({{"min", r->min}, {"max", r->max}});
  j["input"] = input;

  Json types = Json::array();
  for (LayerType t : {LayerType::Conv2d, LayerType::ReLU, LayerType::MaxPool2d, LayerType::AvgPool2d, LayerType::Flatten,
                      LayerType::Linear})
    types.push_back(layer_type_name(t));
  const Json conv = Json::array({int_field(kConvOutChannels), int_field(kConvKernel),
                                 with(int_field(kConvStride), "default", kConvStrideDefault),
                                 with(int_field(kConvPadding), "same", true)});
  const Json pool =
      Json::array({int_field(kPoolKernel), with(int_field(kPoolStride), "default", "kernel"), int_field(kPoolPadding)});
  const Json fields_of = Json::object({{"conv2d", conv},
                                       {"relu", Json::array()},
                                       {"maxpool2d", pool},
                                       {"avgpool2d", pool},
                                       {"flatten", Json::array()},
                                       {"linear", Json::array({int_field(kLinearOutFeatures)})}});
  j["layers"] = Json::object({{"types", types}, {"fields", fields_of}, {"defaults", editor_defaults()}});

  j["budget"] = Json::object({{"max_params", kMaxParameters}, {"max_activation", kMaxActivation}});
  j["store"] = Json::object({{"max_side", kStoredMaxSide}, {"cap", kStoredCap}});
  j["file_names"] = Json::object({{"model", kModelFileName}, {"project", kProjectFileName}, {"name_max", kFileNameMax}});
  j["project"] = Json::object({{"format_version", kProjectFormatVersion},
                               {"name_max", kProjectNameMax},
                               {"max_images", kMaxImagesPerProject},
                               {"max_file_bytes", kMaxProjectFileBytes},
                               {"max_unpacked_bytes", kMaxProjectUnpackedBytes},
                               {"max_entry_bytes", kMaxProjectEntryBytes},
                               {"max_json_bytes", kMaxProjectJsonBytes}});
  j["upload"] = Json::object({{"max_side", kUploadMaxSide}, {"max_pixels", kUploadMaxPixels}});
  j["assignment"] = Json::object({{"format_version", kAssignmentFormatVersion},
                                  {"max_bytes", kAssignmentMaxBytes},
                                  {"title_max", kAssignmentTitleMax},
                                  {"instructions_max", kAssignmentInstructionsMax},
                                  {"max_questions", kAssignmentMaxQuestions},
                                  {"question_text_max", kQuestionTextMax},
                                  {"question_id_max", kQuestionIdMax},
                                  {"fraction_tolerance", kFractionTolerance},
                                  {"question_shift_max", kQuestionShiftMax},
                                  {"submission_format_version", kSubmissionFormatVersion},
                                  {"submission_max_bytes", kSubmissionMaxBytes},
                                  {"link_max_chars", kAssignmentLinkMaxChars},
                                  {"question_kinds", assignment_question_kinds_json()},
                                  {"setting_keys", assignment_setting_keys_json()}});
  j["engine_version"] = kEngineVersion;

  Json playground = Json::array();
  for (const auto& p : kPlayground)
    playground.push_back(Json::object({{"name", p.name}, {"w", p.w}, {"k", p.k}, {"s", p.s}, {"p", p.p}}));
  j["playground"] = playground;

  Json calculators = Json::object();
  Json pg = Json::array(), fc = Json::array();
  for (const IntRange& r : kPlaygroundFields) pg.push_back(int_field(r));
  for (const IntRange& r : kFcConvFields) fc.push_back(int_field(r));
  calculators["playground"] = pg;
  calculators["fc_vs_conv"] = fc;
  j["calculators"] = calculators;

  // Where the model looks (looks.h): saliency, occlusion and the filters kept across training.
  j["looks"] = Json::object({{"patch", int_field(kOcclusionPatch)},
                             {"stride", int_field(kOcclusionStride)},
                             {"max_positions", kOcclusionMaxPositions},
                             {"grey", double(kOcclusionGrey)},
                             {"filter_epochs_kept", kFilterEpochsKept},
                             {"sketch_stroke", with(int_field(kSketchStroke), "default", kSketchStrokeDefault)},
                             {"sketch_pad", kSketchPad}});

  // ---- earlier runs kept for comparison ----
  j["runs"] = Json::object({{"kept", kRunsKept}, {"epochs_kept", kRunEpochsKept}, {"layers_kept", kRunLayersKept}});
  return j;
}

// Where the model looks (looks.h): saliency, occlusion and the filters kept across training.
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
