// The shapes the conv and pool layers and their kernels take, in one place. Tensors are NCHW
// float32; on each axis the output size is (in + pad_before + pad_after - k) / stride + 1, computed
// once per layer by spec.cc's output_size (pad_top/pad_left are the "before" paddings).
#pragma once

namespace convlab {

// x: (n, c_in, h_in, w_in) -> y: (n, c_out, h_out, w_out), a k x k filter.
struct Conv2dShape {
  int n, c_in, h_in, w_in;
  int c_out, h_out, w_out;
  int k, stride, pad_top, pad_left;
};

// x: (n, c, h_in, w_in) -> y: (n, c, h_out, w_out), a k x k window.
struct Pool2dShape {
  int n, c, h_in, w_in, h_out, w_out;
  int k, stride, pad_top, pad_left;
};

}  // namespace convlab
