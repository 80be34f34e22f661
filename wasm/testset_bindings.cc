// Bindings of the test set kept apart (core/include/convlab/testset.h): type conversion only.
// evaluate runs the images through Session::predict_batch (one threaded call) and gives core's
// evaluation JSON; nothing is computed here.
#include <cstdint>
#include <vector>

#include "convlab/testset.h"
#include "engine.h"

using namespace convlab;
using convlab::wasm::Engine;
using convlab::wasm::guarded;
using emscripten::val;

namespace {

// images: a JS array of {rgba: Uint8Array, width, height, label}.
std::string evaluate(Engine& e, const val& images) {
  return guarded([&] {
    const int n = images["length"].as<int>();
    std::vector<std::vector<uint8_t>> bytes(static_cast<size_t>(n));
    std::vector<Session::Rgba> views(static_cast<size_t>(n));
    std::vector<int> labels(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const val im = images[i];
      bytes[size_t(i)] = wasm::bytes_of(im["rgba"]);
      views[size_t(i)] = {bytes[size_t(i)].data(), bytes[size_t(i)].size(), im["width"].as<int>(), im["height"].as<int>()};
      labels[size_t(i)] = im["label"].as<int>();
    }
    const auto& probs = e.session().predict_batch(views.data(), n);
    const int classes = e.session().model().num_classes();
    return testset::to_json(testset::evaluate(probs.data(), labels.data(), n, classes)).dump();
  });
}

// indices: a JS array of stored-image indices (the training and validation images the worker
// already holds: nothing is sent again); their labels are the ones they were added with.
std::string evaluateStored(Engine& e, const val& indices) {
  return guarded([&] {
    const std::vector<int> idx = emscripten::convertJSArrayToNumberVector<int>(indices);
    const int n = int(idx.size());
    const auto& probs = e.session().predict_stored(idx.data(), n);  // checks every index
    std::vector<int> labels(idx.size());
    for (size_t i = 0; i < idx.size(); ++i) labels[i] = e.session().stored_label(idx[i]);
    const int classes = e.session().model().num_classes();
    return testset::to_json(testset::evaluate(probs.data(), labels.data(), n, classes)).dump();
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
