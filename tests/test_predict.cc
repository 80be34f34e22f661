// Batched prediction (Session::predict_batch, predict_stored): row i is what predict(image i)
// gives, bit for bit, for 1, 2, 3, 4 and 8 threads, over ragged batches (more images than one
// chunk, images of many sizes) on nets with and without Winograd layers; bad input is named and
// changes nothing; a repeated call allocates nothing. Built into convlab_tests (one thread: the
// thread loop takes the same path) and convlab_tests_mt (the pool for real, natively and in wasm).
//
// Why bit for bit: every layer computes each output of an image with the same operations in the
// same order whatever the batch and whichever thread takes it (conv and Winograd work items are
// whole images or blocks of one image's tiles, the GEMM's sums run over k in one order).
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "alloc_count.h"
#include "convlab/rng.h"
#include "convlab/preprocess.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "convlab/threadpool.h"

using namespace convlab;
using Catch::Matchers::Contains;

namespace {

struct ThreadCount {
  explicit ThreadCount(int n) : saved(num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved); }
  int saved;
};

struct Image {
  std::vector<uint8_t> rgba;
  int w, h;
};

// n seeded RGBA images of sizes cycling through a camera frame, odd and tiny ones.
std::vector<Image> images(int n, uint64_t seed) {
  const int sizes[][2] = {{320, 240}, {17, 9}, {64, 64}, {1, 1}, {31, 47}, {96, 72}};
  Rng rng(seed, 3);
  std::vector<Image> out;
  for (int i = 0; i < n; ++i) {
    Image im{{}, sizes[i % 6][0], sizes[i % 6][1]};
    im.rgba.resize(size_t(im.w) * im.h * 4);
    for (auto& v : im.rgba) v = uint8_t(rng.next_u32() >> 24);
    out.push_back(std::move(im));
  }
  return out;
}

std::vector<Session::Rgba> views(const std::vector<Image>& ims) {
  std::vector<Session::Rgba> v;
  for (const auto& im : ims) v.push_back({im.rgba.data(), im.rgba.size(), im.w, im.h});
  return v;
}

// The default webcam net (Winograd in predict: 3x3 convs with c_in >= 3), and a gray net with
// a stride-2 conv, an even kernel, avgpool and two linears (the direct path only).
const char* kGray = R"({"input": {"channels": 1, "height": 18, "width": 12}, "layers": [
  {"type": "conv2d", "out_channels": 5, "kernel": 4, "stride": 2, "padding": 1}, {"type": "relu"},
  {"type": "conv2d", "out_channels": 6, "kernel": 2, "padding": "same"}, {"type": "avgpool2d", "kernel": 3},
  {"type": "flatten"}, {"type": "linear", "out_features": 11}, {"type": "relu"},
  {"type": "linear", "out_features": 4}]})";

// Workload A's shape (make bench): batched inference runs its conv stack two images per slice
// (a 16x28x28 map is 12544 floats), so a batch is several slices, the last one short; its
// linear layer (100 KB packed, under Model::kSliceHeadBytes) runs in the slices too, as do
// kGray's and kPairs', while the default net's (2048 -> 32, 256 KB) runs on the whole batch.
const char* kDigits = R"({"input": {"channels": 1, "height": 28, "width": 28}, "layers": [
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 10}]})";

// Workload B's shape: a relu that feeds a conv (not a pool) inside the layers that run in
// bands for one image on 2 threads (Model::band_depth_for(2) is 5 here, 6 for the default net,
// 3 for kDigits).
const char* kPairs = R"({"input": {"channels": 3, "height": 32, "width": 32}, "layers": [
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";

std::vector<std::string> specs() { return {rules::default_spec(3), kGray, kDigits, kPairs}; }

}  // namespace

TEST_CASE("predict_batch: each row is predict() of that image, bit for bit, on any thread count") {
  for (const std::string& spec : specs()) {
    Session s;
    s.set_spec(spec, 7);
    const int classes = s.model().num_classes();
    const int n = s.predict_chunk() + 5;  // two chunks, the second ragged
    const auto ims = images(n, 11);
    // the reference: one image per call, one thread
    std::vector<std::vector<float>> want;
    {
      ThreadCount tc(1);
      for (const auto& im : ims) want.push_back(s.predict(im.rgba.data(), im.rgba.size(), im.w, im.h));
    }
    const auto v = views(ims);
    for (int threads : {1, 2, 3, 4, 8}) {
      ThreadCount tc(threads);
      INFO("spec " << spec.substr(0, 40) << "..., " << threads << " threads asked, " << num_threads() << " in use");
      for (int count : {n, 1, 3}) {  // the whole set, one image, a short batch
        const std::vector<float>& got = s.predict_batch(v.data(), count);
        REQUIRE(got.size() == size_t(count) * size_t(classes));
        int mismatched = 0;
        for (int i = 0; i < count; ++i)
          if (std::memcmp(got.data() + size_t(i) * classes, want[size_t(i)].data(), sizeof(float) * classes) != 0)
            ++mismatched;
        CHECK(mismatched == 0);
      }
      // and single-image predict itself does not depend on the thread count (on more than one
      // thread the conv stack runs in row bands, Model::run_bands: every image, every size)
      int mismatched = 0;
      for (size_t i = 0; i < ims.size(); ++i)
        mismatched += s.predict(ims[i].rgba.data(), ims[i].rgba.size(), ims[i].w, ims[i].h) != want[i];
      CHECK(mismatched == 0);
    }
  }
}

TEST_CASE("Model::predict_bytes equals predict of bytes_to_input's floats, bit for bit, in row bands and batches") {
  for (const std::string& spec : specs()) {
    Model m(parse_spec(spec), 9);
    const int64_t isz = m.input_size();
    const int n = 3, classes = m.num_classes();
    std::vector<uint8_t> xb(size_t(isz * n));
    Rng rng(17, 3);
    for (auto& v : xb) v = uint8_t(rng.uniform() * 256.0f);
    std::vector<float> xf(xb.size());
    bytes_to_input(xf.data(), xb.data(), int64_t(xb.size()));
    std::vector<float> want;  // one thread, floats, one image per call
    {
      ThreadCount tc(1);
      for (int i = 0; i < n; ++i) {
        const float* y = m.predict(xf.data() + isz * i, 1);
        want.insert(want.end(), y, y + classes);
      }
    }
    for (int threads : {1, 2, 3, 4}) {
      ThreadCount tc(threads);
      INFO("spec " << spec.substr(0, 40) << "..., " << threads << " threads");
      for (int i = 0; i < n; ++i)  // one image: on several threads the bands convert their rows
        CHECK(std::memcmp(m.predict_bytes(xb.data() + isz * i, 1), want.data() + classes * i, sizeof(float) * classes) == 0);
      CHECK(std::memcmp(m.predict_bytes(xb.data(), n), want.data(), sizeof(float) * size_t(classes * n)) == 0);
    }
  }
}

TEST_CASE("predict_stored: rows of stored images by index equal predict() of the images sent") {
  Session s;
  s.set_spec(rules::default_spec(2), 3);
  const auto ims = images(9, 5);
  for (size_t i = 0; i < ims.size(); ++i) s.add_image(ims[i].rgba.data(), ims[i].rgba.size(), ims[i].w, ims[i].h, int(i % 2));
  const std::vector<int> idx = {8, 0, 3, 3, 5, 1, 7, 2, 6, 4, 0};  // any order, repeats
  for (int threads : {1, 2, 4, 8}) {
    ThreadCount tc(threads);
    INFO(threads << " threads");
    const auto got = s.predict_stored(idx.data(), int(idx.size()));  // a copy: the next call reuses it
    REQUIRE(got.size() == idx.size() * 2);
    for (size_t r = 0; r < idx.size(); ++r) {
      const Image& im = ims[size_t(idx[r])];
      const auto one = s.predict(im.rgba.data(), im.rgba.size(), im.w, im.h);
      CHECK(std::memcmp(got.data() + r * 2, one.data(), sizeof(float) * 2) == 0);
    }
  }
  // the labels they were added with (evaluating stored images sends none)
  for (int i = 0; i < int(ims.size()); ++i) CHECK(s.stored_label(i) == i % 2);
  CHECK_THROWS_WITH(s.stored_label(9), Contains("no stored image 9: the engine holds 9 images"));
  CHECK_THROWS_WITH(s.stored_label(-1), Contains("no stored image -1"));
}

TEST_CASE("predict_batch: a bad image or index is named and nothing runs; refused while training") {
  Session s;
  s.set_spec(rules::default_spec(2), 1);
  auto ims = images(3, 2);
  auto v = views(ims);
  const auto before = s.predict_batch(v.data(), 3);
  v[1].bytes -= 4;  // image 2's bytes do not match its size
  CHECK_THROWS_WITH(s.predict_batch(v.data(), 3), Contains("image 2 of 3: image data has") && Contains("RGBA needs"));
  v[1].bytes += 4;
  v[2].w = 9000;
  v[2].bytes = size_t(9000) * v[2].h * 4;
  CHECK_THROWS_WITH(s.predict_batch(v.data(), 3), Contains("image 3 of 3") && Contains("1 to 8192 pixels"));
  v = views(ims);
  CHECK(s.predict_batch(v.data(), 3) == before);  // the failed calls changed nothing
  CHECK(s.predict_batch(v.data(), 0).empty());

  const int idx[] = {0};
  CHECK_THROWS_WITH(s.predict_stored(idx, 1), Contains("no stored image 0: the engine holds 0 images"));
  for (int i = 0; i < 4; ++i) s.add_image(ims[0].rgba.data(), ims[0].rgba.size(), ims[0].w, ims[0].h, i % 2);
  const int bad[] = {1, 4};
  CHECK_THROWS_WITH(s.predict_stored(bad, 2), Contains("no stored image 4: the engine holds 4 images (0 to 3)"));
  s.train_begin(R"({"epochs": 1, "batch_size": 2, "val_fraction": 0})");
  CHECK_THROWS_WITH(s.predict_batch(v.data(), 3), Contains("cannot predict while training"));
  CHECK_THROWS_WITH(s.predict_stored(idx, 1), Contains("cannot predict while training"));
}

TEST_CASE("predict_batch and predict_stored allocate nothing once a call of that size has run") {
  ThreadCount tc(max_threads());
  Session s;
  s.set_spec(rules::default_spec(3), 2);
  const auto ims = images(40, 9);  // more than one chunk
  const auto v = views(ims);
  for (int i = 0; i < 6; ++i) s.add_image(ims[size_t(i)].rgba.data(), ims[size_t(i)].rgba.size(), ims[size_t(i)].w, ims[size_t(i)].h, i % 3);
  const std::vector<int> idx = {5, 4, 3, 2, 1, 0, 1, 2};
  s.predict_batch(v.data(), int(v.size()));
  s.predict_stored(idx.data(), int(idx.size()));
  const int64_t bytes = s.model().buffer_bytes();
  alloc_count::allocations = 0;
  alloc_count::counting = true;
  s.predict_batch(v.data(), int(v.size()));
  const long after_batch = alloc_count::allocations;
  s.predict_batch(v.data(), 7);  // fewer images reuse the same buffers
  const long after_short = alloc_count::allocations;
  s.predict_stored(idx.data(), int(idx.size()));
  alloc_count::counting = false;
  INFO("allocations: " << after_batch << " in the full batch, " << after_short - after_batch << " in the short one, "
                       << alloc_count::allocations - after_short << " by index");
  CHECK(alloc_count::allocations == 0);
  CHECK(s.model().buffer_bytes() == bytes);
}
