#include "convlab/assignment.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <utility>

#include "convlab/learn.h"
#include "convlab/model.h"
#include "convlab/preprocess.h"
#include "convlab/rules.h"
#include "convlab/safetensors.h"
#include "convlab/session.h"
#include "convlab/sha256.h"

namespace convlab {

namespace {

constexpr const char* kAssignmentFormat = "convlab-assignment";
constexpr const char* kSubmissionFormat = "convlab-submission";

// The settings an assignment may fix: TrainConfig's keys, in train_config_json's order.
constexpr const char* kSettingKeys[] = {"epochs", "batch_size", "optimizer", "lr", "momentum",
                                        "val_fraction", "shift", "flip", "seed"};

struct KindName {
  QuestionKind kind;
  const char* name;
  bool needs_layer;      // "of layer i": the layer is required
  const char* wording;   // the default question text ("%d": the layer)
};
constexpr KindName kKinds[] = {
    {QuestionKind::OutputWidth, "output_width", true, "What is the output width of layer %d?"},
    {QuestionKind::OutputHeight, "output_height", true, "What is the output height of layer %d?"},
    {QuestionKind::OutputChannels, "output_channels", true, "How many channels does layer %d output?"},
    {QuestionKind::LayerParameters, "layer_parameters", true, "How many parameters does layer %d have?"},
    {QuestionKind::LayerMacs, "layer_macs", true, "How many multiply-adds does layer %d do per image?"},
    {QuestionKind::ReceptiveField, "receptive_field", false,
     "What is the receptive field (in input pixels, one side) of one output of layer %d?"},
    {QuestionKind::PoolUnchangedFraction, "pool_unchanged_fraction", true,
     "What fraction of the max-pooled outputs of layer %d stay the same when the image moves one pixel?"},
    {QuestionKind::FcWeightsPerNeuron, "fc_weights_per_neuron", false,
     "How many weights would one fully-connected neuron need for the input?"},
    {QuestionKind::TotalParameters, "total_parameters", false, "How many parameters does the whole model have?"},
};

const KindName& kind_entry(QuestionKind k) {
  for (const auto& e : kKinds)
    if (e.kind == k) return e;
  throw std::logic_error("unknown question kind");
}

std::string kind_list() {
  std::string s;
  for (const auto& e : kKinds) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

// Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
size_t chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// 25154 -> "25,154": as the page's table writes counts.
std::string grouped(int64_t v) {
  std::string d = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return (v < 0 ? "-" : "") + out;
}

// A setting's value for a person: a number in its shortest form that reads back as the same
// double (0.005, not dump()'s 17 digits 0.0050000000000000001); anything else as JSON.
std::string setting_text(const Json& v) {
  if (!v.is_number()) return v.dump();
  // the fewest significant digits that read back as the same double (Emscripten 3.1.6's libc++
  // has no floating-point std::to_chars, so by trial; at most 17 steps)
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v.as_number());
    if (std::strtod(buf, nullptr) == v.as_number()) break;
  }
  return buf;
}

std::string num_text(double v) {
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Refuses keys the reader does not know, so nothing a teacher wrote is silently dropped.
void known_keys(const Json& o, std::initializer_list<const char*> keys, const std::string& where) {
  for (const auto& [k, v] : o.members()) {
    bool ok = false;
    for (const char* key : keys) ok = ok || k == key;
    if (ok) continue;
    std::string list;
    for (const char* key : keys) list += (list.empty() ? "" : ", ") + std::string(key);
    throw AssignmentError(where.empty() ? k : where + "." + k,
                          (where.empty() ? "the file" : where) + " has an unknown field \"" + k +
                              "\": remove it (the fields are " + list + ")");
  }
}

const std::string& get_text(const Json& o, const char* key, const std::string& where, size_t max, bool required,
                            const std::string& def_storage) {
  const Json* v = o.find(key);
  const std::string field = where.empty() ? key : where + "." + key;
  if (!v) {
    if (required) throw AssignmentError(field, "\"" + field + "\" is missing: add it as text");
    return def_storage;
  }
  if (!v->is_string()) throw AssignmentError(field, "\"" + field + "\" must be text, not " + Json::type_name(v->type()));
  if (chars(v->as_string()) > max)
    throw AssignmentError(field, "\"" + field + "\" has " + grouped(int64_t(chars(v->as_string()))) +
                                     " characters but may have at most " + grouped(int64_t(max)) + ": shorten it");
  return v->as_string();
}

int get_whole(const Json& v, const std::string& field, int64_t lo, int64_t hi) {
  if (!v.is_number() || v.as_number() != std::floor(v.as_number()))
    throw AssignmentError(field, "\"" + field + "\" must be a whole number, not " + v.dump());
  if (v.as_number() < double(lo) || v.as_number() > double(hi))
    throw AssignmentError(field, "\"" + field + "\" is " + v.dump() + " but must be between " + grouped(lo) + " and " +
                                     grouped(hi));
  return int(v.as_number());
}

bool get_bool(const Json& o, const char* key, const std::string& field, bool def) {
  const Json* v = o.find(key);
  if (!v) return def;
  if (!v->is_bool()) throw AssignmentError(field, "\"" + field + "\" must be true or false, not " + v->dump());
  return v->as_bool();
}

Json parse_text(const std::string& text, int64_t max_bytes, const char* what) {
  if (int64_t(text.size()) > max_bytes)
    throw AssignmentError("", std::string("the ") + what + " is " + grouped(int64_t(text.size())) +
                                  " bytes but may be at most " + grouped(max_bytes) +
                                  ": this is not a ConvLab " + what + " (or it holds far too much text)");
  try {
    return Json::parse(text);
  } catch (const JsonError& e) {
    throw AssignmentError("", std::string("the ") + what + " is not valid JSON (" + e.what() +
                                  "): open the file the teacher or the page wrote, unchanged");
  }
}

void check_format(const Json& j, const char* format, int version, const char* what) {
  if (!j.is_object()) throw AssignmentError("", std::string("the ") + what + " must be a JSON object");
  const Json* f = j.find("format");
  if (!f || !f->is_string() || f->as_string() != format)
    throw AssignmentError("format", std::string("this is not a ConvLab ") + what + ": \"format\" must be \"" + format +
                                        "\"" + (f ? ", not " + f->dump() : ""));
  const Json* v = j.find("version");
  if (!v || !v->is_number() || v->as_number() != std::floor(v->as_number()) || v->as_number() < 1)
    throw AssignmentError("version", std::string("\"version\" must be a whole number (this engine writes ") +
                                         std::to_string(version) + ")");
  if (v->as_number() > version)
    throw AssignmentError("version", std::string("this ") + what + " is version " + v->dump() +
                                         ", newer than this engine reads (" + std::to_string(version) +
                                         "): open it in a newer ConvLab");
}

std::vector<std::string> type_list(const Json& o, const char* key, const std::string& where) {
  std::vector<std::string> out;
  const Json* v = o.find(key);
  const std::string field = where + "." + key;
  if (!v) return out;
  if (!v->is_array()) throw AssignmentError(field, "\"" + field + "\" must be a list of layer types");
  for (const Json& t : v->items()) {
    bool ok = false;
    std::string names;
    for (LayerType lt : {LayerType::Conv2d, LayerType::ReLU, LayerType::MaxPool2d, LayerType::AvgPool2d,
                         LayerType::Flatten, LayerType::Linear}) {
      ok = ok || (t.is_string() && t.as_string() == layer_type_name(lt));
      names += (names.empty() ? "" : ", ") + layer_type_name(lt);
    }
    if (!ok) throw AssignmentError(field, "\"" + field + "\" holds " + t.dump() + ", which is no layer type: use " + names);
    if (std::find(out.begin(), out.end(), t.as_string()) == out.end()) out.push_back(t.as_string());
  }
  return out;
}

// Training settings as the Trainer would take them, or std::invalid_argument saying which is
// out of range: what an assignment may fix and what a hand-in may record are the same settings.
TrainConfig checked_train_config(const std::string& json) {
  TrainConfig c = parse_train_config(json);
  if (c.optim.kind != "adam" && c.optim.kind != "sgd") throw std::invalid_argument("optimizer must be \"adam\" or \"sgd\"");
  rules::check_range(rules::kEpochs, c.epochs);
  rules::check_range(rules::kBatchSize, c.batch_size);
  rules::check_range(rules::kLr, c.optim.lr);
  rules::check_range(rules::kMomentum, c.optim.momentum);
  rules::check_range(rules::kValFraction, c.val_fraction);
  rules::check_range(rules::kShift, c.shift);
  return c;
}

Constraints parse_constraints(const Json& o) {
  const std::string where = "changes";
  known_keys(o, {"max_parameters", "max_layers", "required_types", "forbidden_types", "fixed_input"}, where);
  Constraints c;
  if (const Json* v = o.find("max_parameters"); v && !v->is_null())
    c.max_parameters = get_whole(*v, "changes.max_parameters", 1, rules::kMaxParameters);
  if (const Json* v = o.find("max_layers"); v && !v->is_null())
    c.max_layers = get_whole(*v, "changes.max_layers", 1, rules::kMaxLayers);
  c.required_types = type_list(o, "required_types", where);
  c.forbidden_types = type_list(o, "forbidden_types", where);
  for (const auto& t : c.required_types)
    if (std::find(c.forbidden_types.begin(), c.forbidden_types.end(), t) != c.forbidden_types.end())
      throw AssignmentError("changes.forbidden_types",
                            "\"" + t + "\" is both required and forbidden: keep it in one of the two lists");
  c.fixed_input = get_bool(o, "fixed_input", "changes.fixed_input", false);
  return c;
}

// The fixed settings, checked as training would check them (parse_train_config and the
// Trainer's ranges), kept as written in TrainConfig's key order.
Json parse_fixed_settings(const Json& o) {
  if (!o.is_object()) throw AssignmentError("fixed_settings", "\"fixed_settings\" must be an object {setting: value}");
  std::initializer_list<const char*> keys = {"epochs", "batch_size", "optimizer", "lr", "momentum",
                                             "val_fraction", "shift", "flip", "seed"};
  known_keys(o, keys, "fixed_settings");
  TrainConfig c;
  try {
    c = checked_train_config(o.dump());
  } catch (const std::invalid_argument& e) {
    throw AssignmentError("fixed_settings", std::string("\"fixed_settings\": ") + e.what());
  }
  const Json all = train_config_json(c);
  Json out = Json::object();
  for (const char* k : kSettingKeys)
    if (o.find(k)) out[k] = *all.find(k);
  return out;
}

Question parse_question(const Json& q, size_t i, std::set<std::string>& ids) {
  const std::string where = "questions[" + std::to_string(i) + "]";
  if (!q.is_object()) throw AssignmentError(where, "\"" + where + "\" must be an object {\"kind\": ..., \"layer\": ...}");
  known_keys(q, {"id", "kind", "layer", "image", "shift", "text"}, where);
  Question out;
  const Json* k = q.find("kind");
  if (!k || !k->is_string())
    throw AssignmentError(where + ".kind", "\"" + where + ".kind\" must name a quantity: one of " + kind_list());
  const KindName* entry = nullptr;
  for (const auto& e : kKinds)
    if (k->as_string() == e.name) entry = &e;
  if (!entry)
    throw AssignmentError(where + ".kind",
                          "\"" + where + ".kind\" is " + k->dump() + ", which ConvLab cannot compute: use one of " + kind_list());
  out.kind = entry->kind;
  const std::string none;
  out.id = get_text(q, "id", where, rules::kQuestionIdMax, false, none);
  if (out.id.empty() && q.find("id")) throw AssignmentError(where + ".id", "\"" + where + ".id\" must not be empty");
  if (out.id.empty()) out.id = "q" + std::to_string(i + 1);
  if (!ids.insert(out.id).second)
    throw AssignmentError(where + ".id", "two questions have the id \"" + out.id + "\": give each its own");
  const Json* layer = q.find("layer");
  const bool layer_kind = entry->needs_layer || out.kind == QuestionKind::ReceptiveField;
  if (layer && !layer_kind)
    throw AssignmentError(where + ".layer", "a " + std::string(entry->name) + " question takes no layer: remove \"layer\"");
  if (entry->needs_layer && !layer)
    throw AssignmentError(where + ".layer",
                          "a " + std::string(entry->name) + " question needs \"layer\": the index of a layer in the spec, from 0");
  if (layer) out.layer = get_whole(*layer, where + ".layer", 0, rules::kMaxLayers - 1);
  const bool pool = out.kind == QuestionKind::PoolUnchangedFraction;
  for (const char* key : {"image", "shift"})
    if (q.find(key) && !pool)
      throw AssignmentError(where + "." + key, "only a pool_unchanged_fraction question takes \"" + std::string(key) + "\"");
  if (const Json* v = q.find("image")) out.image = get_whole(*v, where + ".image", 0, rules::kMaxImagesPerProject - 1);
  if (const Json* v = q.find("shift")) out.shift = get_whole(*v, where + ".shift", 1, rules::kQuestionShiftMax);
  out.text = get_text(q, "text", where, rules::kQuestionTextMax, false, none);
  if (out.text.empty()) {
    char buf[200];
    if (out.layer >= 0) std::snprintf(buf, sizeof buf, entry->wording, out.layer);
    else if (out.kind == QuestionKind::ReceptiveField)
      std::snprintf(buf, sizeof buf, "%s", "What is the receptive field (in input pixels, one side) of one output of the last pooling layer?");
    else std::snprintf(buf, sizeof buf, "%s", entry->wording);
    out.text = buf;
  }
  return out;
}

}  // namespace

const char* question_kind_name(QuestionKind k) { return kind_entry(k).name; }

Json assignment_question_kinds_json() {
  Json out = Json::array();
  for (const auto& e : kKinds) {
    Json o = Json::object();
    o["name"] = e.name;
    o["needs_layer"] = e.needs_layer;
    o["layer_optional"] = e.kind == QuestionKind::ReceptiveField;
    o["image_shift"] = e.kind == QuestionKind::PoolUnchangedFraction;
    o["wording"] = e.wording;
    out.push_back(o);
  }
  return out;
}

Json assignment_setting_keys_json() {
  Json out = Json::array();
  for (const char* k : kSettingKeys) out.push_back(k);
  return out;
}

Assignment parse_assignment(const std::string& text) {
  return parse_assignment(parse_text(text, rules::kAssignmentMaxBytes, "assignment"));
}

Assignment parse_assignment(const Json& j) {
  check_format(j, kAssignmentFormat, rules::kAssignmentFormatVersion, "assignment");
  known_keys(j, {"format", "version", "title", "instructions", "spec", "changes", "fixed_settings", "classes",
                 "accuracy_target", "questions", "show_correctness"}, "");
  Assignment a;
  const std::string none;
  a.title = get_text(j, "title", "", rules::kAssignmentTitleMax, true, none);
  if (a.title.find_first_not_of(" \t\r\n") == std::string::npos)
    throw AssignmentError("title", "\"title\" is empty: give the assignment a title");
  a.instructions = get_text(j, "instructions", "", rules::kAssignmentInstructionsMax, false, none);

  const Json* spec = j.find("spec");
  if (!spec || !spec->is_object())
    throw AssignmentError("spec", "\"spec\" must be the starting model spec, an object {\"input\": ..., \"layers\": [...]}");
  try {
    a.start = parse_spec(*spec);
    validate(a.start, /*enforce_budget=*/false);  // the lecture's AlexNet is an assignment too
  } catch (const SpecError& e) {
    throw AssignmentError("spec", std::string("the starting spec: ") + e.what());
  }
  a.spec = spec_to_json(a.start);

  if (const Json* c = j.find("changes")) {
    if (c->is_string() && c->as_string() == "none") a.changes = ChangePolicy::None;
    else if (c->is_string() && c->as_string() == "any") a.changes = ChangePolicy::Any;
    else if (c->is_object()) {
      a.changes = ChangePolicy::Constraints;
      a.constraints = parse_constraints(*c);
    } else {
      throw AssignmentError("changes", "\"changes\" must be \"none\", \"any\" or an object of constraints "
                                       "{max_parameters, max_layers, required_types, forbidden_types, fixed_input}");
    }
  }
  if (const Json* f = j.find("fixed_settings")) a.fixed_settings = parse_fixed_settings(*f);

  const Json* classes = j.find("classes");
  if (!classes || !classes->is_array())
    throw AssignmentError("classes", "\"classes\" must be the list of class names, e.g. [\"cat\", \"cup\"]");
  if (int(classes->size()) < rules::kMinClasses || int(classes->size()) > rules::kMaxClasses)
    throw AssignmentError("classes", "an assignment has " + std::to_string(rules::kMinClasses) + " to " +
                                         std::to_string(rules::kMaxClasses) + " classes, not " +
                                         std::to_string(classes->size()));
  for (size_t i = 0; i < classes->items().size(); ++i) {
    const Json& c = classes->items()[i];
    const std::string field = "classes[" + std::to_string(i) + "]";
    if (!c.is_string() || c.as_string().find_first_not_of(" \t\r\n") == std::string::npos)
      throw AssignmentError(field, "\"" + field + "\" must be a class name (text that is not empty)");
    if (int(chars(c.as_string())) > rules::kClassNameMax)
      throw AssignmentError(field, "\"" + field + "\" is longer than " + std::to_string(rules::kClassNameMax) +
                                       " characters: shorten it");
    if (std::find(a.classes.begin(), a.classes.end(), c.as_string()) != a.classes.end())
      throw AssignmentError(field, "two classes are named \"" + c.as_string() + "\": give each its own name");
    a.classes.push_back(c.as_string());
  }

  if (const Json* t = j.find("accuracy_target"); t && !t->is_null()) {
    if (!t->is_number() || !(t->as_number() > 0) || t->as_number() > 1)
      throw AssignmentError("accuracy_target", "\"accuracy_target\" is a validation accuracy above 0 and at most 1 "
                                               "(0.8 for 80 %), not " + t->dump());
    a.accuracy_target = t->as_number();
  }

  if (const Json* qs = j.find("questions")) {
    if (!qs->is_array()) throw AssignmentError("questions", "\"questions\" must be a list of questions");
    if (int(qs->size()) > rules::kAssignmentMaxQuestions)
      throw AssignmentError("questions", "an assignment has at most " + std::to_string(rules::kAssignmentMaxQuestions) +
                                             " questions, not " + std::to_string(qs->size()) + ": remove some");
    std::set<std::string> ids;
    for (size_t i = 0; i < qs->items().size(); ++i) a.questions.push_back(parse_question(qs->items()[i], i, ids));
  }
  a.show_correctness = get_bool(j, "show_correctness", "show_correctness", false);
  return a;
}

Json assignment_to_json(const Assignment& a) {
  Json j = Json::object();
  j["format"] = kAssignmentFormat;
  j["version"] = rules::kAssignmentFormatVersion;
  j["title"] = a.title;
  j["instructions"] = a.instructions;
  j["spec"] = a.spec;
  if (a.changes == ChangePolicy::Constraints) {
    Json c = Json::object();
    const Constraints& k = a.constraints;
    c["max_parameters"] = k.max_parameters < 0 ? Json() : Json(k.max_parameters);
    c["max_layers"] = k.max_layers < 0 ? Json() : Json(k.max_layers);
    for (auto [key, list] : {std::pair{"required_types", &k.required_types}, std::pair{"forbidden_types", &k.forbidden_types}}) {
      Json arr = Json::array();
      for (const auto& t : *list) arr.push_back(t);
      c[key] = arr;
    }
    c["fixed_input"] = k.fixed_input;
    j["changes"] = c;
  } else {
    j["changes"] = a.changes == ChangePolicy::None ? "none" : "any";
  }
  j["fixed_settings"] = a.fixed_settings;
  Json classes = Json::array();
  for (const auto& c : a.classes) classes.push_back(c);
  j["classes"] = classes;
  j["accuracy_target"] = a.accuracy_target ? Json(*a.accuracy_target) : Json();
  Json qs = Json::array();
  for (const Question& q : a.questions) {
    Json o = Json::object();
    o["id"] = q.id;
    o["kind"] = question_kind_name(q.kind);
    if (q.layer >= 0) o["layer"] = q.layer;
    if (q.kind == QuestionKind::PoolUnchangedFraction) {
      o["image"] = q.image;
      o["shift"] = q.shift;
    }
    o["text"] = q.text;
    qs.push_back(o);
  }
  j["questions"] = qs;
  j["show_correctness"] = a.show_correctness;
  return j;
}

std::string canonical_json(const Json& j) {
  switch (j.type()) {
    case Json::Type::Array: {
      std::string s = "[";
      for (size_t i = 0; i < j.items().size(); ++i) s += (i ? "," : "") + canonical_json(j.items()[i]);
      return s + "]";
    }
    case Json::Type::Object: {
      std::vector<const std::pair<std::string, Json>*> m;
      for (const auto& kv : j.members()) m.push_back(&kv);
      std::sort(m.begin(), m.end(), [](auto* x, auto* y) { return x->first < y->first; });
      std::string s = "{";
      for (size_t i = 0; i < m.size(); ++i) s += (i ? "," : "") + Json(m[i]->first).dump() + ":" + canonical_json(m[i]->second);
      return s + "}";
    }
    default: return j.dump();
  }
}

std::string assignment_hash(const Assignment& a) { return sha256_hex(canonical_json(assignment_to_json(a))); }

// ---- constraints ----

bool all_ok(const std::vector<RuleCheck>& rows) {
  return std::all_of(rows.begin(), rows.end(), [](const RuleCheck& r) { return r.ok; });
}

Json to_json(const std::vector<RuleCheck>& rows) {
  Json a = Json::array();
  for (const auto& r : rows) {
    Json o = Json::object();
    o["rule"] = r.rule;
    o["ok"] = r.ok;
    o["message"] = r.message;
    a.push_back(o);
  }
  return a;
}

std::vector<RuleCheck> check_constraints(const Assignment& a, const std::string& spec_text, const std::string& settings_json) {
  std::vector<RuleCheck> rows;
  // The budget applies when the starting spec is within it: an assignment on the lecture's
  // AlexNet is for reading, and its students cannot train it either.
  bool trainable = true;
  try {
    validate(a.start, true);
  } catch (const SpecError&) {
    trainable = false;
  }
  const SpecReport r = check_spec(spec_text, trainable, int(a.classes.size()));
  if (!r.ok) {
    rows.push_back({"spec", false, "the model spec: " + r.error});
  } else {
    rows.push_back({"spec", true, "the model spec is valid, with one output per class"});
    const ModelSpec s = parse_spec(spec_text);
    const ModelInfo& info = r.info;
    if (a.changes == ChangePolicy::None) {
      // the page fits the starting spec's last linear layer to the classes when it opens
      std::string start = canonical_json(a.spec);
      try {
        start = canonical_json(spec_to_json(parse_spec(rules::fit_spec(a.spec.dump(), int(a.classes.size())))));
      } catch (const std::exception&) {
      }
      const bool same = canonical_json(spec_to_json(s)) == start;
      rows.push_back({"unchanged", same,
                      same ? "the model is the assignment's own"
                           : "the model differs from the assignment's, which may not be changed: revert to the starting spec"});
    } else if (a.changes == ChangePolicy::Constraints) {
      const Constraints& c = a.constraints;
      if (c.max_parameters >= 0) {
        const bool ok = info.params <= c.max_parameters;
        rows.push_back({"max_parameters", ok,
                        "parameters " + grouped(info.params) + " of at most " + grouped(c.max_parameters) +
                            (ok ? "" : ": remove a layer or make one smaller")});
      }
      if (c.max_layers >= 0) {
        const int n = int(s.layers.size());
        const bool ok = n <= c.max_layers;
        rows.push_back({"max_layers", ok,
                        "layers " + std::to_string(n) + " of at most " + std::to_string(c.max_layers) +
                            (ok ? "" : ": remove " + std::to_string(n - c.max_layers) + " layer(s)")});
      }
      auto count = [&](const std::string& t) {
        return std::count_if(s.layers.begin(), s.layers.end(), [&](const LayerSpec& l) { return layer_type_name(l.type) == t; });
      };
      for (const auto& t : c.required_types) {
        const bool ok = count(t) > 0;
        rows.push_back({"required_types." + t, ok, ok ? "the model has a " + t + " layer" : "the model needs a " + t + " layer: add one"});
      }
      for (const auto& t : c.forbidden_types) {
        const auto n = count(t);
        rows.push_back({"forbidden_types." + t, n == 0,
                        n == 0 ? "the model has no " + t + " layer"
                               : "the model has " + std::to_string(n) + " " + t + " layer(s), which the assignment forbids: remove them"});
      }
      if (c.fixed_input) {
        const InputSpec &x = s.input, &y = a.start.input;
        const bool ok = x.channels == y.channels && x.height == y.height && x.width == y.width;
        auto dims = [](const InputSpec& i) {
          return std::to_string(i.channels) + "×" + std::to_string(i.height) + "×" + std::to_string(i.width);
        };
        rows.push_back({"fixed_input", ok,
                        ok ? "the input is " + dims(x) + " as fixed"
                           : "the input is " + dims(x) + " but the assignment fixes it at " + dims(y) + ": set it back"});
      }
    }
  }
  if (a.fixed_settings.size() == 0) return rows;
  TrainConfig c;
  try {
    c = parse_train_config(settings_json);
  } catch (const std::invalid_argument& e) {
    rows.push_back({"settings", false, std::string("the training settings: ") + e.what()});
    return rows;
  }
  const Json mine = train_config_json(c);
  for (const auto& [key, want] : a.fixed_settings.members()) {
    const Json* got = mine.find(key);
    const bool ok = got && got->dump() == want.dump();
    rows.push_back({"fixed_settings." + key, ok,
                    ok ? key + " is " + setting_text(want) + " as fixed"
                       : key + " is " + (got ? setting_text(*got) : "missing") + " but the assignment fixes it at " + setting_text(want) +
                             ": set it back"});
  }
  return rows;
}

// ---- questions ----

std::vector<Answer> compute_answers(const Assignment& a, const ModelSpec& spec, Model* model,
                                    const std::vector<LabelledImage>& images) {
  std::vector<Answer> out;
  ModelInfo info;
  std::string spec_error;
  try {
    info = validate(spec, false);
  } catch (const SpecError& e) {
    spec_error = std::string("the model spec: ") + e.what();
  }
  for (const Question& q : a.questions) {
    Answer r;
    r.id = q.id;
    auto set = [&](double v) {
      r.known = true;
      r.value = v;
    };
    try {
      if (!spec_error.empty()) throw std::invalid_argument(spec_error);
      const int n = int(info.layers.size());
      int layer = q.layer;
      if (q.kind == QuestionKind::ReceptiveField && layer < 0) {
        for (int i = 0; i < n; ++i) {
          const LayerType t = info.layers[size_t(i)].spec.type;
          if (t == LayerType::MaxPool2d || t == LayerType::AvgPool2d) layer = i;
        }
        if (layer < 0) throw std::invalid_argument("the model has no pooling layer, so it has no last pool");
      }
      if (layer >= n)
        throw std::invalid_argument("layer " + std::to_string(layer) + " does not exist: the model has layers 0 to " +
                                    std::to_string(n - 1));
      const LayerInfo* li = layer >= 0 ? &info.layers[size_t(layer)] : nullptr;
      switch (q.kind) {
        case QuestionKind::OutputWidth: set(li->out.w); break;
        case QuestionKind::OutputHeight: set(li->out.h); break;
        case QuestionKind::OutputChannels: set(li->out.c); break;
        case QuestionKind::LayerParameters: set(double(li->params)); break;
        case QuestionKind::LayerMacs: set(double(li->macs)); break;
        case QuestionKind::ReceptiveField:
          if (li->rf_full) throw std::invalid_argument("layer " + std::to_string(layer) + " sees the whole input");
          set(li->rf);
          break;
        case QuestionKind::FcWeightsPerNeuron: set(double(info.input.size())); break;
        case QuestionKind::TotalParameters: set(double(info.params)); break;
        case QuestionKind::PoolUnchangedFraction: {
          r.fraction = true;
          if (li->spec.type != LayerType::MaxPool2d)
            throw std::invalid_argument("layer " + std::to_string(layer) + " is " + layer_type_name(li->spec.type) +
                                        ", not a max pool");
          if (!model) throw std::invalid_argument("this needs the trained model's weights");
          if (q.image >= int(images.size()))
            throw std::invalid_argument("image " + std::to_string(q.image) + " is not among the " +
                                        std::to_string(images.size()) + " training images");
          const LabelledImage& im = images[size_t(q.image)];
          check_rgba(im.bytes, im.w, im.h);
          std::vector<float> x;
          learn::forward_rgba(*model, x, im.rgba, im.w, im.h);
          // pool_invariance compares unpadded windows, as the lecture's view does
          const auto rows = learn::pool_invariance(model->activation(layer - 1, 0), li->in.c, li->in.h, li->in.w,
                                                   li->spec.kernel, li->spec.stride, q.shift);
          const learn::PoolInvariance& p = rows.back();
          if (p.cells == 0) throw std::invalid_argument("no pooled output of this image is away from the border and non-zero");
          set(double(p.max_unchanged) / double(p.cells));
          break;
        }
      }
    } catch (const std::exception& e) {
      r.known = false;
      r.message = e.what();
    }
    out.push_back(r);
  }
  return out;
}

bool answer_matches(const Answer& right, double given) {
  if (!right.known || !std::isfinite(given)) return false;
  if (right.fraction) return std::fabs(given - right.value) <= rules::kFractionTolerance;
  return given == right.value;
}

Json to_json(const std::vector<Answer>& answers) {
  Json a = Json::array();
  for (const auto& r : answers) {
    Json o = Json::object();
    o["id"] = r.id;
    o["known"] = r.known;
    o["value"] = r.known ? Json(r.value) : Json();
    o["fraction"] = r.fraction;
    o["message"] = r.message;
    a.push_back(o);
  }
  return a;
}

// ---- submissions ----

Submission parse_submission(const std::string& text) {
  const Json j = parse_text(text, rules::kSubmissionMaxBytes, "submission");
  check_format(j, kSubmissionFormat, rules::kSubmissionFormatVersion, "submission");
  known_keys(j, {"format", "version", "assignment_hash", "answers", "settings", "image_order", "engine_version",
                 "weights_sha256"}, "");
  Submission s;
  for (auto [key, dst] : {std::pair{"assignment_hash", &s.assignment_hash}, std::pair{"weights_sha256", &s.weights_sha256}}) {
    const Json* v = j.find(key);
    if (!v || !v->is_string() || !is_hex64(v->as_string()))
      throw AssignmentError(key, std::string("\"") + key + "\" must be a SHA-256 as 64 lower-case hex digits: "
                                                          "hand the work in again from the page");
    *dst = v->as_string();
  }
  const Json* answers = j.find("answers");
  if (!answers || !answers->is_object())
    throw AssignmentError("answers", "\"answers\" must be an object {question id: number} (empty when there are no questions)");
  if (int(answers->size()) > rules::kAssignmentMaxQuestions)
    throw AssignmentError("answers", "\"answers\" holds " + std::to_string(answers->size()) + " answers but an assignment has at most " +
                                         std::to_string(rules::kAssignmentMaxQuestions) + " questions");
  for (const auto& [id, v] : answers->members()) {
    if (!v.is_number() || !std::isfinite(v.as_number()))
      throw AssignmentError("answers." + id, "the answer to \"" + id + "\" must be a number, not " + v.dump());
    if (int(chars(id)) > rules::kQuestionIdMax)
      throw AssignmentError("answers", "a question id is longer than " + std::to_string(rules::kQuestionIdMax) + " characters");
    for (const auto& [seen, _] : s.answers)
      if (seen == id) throw AssignmentError("answers." + id, "\"" + id + "\" is answered twice: keep one answer");
    s.answers.emplace_back(id, v.as_number());
  }
  const Json* settings = j.find("settings");
  if (!settings || !settings->is_object())
    throw AssignmentError("settings", "\"settings\" must be the training settings object (seed, epochs, ...)");
  try {
    s.config = parse_train_config(settings->dump());
  } catch (const std::invalid_argument& e) {
    throw AssignmentError("settings", std::string("\"settings\": ") + e.what());
  }
  s.settings = train_config_json(s.config);
  const Json* order = j.find("image_order");
  if (!order || !order->is_array())
    throw AssignmentError("image_order", "\"image_order\" must be the list of image indices in training order");
  if (int(order->size()) > rules::kMaxImagesPerProject)
    throw AssignmentError("image_order", "\"image_order\" lists " + grouped(int64_t(order->size())) + " images but a project holds at most " +
                                             grouped(rules::kMaxImagesPerProject));
  std::vector<bool> seen(size_t(rules::kMaxImagesPerProject), false);
  for (size_t i = 0; i < order->items().size(); ++i) {
    const std::string field = "image_order[" + std::to_string(i) + "]";
    const int v = get_whole(order->items()[i], field, 0, rules::kMaxImagesPerProject - 1);
    if (seen[size_t(v)]) throw AssignmentError(field, "image " + std::to_string(v) + " is listed twice in \"image_order\"");
    seen[size_t(v)] = true;
    s.image_order.push_back(v);
  }
  const std::string none;
  s.engine_version = get_text(j, "engine_version", "", 100, true, none);
  return s;
}

Json submission_to_json(const Submission& s) {
  Json j = Json::object();
  j["format"] = kSubmissionFormat;
  j["version"] = rules::kSubmissionFormatVersion;
  j["assignment_hash"] = s.assignment_hash;
  Json answers = Json::object();
  for (const auto& [id, v] : s.answers) answers.append(id, v);
  j["answers"] = answers;
  j["settings"] = s.settings;
  Json order = Json::array();
  for (int i : s.image_order) order.push_back(i);
  j["image_order"] = order;
  j["engine_version"] = s.engine_version;
  j["weights_sha256"] = s.weights_sha256;
  return j;
}

// ---- grading ----

namespace {

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
  Json j = Json::object();
  j["student"] = r.student;
  j["graded"] = r.graded;
  j["assignment_hash_ok"] = r.hash_ok;
  j["weights_hash_ok"] = r.weights_hash_ok;
  j["constraints_ok"] = all_ok(r.constraints);
  j["constraints"] = to_json(r.constraints);
  Json answers = Json::array();
  for (const auto& g : r.answers) {
    Json o = Json::object();
    o["id"] = g.id;
    o["answered"] = g.answered;
    o["given"] = g.answered ? Json(g.given) : Json();
    o["right"] = g.right.known ? Json(g.right.value) : Json();
    o["correct"] = g.correct;
    o["message"] = g.right.message;
    answers.push_back(o);
  }
  j["answers"] = answers;
  j["val_acc"] = r.val_acc < 0 ? Json() : Json(r.val_acc);
  j["test_acc"] = r.test_acc < 0 ? Json() : Json(r.test_acc);
  j["target_met"] = r.target_met;
  j["reproduced"] = r.reproduced;
  j["message"] = r.message;
  return j;
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

std::string write_submission_manifest(const std::string& assignment_text, const std::string& spec_text,
                                      const std::string& settings_json, const std::string& answers_json,
                                      const std::vector<int>& image_order, const uint8_t* weights, size_t weights_size) {
  const Assignment a = parse_assignment(assignment_text);
  Json settings, answers;
  try {
    settings = Json::parse(settings_json);
  } catch (const JsonError& e) {
    throw AssignmentError("settings", std::string("the training settings are not valid JSON (") + e.what() + ")");
  }
  try {
    answers = Json::parse(answers_json);
  } catch (const JsonError& e) {
    throw AssignmentError("answers", std::string("the answers are not valid JSON (") + e.what() + ")");
  }
  if (answers.is_object())
    for (const auto& [id, v] : answers.members()) {
      bool asked = false;
      for (const Question& q : a.questions) asked = asked || q.id == id;
      if (!asked)
        throw AssignmentError("answers." + id, "\"" + id + "\" is not a question of this assignment: answer only its questions");
    }
  try {  // what the retraining's Trainer would refuse, refused now (settings.epochs -1, ...)
    checked_train_config(settings.dump());
  } catch (const std::invalid_argument& e) {
    throw AssignmentError("settings", std::string("the training settings: ") + e.what());
  }
  if (!weights || weights_size == 0)
    throw AssignmentError("weights", "there is no trained model to hand in: train the model first");
  try {
    ModelSpec spec = parse_spec(spec_text);
    validate(spec);
    load_weights(read_safetensors(weights, weights_size), spec, "the project's spec");
  } catch (const std::exception& e) {
    throw AssignmentError("weights", std::string("the trained model does not fit the project's spec (") + e.what() +
                                         "): train the model again, then hand in");
  }
  Json j = Json::object();
  j["format"] = kSubmissionFormat;
  j["version"] = rules::kSubmissionFormatVersion;
  j["assignment_hash"] = assignment_hash(a);
  j["answers"] = answers;
  j["settings"] = settings;
  Json order = Json::array();
  for (int i : image_order) order.push_back(i);
  j["image_order"] = order;
  j["engine_version"] = rules::kEngineVersion;
  j["weights_sha256"] = sha256_hex(weights, weights_size);
  // read back as a grader reads it: every check of the reader applies, and the settings are
  // written normalised (every key, in TrainConfig's order), as the retraining will use them
  return submission_to_json(parse_submission(j.dump())).dump();
}

namespace {

// One code point from s at i (advancing i); a broken sequence gives U+FFFD and one byte.
uint32_t next_code_point(const std::string& s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + size_t(len) > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    const unsigned char d = static_cast<unsigned char>(s[i + size_t(k)]);
    if ((d & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  i += size_t(len);
  return cp;
}

uint32_t fold_case(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;            // Latin-1 capitals
  if (c >= 0x100 && c <= 0x17F) {                                   // Latin Extended-A pairs
    if (c == 0x178) return 0xFF;
    const bool odd_pairs = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c != 0x130 && c != 0x138 && c != 0x149 && (c % 2 == (odd_pairs ? 1u : 0u))) return c + 1;
    return c;
  }
  if (c == 0x386) return 0x3AC;                                       // Greek capitals with tonos
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;         // Greek capitals
  if (c >= 0x410 && c <= 0x42F) return c + 32;                       // Cyrillic capitals
  if (c >= 0x400 && c <= 0x40F) return c + 80;                       // Cyrillic Ѐ..Џ
  return c;
}

bool letter_or_digit(uint32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c < 0xC0 || c == 0xD7 || c == 0xF7) return false;  // Latin-1 punctuation and signs
  if (c >= 0x2000 && c <= 0x2BFF) return false;           // punctuation, symbols, arrows, shapes
  if (c >= 0x3000 && c <= 0x303F) return false;           // CJK punctuation
  if (c >= 0xFE00 && c <= 0xFE0F) return false;           // variation selectors
  if (c == 0xFEFF || c == 0xFFFD) return false;
  if (c >= 0x1F000) return false;                         // emoji and pictographs
  return true;
}

void put_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
    out += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  }
}

bool space(uint32_t c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || c == 0x3000 || c == 0xFEFF; }

// trimmed and case-folded (loose: letters and digits only)
std::string folder_key(const std::string& s, bool loose) {
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) cps.push_back(next_code_point(s, i));
  size_t b = 0, e = cps.size();
  while (b < e && space(cps[b])) ++b;
  while (e > b && space(cps[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i)
    if (!loose || letter_or_digit(cps[i])) put_utf8(out, fold_case(cps[i]));
  return out;
}

}  // namespace

int folder_class(const std::string& name, const std::vector<std::string>& classes) {
  for (bool loose : {false, true}) {
    const std::string key = folder_key(name, loose);
    if (loose && key.empty()) return -1;  // "---" names no class, even a class named "+"
    int found = -1, count = 0;
    for (size_t c = 0; c < classes.size(); ++c)
      if (folder_key(classes[c], loose) == key) {
        found = int(c);
        ++count;
      }
    if (count == 1) return found;
    if (count > 1) return -1;  // ambiguous
  }
  return -1;
}

namespace {

std::string error_json(const AssignmentError& e) {
  Json j = Json::object();
  j["ok"] = false;
  j["field"] = e.field;
  j["error"] = e.what();
  return j.dump();
}

}  // namespace

std::string assignment_check_json(const std::string& text) {
  try {
    const Assignment a = parse_assignment(text);
    Json j = Json::object();
    j["ok"] = true;
    j["assignment"] = assignment_to_json(a);
    j["hash"] = assignment_hash(a);
    return j.dump();
  } catch (const AssignmentError& e) {
    return error_json(e);
  }
}

std::string constraints_check_json(const std::string& assignment_text, const std::string& spec_text,
                                   const std::string& settings_json) {
  try {
    const auto rows = check_constraints(parse_assignment(assignment_text), spec_text, settings_json);
    Json j = Json::object();
    j["ok"] = all_ok(rows);
    j["rules"] = to_json(rows);
    return j.dump();
  } catch (const AssignmentError& e) {
    return error_json(e);
  }
}

std::string submission_manifest_json(const std::string& assignment_text, const std::string& spec_text,
                                     const std::string& settings_json, const std::string& answers_json,
                                     const std::string& image_order_json, const uint8_t* weights, size_t weights_size) {
  try {
    Json order;
    try {
      order = Json::parse(image_order_json);
    } catch (const JsonError& e) {
      throw AssignmentError("image_order", std::string("the image order is not valid JSON (") + e.what() + ")");
    }
    if (!order.is_array() || int(order.size()) > rules::kMaxImagesPerProject)
      throw AssignmentError("image_order", "the image order must be a list of at most " + grouped(rules::kMaxImagesPerProject) +
                                               " image indices");
    std::vector<int> idx;
    for (size_t i = 0; i < order.items().size(); ++i)
      idx.push_back(get_whole(order.items()[i], "image_order[" + std::to_string(i) + "]", 0, rules::kMaxImagesPerProject - 1));
    Json j = Json::object();
    j["ok"] = true;
    j["manifest"] = write_submission_manifest(assignment_text, spec_text, settings_json, answers_json, idx, weights, weights_size);
    return j.dump();
  } catch (const AssignmentError& e) {
    return error_json(e);
  }
}

}  // namespace convlab
