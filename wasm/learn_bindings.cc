// Bindings of the lecture views (core/include/convlab/learn.h, the Session's learn_* methods):
// type conversion only. Structured results are core's JSON text; tensors are typed-array
// copies. Every function that reads the model works on the image of the last learnRun (the
// worker runs the image first in the same message, so nothing stale is ever read).
#include "convlab/learn.h"
#include "engine.h"

using namespace convlab;
using convlab::wasm::Engine;
using convlab::wasm::float32_copy;
using convlab::wasm::guarded;
using emscripten::val;

namespace {

std::string presets() { return learn::presets_json().dump(); }

std::string checkSpecNoBudget(const std::string& text, int classes) { return learn_check_spec_json(text, classes); }

std::string fcVsConv(int c, int h, int w, int units, int k, int c_out) {
  return guarded([&] { return learn::to_json(learn::fc_vs_conv(c, h, w, units, k, c_out)).dump(); });
}

std::string coverage(int w, int k, int s, int p) {
  return guarded([&] { return learn::to_json(learn::coverage(w, k, s, p)).dump(); });
}

int rfOfStack(const val& kernels, const val& strides) {
  return guarded([&] {
    return learn::rf_of_stack(emscripten::vecFromJSArray<int>(kernels), emscripten::vecFromJSArray<int>(strides));
  });
}

// Returns the preprocessed input (C, H, W).
val run(Engine& e, const val& rgba, int w, int h) {
  return guarded([&] {
    auto b = wasm::bytes_of(rgba);
    return float32_copy(e.session().learn_run(b.data(), b.size(), w, h));
  });
}

val activation(Engine& e, int layer) { return guarded([&] { return float32_copy(e.session().learn_activation(layer)); }); }

val probabilities(Engine& e) { return guarded([&] { return float32_copy(e.session().learn_probabilities()); }); }

std::string convStep(Engine& e, int layer, int filter, int oy, int ox) {
  return guarded([&] { return e.session().learn_conv_step(layer, filter, oy, ox); });
}

std::string equivariance(Engine& e, int layer, int dx, int dy) {
  return guarded([&] { return e.session().learn_equivariance(layer, dx, dy); });
}

std::string poolInvariance(Engine& e, int layer, int max_shift) {
  return guarded([&] { return e.session().learn_pool_invariance(layer, max_shift); });
}

std::string predictShifts(Engine& e, const val& shifts) {
  return guarded([&] { return e.session().learn_predict_shifts(emscripten::vecFromJSArray<int>(shifts)); });
}

std::string receptiveField(Engine& e, int layer, int oy, int ox) {
  return guarded([&] { return e.session().learn_receptive_field(layer, oy, ox); });
}

// Where the model looks (looks.h): saliency, occlusion and the filters kept across training.
std::string saliency(Engine& e, int cls) { return guarded([&] { return e.session().learn_saliency(cls); }); }

std::string occlusion(Engine& e, int cls, int patch, int stride) {
  return guarded([&] { return e.session().learn_occlusion(cls, patch, stride); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_learn) {
  emscripten::function("learnPresets", &presets);
  emscripten::function("learnCheckSpec", &checkSpecNoBudget);
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
  // Where the model looks (looks.h): saliency, occlusion and the filters kept across training.
  emscripten::function("learnSaliency", &saliency);
  emscripten::function("learnOcclusion", &occlusion);
  emscripten::function("learnReceptiveField", &receptiveField);
}
