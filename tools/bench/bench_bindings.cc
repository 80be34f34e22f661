// The browser bench module of `make bench` (tools/bench/): runs the same measurements as the
// native CLI (bench_core.h) on the same core library as the page's engine (convlab.wasm, or
// convlab-mt.wasm for the threaded bench module), so ConvLab is timed in the browser exactly as
// natively. Built as its own modules (build/wasm/bench/convlab-bench*.js): the product never
// links it, and tests/check_exports.mjs checks that. Request and result are JSON:
//   {"kind": "train" | "infer", "workload": "A" | "B", "batch": 32, "reps": 3, "min_seconds": 0.4}
//   {"kind": "heap", "workload": "B", "batch": 32, "steps": 100}
//   {"kind": "latency", "workload": "B", "n": 200} or {"kind": "latency", "spec": text, "n": 200}
//   {"kind": "peak", "seconds": 1.5}
//   {"kind": "rep", "what": "train" | "infer", "workload": "A" | "B" | "default", "batch": 32,
//    "min_seconds": 0.4, "threads": 2}: one timed repetition (bench_core.h one_rep)
//   {"kind": "session_train", "images": 3000, "epochs": 3, "batch": 16, "threads": 2}
#include "bench_core.h"
#include "convlab/kernels.h"
#include "convlab/threadpool.h"
#include "engine.h"  // wasm::guarded: a C++ failure becomes a JS Error

using namespace convlab;

namespace {

std::string benchRun(const std::string& request) {
  return wasm::guarded([&] {
    Json r = Json::parse(request);
    auto str = [&](const char* k, const char* def) {
      const Json* v = r.find(k);
      return v && v->is_string() ? v->as_string() : std::string(def);
    };
    auto num = [&](const char* k, double def) {
      const Json* v = r.find(k);
      return v && v->is_number() ? v->as_number() : def;
    };
    std::string kind = str("kind", ""), w = str("workload", "A");
    int batch = int(num("batch", 32)), reps = int(num("reps", 3));
    double min_s = num("min_seconds", 0.4);
    if (kind == "train") return bench::train_rate(w, batch, reps, min_s).dump();
    if (kind == "infer") return bench::infer_rate(w, batch, reps, min_s).dump();
    if (kind == "heap") return bench::heap_check(w, batch, int(num("steps", 100))).dump();
    if (kind == "latency") {  // "spec": a spec text, else the workload's, else the built-in default
      const char* ws = bench::workload_spec(w);
      return bench::latency(str("spec", ws ? ws : ""), int(num("n", 200))).dump();
    }
    if (kind == "peak") return bench::peak_gflops(num("seconds", 1.5)).dump();
    if (kind == "session_train") {  // the engine alone on the page's training run
      if (const Json* t = r.find("threads")) set_num_threads(int(t->as_number()));
      return bench::session_train(int(num("images", 3000)), int(num("epochs", 3)), batch).dump();
    }
    if (kind == "rep") {  // one repetition of make bench's interleaved run
      if (const Json* t = r.find("threads")) set_num_threads(int(t->as_number()));
      return bench::one_rep(str("what", "train"), w, batch, min_s).dump();
    }
    throw std::invalid_argument("unknown bench kind \"" + kind + "\": use train, infer, heap, latency, peak or rep");
  });
}

// What the bench tables print beside each run.
bool simd() { return kBuiltWithSimd; }

int threads() { return num_threads(); }

}  // namespace

EMSCRIPTEN_BINDINGS(convlab_bench) {
  emscripten::function("benchRun", &benchRun);
  emscripten::function("simd", &simd);
  emscripten::function("threads", &threads);
}
