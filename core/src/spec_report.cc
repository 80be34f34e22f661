// A spec's report as the page reads it: the per-layer table as JSON (model_info_json), the
// checks of the Model tab and of the lecture views, the stored image size.
#include "convlab/rules.h"
#include "convlab/session.h"

namespace convlab {

namespace {

Json shape_json(const Shape& s) { return s.flat ? Json::array({s.c}) : Json::array({s.c, s.h, s.w}); }

}  // namespace

Json model_info_json(const ModelInfo& info) {
  Json layers = Json::array();
  for (size_t i = 0; i < info.layers.size(); ++i) {
    const LayerInfo& l = info.layers[i];
    layers.push_back(Json::object({{"index", int(i)},
                                   {"type", layer_type_name(l.spec.type)},
                                   {"describe", l.describe()},
                                   {"in", shape_json(l.in)},
                                   {"out", shape_json(l.out)},
                                   {"params", l.params},
                                   {"params_formula", l.params_formula},
                                   {"macs", l.macs},
                                   {"size_formula", l.size_formula},
                                   {"rf", l.rf},
                                   {"jump", l.jump},
                                   {"rf_full", l.rf_full},
                                   {"padding", Json::array({l.pad_top, l.pad_left, l.pad_bottom, l.pad_right})}}));
  }
  return Json::object({{"input", shape_json(info.input)},
                       {"layers", layers},
                       {"output", shape_json(info.output)},
                       {"params", info.params},
                       {"macs", info.macs}});
}

Json spec_report_json(const SpecReport& r) {
  Json j = model_info_json(r.info);
  j.append("ok", r.ok);
  if (!r.ok) {
    j.append("error_layer", r.error_layer);
    j.append("error_field", r.error_field);
    j.append("error", r.error);
  }
  return j;
}

std::string check_spec_json(const std::string& text, int classes) {
  return spec_report_json(check_spec(text, true, classes)).dump();
}

std::string learn_check_spec_json(const std::string& text, int classes) {
  // Every shape and count, even of a net over the parameter budget (it is for reading: no
  // training rule applies). Within that budget the error is what training would refuse (the
  // activation budget, the class rule), reported on the same full table.
  SpecReport r = check_spec(text, false);
  const bool over = r.ok && r.info.params > kMaxParameters;
  if (r.ok && !over) {
    const SpecReport t = check_spec(text, true, classes);
    if (!t.ok) {
      r.ok = false;
      r.error_layer = t.error_layer;
      r.error_field = t.error_field;
      r.error = t.error;
    }
  }
  Json j = spec_report_json(r);
  j.append("over_budget", over);
  j.append("max_params", kMaxParameters);
  if (over) j.append("budget_error", r.budget_error);
  return j.dump();
}

Json stored_size_json(const InputSpec& in) {
  rules::Size s = rules::stored_size(in.height, in.width);
  return Json::object({{"width", s.width}, {"height", s.height}});
}

}  // namespace convlab
