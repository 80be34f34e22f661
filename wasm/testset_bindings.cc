// Bindings of the test set kept apart (core/include/convlab/testset.h): type conversion only.
// Running the images through the session's model and evaluating them is core's (evaluate_images,
// evaluate_stored); nothing is computed here.
#include <cstdint>
#include <vector>

#include "convlab/testset.h"
#include "engine.h"
#include "image_list.h"

using namespace convlab;
using convlab::wasm::Engine;
using convlab::wasm::guarded;
using emscripten::val;

namespace {

// images: a JS array of {rgba: Uint8Array, width, height, label} -> core's evaluation JSON.
std::string evaluate(Engine& e, const val& images) {
  return guarded([&] {
    const wasm::ImageList list = wasm::image_list(images);
    return testset::to_json(testset::evaluate_images(e.session(), list.rgba.data(), list.labels.data(), list.size())).dump();
  });
}

// indices: a JS array of stored-image indices (the training and validation images the worker
// already holds: nothing is sent again); their labels are the ones they were added with.
std::string evaluateStored(Engine& e, const val& indices) {
  return guarded([&] {
    const std::vector<int> idx = emscripten::convertJSArrayToNumberVector<int>(indices);
    return testset::to_json(testset::evaluate_stored(e.session(), idx.data(), int(idx.size()))).dump();
  });
}

std::string builtinSpec(int classes) { return guarded([&] { return testset::builtin_spec(classes); }); }
std::string testsetRules() { return testset::rules_json().dump(); }

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_testset) {
  emscripten::function("testsetEvaluate", &evaluate);
  emscripten::function("testsetEvaluateStored", &evaluateStored);
  emscripten::function("testsetBuiltinSpec", &builtinSpec);
  emscripten::function("testsetRules", &testsetRules);
}
