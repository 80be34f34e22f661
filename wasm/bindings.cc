// The thin Embind layer: converts types between JS and core/, and turns every C++ failure
// into a thrown JS Error carrying the message (Emscripten 3.1.6 would otherwise hand JS a
// bare pointer). No logic lives here; it lives in core/ where native tests reach it.
#include "convlab/kernels.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "convlab/threadpool.h"
#include "engine.h"

using namespace convlab;
using convlab::wasm::Engine;

namespace {

std::string checkSpec(const std::string& text, int classes) { return check_spec_json(text, classes); }
std::string rulesJson() { return rules::rules_json().dump(); }
std::string fitSpec(const std::string& text, int classes) {
  return wasm::guarded([&] { return rules::fit_spec(text, classes); });
}
std::string defaultSpec(int classes) {
  return wasm::guarded([&] { return rules::default_spec(classes); });
}

bool simd() { return kBuiltWithSimd; }

int threads() { return num_threads(); }

}  // namespace

EMSCRIPTEN_BINDINGS(convlab) {
  emscripten::class_<Engine>("Engine")
      .constructor<>()
      .function("setSpec", &Engine::setSpec)
      .function("spec", &Engine::spec)
      .function("info", &Engine::info)
      .function("clearImages", &Engine::clearImages)
      .function("addImage", &Engine::addImage)
      .function("insertImage", &Engine::insertImage)
      .function("removeImage", &Engine::removeImage)
      .function("numImages", &Engine::numImages)
      .function("trainBegin", &Engine::trainBegin)
      .function("trainRun", &Engine::trainRun)
      .function("trainStop", &Engine::trainStop)
      .function("predict", &Engine::predict)
      .function("predictBatch", &Engine::predictBatch)
      .function("predictStored", &Engine::predictStored)
      .function("setThreads", &Engine::setThreads)
      .function("save", &Engine::save)
      .function("load", &Engine::load)
      .function("loadCheck", &Engine::loadCheck)
      .function("exportOnnx", &Engine::exportOnnx)
      .function("exportTorch", &Engine::exportTorch)
      .function("param", &Engine::param);
  emscripten::function("checkSpec", &checkSpec);
  emscripten::function("rules", &rulesJson);
  emscripten::function("fitSpec", &fitSpec);
  emscripten::function("defaultSpec", &defaultSpec);
  emscripten::function("simd", &simd);
  emscripten::function("threads", &threads);
}
