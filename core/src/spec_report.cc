// A spec's report as the page reads it: the per-layer table as JSON (model_info_json), the
// checks of the Model tab and of the lecture views, the stored image size.
#include "convlab/rules.h"
#include "convlab/session.h"

namespace convlab {

namespace {

Json shape_json(const Shape& s) {
  Json j = Json::array();
  j.push_back(s.c);
  if (!s.flat) {
    j.push_back(s.h);
    j.push_back(s.w);
  }
  return j;
}

}  // namespace

Json model_info_json(const ModelInfo& info) {
  Json j = Json::object();
  j["input"] = shape_json(info.input);
  Json layers = Json::array();
  for (size_t i = 0; i < info.layers.size(); ++i) {
    const LayerInfo& l = info.layers[i];
    Json o = Json::object();
    o["index"] = int(i);
    o["type"] = layer_type_name(l.spec.type);
    o["describe"] = l.describe();
    o["in"] = shape_json(l.in);
    o["out"] = shape_json(l.out);
    o["params"] = l.params;
    o["params_formula"] = l.params_formula;
    o["macs"] = l.macs;
    o["size_formula"] = l.size_formula;
    o["rf"] = l.rf;
    o["jump"] = l.jump;
    o["rf_full"] = l.rf_full;
    Json pad = Json::array();
    for (int p : {l.pad_top, l.pad_left, l.pad_bottom, l.pad_right}) pad.push_back(p);
    o["padding"] = pad;
    layers.push_back(o);
  }
  j["layers"] = layers;
  j["output"] = shape_json(info.output);
  j["params"] = info.params;
  j["macs"] = info.macs;
  return j;
}

Json spec_report_json(const SpecReport& r) {
  Json j = model_info_json(r.info);
  j["ok"] = r.ok;
  if (!r.ok) {
    j["error_layer"] = r.error_layer;
    j["error_field"] = r.error_field;
    j["error"] = r.error;
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
  j["over_budget"] = over;
  j["max_params"] = kMaxParameters;
  if (over) j["budget_error"] = r.budget_error;
  return j.dump();
}

Json stored_size_json(const InputSpec& in) {
  rules::Size s = rules::stored_size(in.height, in.width);
  Json j = Json::object();
  j["width"] = s.width;
  j["height"] = s.height;
  return j;
}

}  // namespace convlab
