// The Engine object JS holds, and the helpers every binding file shares: guarded() turns a
// C++ exception into a thrown JS Error with its message; *_copy() copy heap data out to JS.
#pragma once
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "convlab/session.h"

namespace convlab::wasm {

using emscripten::val;


inline std::string last_error;

template <class F>
inline auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown C++ exception";
  }
  val::global("Error").new_(val(last_error)).throw_();
  __builtin_unreachable();
}

inline std::vector<uint8_t> bytes_of(const val& u8) { return emscripten::convertJSArrayToNumberVector<uint8_t>(u8); }

// Copies out to a fresh JS typed array: views on the wasm heap go stale when memory grows.
inline val float32_copy(const float* p, size_t n) {
  return val::global("Float32Array").new_(val(emscripten::typed_memory_view(n, p))).call<val>("slice");
}
inline val uint8_copy(const uint8_t* p, size_t n) {
  return val::global("Uint8Array").new_(val(emscripten::typed_memory_view(n, p))).call<val>("slice");
}

class Engine {
 public:
  std::string setSpec(const std::string& spec, double seed) {
    return guarded([&] { return s_.set_spec(spec, uint64_t(seed)); });
  }
  std::string spec() const { return s_.spec_json(); }
  std::string info() const { return s_.info_json(); }
  void clearImages() { guarded([&] { s_.clear_images(); }); }
  void addImage(const val& rgba, int w, int h, int label) {
    guarded([&] {
      auto b = bytes_of(rgba);
      if (b.size() != size_t(w) * size_t(h) * 4)
        throw std::invalid_argument("image data has " + std::to_string(b.size()) + " bytes but " + std::to_string(w) +
                                    "×" + std::to_string(h) + " RGBA needs " + std::to_string(size_t(w) * h * 4));
      s_.add_image(b.data(), w, h, label);
    });
  }
  int numImages() const { return s_.num_images(); }
  void trainBegin(const std::string& config) { guarded([&] { s_.train_begin(config); }); }
  std::string trainRun(int steps) { return guarded([&] { return s_.train_run(steps); }); }
  void trainStop() { s_.train_stop(); }
  val predict(const val& rgba, int w, int h) {
    return guarded([&] {
      auto b = bytes_of(rgba);
      if (b.size() != size_t(w) * size_t(h) * 4) throw std::invalid_argument("image data does not match its size");
      auto p = s_.predict(b.data(), w, h);
      return float32_copy(p.data(), p.size());
    });
  }
  val save(const std::string& metadata) const {
    return guarded([&] {
      auto b = s_.save(metadata);
      return uint8_copy(b.data(), b.size());
    });
  }
  std::string load(const val& bytes) {
    return guarded([&] {
      auto b = bytes_of(bytes);
      return s_.load(b.data(), b.size());
    });
  }
  // Parameter tensor by its state_dict name ("0.weight"), copied out.
  val param(const std::string& name) {
    return guarded([&] {
      Param* p = s_.model().find_param(name);
      if (!p) throw std::invalid_argument("the model has no parameter \"" + name + "\"");
      return float32_copy(p->value.data(), p->value.size());
    });
  }

  // For the bindings of other areas (wasm/*.cc), which add free functions taking Engine&.
  Session& session() { return s_; }

 private:
  Session s_;
};

}  // namespace convlab::wasm
