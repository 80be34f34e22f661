#include "convlab/spec.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace convlab {

OutputSize output_size(int w_in, int k, int s, int p_before, int p_after) {
  int num = w_in + p_before + p_after - k;
  bool exact = num >= 0 && s > 0 && num % s == 0;
  return {exact ? num / s + 1 : (num >= 0 && s > 0 ? num / s + 1 : 0), exact, num};
}

std::string layer_type_name(LayerType t) {
  switch (t) {
    case LayerType::Conv2d: return "conv2d";
    case LayerType::ReLU: return "relu";
    case LayerType::MaxPool2d: return "maxpool2d";
    case LayerType::AvgPool2d: return "avgpool2d";
    case LayerType::Flatten: return "flatten";
    case LayerType::Linear: return "linear";
  }
  return "?";
}

std::string LayerInfo::describe() const {
  std::string k = std::to_string(spec.kernel);
  switch (spec.type) {
    case LayerType::Conv2d:
      return "conv2d " + std::to_string(spec.out_channels) + " " + k + "×" + k + " s" +
             std::to_string(spec.stride) + (spec.same ? " p same" : " p" + std::to_string(spec.padding));
    case LayerType::MaxPool2d:
    case LayerType::AvgPool2d:
      return layer_type_name(spec.type) + " " + k + "×" + k + " s" + std::to_string(spec.stride) +
             (spec.padding ? " p" + std::to_string(spec.padding) : "");
    case LayerType::Linear: return "linear " + std::to_string(spec.out_features);
    default: return layer_type_name(spec.type);
  }
}

namespace {

std::string shape_str(const Shape& s) {
  if (s.flat) return std::to_string(s.c) + " features";
  return std::to_string(s.c) + "×" + std::to_string(s.h) + "×" + std::to_string(s.w);
}

// Integer fields: whole numbers within the rule's [min, max], with a message that names the field.
int get_int(const Json& o, const rules::IntRange& r, int def, int layer, const std::string& who) {
  const char* key = r.key;
  const int lo = r.min, hi = r.max;
  const Json* v = o.find(key);
  if (!v) return def;
  if (!v->is_number() || v->as_number() != std::floor(v->as_number()))
    throw SpecError(layer, key, who + ": \"" + key + "\" must be a whole number, not " + v->dump());
  double d = v->as_number();
  if (d < lo || d > hi)
    throw SpecError(layer, key, who + ": \"" + key + "\" is " + v->dump() + " but must be between " +
                                    std::to_string(lo) + " and " + std::to_string(hi));
  return static_cast<int>(d);
}

int edit_distance(const std::string& a, const std::string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    prev.swap(cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& options) {
  std::string best;
  int bd = 3;
  for (const auto& o : options) {
    int d = edit_distance(word, o);
    if (d < bd) { bd = d; best = o; }
  }
  if (best.empty())  // "convolution" -> "conv2d", "maxpooling" -> "maxpool2d"
    for (const auto& o : options)
      if (word.size() >= 4 && o.compare(0, 4, word, 0, 4) == 0) best = o;
  return best.empty() ? "" : " Did you mean \"" + best + "\"?";
}

void check_keys(const Json& o, const std::vector<std::string>& allowed, int layer, const std::string& who) {
  for (const auto& [k, v] : o.members()) {
    bool ok = false;
    for (const auto& a : allowed) ok |= (a == k);
    if (!ok) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw SpecError(layer, k, who + ": unknown field \"" + k + "\"." + did_you_mean(k, allowed) +
                                    " Allowed fields: " + list + ".");
    }
  }
}

LayerSpec parse_layer(const Json& o, int i) {
  std::string who = "layer " + std::to_string(i);
  if (!o.is_object())
    throw SpecError(i, "", who + " must be an object like {\"type\": \"relu\"}, not " + o.dump());
  const Json* t = o.find("type");
  if (!t || !t->is_string())
    throw SpecError(i, "type", who + " has no \"type\": use one of conv2d, relu, maxpool2d, avgpool2d, flatten, linear");
  const std::string& ts = t->as_string();
  const std::vector<std::string> types = {"conv2d", "relu", "maxpool2d", "avgpool2d", "flatten", "linear"};
  LayerSpec l;
  who += " (" + ts + ")";
  if (ts == "conv2d") {
    check_keys(o, {"type", "out_channels", "kernel", "stride", "padding"}, i, who);
    l.type = LayerType::Conv2d;
    if (!o.find("out_channels")) throw SpecError(i, "out_channels", who + " needs \"out_channels\" (the number of filters), e.g. 16");
    if (!o.find("kernel")) throw SpecError(i, "kernel", who + " needs \"kernel\" (the filter size k), e.g. 3");
    l.out_channels = get_int(o, rules::kConvOutChannels, 0, i, who);
    l.kernel = get_int(o, rules::kConvKernel, 0, i, who);
    l.stride = get_int(o, rules::kConvStride, rules::kConvStrideDefault, i, who);
    const Json* p = o.find("padding");
    if (p && p->is_string()) {
      if (p->as_string() != "same")
        throw SpecError(i, "padding", who + ": padding must be a whole number or \"same\", not \"" + p->as_string() + "\"");
      if (l.stride != 1)
        throw SpecError(i, "padding", who + ": padding \"same\" needs stride 1 (as in PyTorch); with stride " +
                                          std::to_string(l.stride) + " give padding as a number, e.g. " +
                                          std::to_string(l.kernel / 2));
      l.same = true;
    } else {
      l.padding = get_int(o, rules::kConvPadding, 0, i, who);
    }
  } else if (ts == "maxpool2d" || ts == "avgpool2d") {
    check_keys(o, {"type", "kernel", "stride", "padding"}, i, who);
    l.type = ts == "maxpool2d" ? LayerType::MaxPool2d : LayerType::AvgPool2d;
    if (!o.find("kernel")) throw SpecError(i, "kernel", who + " needs \"kernel\" (the pool size), e.g. 2");
    l.kernel = get_int(o, rules::kPoolKernel, 0, i, who);
    l.stride = get_int(o, rules::kPoolStride, l.kernel, i, who);
    l.padding = get_int(o, rules::kPoolPadding, 0, i, who);
    if (2 * l.padding > l.kernel)
      throw SpecError(i, "padding", who + ": padding " + std::to_string(l.padding) + " is more than half the kernel " +
                                        std::to_string(l.kernel) + " (PyTorch's rule): use padding " +
                                        std::to_string(l.kernel / 2) + " or less");
  } else if (ts == "linear") {
    check_keys(o, {"type", "out_features"}, i, who);
    l.type = LayerType::Linear;
    if (!o.find("out_features")) throw SpecError(i, "out_features", who + " needs \"out_features\" (the number of units), e.g. 64");
    l.out_features = get_int(o, rules::kLinearOutFeatures, 0, i, who);
  } else if (ts == "relu" || ts == "flatten") {
    check_keys(o, {"type"}, i, who);
    l.type = ts == "relu" ? LayerType::ReLU : LayerType::Flatten;
  } else {
    throw SpecError(i, "type", "layer " + std::to_string(i) + ": unknown layer type \"" + ts + "\"." +
                                   did_you_mean(ts, types) +
                                   " Use one of conv2d, relu, maxpool2d, avgpool2d, flatten, linear.");
  }
  return l;
}

// For a size that does not divide: the nearest paddings and input sizes that would.
std::string size_fix(const LayerSpec& l, int w_in, int pb, int pa) {
  std::string fix;
  int k = l.kernel, s = l.stride;
  int pmax = l.type == LayerType::Conv2d ? std::max(k, 1) : k / 2;
  for (int p = 0; p <= pmax; ++p) {
    auto o = output_size(w_in, k, s, p, p);
    if (o.exact && o.value > 0 && p != pb) {
      fix = "use padding " + std::to_string(p) + " (→ " + std::to_string(o.value) + ")";
      break;
    }
  }
  for (int kk : {k + 1, k - 1, k + 2, k - 2}) {
    if (kk < 2) continue;
    auto o = output_size(w_in, kk, s, pb, pa);
    if (o.exact && o.value > 0) {
      fix += (fix.empty() ? "" : ", or ") + std::string("use kernel ") + std::to_string(kk) +
             " (→ " + std::to_string(o.value) + ")";
      break;
    }
  }
  for (int w = w_in + 1; w < w_in + 2 * s + 2; ++w) {
    auto o = output_size(w, k, s, pb, pa);
    if (o.exact) {
      fix += (fix.empty() ? "" : ", or ") + std::string("feed it ") + std::to_string(w) +
             " pixels (change an earlier layer or the input size)";
      break;
    }
  }
  if (s > 1) fix += (fix.empty() ? "" : ", or ") + std::string("use stride 1");
  return fix;
}

std::string pad_str(int pb, int pa) {
  return pb == pa ? "2·" + std::to_string(pb) : std::to_string(pb) + "+" + std::to_string(pa);
}

std::string formula(int w_in, int k, int s, int pb, int pa, const OutputSize& o) {
  std::string f = "(" + std::to_string(w_in) + " + " + pad_str(pb, pa) + " − " + std::to_string(k) + ")/" +
                  std::to_string(s) + " + 1 = ";
  if (o.exact) return f + std::to_string(o.value);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(o.numerator) / s + 1);
  return f + buf;
}

std::string with_commas(int64_t v) {
  std::string s = std::to_string(v), out;
  int n = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (n && n % 3 == 0 && *it != '-') out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++n;
  }
  return out;
}

}  // namespace

ModelSpec parse_spec(const Json& j) {
  if (!j.is_object())
    throw SpecError(-1, "", "the spec must be an object with \"input\" and \"layers\"");
  check_keys(j, {"input", "layers"}, -1, "the spec");
  ModelSpec s;
  const Json* in = j.find("input");
  if (!in || !in->is_object())
    throw SpecError(-1, "input", "the spec needs \"input\": {\"channels\": 1 or 3, \"height\": H, \"width\": W}");
  check_keys(*in, {"channels", "height", "width"}, -1, "input");
  if (!in->find("channels") || !in->find("height") || !in->find("width"))
    throw SpecError(-1, "input", "input needs \"channels\" (1 or 3), \"height\" and \"width\"");
  s.input.channels = get_int(*in, rules::kInputChannels, 3, -1, "input");
  if (s.input.channels == 2)
    throw SpecError(-1, "channels", "input: \"channels\" must be 1 (grayscale) or 3 (RGB), not 2");
  s.input.height = get_int(*in, rules::kInputHeight, 64, -1, "input");
  s.input.width = get_int(*in, rules::kInputWidth, 64, -1, "input");
  const Json* layers = j.find("layers");
  if (!layers || !layers->is_array())
    throw SpecError(-1, "layers", "the spec needs \"layers\": a list such as [{\"type\": \"flatten\"}, {\"type\": \"linear\", \"out_features\": 2}]");
  if (layers->items().empty())
    throw SpecError(-1, "layers", "the spec has no layers: end it with flatten and a linear layer with one unit per class");
  if (layers->items().size() > size_t(rules::kMaxLayers))
    throw SpecError(-1, "layers", "the spec has more than " + std::to_string(rules::kMaxLayers) +
                                      " layers: remove some");
  for (size_t i = 0; i < layers->items().size(); ++i)
    s.layers.push_back(parse_layer(layers->items()[i], static_cast<int>(i)));
  return s;
}

ModelSpec parse_spec(const std::string& text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const JsonError& e) {
    throw SpecError(-1, "", std::string("the spec is not valid JSON: ") + e.what());
  }
  return parse_spec(j);
}

Json spec_to_json(const ModelSpec& s) {
  Json j = Json::object();
  Json in = Json::object();
  in["channels"] = s.input.channels;
  in["height"] = s.input.height;
  in["width"] = s.input.width;
  j["input"] = in;
  Json layers = Json::array();
  for (const auto& l : s.layers) {
    Json o = Json::object();
    o["type"] = layer_type_name(l.type);
    switch (l.type) {
      case LayerType::Conv2d:
        o["out_channels"] = l.out_channels;
        o["kernel"] = l.kernel;
        o["stride"] = l.stride;
        o["padding"] = l.same ? Json("same") : Json(l.padding);
        break;
      case LayerType::MaxPool2d:
      case LayerType::AvgPool2d:
        o["kernel"] = l.kernel;
        o["stride"] = l.stride;
        o["padding"] = l.padding;
        break;
      case LayerType::Linear: o["out_features"] = l.out_features; break;
      default: break;
    }
    layers.push_back(o);
  }
  j["layers"] = layers;
  return j;
}

namespace {

// Validation proper; fills `info` layer by layer so a caller sees how far it got. Without
// the budget, the first budget message is kept in *budget_error (when given) instead.
void validate_into(const ModelSpec& s, ModelInfo& info, bool enforce_budget, std::string* budget_error = nullptr) {
  auto over_budget = [&](int layer, const std::string& message) {
    if (enforce_budget) throw SpecError(layer, "", message);
    if (budget_error && budget_error->empty()) *budget_error = message;
  };
  Shape cur{s.input.channels, s.input.height, s.input.width, false};
  info.input = cur;
  int rf = 1, jump = 1;
  bool full = false;
  for (size_t idx = 0; idx < s.layers.size(); ++idx) {
    const int i = static_cast<int>(idx);
    LayerInfo li;
    li.spec = s.layers[idx];
    const LayerSpec& l = li.spec;
    li.in = cur;
    std::string who = "layer " + std::to_string(i) + " (" + li.describe() + ")";
    switch (l.type) {
      case LayerType::Conv2d:
      case LayerType::MaxPool2d:
      case LayerType::AvgPool2d: {
        if (cur.flat)
          throw SpecError(i, "type", who + " needs a C×H×W input but gets a flat vector of " + std::to_string(cur.c) +
                                         " features: move it before flatten");
        int k = l.kernel;
        li.pad_top = li.pad_left = l.same ? same_pad_before(k) : l.padding;
        li.pad_bottom = li.pad_right = l.same ? same_pad_after(k) : l.padding;
        for (int axis = 0; axis < 2; ++axis) {
          int w_in = axis ? cur.w : cur.h;
          const char* name = axis ? "width" : "height";
          if (w_in + li.pad_top + li.pad_bottom < k)
            throw SpecError(i, "kernel", who + ": the " + std::to_string(k) + "×" + std::to_string(k) +
                                             " kernel is larger than its padded input (" + name + " " + std::to_string(w_in) +
                                             " + " + pad_str(li.pad_top, li.pad_bottom) + " = " +
                                             std::to_string(w_in + li.pad_top + li.pad_bottom) +
                                             "): use a kernel of at most " + std::to_string(w_in + li.pad_top + li.pad_bottom) +
                                             ", more padding, or remove a pooling layer before it");
          auto o = output_size(w_in, k, l.stride, li.pad_top, li.pad_bottom);
          std::string f = formula(w_in, k, l.stride, li.pad_top, li.pad_bottom, o);
          if (!o.exact)
            throw SpecError(i, "stride", who + ": output " + name + " " + f +
                                             " is not a whole number (w_out = (w_in + 2p − k)/s + 1): " +
                                             size_fix(l, w_in, li.pad_top, li.pad_bottom));
          if (axis) {
            cur.w = o.value;
            if (li.size_formula != f) li.size_formula = li.size_formula.empty() ? f : "H: " + li.size_formula + "; W: " + f;
          } else {
            cur.h = o.value;
            li.size_formula = f;
          }
        }
        if (l.type == LayerType::Conv2d) {
          int64_t fan_in = int64_t(li.in.c) * k * k;
          cur.c = l.out_channels;
          li.params = int64_t(l.out_channels) * fan_in + l.out_channels;
          li.params_formula = std::to_string(l.out_channels) + "·(" + std::to_string(k) + "·" + std::to_string(k) +
                              "·" + std::to_string(li.in.c) + ")+" + std::to_string(l.out_channels);
          li.macs = int64_t(cur.c) * cur.h * cur.w * fan_in;
        }
        if (!full) {
          rf += (k - 1) * jump;
          jump *= l.stride;
        }
        break;
      }
      case LayerType::ReLU: break;
      case LayerType::Flatten:
        cur = Shape{static_cast<int>(cur.size()), 1, 1, true};
        full = true;
        li.size_formula = std::to_string(li.in.c) + "·" + std::to_string(li.in.h) + "·" + std::to_string(li.in.w) +
                          " = " + std::to_string(cur.c);
        if (li.in.flat) li.size_formula.clear();
        break;
      case LayerType::Linear: {
        if (!cur.flat) {
          if (cur.h == 1 && cur.w == 1)
            throw SpecError(i, "type", who + " gets a " + shape_str(cur) +
                                           " tensor: add {\"type\": \"flatten\"} before it (PyTorch's Linear would act on the last axis only)");
          throw SpecError(i, "type", who + " gets a 3-D " + shape_str(cur) +
                                         " tensor, which is ambiguous (PyTorch's Linear acts on the last axis only): add {\"type\": \"flatten\"} before it");
        }
        li.params = int64_t(cur.c) * l.out_features + l.out_features;
        li.params_formula = std::to_string(l.out_features) + "·" + std::to_string(cur.c) + "+" + std::to_string(l.out_features);
        li.macs = int64_t(cur.c) * l.out_features;
        cur = Shape{l.out_features, 1, 1, true};
        full = true;
        break;
      }
    }
    if (cur.size() > kMaxActivation)
      over_budget(i, who + " outputs " + shape_str(cur) + " = " + with_commas(cur.size()) +
                                 " values per image, over the budget of " + with_commas(kMaxActivation) +
                                 ": use a smaller input, fewer channels, or a stride/pool earlier");
    li.out = cur;
    li.rf = rf;
    li.jump = jump;
    li.rf_full = full;
    info.params += li.params;
    info.macs += li.macs;
    info.layers.push_back(li);
    if (info.params > kMaxParameters)
      over_budget(i, who + " brings the model to " + with_commas(info.params) + " parameters, over the budget of " +
                                 with_commas(kMaxParameters) +
                                 ": pool or stride more before flatten, or use fewer channels or units");
  }
  if (!cur.flat)
    throw SpecError(static_cast<int>(s.layers.size()) - 1, "",
                    "the model ends with a " + shape_str(cur) +
                        " tensor, not a list of class scores: end it with {\"type\": \"flatten\"} and {\"type\": \"linear\", \"out_features\": <classes>}");
  info.output = cur;
}

// The project's rule on a valid model: one output per class from a last linear layer.
void check_classes(const ModelInfo& info, int classes) {
  if (classes < rules::kMinClasses || classes > rules::kMaxClasses)
    throw SpecError(-1, "", "a project has " + std::to_string(rules::kMinClasses) + " to " +
                                std::to_string(rules::kMaxClasses) + " classes, not " + std::to_string(classes));
  const int last = static_cast<int>(info.layers.size()) - 1;
  const std::string n = std::to_string(classes);
  if (last < 0 || info.layers.back().spec.type != LayerType::Linear)
    throw SpecError(std::max(last, -1), "type",
                    "the last layer must be a linear layer with out_features " + n +
                        " (one output per class): add {\"type\": \"linear\", \"out_features\": " + n + "} at the end");
  const int out = info.layers.back().spec.out_features;
  if (out != classes)
    throw SpecError(last, "out_features", "layer " + std::to_string(last) + " (linear) has out_features " +
                                              std::to_string(out) + " but the project has " + n +
                                              " classes: set out_features to " + n);
}

}  // namespace

ModelInfo validate(const ModelSpec& s, bool enforce_budget) {
  ModelInfo info;
  validate_into(s, info, enforce_budget);
  return info;
}

SpecReport check_spec(const std::string& text, bool enforce_budget, int classes) {
  SpecReport r;
  try {
    ModelSpec s = parse_spec(text);
    validate_into(s, r.info, enforce_budget, &r.budget_error);
    if (classes > 0) check_classes(r.info, classes);
    r.ok = true;
  } catch (const SpecError& e) {
    r.error_layer = e.layer;
    r.error_field = e.field;
    r.error = e.what();
  }
  return r;
}

}  // namespace convlab
