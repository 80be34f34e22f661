// The student's spec and settings against what an assignment lets change (check_constraints).
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "assignment_internal.h"
#include "convlab/assignment.h"
#include "convlab/rules.h"

namespace convlab {

using namespace assignment_detail;

namespace {

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

}  // namespace

bool all_ok(const std::vector<RuleCheck>& rows) {
  return std::all_of(rows.begin(), rows.end(), [](const RuleCheck& r) { return r.ok; });
}

Json to_json(const std::vector<RuleCheck>& rows) {
  Json a = Json::array();
  for (const auto& r : rows) a.push_back(Json::object({{"rule", r.rule}, {"ok", r.ok}, {"message", r.message}}));
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

}  // namespace convlab
