// Every layer is a pair of plain functions, forward and backward: outputs first, inputs
// next, shape last (llm.c's grammar). Tensors are NCHW float32.
//
// Gradient convention: parameter gradients (dw, db) ACCUMULATE (only Model::zero_grad
// clears them), so a batch can be split into slices. Input gradients (dx) are WRITTEN:
// in a Sequential net every activation has exactly one consumer.
#pragma once
#include <cstdint>

#include "convlab/kernels.h"  // the shapes (convlab/shapes.h) and the thread count the layers split over

namespace convlab {

// ---- conv2d (conv2d.cc): im2col + GEMM (darknet's way, so one fast GEMM serves conv and linear) ----
// y: (n, c_out, h_out, w_out)  x: (n, c_in, h_in, w_in)  w: (c_out, c_in, k, k)  b: (c_out)
// col: scratch of conv2d_col_size(s) floats (im2col panels, packed weights, per-image gradient
// partials, one region per thread), for both conv2d_forward and conv2d_backward.
int64_t conv2d_col_size(const Conv2dShape& s);
void conv2d_forward(float* y, float* col, const float* x, const float* w, const float* b, const Conv2dShape& s);
// The same forward with W already packed (4-row A panels of (c_out, c_in*k*k)): prediction packs
// once per weight change instead of once per frame. Same bits as conv2d_forward.
int64_t conv2d_wpack_size(const Conv2dShape& s);
void conv2d_pack_weights(float* wpack, const float* w, const Conv2dShape& s);
// b may be null (no bias).
void conv2d_forward_packed(float* y, float* col, const float* x, const float* wpack, const float* b,
                           const Conv2dShape& s);
// Scratch for conv2d_forward_packed when the call runs on one thread (inside a caller's
// parallel_for piece, where the layer's own split runs inline as thread 0): thread 0's region
// alone, a fraction of conv2d_col_size. Model's batched inference gives each thread one.
int64_t conv2d_forward_col_size_one_thread(const Conv2dShape& s);
// dx may be null (the first layer needs no input gradient). At stride 1 (padding <= k-1) dx is
// computed as the transposed convolution on the forward path (see conv2d.cc).
void conv2d_backward(float* dx, float* dw, float* db, float* col, const float* dy, const float* x, const float* w,
                     const Conv2dShape& s);
// The plain sliding dot product, kept beside the fast path as its algorithmic reference.
void conv2d_forward_reference(float* y, const float* x, const float* w, const float* b, const Conv2dShape& s);
void conv2d_backward_reference(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w,
                               const Conv2dShape& s);

// ---- relu ----
void relu_forward(float* y, const float* x, int64_t n);
// dx = dy where y > 0 (PyTorch's choice: gradient 0 at exactly 0).
void relu_backward(float* dx, const float* dy, const float* y, int64_t n);

// ---- pools (no parameters) ----
// argmax: (n, c, h_out, w_out) index into the (h_in, w_in) plane of the max; padding is -inf
// so it never wins (PyTorch MaxPool2d). Ties go to the first in scan order, as in PyTorch.
void maxpool2d_forward(float* y, int32_t* argmax, const float* x, const Pool2dShape& s);
void maxpool2d_backward(float* dx, const float* dy, const int32_t* argmax, const Pool2dShape& s);
// Average over k*k including zero padding (PyTorch AvgPool2d's count_include_pad=True).
void avgpool2d_forward(float* y, const float* x, const Pool2dShape& s);
void avgpool2d_backward(float* dx, const float* dy, const Pool2dShape& s);
// relu (into r, the relu layer's output, shape s's input) then the pool of r, in one pass over
// plane groups: what a relu followed by a pool runs (Model::forward and predict). Bit for bit
// relu_forward then maxpool2d_forward / avgpool2d_forward.
void relu_maxpool2d_forward(float* r, float* y, int32_t* argmax, const float* x, const Pool2dShape& s);
void relu_avgpool2d_forward(float* r, float* y, const float* x, const Pool2dShape& s);
// predict's relu then max pool: y only (no relu map, no argmax), y's bits as above.
void relu_maxpool2d_infer(float* y, const float* x, const Pool2dShape& s);

// ---- linear: y = x W^T + b (PyTorch nn.Linear) ----
// y: (n, out)  x: (n, in)  w: (out, in)  b: (out)
void linear_forward(float* y, const float* x, const float* w, const float* b, int n, int in, int out);
void linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, int n, int in,
                     int out);
// The same with caller-owned scratch of linear_scratch_size(n, in, out) floats (packed
// operands): what a training step uses, so it allocates nothing.
int64_t linear_scratch_size(int n, int in, int out);
void linear_forward(float* y, float* scratch, const float* x, const float* w, const float* b, int n, int in, int out);
void linear_backward(float* dx, float* dw, float* db, float* scratch, const float* dy, const float* x,
                     const float* w, int n, int in, int out);
// W^T packed once into 8-column B panels (in, round_up(out, 8)), as conv2d_pack_weights.
int64_t linear_wpack_size(int in, int out);
void linear_pack_weights(float* wpack, const float* w, int in, int out);
void linear_forward_packed(float* y, float* scratch, const float* x, const float* wpack, const float* b, int n, int in,
                           int out);

// ---- softmax cross-entropy, mean over the batch (PyTorch CrossEntropyLoss) ----
// probs: (n, classes). Returns the mean loss.
float softmax_cross_entropy_forward(float* probs, const float* logits, const int32_t* labels, int n, int classes);
// dlogits = (probs - onehot(label)) / n
void softmax_cross_entropy_backward(float* dlogits, const float* probs, const int32_t* labels, int n, int classes);
// Softmax alone, for prediction.
void softmax_forward(float* probs, const float* logits, int n, int classes);

}  // namespace convlab
