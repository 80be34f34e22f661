// What model.cc and inference_plan.cc share: a layer's kernel shape for n images. Not public API.
#pragma once
#include "convlab/shapes.h"
#include "convlab/spec.h"

namespace convlab::model_detail {

inline Conv2dShape conv_shape(const LayerInfo& li, int n) {
  return {n, li.in.c, li.in.h, li.in.w, li.out.c, li.out.h, li.out.w, li.spec.kernel, li.spec.stride, li.pad_top,
          li.pad_left};
}

inline Pool2dShape pool_shape(const LayerInfo& li, int n) {
  return {n, li.in.c, li.in.h, li.in.w, li.out.h, li.out.w, li.spec.kernel, li.spec.stride, li.pad_top, li.pad_left};
}

}  // namespace convlab::model_detail
