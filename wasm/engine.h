// The Engine object JS holds, and the helpers every binding file shares: guarded() turns a
// C++ exception into a thrown JS Error with its message; *_copy() copy heap data out to JS.
#pragma once
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "convlab/session.h"
#include "image_list.h"

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

// The one copy helper per typed-array kind. In: a JS Uint8Array into a C++ vector. Out: a
// fresh JS typed array (views on the wasm heap go stale when memory grows).
inline std::vector<uint8_t> bytes_of(const val& u8) { return emscripten::convertJSArrayToNumberVector<uint8_t>(u8); }
inline val float32_copy(const float* p, size_t n) {
  return val::global("Float32Array").new_(val(emscripten::typed_memory_view(n, p))).call<val>("slice");
}
inline val float32_copy(const std::vector<float>& v) { return float32_copy(v.data(), v.size()); }
inline val uint8_copy(const std::vector<uint8_t>& v) {
  return val::global("Uint8Array").new_(val(emscripten::typed_memory_view(v.size(), v.data()))).call<val>("slice");
}

// Structured results cross as JSON text made by core/ (parsed once in the worker), tensors as
// typed-array copies.
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
      s_.add_image(b.data(), b.size(), w, h, label);
    });
  }
  void insertImage(int at, const val& rgba, int w, int h, int label) {
    guarded([&] {
      auto b = bytes_of(rgba);
      s_.insert_image(at, b.data(), b.size(), w, h, label);
    });
  }
  void removeImage(int at) { guarded([&] { s_.remove_image(at); }); }
  int numImages() const { return s_.num_images(); }
  void trainBegin(const std::string& config) { guarded([&] { s_.train_begin(config); }); }
  std::string trainRun(int steps) { return guarded([&] { return s_.train_run(steps); }); }
  std::string trainStop() { return guarded([&] { return s_.train_stop(); }); }
  val predict(const val& rgba, int w, int h) {
    return guarded([&] {
      auto b = bytes_of(rgba);
      return float32_copy(s_.predict(b.data(), b.size(), w, h));
    });
  }
  // images: a JS array of {rgba: Uint8Array, width, height}; -> Float32Array (n, classes). The
  // bytes are copied straight into buffers kept across calls (image_list.h, the one conversion).
  val predictBatch(const val& images) {
    return guarded([&] {
      batch_.read(images);
      return float32_copy(s_.predict_batch(batch_.rgba.data(), batch_.size()));
    });
  }
  // indices: a JS array of stored image indices; -> Float32Array (n, classes).
  val predictStored(const val& indices) {
    return guarded([&] {
      idx_ = emscripten::convertJSArrayToNumberVector<int>(indices);
      return float32_copy(s_.predict_stored(idx_.data(), int(idx_.size())));
    });
  }
  int setThreads(int n) { return guarded([&] { return s_.set_threads(n); }); }
  val save(const std::string& metadata) const { return guarded([&] { return uint8_copy(s_.save(metadata)); }); }
  std::string load(const val& bytes, bool adopt, int classes) {
    return guarded([&] {
      auto b = bytes_of(bytes);
      return s_.load(b.data(), b.size(), adopt, classes);
    });
  }
  std::string loadCheck(const val& bytes, int classes) const {
    return guarded([&] {
      auto b = bytes_of(bytes);
      return s_.load_check(b.data(), b.size(), classes);
    });
  }
  val exportOnnx(const std::string& metadata) const {
    return guarded([&] { return uint8_copy(s_.export_onnx(metadata)); });
  }
  std::string exportTorch(const std::string& metadata, const std::string& weights_file) const {
    return guarded([&] { return s_.export_torch(metadata, weights_file); });
  }
  // Parameter tensor by its state_dict name ("0.weight"), copied out.
  val param(const std::string& name) const { return guarded([&] { return float32_copy(s_.param(name)); }); }

  // For the bindings of other areas (wasm/*.cc), which add free functions taking Engine&.
  Session& session() { return s_; }

 private:
  Session s_;
  ImageList batch_;  // predictBatch's image copies, kept across calls
  std::vector<int> idx_;
};

}  // namespace convlab::wasm
