#include "convlab/preprocess.h"

#include "convlab/kernels.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace convlab {

void check_source_size(int w, int h) {
  if (w <= 0 || h <= 0 || w > 8192 || h > 8192)
    throw std::invalid_argument("image size " + std::to_string(w) + "×" + std::to_string(h) +
                                " is not usable: width and height must be 1 to 8192 pixels");
}

void check_rgba(size_t bytes, int w, int h) {
  if (w < 1 || h < 1)
    throw std::invalid_argument("an image must be at least 1×1 pixels, not " + std::to_string(w) + "×" + std::to_string(h));
  const size_t need = size_t(w) * size_t(h) * 4;
  if (bytes != need)
    throw std::invalid_argument("image data has " + std::to_string(bytes) + " bytes but " + std::to_string(w) + "×" +
                                std::to_string(h) + " RGBA needs " + std::to_string(need) +
                                " (4 per pixel): send the canvas's ImageData bytes with its own width and height");
  check_source_size(w, h);
}

namespace {

using Taps = PreprocessScratch::Taps;

// Weights of a 1-D area-average resize from [start, start+len) source pixels to `out` pixels:
// output pixel o covers source interval [start + o*len/out, start + (o+1)*len/out).
// Refills t (clear keeps the capacity).
void area_taps(Taps& t, double start, double len, int src, int out) {
  t.first.clear(), t.count.clear(), t.w.clear();
  const double scale = len / out;
  for (int o = 0; o < out; ++o) {
    double a = start + o * scale, b = a + scale;
    int i0 = static_cast<int>(std::floor(a)), i1 = static_cast<int>(std::ceil(b));
    i0 = std::max(i0, 0);
    i1 = std::min(i1, src);
    t.first.push_back(i0);
    t.count.push_back(i1 - i0);
    double total = 0;
    size_t base = t.w.size();
    for (int i = i0; i < i1; ++i) {
      double cover = std::min(b, double(i + 1)) - std::max(a, double(i));
      t.w.push_back(static_cast<float>(std::max(cover, 0.0)));
      total += std::max(cover, 0.0);
    }
    for (size_t k = base; k < t.w.size(); ++k) t.w[k] = static_cast<float>(t.w[k] / total);
  }
}

}  // namespace

void preprocess_rgba_u8(uint8_t* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in) {
  PreprocessScratch scratch;
  preprocess_rgba_u8(out, rgba, src_w, src_h, in, scratch);
}

void preprocess_rgba_u8(uint8_t* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in,
                        PreprocessScratch& scratch) {
  check_source_size(src_w, src_h);
  if ((in.channels != 1 && in.channels != 3) || in.height < 1 || in.width < 1 || in.height > 8192 || in.width > 8192)
    throw std::invalid_argument("model input " + std::to_string(in.channels) + "×" + std::to_string(in.height) + "×" +
                                std::to_string(in.width) + " is not usable: channels must be 1 or 3, height and width 1 to 8192");
  // centre crop to the target aspect ratio (H/W), then resize the crop
  double crop_w = src_w, crop_h = src_h;
  if (double(src_w) * in.height > double(src_h) * in.width) crop_w = double(src_h) * in.width / in.height;
  else crop_h = double(src_w) * in.height / in.width;
  Taps& tx = scratch.tx;
  Taps& ty = scratch.ty;
  area_taps(tx, (src_w - crop_w) / 2, crop_w, src_w, in.width);
  area_taps(ty, (src_h - crop_h) / 2, crop_h, src_h, in.height);
  const int plane = in.height * in.width;
  std::vector<float>& line = scratch.line;
  line.resize(size_t(src_w) * 4);
  size_t wy = 0;
  for (int oy = 0; oy < in.height; ++oy) {
    // vertical pass into one row of RGBA floats, then horizontal pass per output pixel
    std::fill(line.begin(), line.end(), 0.0f);
    for (int k = 0; k < ty.count[oy]; ++k) {
      const uint8_t* src = rgba + size_t(ty.first[oy] + k) * src_w * 4;
      float w = ty.w[wy + k];
      for (int x = 0; x < src_w * 4; ++x) line[x] += w * src[x];
    }
    wy += ty.count[oy];
    size_t wx = 0;
    for (int ox = 0; ox < in.width; ++ox) {
      float px[3] = {0, 0, 0};
      for (int k = 0; k < tx.count[ox]; ++k) {
        const float* s = &line[size_t(tx.first[ox] + k) * 4];
        float w = tx.w[wx + k];
        for (int c = 0; c < 3; ++c) px[c] += w * s[c];
      }
      wx += tx.count[ox];
      auto to_u8 = [](float v) { return static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, std::nearbyint(v)))); };
      if (in.channels == 1) {
        // ITU-R 601 luma, as PIL's convert("L")
        out[oy * in.width + ox] = to_u8(kLumaR * px[0] + kLumaG * px[1] + kLumaB * px[2]);
      } else {
        for (int c = 0; c < 3; ++c) out[c * plane + oy * in.width + ox] = to_u8(px[c]);
      }
    }
  }
}

void bytes_to_input(float* out, const uint8_t* chw, int64_t n) {
  f32_u8_unit_best()(out, chw, n);  // torchvision ToTensor
}

void preprocess_rgba(float* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in) {
  PreprocessScratch scratch;
  preprocess_rgba(out, rgba, src_w, src_h, in, scratch);
}

void preprocess_rgba(float* out, const uint8_t* rgba, int src_w, int src_h, const InputSpec& in,
                     PreprocessScratch& scratch) {
  std::vector<uint8_t>& tmp = scratch.bytes;
  tmp.resize(size_t(in.channels) * in.height * in.width);
  preprocess_rgba_u8(tmp.data(), rgba, src_w, src_h, in, scratch);
  bytes_to_input(out, tmp.data(), int64_t(tmp.size()));
}

Json preprocessing_json(const InputSpec& in) {
  Json j = Json::object();
  j["version"] = 1;
  Json size = Json::object();
  size["channels"] = in.channels;
  size["height"] = in.height;
  size["width"] = in.width;
  j["input"] = size;
  j["source"] = "the image's RGBA bytes as decoded (alpha ignored), any size";
  j["crop"] =
      "centre crop to the input's aspect ratio, in float64: if src_w*H > src_h*W then crop_w = src_h*W/H, crop_h = src_h, "
      "else crop_w = src_w, crop_h = src_w*H/W; the crop starts at ((src_w - crop_w)/2, (src_h - crop_h)/2), fractional";
  j["resize"] =
      "area average, separable, rows first: output pixel o of n covers source [a, b) = [start + o*len/n, start + (o+1)*len/n) "
      "(float64); source pixels i = max(floor(a), 0) .. min(ceil(b), src) - 1 weigh w_i = float32(float64(float32(cover_i)) / "
      "sum of cover), cover_i = min(b, i+1) - max(a, i); in float32, line = sum over rows in order of w*row (RGB), then "
      "pixel = sum over columns in order of w*line, each product and sum rounded to float32 (no fused multiply-add)";
  j["grayscale"] = in.channels == 1 ? Json("float32 gray = R*0.299f + G*0.587f + B*0.114f, summed left to right, on the resized "
                                           "float pixels before rounding")
                                    : Json("none (3 channels: R, G, B)");
  Json luma = Json::array();
  for (float w : {kLumaR, kLumaG, kLumaB}) luma.push_back(double(w));
  j["luma_weights"] = luma;
  j["round"] = "each value rounded half to even (nearbyint), clamped to 0..255: bytes, as an 8-bit image holds them";
  j["scale"] = "float32(byte) / 255.0f, in [0, 1] (torchvision's ToTensor)";
  j["layout"] = "NCHW float32";
  return j;
}

}  // namespace convlab
