// The one conversion of a JS image list, an array of {rgba: Uint8Array, width, height, label},
// into core's views: the bytes are copied into buffers this object keeps (reused from call to
// call when it is kept), the views point at them. An entry without rgba (an image the page could
// not read) keeps its place as a 0×0 image with rgba == nullptr, which core names or skips; a
// label that is not a number is -1; undefined or null is an empty list.
#pragma once
#include <emscripten/val.h>

#include <cstdint>
#include <vector>

#include "convlab/assignment.h"
#include "convlab/session.h"

namespace convlab::wasm {

struct ImageList {
  std::vector<std::vector<uint8_t>> bytes;  // one copy per image, kept
  std::vector<LabelledImage> images;        // assignments and grading
  std::vector<Session::Rgba> rgba;          // Session::predict_batch: the same images, without labels
  std::vector<int> labels;

  int size() const { return int(images.size()); }

  void read(const emscripten::val& list) {
    const int n = list.isUndefined() || list.isNull() ? 0 : list["length"].as<int>();
    if (bytes.size() < size_t(n)) bytes.resize(size_t(n));
    images.resize(size_t(n));
    rgba.resize(size_t(n));
    labels.resize(size_t(n));
    for (int i = 0; i < n; ++i) {
      const emscripten::val im = list[i];
      const emscripten::val px = im["rgba"];
      const bool has = !px.isUndefined() && !px.isNull();
      std::vector<uint8_t>& b = bytes[size_t(i)];
      b.resize(has ? px["length"].as<size_t>() : 0);
      if (has) emscripten::val(emscripten::typed_memory_view(b.size(), b.data())).call<void>("set", px);
      const int w = has ? im["width"].as<int>() : 0, h = has ? im["height"].as<int>() : 0;
      const int label = im["label"].isNumber() ? im["label"].as<int>() : -1;
      images[size_t(i)] = {has ? b.data() : nullptr, b.size(), w, h, label};
      rgba[size_t(i)] = {has ? b.data() : nullptr, b.size(), w, h};
      labels[size_t(i)] = label;
    }
  }
};

// A fresh list read from `list` (for a call that keeps nothing).
inline ImageList image_list(const emscripten::val& list) {
  ImageList out;
  out.read(list);
  return out;
}

}  // namespace convlab::wasm
