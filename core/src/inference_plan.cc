// The inference planner: how predict (and forward, through the same driver) runs a Model's
// layers. The weights packed for the GEMM (and Winograd's U, which only predict reads); batches
// in slices through the conv stack; one image on several threads in row bands, then in groups
// of output channels. Every path gives the bits of the plain layer-by-layer run.
#include <algorithm>
#include <cassert>
#include <cstring>

#include "convlab/kernels.h"
#include "convlab/layers.h"
#include "convlab/model.h"
#include "convlab/rules.h"
#include "convlab/threadpool.h"
#include "convlab/winograd.h"
#include "model_internal.h"

namespace convlab {

using namespace model_detail;

namespace {

// Where predict uses Winograd, and which: the output tile m of F(m x m, 3x3), or 0 for the
// direct path. F(4x4, 3x3) pays from 14x14 maps up with enough channel pairs; on smaller maps
// there are too few tiles, each 6x6 window mostly padding, and F(2x2, 3x3) pays only with many
// channels. With one input channel there is too little work per tile for the transforms.
int winograd_tile(const LayerInfo& li) {
  if (li.spec.type != LayerType::Conv2d || li.in.c < 3 || !conv2d_winograd_applies(conv_shape(li, 1))) return 0;
  const int64_t cc = int64_t(li.in.c) * li.out.c;
  if (cc >= 24 && li.out.h >= 14 && li.out.w >= 14) return 4;
  return cc >= 48 ? 2 : 0;
}

}  // namespace

// The packed weights' buffers, Winograd's tiles, the stack, and the bands for each thread count
// (and each thread's plan): sized once here, so predict allocates nothing.
void Model::plan_inference() {
  wpack_.resize(info_.layers.size());
  wino_.resize(info_.layers.size());
  wino_tile_.assign(info_.layers.size(), 0);
  for (size_t i = 0; i < info_.layers.size(); ++i) {
    const LayerInfo& li = info_.layers[i];
    if (li.spec.type == LayerType::Conv2d) wpack_[i].assign(size_t(conv2d_wpack_size(conv_shape(li, 1))), 0.0f);
    wino_tile_[i] = winograd_tile(li);
    if (wino_tile_[i])
      wino_[i].assign(size_t(conv2d_winograd_weights_size(li.out.c, li.in.c, wino_tile_[i])), 0.0f);
    if (li.spec.type == LayerType::Linear) wpack_[i].assign(size_t(linear_wpack_size(li.in.c, li.out.c)), 0.0f);
  }
  // the stack (what run() slices and bands); one image in bands: how deep for each thread
  // count, and each thread's plan (no allocation
  // when predict runs)
  while (stack_ < info_.layers.size() && info_.layers[stack_].spec.type != LayerType::Flatten &&
         info_.layers[stack_].spec.type != LayerType::Linear)
    ++stack_;
  // the layers after it run in the slices too when their weights are small (kSliceHeadBytes)
  int64_t head_bytes = 0;
  for (size_t i = stack_; i < info_.layers.size(); ++i) head_bytes += int64_t(wpack_[i].size()) * 4;
  sliced_ = head_bytes <= kSliceHeadBytes ? info_.layers.size() : stack_;
  band_depth_.assign(size_t(rules::kMaxThreads) + 1, 0);  // every count, whichever the build
  for (int t = 2; t <= rules::kMaxThreads; ++t) band_depth_[size_t(t)] = band_depth(stack_, t);
  band_plan_.assign(2 * std::max<size_t>(stack_, 1) * size_t(max_threads()), {0, 0});
}

// The direct path's panels: what forward and predict both run (every layer but Winograd's).
void Model::pack_direct() {
  for (size_t i = 0; i < info_.layers.size(); ++i) {
    const LayerInfo& li = info_.layers[i];
    if (weight_index_[i] < 0) continue;
    const float* w = params_[weight_index_[i]].value.data();
    if (li.spec.type == LayerType::Conv2d) conv2d_pack_weights(wpack_[i].data(), w, conv_shape(li, 1));
    if (li.spec.type == LayerType::Linear) linear_pack_weights(wpack_[i].data(), w, li.in.c, li.out.c);
  }
  packed_ok_ = true;
}

// Winograd's U, which only predict reads.
void Model::pack_winograd() {
  for (size_t i = 0; i < info_.layers.size(); ++i)
    if (!wino_[i].empty()) {
      const LayerInfo& li = info_.layers[i];
      conv2d_winograd_transform_weights(wino_[i].data(), params_[weight_index_[i]].value.data(), li.out.c, li.in.c,
                                        wino_tile_[i]);
    }
  wino_ok_ = true;
}

const float* Model::predict(const float* x, int n) {
  if (!packed_ok_) pack_direct();
  if (!wino_ok_) pack_winograd();
  return run(x, nullptr, n, true);
}

const float* Model::predict_bytes(const uint8_t* x, int n) {
  if (!packed_ok_) pack_direct();
  if (!wino_ok_) pack_winograd();
  return run(nullptr, x, n, true);
}

const float* Model::run(const float* x, const uint8_t* xb, int n, bool inference) {
  reserve(n);
  n_ = n;
  last_was_forward_ = !inference;
  const size_t L = info_.layers.size();
  // Inference on several images: the layers before the first flatten or linear (the conv
  // stack, where the activations are big) run slice by slice of kSliceFloats worth of
  // activations, each slice on one thread through all of them: one hand-over to the pool
  // instead of one per layer, and a slice's maps stay in cache from one layer to the next.
  // Each layer's own parallel_for then runs inline on that thread as its thread 0
  // (threadpool.h), in that thread's own scratch (slice_col_: col_'s per-thread slots are laid
  // out per layer, and two threads may be in different layers at once), and every image is the
  // same sum whichever slice or thread computes it. The layers from there on (small per image,
  // weights shared) run slice by slice too when their weights are small (kSliceHeadBytes: read
  // again for every slice, from this core's cache), else on the whole batch, as training's
  // forward does: in slices a slice's last map goes to the linear layer from this core's cache
  // and no thread waits for a serial flatten of the whole batch, but a large head read again
  // for every slice costs more than that saves.
  const size_t stack = stack_;
  if (const size_t depth = inference && n == 1 ? band_depth_[size_t(num_threads())] : 0; depth > 0) {
    // the bands read x in place: copying it first would only move it into this core's cache
    run_bands(depth, x, xb);
    run_after_bands(depth);
    return act_.back().data();
  }
  if (xb) {
    const int64_t isz = input_size();
    parallel_for(n, [&](int b, int e, int) { f32_u8_unit_best()(act_[0].data() + isz * b, xb + isz * b, isz * (e - b)); });
  } else {
    std::memcpy(act_[0].data(), x, sizeof(float) * size_t(input_size() * n));
  }
  if (!inference || n == 1 || stack == 0) {
    run_layers(0, L, 0, n, inference, col_.data());
    return act_.back().data();
  }
  int64_t widest = 1;  // floats of one image's largest map in the stack
  for (size_t i = 0; i < stack; ++i) widest = std::max(widest, info_.layers[i].out.size());
  const int slice = int(std::clamp<int64_t>(kSliceFloats / widest, 1, n));
  int64_t per = 0;  // one thread's scratch for a slice through the stack
  for (size_t i = 0; i < stack; ++i) {
    const LayerInfo& li = info_.layers[i];
    if (li.spec.type != LayerType::Conv2d) continue;
    const Conv2dShape s = conv_shape(li, slice);
    per = std::max(per, wino_[i].empty() ? conv2d_forward_col_size_one_thread(s)
                                         : conv2d_winograd_scratch_size_one_thread(s, wino_tile_[i]));
  }
  for (size_t i = stack; i < sliced_; ++i) {
    const LayerInfo& li = info_.layers[i];
    if (li.spec.type == LayerType::Linear) per = std::max(per, linear_scratch_size(slice, li.in.c, li.out.c));
  }
  per = (per + 15) / 16 * 16;  // each thread's region on its own cache lines
  const size_t need = size_t(per) * size_t(num_threads());
  if (slice_col_.size() < need) slice_col_.assign(need, 0.0f);  // the first batch, or more threads
  parallel_for(n, [&](int b, int e, int t) {
    float* col = slice_col_.data() + per * t;
    for (int i0 = b; i0 < e; i0 += slice) run_layers(0, sliced_, i0, std::min(slice, e - i0), true, col);
  });
  run_layers(sliced_, L, 0, n, true, col_.data());
  return act_.back().data();
}

// One image on several threads: the first layers in row bands.
//
// Splitting each layer of one image over the threads costs a hand-over per layer, and each layer
// reads maps the other thread wrote (the partitions differ from layer to layer), so the whole
// forward gains far less than its layers do one by one. So the first layers, where the maps are
// big, run as horizontal bands of the last one's output, one band per thread, each through every
// layer from the input rows it needs (its receptive field: a few rows of halo, computed by both
// bands) in its own buffers: one hand-over for all of them. Deeper, a band's receptive field
// covers most of the image (the default net's 8-row last map: each of 2 bands would compute 69 %
// of the first conv), so the bands stop where their extra work would pass kBandWaste, and the
// rest runs layer by layer.
// Bands give the whole image's bits: every output is the same sum, and a Winograd layer's band
// starts on a multiple of its tile and ends on one (or at the map's end), so each tile sees
// the same window. Only convs, relus, relu + max pool pairs and average pools run in bands
// (the generic form; a max pool without a relu before it would need its argmax scratch).
namespace {
constexpr double kBandWaste = 0.1;  // at most 10 % more multiply-adds than the layers alone
}  // namespace

// How many layers from the first run in bands (0: none): the most, ending after a pool or at
// the stack's end, whose bands on num_threads() threads add at most kBandWaste of work.
size_t Model::band_depth(size_t stack, int threads) const {
  std::vector<std::pair<int, int>> need(stack), out(stack);
  size_t best = 0;
  for (size_t depth = 1; depth <= stack; ++depth) {
    const LayerType t = info_.layers[depth - 1].spec.type;
    if (t != LayerType::Conv2d && t != LayerType::ReLU && t != LayerType::MaxPool2d && t != LayerType::AvgPool2d) break;
    if (t == LayerType::MaxPool2d && (depth < 2 || info_.layers[depth - 2].spec.type != LayerType::ReLU)) break;
    const bool ends_well = t == LayerType::MaxPool2d || t == LayerType::AvgPool2d || depth == stack;
    const int h = info_.layers[depth - 1].out.h, bands = std::min(threads, h);
    if (!ends_well || bands < 2) continue;
    double work = 0, banded = 0;  // multiply-adds of the convs: the whole image's, all bands'
    for (int band = 0; band < bands; ++band) {
      band_rows(need.data(), out.data(), depth, h * band / bands, h * (band + 1) / bands);
      for (size_t i = 0; i < depth; ++i)
        banded += double(info_.layers[i].macs) * (out[i].second - out[i].first) / info_.layers[i].out.h;
    }
    for (size_t i = 0; i < depth; ++i) work += double(info_.layers[i].macs);
    if (work > 0 && banded <= (1 + kBandWaste) * work) best = depth;
  }
  return best;
}

// Rows for the band of rows [a, b) of layer stack - 1's output, layer by layer from the last:
// need[i] = the rows of layer i's input it reads, out[i] = the rows of its output it computes.
// out[i] is what layer i + 1 needs, widened for a Winograd layer to whole tiles, so a layer may
// get a few rows more than it reads (run_bands drops them before it runs).
void Model::band_rows(std::pair<int, int>* need, std::pair<int, int>* out, size_t stack, int a, int b) const {
  for (size_t i = stack; i-- > 0;) {
    const LayerInfo& li = info_.layers[i];
    const int m = wino_tile_[i];
    if (m) a = a / m * m, b = std::min(li.out.h, (b + m - 1) / m * m);  // whole tiles
    out[i] = {a, b};
    if (li.spec.type != LayerType::ReLU) {
      const int k = li.spec.kernel, st = li.spec.stride, p = li.pad_top;
      a = std::max(0, a * st - p), b = std::min(li.in.h, (b - 1) * st - p + k);
    }
    need[i] = {a, b};
  }
}

void Model::run_bands(size_t stack, const float* input, const uint8_t* input_bytes) {
  const int bands = std::min(num_threads(), info_.layers[stack - 1].out.h);
  int64_t widest = input_size(), per = 0;  // floats: a band's largest map; one thread's conv scratch
  for (size_t i = 0; i < stack; ++i) {
    const LayerInfo& li = info_.layers[i];
    widest = std::max(widest, li.out.size());
    if (li.spec.type == LayerType::Conv2d)
      per = std::max(per, wino_[i].empty() ? conv2d_forward_col_size_one_thread(conv_shape(li, 1))
                                           : conv2d_winograd_scratch_size_one_thread(conv_shape(li, 1), wino_tile_[i]));
  }
  const int64_t stride = (2 * widest + per + 15) / 16 * 16;  // one thread's two maps and scratch
  const size_t need = size_t(stride) * size_t(num_threads());
  if (band_buf_.size() < need) band_buf_.assign(need, 0.0f);
  const LayerInfo& last = info_.layers[stack - 1];
  parallel_for(bands, [&](int b0, int b1, int t) {
    float* maps[2] = {band_buf_.data() + stride * t, band_buf_.data() + stride * t + widest};
    float* col = maps[1] + widest;
    std::pair<int, int>* need = band_plan_.data() + 2 * stack * size_t(t);
    std::pair<int, int>* out = need + stack;
    for (int band = b0; band < b1; ++band) {
      const int A = last.out.h * band / bands, B = last.out.h * (band + 1) / bands;
      band_rows(need, out, stack, A, B);
      // the input's rows need[0] of every channel: (c, rows, w), converted here from bytes
      const Shape& in = info_.input;
      const int64_t w0 = in.w, h0 = in.h, r0 = need[0].second - need[0].first;
      for (int c = 0; c < in.c; ++c) {
        const int64_t at = (c * h0 + need[0].first) * w0;
        if (input_bytes)
          f32_u8_unit_best()(maps[0] + c * r0 * w0, input_bytes + at, r0 * w0);
        else
          std::memcpy(maps[0] + c * r0 * w0, input + at, sizeof(float) * size_t(r0 * w0));
      }
      int cur = 0;                  // maps[cur] holds layer i's input,
      std::pair<int, int> held = need[0];  // its rows
      for (size_t i = 0; i < stack; ++i) {
        const LayerInfo& li = info_.layers[i];
        const int c = need[i].first, d = need[i].second;
        int a = out[i].first, b = out[i].second;
        if (held != need[i]) {
          // a Winograd layer's whole tiles gave rows this layer does not read: keep rows [c, d)
          // of each channel (moving down only, in channel order, never over rows still to move)
          const int64_t w = li.in.w, hr = held.second - held.first;
          for (int ch = 0; ch < li.in.c; ++ch)
            std::memmove(maps[cur] + ch * (d - c) * w, maps[cur] + (ch * hr + (c - held.first)) * w,
                         sizeof(float) * size_t((d - c) * w));
        }
        // the band as an image of d - c rows: output row a reads input row a * stride - pad_top
        const int pad = c - (a * li.spec.stride - li.pad_top);
        const float* x = maps[cur];
        float* y = maps[1 - cur];
        switch (li.spec.type) {
          case LayerType::Conv2d: {
            const Conv2dShape s{1, li.in.c, d - c, li.in.w, li.out.c, b - a, li.out.w, li.spec.kernel, li.spec.stride,
                                pad, li.pad_left};
            const float* bias = params_[weight_index_[i] + 1].value.data();
            if (wino_tile_[i])
              conv2d_winograd_forward(y, col, x, wino_[i].data(), bias, s, wino_tile_[i]);
            else
              conv2d_forward_packed(y, col, x, wpack_[i].data(), bias, s);
            cur = 1 - cur;
            break;
          }
          case LayerType::ReLU:
            if (i + 1 < stack && info_.layers[i + 1].spec.type == LayerType::MaxPool2d) {
              // with its pool, as run_layers does: the relu's rows are the pool's input
              const LayerInfo& pl = info_.layers[i + 1];
              const int pa = out[i + 1].first, pb = out[i + 1].second;
              const int ppad = a - (pa * pl.spec.stride - pl.pad_top);
              relu_maxpool2d_infer(y, x, Pool2dShape{1, pl.in.c, b - a, pl.in.w, pb - pa, pl.out.w, pl.spec.kernel,
                                                     pl.spec.stride, ppad, pl.pad_left});
              cur = 1 - cur;
              ++i;
              a = pa, b = pb;
            } else {
              relu_forward(maps[cur], x, int64_t(li.out.c) * (b - a) * li.out.w);  // in place
            }
            break;
          case LayerType::AvgPool2d:
            avgpool2d_forward(y, x, Pool2dShape{1, li.in.c, d - c, li.in.w, b - a, li.out.w, li.spec.kernel,
                                                li.spec.stride, pad, li.pad_left});
            cur = 1 - cur;
            break;
          default: assert(false && "band_depth admits no other layer"); break;
        }
        held = {a, b};
      }
      // this band's rows [A, B) of the stack's last map, out of the rows it computed
      const int64_t w = last.out.w, h = last.out.h, hr = held.second - held.first;
      for (int c = 0; c < last.out.c; ++c)
        std::memcpy(act_[stack].data() + (c * h + A) * w, maps[cur] + (c * hr + (A - held.first)) * w,
                    sizeof(float) * size_t((B - A) * w));
    }
  });
}

// One image on several threads, after the bands: convs in groups of output channels.
//
// Past the bands the maps are small and the weights are not (the default net's third conv:
// 16x16 maps, 73 KB of Winograd weights). Split by tiles, as the driver does for a batch, every
// thread would read all of the weights for a few tiles. So each Winograd conv from here runs in
// groups of output channels, one per thread: a thread reads only its channels' weights (the input
// transform, a quarter of that conv, is done by every thread), and runs the relu and the max pool
// after the conv on its own channels in the same piece, whose maps it has just written: one
// hand-over for the three layers. Every channel is the same sums whichever group computes it
// (conv2d_winograd_forward_channels), so the bits are one thread's.
void Model::run_after_bands(size_t from) {
  const size_t L = info_.layers.size();
  for (size_t i = from; i < L;) {
    size_t j = i;  // layers [i, j) run as usual, then a channel group from j
    while (j < L && !(j < stack_ && wino_tile_[j])) ++j;
    if (j > i) run_layers(i, j, 0, 1, true, col_.data());
    if (j < L) j = run_channel_groups(j);
    i = j;
  }
}

// The Winograd conv `i` with the relu after it and the max pool after that, where there are,
// for one image in groups of output channels; returns the layer after them.
size_t Model::run_channel_groups(size_t i) {
  const LayerInfo& li = info_.layers[i];
  size_t end = i + 1;
  const bool relu = end < stack_ && info_.layers[end].spec.type == LayerType::ReLU;
  const bool pool = relu && end + 1 < stack_ && info_.layers[end + 1].spec.type == LayerType::MaxPool2d;
  end += size_t(relu) + size_t(pool);
  const Conv2dShape s = conv_shape(li, 1);
  const int m = wino_tile_[i], panels = (s.c_out + kGemmMr - 1) / kGemmMr;
  const int groups = std::min(num_threads(), panels);
  // each thread's driver runs inline as its thread 0: give it that slot of col_ (reserve sized
  // col_ for every thread's slot of this conv)
  const int64_t per = conv2d_winograd_scratch_size_one_thread(s, m), hw = int64_t(s.h_out) * s.w_out;
  assert(per * max_threads() <= int64_t(col_.size()));
  const float* bias = params_[weight_index_[i] + 1].value.data();
  parallel_for(groups, [&](int g0, int g1, int t) {
    const int o0 = kGemmMr * (panels * g0 / groups), o1 = std::min(s.c_out, kGemmMr * (panels * g1 / groups));
    float* y = act_[i + 1].data();
    conv2d_winograd_forward_channels(y, col_.data() + per * t, act_[i].data(), wino_[i].data(), bias, s, m, o0, o1);
    if (pool) {
      Pool2dShape ps = pool_shape(info_.layers[i + 2], 1);
      ps.c = o1 - o0;
      relu_maxpool2d_infer(act_[i + 3].data() + o0 * int64_t(ps.h_out) * ps.w_out, y + o0 * hw, ps);
    } else if (relu) {
      relu_forward(act_[i + 2].data() + o0 * hw, y + o0 * hw, (o1 - o0) * hw);
    }
  });
  return end;
}

}  // namespace convlab
