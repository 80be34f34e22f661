// Assignments: reading one (the teacher's file or a link's fragment), its normalised form and
// its hash; and the readers' helpers that the submission and the JSON envelopes share
// (assignment_internal.h).
#include "convlab/assignment.h"
#include "convlab/project_file.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>

#include "assignment_internal.h"
#include "convlab/rules.h"
#include "convlab/sha256.h"

namespace convlab {

namespace assignment_detail {

// Characters as core counts them everywhere (text.h: a letter with its accents, an
// emoji with its modifiers is one), not bytes or code points.
size_t chars(const std::string& s) { return text::count_chars(s); }

// 25154 -> "25,154": as the page's table writes counts.
std::string grouped(int64_t v) {
  std::string d = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return (v < 0 ? "-" : "") + out;
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

}  // namespace assignment_detail

using namespace assignment_detail;

namespace {

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

bool get_bool(const Json& o, const char* key, const std::string& field, bool def) {
  const Json* v = o.find(key);
  if (!v) return def;
  if (!v->is_bool()) throw AssignmentError(field, "\"" + field + "\" must be true or false, not " + v->dump());
  return v->as_bool();
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
  for (const auto& e : kKinds)
    out.push_back(Json::object({{"name", e.name},
                                {"needs_layer", e.needs_layer},
                                {"layer_optional", e.kind == QuestionKind::ReceptiveField},
                                {"image_shift", e.kind == QuestionKind::PoolUnchangedFraction},
                                {"wording", e.wording}}));
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
    // the class-name rule a project's classes follow (project_file.h), so a project made from
    // the assignment keeps its names as they are
    try {
      const project_file::ClassName r = project_file::check_class_name(c.as_string(), a.classes);
      if (r.name != c.as_string())
        throw AssignmentError(field, "\"" + field + "\" has spaces or control characters at its ends or inside: write it as \"" + r.name + "\"");
    } catch (const project_file::ProjectFileError& e) {
      throw AssignmentError(field, "\"" + field + "\": " + e.what());
    }
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
  const Constraints& k = a.constraints;
  const Json changes = a.changes == ChangePolicy::Constraints
                           ? Json::object({{"max_parameters", k.max_parameters < 0 ? Json() : Json(k.max_parameters)},
                                           {"max_layers", k.max_layers < 0 ? Json() : Json(k.max_layers)},
                                           {"required_types", json_strings(k.required_types)},
                                           {"forbidden_types", json_strings(k.forbidden_types)},
                                           {"fixed_input", k.fixed_input}})
                           : Json(a.changes == ChangePolicy::None ? "none" : "any");
  Json qs = Json::array();
  for (const Question& q : a.questions) {
    Json o = Json::object({{"id", q.id}, {"kind", question_kind_name(q.kind)}});
    if (q.layer >= 0) o.append("layer", q.layer);
    if (q.kind == QuestionKind::PoolUnchangedFraction) {
      o.append("image", q.image);
      o.append("shift", q.shift);
    }
    o.append("text", q.text);
    qs.push_back(std::move(o));
  }
  return Json::object({{"format", kAssignmentFormat},
                       {"version", rules::kAssignmentFormatVersion},
                       {"title", a.title},
                       {"instructions", a.instructions},
                       {"spec", a.spec},
                       {"changes", changes},
                       {"fixed_settings", a.fixed_settings},
                       {"classes", json_strings(a.classes)},
                       {"accuracy_target", a.accuracy_target ? Json(*a.accuracy_target) : Json()},
                       {"questions", qs},
                       {"show_correctness", a.show_correctness}});
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

}  // namespace convlab
