// cdnnl.h: a plain C ABI over oneDNN (Debian's libdnnl 2.6) for the engine's bfloat16 path: one
// 2-D convolution at a fixed input size, float32 planar (NCHW, batch 1) in and out, computed in
// bfloat16 (inputs and weights rounded, float32 accumulation, float32 output). Everything that
// oneDNN wants in its own layouts (blocked bf16 input, reordered weights, blocked output) is
// owned here and allocated once, at creation.
#ifndef CDNNL_H
#define CDNNL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One thread's oneDNN engine and stream, and the OpenMP thread count its convolutions use.
/// Use a context (and the convolutions made with it) from one thread at a time.
typedef struct cdnnl_context cdnnl_context;
typedef struct cdnnl_conv cdnnl_conv;

/// NULL on failure, with the reason in `error`.
cdnnl_context *cdnnl_context_create(int threads, char *error, size_t error_size);
void cdnnl_context_free(cdnnl_context *context);

/// A convolution like PyTorch's Conv2d(in_c, out_c, kernel, stride, kernel / 2) on an input of
/// in_h × in_w, optionally after a nearest ×2 up-sampling of the input (`upsample`), with
/// `bias`, then + the output buffer's previous contents (`residual`), then ReLU (`relu`).
/// `weights` are [out_c][in_c][kernel][kernel] (copied). NULL on failure, reason in `error`.
cdnnl_conv *cdnnl_conv_create(cdnnl_context *context, int in_c, int out_c, int kernel, int stride,
                              int in_h, int in_w, int upsample, const float *weights, const float *bias,
                              int residual, int relu, char *error, size_t error_size);
/// `src` [in_c][in_h][in_w]; `dst` [out_c][oh][ow], holding the residual when created with one
/// (it may then be the residual's own buffer). 0 on success, -1 with the reason in `error`.
int cdnnl_conv_run(cdnnl_conv *conv, const float *src, float *dst, char *error, size_t error_size);
/// oneDNN's name for the implementation it chose (e.g. "jit:avx512_core_bf16").
const char *cdnnl_conv_implementation(const cdnnl_conv *conv);
void cdnnl_conv_free(cdnnl_conv *conv);

#ifdef __cplusplus
}
#endif

#endif
