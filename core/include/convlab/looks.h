// "Where it looks": which pixels of one image drive the model's answer (issue 15), computed by
// the engine so the views only draw. Two classic answers:
//  - gradient saliency (Simonyan, Vedaldi & Zisserman 2014): d(score of class c)/d(input), the
//    score being the class's logit (before softmax), from the layers' own backward functions;
//  - occlusion sensitivity (Zeiler & Fergus 2014): slide a grey square over the image and see
//    how P(class c) falls.
// And the first conv layer's filters kept at the end of every epoch (Trainer::filter_history).
// Tensors are (C, H, W) of one image, as in learn.h.
#pragma once
#include <cstdint>
#include <vector>

#include "convlab/json.h"
#include "convlab/model.h"

namespace convlab::looks {

struct Saliency {
  int cls = 0;
  int c = 0, h = 0, w = 0;
  std::vector<float> grad;  // (C, H, W) d logit_cls / d input
  std::vector<float> map;   // (H, W) max over channels of |grad|
  float max = 0;            // of map (0 when the gradient is zero everywhere)
};
// Runs x (C, H, W) forward (batch 1, the direct path, as training does) and backward from the
// one-hot dlogits of class `cls`. Leaves x as the model's last run and every Param::grad zero.
// Throws std::invalid_argument for a class outside [0, classes).
Saliency saliency(Model& m, const float* x, int cls);

struct Occlusion {
  int cls = 0;
  int patch = 0, stride = 0;
  float grey = 0;              // the value written under the patch (rules::kOcclusionGrey)
  int rows = 0, cols = 0;      // patch positions: top-left (i * stride, j * stride), clipped at the edge
  int h = 0, w = 0;            // the input
  float base = 0;              // P(cls) of the unoccluded image
  std::vector<float> probs;    // (rows, cols) P(cls) with the patch at position (i, j)
  std::vector<float> drop;     // (H, W) mean over the positions covering a pixel of base - P(cls)
  float max_drop = 0, min_drop = 0;  // of drop (a patch may also raise P: min_drop < 0)
};
// The grid for patch p and stride s along a side of n pixels: ceil((n - p) / s) + 1 positions,
// so the last patch reaches the edge. rules::check_occlusion has refused what does not fit.
int occlusion_positions(int n, int patch, int stride);
// Occludes x (C, H, W) at every position (every channel set to grey under the patch) and runs
// the occluded images through Model::predict in batches of `chunk` (the batched inference path,
// threaded inside each layer): row (i, j) is what predict of that one occluded image gives.
// patch or stride 0: rules::occlusion_default_*. Leaves the model's last run undefined (the
// caller re-runs its image). Throws std::invalid_argument (rules::check_occlusion, bad class).
Occlusion occlusion(Model& m, const float* x, int cls, int patch, int stride, int chunk);

// The first conv layer's weights (c_out, c_in, k, k) at the end of epochs, epoch 0 being the
// initial weights. At most rules::kFilterEpochsKept snapshots: when full, every second one (not
// the first nor the last) is dropped and later epochs are kept at twice the spacing, so a long
// run keeps its whole course at a coarser step.
class FilterHistory {
 public:
  // layer: index of the model's first conv layer (-1: the model has none, nothing is kept).
  void reset(const Model& m);
  void keep(const Model& m, int epoch);  // epoch e's weights (call at the end of epoch e)
  int layer() const { return layer_; }
  const std::vector<int>& epochs() const { return epochs_; }
  const std::vector<std::vector<float>>& weights() const { return weights_; }
  std::vector<int64_t> shape() const { return shape_; }  // (c_out, c_in, k, k)

 private:
  int layer_ = -1, spacing_ = 1;
  std::vector<int64_t> shape_;
  std::vector<int> epochs_;
  std::vector<std::vector<float>> weights_;
};

Json to_json(const Saliency& s);   // {class, c, h, w, map, max, reduction}
Json to_json(const Occlusion& o);  // {class, patch, stride, grey, rows, cols, h, w, base, probs, drop, max_drop, min_drop}
Json to_json(const FilterHistory& f);  // {layer, shape, epochs, weights: [[...] per epoch]}

}  // namespace convlab::looks
