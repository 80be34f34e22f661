// Bindings of the lecture views (core/include/convlab/learn.h): type conversion only. Every
// function that reads the model works on the image of the last learnRun (the worker runs
// the image first in the same message, so nothing stale is ever read).
#include "convlab/layers.h"
#include "convlab/learn.h"
#include "engine.h"

using namespace convlab;
using convlab::wasm::Engine;
using convlab::wasm::float32_copy;
using convlab::wasm::guarded;
using emscripten::val;

namespace {

Model& idle_model(Engine& e) {
  if (e.session().training())
    throw std::invalid_argument("the model is training: wait for training to finish or stop it");
  return e.session().model();
}

val int_array(const std::vector<int>& v) {
  val a = val::array();
  for (int x : v) a.call<void>("push", x);
  return a;
}

val u8_array(const std::vector<uint8_t>& v) {
  return val::global("Uint8Array").new_(val(emscripten::typed_memory_view(v.size(), v.data()))).call<val>("slice");
}

std::string presets() {
  Json a = Json::array();
  for (const auto& p : learn::presets()) {
    Json o = Json::object();
    o["id"] = p.id;
    o["name"] = p.name;
    o["description"] = p.description;
    o["spec"] = p.spec;
    o["trainable"] = p.trainable;
    a.push_back(o);
  }
  return a.dump();
}

std::string checkSpecUnbounded(const std::string& text, int classes) { return learn_check_spec_json(text, classes); }

val fcVsConv(int c, int h, int w, int units, int k, int c_out) {
  return guarded([&] {
    auto r = learn::fc_vs_conv(c, h, w, units, k, c_out);
    val o = val::object();
    o.set("fc_weights_per_neuron", double(r.fc_weights_per_neuron));
    o.set("fc_layer_weights", double(r.fc_layer_weights));
    o.set("fc_layer_params", double(r.fc_layer_params));
    o.set("conv_weights_per_filter", double(r.conv_weights_per_filter));
    o.set("conv_layer_params", double(r.conv_layer_params));
    return o;
  });
}

val coverage(int w, int k, int s, int p) {
  return guarded([&] {
    auto c = learn::coverage(w, k, s, p);
    val o = val::object();
    o.set("w_in", c.w_in);
    o.set("k", c.k);
    o.set("s", c.s);
    o.set("p", c.p);
    o.set("numerator", c.numerator);
    o.set("exact", c.exact);
    o.set("w_out", c.w_out);
    o.set("counts", int_array(c.counts));
    o.set("unused", c.unused);
    o.set("formula", c.formula);
    return o;
  });
}

int rfOfStack(const val& kernels, const val& strides) {
  return guarded([&] {
    return learn::rf_of_stack(emscripten::vecFromJSArray<int>(kernels), emscripten::vecFromJSArray<int>(strides));
  });
}

// Runs the model on one RGBA image; returns the preprocessed input (C, H, W).
val run(Engine& e, const val& rgba, int w, int h) {
  return guarded([&] {
    Model& m = idle_model(e);
    auto b = wasm::bytes_of(rgba);
    if (b.size() != size_t(w) * size_t(h) * 4) throw std::invalid_argument("image data does not match its size");
    std::vector<float> x;
    learn::forward_rgba(m, x, b.data(), w, h);
    return float32_copy(x.data(), x.size());
  });
}

// Layer `layer`'s output for the last image (-1: the input); one layer at a time keeps the
// transfer small for the live view.
val activation(Engine& e, int layer) {
  return guarded([&] {
    Model& m = idle_model(e);
    int n = int(m.info().layers.size());
    if (layer < -1 || layer >= n) throw std::invalid_argument("no layer " + std::to_string(layer));
    if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
    int64_t size = layer < 0 ? m.input_size() : m.info().layers[size_t(layer)].out.size();
    return float32_copy(m.activation(layer, 0), size_t(size));
  });
}

val probabilities(Engine& e) {
  return guarded([&] {
    Model& m = idle_model(e);
    int c = m.num_classes();
    std::vector<float> p(static_cast<size_t>(c));
    softmax_forward(p.data(), m.activation(int(m.info().layers.size()) - 1, 0), 1, c);
    return float32_copy(p.data(), p.size());
  });
}

val convStep(Engine& e, int layer, int filter, int oy, int ox) {
  return guarded([&] {
    auto s = learn::conv_step(idle_model(e), layer, filter, oy, ox);
    val o = val::object();
    o.set("c_in", s.c_in);
    o.set("k", s.k);
    o.set("in_y0", s.in_y0);
    o.set("in_x0", s.in_x0);
    o.set("patch", float32_copy(s.patch.data(), s.patch.size()));
    o.set("padded", u8_array(s.padded));
    o.set("weights", float32_copy(s.weights.data(), s.weights.size()));
    o.set("bias", s.bias);
    o.set("dot", s.dot);
    o.set("value", s.value);
    o.set("relu", s.relu);
    return o;
  });
}

std::vector<float> last_input(Model& m) {
  if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
  const float* x = m.activation(-1, 0);
  return std::vector<float>(x, x + m.input_size());
}

val equivariance(Engine& e, int layer, int dx, int dy) {
  return guarded([&] {
    Model& m = idle_model(e);
    auto x = last_input(m);
    auto r = learn::measure_equivariance(m, x.data(), layer, dx, dy);
    val o = val::object();
    o.set("shifted_input", float32_copy(m.activation(-1, 1), size_t(m.input_size())));  // image 1 of the pair
    m.forward(x.data(), 1);  // leave the unshifted image as the last run
    o.set("layer", r.layer);
    o.set("c", r.shape.c);
    o.set("h", r.shape.h);
    o.set("w", r.shape.w);
    o.set("jump", r.jump);
    o.set("sx", r.sx);
    o.set("sy", r.sy);
    o.set("whole_cells", r.whole_cells);
    o.set("conv_of_shifted", float32_copy(r.conv_of_shifted.data(), r.conv_of_shifted.size()));
    o.set("shifted_conv", float32_copy(r.shifted_conv.data(), r.shifted_conv.size()));
    o.set("diff", float32_copy(r.diff.data(), r.diff.size()));
    o.set("interior", u8_array(r.interior));
    o.set("max_interior", r.max_interior);
    o.set("max_border", r.max_border);
    o.set("interior_cells", double(r.interior_cells));
    o.set("border_cells", double(r.border_cells));
    o.set("border_nonzero", double(r.border_nonzero));
    return o;
  });
}

// Pooling invariance on the model's own detector stage: the input of pool layer `layer`.
val poolInvariance(Engine& e, int layer, int max_shift) {
  return guarded([&] {
    Model& m = idle_model(e);
    const auto& layers = m.info().layers;
    if (layer < 0 || layer >= int(layers.size()) ||
        (layers[size_t(layer)].spec.type != LayerType::MaxPool2d && layers[size_t(layer)].spec.type != LayerType::AvgPool2d))
      throw std::invalid_argument("layer " + std::to_string(layer) + " is not a pooling layer");
    if (m.last_batch() < 1) throw std::invalid_argument("run the model on an image first");
    const LayerInfo& li = layers[size_t(layer)];
    auto rows = learn::pool_invariance(m.activation(layer - 1, 0), li.in.c, li.in.h, li.in.w, li.spec.kernel,
                                       li.spec.stride, max_shift);
    val a = val::array();
    for (const auto& p : rows) {
      val o = val::object();
      o.set("shift", p.shift);
      o.set("cells", double(p.cells));
      o.set("max_unchanged", double(p.max_unchanged));
      o.set("avg_unchanged", double(p.avg_unchanged));
      o.set("max_change", p.max_change);
      o.set("avg_change", p.avg_change);
      a.call<void>("push", o);
    }
    return a;
  });
}

val predictShifts(Engine& e, const val& shifts) {
  return guarded([&] {
    Model& m = idle_model(e);
    auto x = last_input(m);
    auto rows = learn::predict_shifts(m, x.data(), emscripten::vecFromJSArray<int>(shifts));
    m.forward(x.data(), 1);
    val a = val::array();
    for (const auto& r : rows) a.call<void>("push", float32_copy(r.data(), r.size()));
    return a;
  });
}

val receptiveField(Engine& e, int layer, int oy, int ox) {
  return guarded([&] {
    auto r = learn::receptive_field(e.session().model().info(), layer, oy, ox);
    val o = val::object();
    o.set("y0", r.y0);
    o.set("x0", r.x0);
    o.set("y1", r.y1);
    o.set("x1", r.x1);
    return o;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_learn) {
  emscripten::function("learnPresets", &presets);
  emscripten::function("learnCheckSpec", &checkSpecUnbounded);
  emscripten::function("learnFcVsConv", &fcVsConv);
  emscripten::function("learnCoverage", &coverage);
  emscripten::function("learnRfOfStack", &rfOfStack);
  emscripten::function("learnRun", &run);
  emscripten::function("learnActivation", &activation);
  emscripten::function("learnProbabilities", &probabilities);
  emscripten::function("learnConvStep", &convStep);
  emscripten::function("learnEquivariance", &equivariance);
  emscripten::function("learnPoolInvariance", &poolInvariance);
  emscripten::function("learnPredictShifts", &predictShifts);
  emscripten::function("learnReceptiveField", &receptiveField);
}
