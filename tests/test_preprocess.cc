// The one preprocessing path (RGBA of any size -> centre crop -> area resize -> grayscale ->
// bytes -> [0, 1]): known values, every awkward size, and bad sizes rejected.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "convlab/preprocess.h"

using namespace convlab;
using Catch::Matchers::Contains;

namespace {

std::vector<uint8_t> solid(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  std::vector<uint8_t> px(size_t(w) * h * 4);
  for (size_t i = 0; i < px.size(); i += 4) {
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
    px[i + 3] = 255;
  }
  return px;
}

// a gray image whose pixel (x, y) is f(x, y) in R, G and B
template <class F>
std::vector<uint8_t> gray(int w, int h, F f) {
  std::vector<uint8_t> px(size_t(w) * h * 4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 4; ++c) px[size_t((y * w + x) * 4 + c)] = c == 3 ? 255 : uint8_t(f(x, y));
  return px;
}

std::vector<uint8_t> run(const std::vector<uint8_t>& rgba, int w, int h, InputSpec in) {
  std::vector<uint8_t> out(size_t(in.channels) * in.height * in.width, 77);
  preprocess_rgba_u8(out.data(), rgba.data(), w, h, in);
  return out;
}

}  // namespace

TEST_CASE("preprocess: a solid colour stays exactly that colour, planes in C, H, W order") {
  auto out = run(solid(7, 5, 10, 200, 30), 7, 5, {3, 4, 4});
  for (int i = 0; i < 16; ++i) {
    CHECK(out[size_t(i)] == 10);
    CHECK(out[size_t(16 + i)] == 200);
    CHECK(out[size_t(32 + i)] == 30);
  }
  // floats are bytes / 255, as torchvision's ToTensor
  std::vector<float> f(48);
  auto px = solid(7, 5, 10, 200, 30);
  preprocess_rgba(f.data(), px.data(), 7, 5, {3, 4, 4});
  CHECK(f[0] == 10 / 255.0f);
  CHECK(f[20] == 200 / 255.0f);
  CHECK(f[47] == 30 / 255.0f);
}

TEST_CASE("preprocess: grayscale is ITU-R 601 luma (PIL's convert(\"L\")), rounded") {
  // 0.299 R + 0.587 G + 0.114 B: red 76.245 -> 76, green 149.685 -> 150, blue 29.07 -> 29,
  // (10, 200, 30) -> 2.99 + 117.4 + 3.42 = 123.81 -> 124, white 255
  CHECK(run(solid(3, 3, 255, 0, 0), 3, 3, {1, 2, 2}) == std::vector<uint8_t>(4, 76));
  CHECK(run(solid(3, 3, 0, 255, 0), 3, 3, {1, 2, 2}) == std::vector<uint8_t>(4, 150));
  CHECK(run(solid(3, 3, 0, 0, 255), 3, 3, {1, 2, 2}) == std::vector<uint8_t>(4, 29));
  CHECK(run(solid(3, 3, 10, 200, 30), 3, 3, {1, 2, 2}) == std::vector<uint8_t>(4, 124));
  CHECK(run(solid(3, 3, 255, 255, 255), 3, 3, {1, 2, 2}) == std::vector<uint8_t>(4, 255));
}

TEST_CASE("preprocess: the centre crop takes the middle of a wide or tall image") {
  // 6x2 wide image, column x has value 10x; a 2x2 target keeps columns 2 and 3: 20, 30.
  auto wide = gray(6, 2, [](int x, int) { return 10 * x; });
  CHECK(run(wide, 6, 2, {1, 2, 2}) == std::vector<uint8_t>{20, 30, 20, 30});
  // 2x6 tall image, row y has value 10y: rows 2 and 3.
  auto tall = gray(2, 6, [](int, int y) { return 10 * y; });
  CHECK(run(tall, 2, 6, {1, 2, 2}) == std::vector<uint8_t>{20, 20, 30, 30});
  // a wide target (h 1, w 2) from a square 4x4 keeps the middle rows 1 and 2 (mean of 10, 20 = 15)
  auto sq = gray(4, 4, [](int x, int y) { return 10 * y + x; });
  // columns pair up: (10+11+20+21)/4 = 15.5 -> 16 (round half to even), (12+13+22+23)/4 = 17.5 -> 18
  CHECK(run(sq, 4, 4, {1, 1, 2}) == std::vector<uint8_t>{16, 18});
}

TEST_CASE("preprocess: area resize averages what each output pixel covers") {
  // 2x2 -> 1x1: the mean of 0, 100, 200, 40 is exactly 85, per channel
  std::vector<uint8_t> px{0, 10, 1, 255, 100, 20, 3, 255, 200, 30, 5, 255, 40, 40, 7, 255};
  CHECK(run(px, 2, 2, {3, 1, 1}) == std::vector<uint8_t>{85, 25, 4});
  // black/white checker -> 127.5 -> 128 (round half to even)
  auto checker = gray(2, 2, [](int x, int y) { return (x + y) % 2 ? 255 : 0; });
  CHECK(run(checker, 2, 2, {1, 1, 1}) == std::vector<uint8_t>{128});
  // 3 -> 2 per axis: output 0 covers source [0, 1.5), output 1 covers [1.5, 3).
  // columns 0, 90, 180: (0 + 0.5*90)/1.5 = 30, (0.5*90 + 180)/1.5 = 150
  auto cols = gray(3, 3, [](int x, int) { return 90 * x; });
  CHECK(run(cols, 3, 3, {1, 2, 2}) == std::vector<uint8_t>{30, 150, 30, 150});
  // upscale 1x1 -> 3x3 repeats the pixel
  CHECK(run(solid(1, 1, 9, 8, 7), 1, 1, {3, 3, 3}) ==
        std::vector<uint8_t>{9, 9, 9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 7, 7, 7});
}

TEST_CASE("preprocess: every size from 1x1 to odd ones works, to every target") {
  const int sizes[] = {1, 2, 3, 5, 7, 13, 31, 64};
  const InputSpec targets[] = {{1, 1, 1}, {3, 5, 7}, {1, 28, 28}, {3, 32, 32}, {3, 9, 4}};
  for (int w : sizes)
    for (int h : sizes)
      for (const auto& in : targets) {
        INFO(w << "x" << h << " -> " << in.channels << "x" << in.height << "x" << in.width);
        auto out = run(solid(w, h, 1, 128, 254), w, h, in);
        const int plane = in.height * in.width;
        for (int i = 0; i < plane; ++i) {
          if (in.channels == 3) {
            REQUIRE(out[size_t(i)] == 1);
            REQUIRE(out[size_t(plane + i)] == 128);
            REQUIRE(out[size_t(2 * plane + i)] == 254);
          } else {
            REQUIRE(out[size_t(i)] == 104);  // 0.299 + 75.136 + 28.956 = 104.391
          }
        }
      }
}

TEST_CASE("preprocess: bad sizes throw with the size and the rule") {
  std::vector<uint8_t> px(16, 0), out(3);
  auto message = [&](int w, int h) {
    try {
      preprocess_rgba_u8(out.data(), px.data(), w, h, {3, 1, 1});
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(message(0, 2), Contains("image size 0×2 is not usable: width and height must be 1 to 8192"));
  CHECK_THAT(message(2, -1), Contains("2×-1"));
  CHECK_THAT(message(8193, 1), Contains("8193×1"));
  // the target too (a model input is validated by its spec, but this function is public)
  std::vector<uint8_t> big(64);
  CHECK_THROWS_WITH(preprocess_rgba_u8(big.data(), px.data(), 2, 2, {2, 2, 2}), Contains("channels must be 1 or 3"));
  CHECK_THROWS_WITH(preprocess_rgba_u8(big.data(), px.data(), 2, 2, {1, 0, 2}), Contains("1×0×2 is not usable"));
}

TEST_CASE("preprocess: check_rgba wants exactly w·h·4 bytes and says both sizes") {
  CHECK_NOTHROW(check_rgba(12 * 10 * 4, 12, 10));
  CHECK_NOTHROW(check_rgba(4, 1, 1));
  CHECK_THROWS_WITH(check_rgba(12 * 10 * 3, 12, 10),
                    "image data has 360 bytes but 12×10 RGBA needs 480 (4 per pixel): send the canvas's ImageData "
                    "bytes with its own width and height");
  CHECK_THROWS_WITH(check_rgba(12 * 10 * 4 + 1, 12, 10), Contains("481 bytes but 12×10 RGBA needs 480"));
  CHECK_THROWS_WITH(check_rgba(0, 0, 10), Contains("at least 1×1 pixels, not 0×10"));
  CHECK_THROWS_WITH(check_rgba(16, -2, -2), Contains("not -2×-2"));  // w·h·4 would match: the sign must not
}
