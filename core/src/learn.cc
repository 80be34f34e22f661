#include "convlab/learn.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "convlab/layers.h"
#include "convlab/preprocess.h"
#include "convlab/rules.h"

namespace convlab::learn {

namespace {

// ConvLab's default net (the page asks for it through rules::default_spec, fitted to its
// class count): the lecture's form input -> [[conv+relu] -> pool]x3 -> linear+relu -> linear.
// 64×64 RGB keeps enough detail for webcam scenes and trains in seconds.
const char* kWebcamSpec = R"({
  "input": {"channels": 3, "height": 64, "width": 64},
  "layers": [
    {"type": "conv2d", "out_channels": 8, "kernel": 3, "padding": "same"},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2},
    {"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": "same"},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2},
    {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": "same"},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2},
    {"type": "flatten"},
    {"type": "linear", "out_features": 32},
    {"type": "relu"},
    {"type": "linear", "out_features": 2}
  ]
})";

// LeNet-5's shapes (LeCun et al. 1998): 32×32 → 28 → 14 → 10 → 5, subsampling by averaging.
const char* kLeNetSpec = R"({
  "input": {"channels": 1, "height": 32, "width": 32},
  "layers": [
    {"type": "conv2d", "out_channels": 6, "kernel": 5},
    {"type": "relu"},
    {"type": "avgpool2d", "kernel": 2},
    {"type": "conv2d", "out_channels": 16, "kernel": 5},
    {"type": "relu"},
    {"type": "avgpool2d", "kernel": 2},
    {"type": "flatten"},
    {"type": "linear", "out_features": 120},
    {"type": "relu"},
    {"type": "linear", "out_features": 84},
    {"type": "relu"},
    {"type": "linear", "out_features": 10}
  ]
})";

// The lecture's AlexNet (Krizhevsky et al. 2012, one tower, no dropout): 227×227×3 →
// conv 96 11×11 s4 → 55 → pool 3 s2 → 27 → conv 256 5×5 p2 → pool → 13 → conv 384, 384, 256
// 3×3 p1 → pool → 6 → 4096 → 4096 → 1000 classes; 62,378,344 parameters.
const char* kAlexNetSpec = R"({
  "input": {"channels": 3, "height": 227, "width": 227},
  "layers": [
    {"type": "conv2d", "out_channels": 96, "kernel": 11, "stride": 4, "padding": 0},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 3, "stride": 2},
    {"type": "conv2d", "out_channels": 256, "kernel": 5, "padding": 2},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 3, "stride": 2},
    {"type": "conv2d", "out_channels": 384, "kernel": 3, "padding": 1},
    {"type": "relu"},
    {"type": "conv2d", "out_channels": 384, "kernel": 3, "padding": 1},
    {"type": "relu"},
    {"type": "conv2d", "out_channels": 256, "kernel": 3, "padding": 1},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 3, "stride": 2},
    {"type": "flatten"},
    {"type": "linear", "out_features": 4096},
    {"type": "relu"},
    {"type": "linear", "out_features": 4096},
    {"type": "relu"},
    {"type": "linear", "out_features": 1000}
  ]
})";

bool spatial(LayerType t) {
  return t == LayerType::Conv2d || t == LayerType::MaxPool2d || t == LayerType::AvgPool2d;
}

const LayerInfo& layer_at(const ModelInfo& info, int layer) {
  if (layer < 0 || layer >= int(info.layers.size()))
    throw std::invalid_argument("layer " + std::to_string(layer) + " does not exist: the model has layers 0 to " +
                                std::to_string(int(info.layers.size()) - 1));
  return info.layers[size_t(layer)];
}

}  // namespace

std::vector<Preset> presets() {
  return {
      {"webcam", "Webcam net", "ConvLab's default: three conv+relu+pool stages on 64×64 colour images; trains in seconds.",
       kWebcamSpec, true},
      {"lenet", "LeNet-style", "LeCun's 1998 digit reader: 32×32 grayscale, 5×5 convolutions, 2×2 subsampling, 120-84-10 units.",
       kLeNetSpec, true},
      {"alexnet", "AlexNet (lecture)",
       "The lecture's AlexNet on 227×227×3: too large to train in a browser tab, but every shape and count is real.",
       kAlexNetSpec, false},
  };
}

FcVsConv fc_vs_conv(int c_in, int h, int w, int units, int k, int c_out) {
  rules::check_fields(rules::kFcConvFields, {c_in, h, w, units, k, c_out}, "fully-connected versus convolutional");
  FcVsConv r;
  r.fc_weights_per_neuron = int64_t(c_in) * h * w;
  r.fc_layer_weights = r.fc_weights_per_neuron * units;
  r.fc_layer_params = r.fc_layer_weights + units;
  r.conv_weights_per_filter = int64_t(k) * k * c_in;
  r.conv_layer_params = r.conv_weights_per_filter * c_out + c_out;
  return r;
}

ConvStep conv_step(const Model& m, int layer, int filter, int oy, int ox, int image) {
  const LayerInfo& li = layer_at(m.info(), layer);
  if (li.spec.type != LayerType::Conv2d)
    throw std::invalid_argument("layer " + std::to_string(layer) + " is " + layer_type_name(li.spec.type) +
                                ", not a convolution: pick a conv2d layer");
  if (filter < 0 || filter >= li.out.c || oy < 0 || oy >= li.out.h || ox < 0 || ox >= li.out.w)
    throw std::invalid_argument("filter or output cell out of range: filters 0.." + std::to_string(li.out.c - 1) +
                                ", cells " + std::to_string(li.out.h) + "×" + std::to_string(li.out.w));
  if (image < 0 || image >= m.last_batch()) throw std::invalid_argument("run the model on an image first");
  ConvStep r;
  const int k = li.spec.kernel, c_in = li.in.c, h = li.in.h, w = li.in.w;
  r.c_in = c_in;
  r.k = k;
  r.in_y0 = oy * li.spec.stride - li.pad_top;
  r.in_x0 = ox * li.spec.stride - li.pad_left;
  const float* x = m.activation(layer - 1, image);  // (c_in, h, w)
  const Param& wp = m.params()[size_t(m.weight_index(layer))];
  const Param& bp = m.params()[size_t(m.weight_index(layer) + 1)];
  const size_t n = size_t(c_in) * k * k;
  r.patch.assign(n, 0.0f);
  r.padded.assign(n, 0);
  r.weights.assign(wp.value.begin() + ptrdiff_t(size_t(filter) * n), wp.value.begin() + ptrdiff_t(size_t(filter + 1) * n));
  r.bias = bp.value[size_t(filter)];
  for (int c = 0; c < c_in; ++c)
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        size_t idx = (size_t(c) * k + i) * k + j;
        int y = r.in_y0 + i, xx = r.in_x0 + j;
        if (y < 0 || y >= h || xx < 0 || xx >= w) {
          r.padded[idx] = 1;
        } else {
          r.patch[idx] = x[(size_t(c) * h + y) * w + xx];
        }
        r.dot += double(r.patch[idx]) * r.weights[idx];
      }
  r.value = m.activation(layer, image)[(size_t(filter) * li.out.h + oy) * li.out.w + ox];
  r.relu = std::max(0.0f, r.value);
  return r;
}

void forward_rgba(Model& m, std::vector<float>& x, const uint8_t* rgba, int w, int h) {
  x.resize(size_t(m.input_size()));
  preprocess_rgba(x.data(), rgba, w, h, m.input());
  m.forward(x.data(), 1);
}

std::vector<float> shift_image(const float* x, int c, int h, int w, int dx, int dy) {
  std::vector<float> y(size_t(c) * h * w, 0.0f);
  for (int ch = 0; ch < c; ++ch)
    for (int i = 0; i < h; ++i) {
      int si = i - dy;
      if (si < 0 || si >= h) continue;
      for (int j = 0; j < w; ++j) {
        int sj = j - dx;
        if (sj >= 0 && sj < w) y[(size_t(ch) * h + i) * w + j] = x[(size_t(ch) * h + si) * w + sj];
      }
    }
  return y;
}

Equivariance measure_equivariance(Model& m, const float* x, int layer, int dx, int dy) {
  const ModelInfo& info = m.info();
  const LayerInfo& li = layer_at(info, layer);
  if (li.out.flat)
    throw std::invalid_argument("layer " + std::to_string(layer) + " outputs a flat vector: pick a layer before flatten");
  const InputSpec& in = m.input();
  if (std::abs(dx) >= in.width || std::abs(dy) >= in.height)
    throw std::invalid_argument("the shift must be smaller than the image (" + std::to_string(in.width) + "×" +
                                std::to_string(in.height) + ")");
  Equivariance r;
  r.layer = layer;
  r.shape = li.out;
  r.jump = li.jump;
  r.sx = dx / li.jump;
  r.sy = dy / li.jump;
  r.whole_cells = dx % li.jump == 0 && dy % li.jump == 0;

  const int64_t n_in = m.input_size();
  std::vector<float> batch(size_t(2 * n_in));  // (2, C, H, W): x and shift(x)
  std::copy(x, x + n_in, batch.begin());
  auto xs = shift_image(x, in.channels, in.height, in.width, dx, dy);
  std::copy(xs.begin(), xs.end(), batch.begin() + n_in);
  m.forward(batch.data(), 2);

  const int C = li.out.c, H = li.out.h, W = li.out.w;
  const float* fx = m.activation(layer, 0);
  const float* fxs = m.activation(layer, 1);
  r.conv_of_shifted.assign(fxs, fxs + li.out.size());
  r.shifted_conv = shift_image(fx, C, H, W, r.sx, r.sy);
  r.diff.assign(size_t(H) * W, 0.0f);
  r.interior.assign(size_t(H) * W, 0);
  // Where shift(x) is x moved (not the zero-filled strip), and the window stays in the image.
  const int y_lo = std::max(0, dy), y_hi = std::min(in.height, in.height + dy);
  const int x_lo = std::max(0, dx), x_hi = std::min(in.width, in.width + dx);
  for (int i = 0; i < H; ++i)
    for (int j = 0; j < W; ++j) {
      float d = 0;
      for (int c = 0; c < C; ++c) {
        size_t idx = (size_t(c) * H + i) * W + j;
        d = std::max(d, std::fabs(r.conv_of_shifted[idx] - r.shifted_conv[idx]));
      }
      Rect rf = receptive_field(info, layer, i, j);
      bool inside = rf.y0 >= y_lo && rf.y1 <= y_hi && rf.x0 >= x_lo && rf.x1 <= x_hi;
      size_t cell = size_t(i) * W + j;
      r.diff[cell] = d;
      r.interior[cell] = inside;
      if (inside) {
        ++r.interior_cells;
        r.max_interior = std::max(r.max_interior, d);
      } else {
        ++r.border_cells;
        r.border_nonzero += d > 0;
        r.max_border = std::max(r.max_border, d);
      }
    }
  return r;
}

std::vector<PoolInvariance> pool_invariance(const float* a, int c, int h, int w, int k, int s, int max_shift) {
  if (k < 1 || s < 1 || k > h || k > w) throw std::invalid_argument("the pool window must fit the map");
  if (max_shift < 0 || max_shift >= w) throw std::invalid_argument("the shift must be between 0 and the map width");
  const int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
  Pool2dShape ps{1, c, h, w, ho, wo, k, s, 0, 0};
  const size_t n = size_t(c) * ho * wo;
  std::vector<float> max0(n), avg0(n), max1(n), avg1(n);
  std::vector<int32_t> arg(n);
  maxpool2d_forward(max0.data(), arg.data(), a, ps);
  avgpool2d_forward(avg0.data(), a, ps);
  float scale = 0;
  for (int64_t i = 0; i < int64_t(c) * h * w; ++i) scale = std::max(scale, std::fabs(a[i]));
  const float tol = 1e-6f * (1 + scale);  // float noise only: "unchanged" means the same value
  std::vector<PoolInvariance> out;
  for (int d = 0; d <= max_shift; ++d) {
    auto as = shift_image(a, c, h, w, d, 0);
    maxpool2d_forward(max1.data(), arg.data(), as.data(), ps);
    avgpool2d_forward(avg1.data(), as.data(), ps);
    PoolInvariance p;
    p.shift = d;
    double dmax = 0, davg = 0, smax = 0, savg = 0;
    for (int ch = 0; ch < c; ++ch)
      for (int i = 0; i < ho; ++i)
        for (int j = 0; j < wo; ++j) {
          if (j * s < d) continue;  // the window meets the zero-filled strip
          size_t idx = (size_t(ch) * ho + i) * wo + j;
          // An all-zero window (common after ReLU) stays zero under any pooling: not evidence.
          if (max0[idx] == 0 && max1[idx] == 0 && avg0[idx] == 0 && avg1[idx] == 0) continue;
          ++p.cells;
          float em = std::fabs(max1[idx] - max0[idx]), ea = std::fabs(avg1[idx] - avg0[idx]);
          p.max_unchanged += em <= tol;
          p.avg_unchanged += ea <= tol;
          dmax += em;
          davg += ea;
          smax += std::fabs(max0[idx]);
          savg += std::fabs(avg0[idx]);
        }
    p.max_change = smax > 0 ? dmax / smax : 0;
    p.avg_change = savg > 0 ? davg / savg : 0;
    out.push_back(p);
  }
  return out;
}

std::vector<std::vector<float>> predict_shifts(Model& m, const float* x, const std::vector<int>& shifts) {
  if (shifts.empty()) return {};
  const InputSpec& in = m.input();
  const int64_t n_in = m.input_size();
  const int n = int(shifts.size());
  std::vector<float> batch(size_t(n * n_in));
  for (int i = 0; i < n; ++i) {
    if (std::abs(shifts[size_t(i)]) >= in.width) throw std::invalid_argument("a shift is wider than the image");
    auto xs = shift_image(x, in.channels, in.height, in.width, shifts[size_t(i)], 0);
    std::copy(xs.begin(), xs.end(), batch.begin() + ptrdiff_t(i * n_in));
  }
  const int classes = m.num_classes();
  const float* logits = m.forward(batch.data(), n);
  std::vector<float> probs(size_t(n) * classes);
  softmax_forward(probs.data(), logits, n, classes);
  std::vector<std::vector<float>> rows;
  for (int i = 0; i < n; ++i)
    rows.emplace_back(probs.begin() + ptrdiff_t(i * classes), probs.begin() + ptrdiff_t((i + 1) * classes));
  return rows;
}

Rect receptive_field(const ModelInfo& info, int layer, int oy, int ox) {
  const LayerInfo& top = layer_at(info, layer);
  if (top.rf_full) return {0, 0, info.input.h, info.input.w};
  if (oy < 0 || oy >= top.out.h || ox < 0 || ox >= top.out.w)
    throw std::invalid_argument("cell (" + std::to_string(oy) + ", " + std::to_string(ox) + ") is outside layer " +
                                std::to_string(layer) + "'s " + std::to_string(top.out.h) + "×" +
                                std::to_string(top.out.w) + " output");
  // Inclusive index ranges, walked from the layer's output back to the input.
  int y0 = oy, y1 = oy, x0 = ox, x1 = ox;
  for (int l = layer; l >= 0; --l) {
    const LayerInfo& li = info.layers[size_t(l)];
    if (!spatial(li.spec.type)) continue;
    const int s = li.spec.stride, k = li.spec.kernel;
    y0 = y0 * s - li.pad_top;
    y1 = y1 * s - li.pad_top + k - 1;
    x0 = x0 * s - li.pad_left;
    x1 = x1 * s - li.pad_left + k - 1;
  }
  return {y0, x0, y1 + 1, x1 + 1};
}

int rf_of_stack(const std::vector<int>& kernels, const std::vector<int>& strides) {
  if (kernels.size() != strides.size()) throw std::invalid_argument("one stride per kernel");
  int r = 1, j = 1;
  for (size_t i = 0; i < kernels.size(); ++i) {
    r += (kernels[i] - 1) * j;
    j *= strides[i];
  }
  return r;
}

Coverage coverage(int w_in, int k, int s, int p) {
  rules::check_fields(rules::kPlaygroundFields, {w_in, k, s, p}, "the playground");
  Coverage c;
  c.w_in = w_in;
  c.k = k;
  c.s = s;
  c.p = p;
  auto o = output_size(w_in, k, s, p, p);
  c.numerator = o.numerator;
  c.exact = o.exact;
  c.w_out = o.numerator >= 0 ? o.numerator / s + 1 : 0;
  c.counts.assign(size_t(w_in + 2 * p), 0);
  for (int t = 0; t < c.w_out; ++t)
    for (int i = t * s; i < t * s + k; ++i) ++c.counts[size_t(i)];
  for (int i = p; i < p + w_in; ++i) c.unused += c.counts[size_t(i)] == 0;
  char buf[96];
  if (o.numerator < 0)
    std::snprintf(buf, sizeof buf, "(%d + 2·%d − %d)/%d + 1: the kernel does not fit", w_in, p, k, s);
  else if (o.exact)
    std::snprintf(buf, sizeof buf, "(%d + 2·%d − %d)/%d + 1 = %d", w_in, p, k, s, c.w_out);
  else
    std::snprintf(buf, sizeof buf, "(%d + 2·%d − %d)/%d + 1 = %g", w_in, p, k, s, double(o.numerator) / s + 1);
  c.formula = buf;
  return c;
}

Json presets_json() {
  Json a = Json::array();
  for (const auto& p : presets())
    a.push_back(Json::object(
        {{"id", p.id}, {"name", p.name}, {"description", p.description}, {"spec", p.spec}, {"trainable", p.trainable}}));
  return a;
}

Json to_json(const FcVsConv& r) {
  return Json::object({{"fc_weights_per_neuron", r.fc_weights_per_neuron},
                       {"fc_layer_weights", r.fc_layer_weights},
                       {"fc_layer_params", r.fc_layer_params},
                       {"conv_weights_per_filter", r.conv_weights_per_filter},
                       {"conv_layer_params", r.conv_layer_params}});
}

Json to_json(const ConvStep& s) {
  return Json::object({{"c_in", s.c_in}, {"k", s.k}, {"in_y0", s.in_y0}, {"in_x0", s.in_x0},
                       {"patch", json_numbers(s.patch)}, {"padded", json_numbers(s.padded)},
                       {"weights", json_numbers(s.weights)}, {"bias", double(s.bias)}, {"dot", s.dot},
                       {"value", double(s.value)}, {"relu", double(s.relu)}});
}

Json to_json(const Equivariance& r) {
  return Json::object({{"layer", r.layer}, {"c", r.shape.c}, {"h", r.shape.h}, {"w", r.shape.w}, {"jump", r.jump},
                       {"sx", r.sx}, {"sy", r.sy}, {"whole_cells", r.whole_cells},
                       {"conv_of_shifted", json_numbers(r.conv_of_shifted)}, {"shifted_conv", json_numbers(r.shifted_conv)},
                       {"diff", json_numbers(r.diff)}, {"interior", json_numbers(r.interior)},
                       {"max_interior", double(r.max_interior)}, {"max_border", double(r.max_border)},
                       {"interior_cells", r.interior_cells}, {"border_cells", r.border_cells},
                       {"border_nonzero", r.border_nonzero}});
}

Json to_json(const std::vector<PoolInvariance>& rows) {
  Json a = Json::array();
  for (const auto& p : rows)
    a.push_back(Json::object({{"shift", p.shift}, {"cells", p.cells}, {"max_unchanged", p.max_unchanged},
                              {"avg_unchanged", p.avg_unchanged}, {"max_change", p.max_change},
                              {"avg_change", p.avg_change}}));
  return a;
}

Json to_json(const Rect& r) { return Json::object({{"y0", r.y0}, {"x0", r.x0}, {"y1", r.y1}, {"x1", r.x1}}); }

Json to_json(const Coverage& c) {
  return Json::object({{"w_in", c.w_in}, {"k", c.k}, {"s", c.s}, {"p", c.p}, {"numerator", c.numerator},
                       {"exact", c.exact}, {"w_out", c.w_out}, {"counts", json_numbers(c.counts)},
                       {"unused", c.unused}, {"formula", c.formula}});
}

}  // namespace convlab::learn
