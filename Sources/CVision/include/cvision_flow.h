// cvision_flow.h: the OpenCV side of CVision (cvision_flow.cpp): Farneback dense optical flow
// and a backward warp by a flow field. Same conventions as cvision.h: every call that can fail
// fills a cv_error and returns a cv_status, and no C++ exception crosses the ABI (OpenCV's
// cv::Exception included).
//
// Flow fields are planar float32: dx and dy, each width × height, row-major. A vector (dx, dy)
// at pixel (x, y) of the first image says where that pixel is in the second one:
// first(y, x) ≈ second(y + dy, x + dx) — OpenCV's convention, so that warping the second image
// backwards by the flow (cv_warp_backward) aligns it with the first.
//
// Threads: a handle keeps scratch buffers and is NOT thread-safe; one thread at a time per
// handle, different handles concurrently.
#ifndef CVISION_FLOW_H
#define CVISION_FLOW_H

#include "cvision.h"

#ifdef __cplusplus
extern "C" {
#endif

/// cv::OPTFLOW_USE_INITIAL_FLOW: dx/dy passed to cv_farneback_compute are read as the initial
/// estimate before being overwritten.
#define CV_FARNEBACK_USE_INITIAL_FLOW 4
/// cv::OPTFLOW_FARNEBACK_GAUSSIAN: Gaussian instead of box window.
#define CV_FARNEBACK_GAUSSIAN 256

/// cv::calcOpticalFlowFarneback's parameters, same names and meaning. Checked before OpenCV sees
/// them: pyr_scale in (0, 1), levels 0…16, winsize 1…255, iterations 1…100, poly_n 5 or 7,
/// poly_sigma in (0, 10], flags a combination of the two CV_FARNEBACK_* bits.
typedef struct cv_farneback_params {
    double pyr_scale;
    int32_t levels;
    int32_t winsize;
    int32_t iterations;
    int32_t poly_n;
    double poly_sigma;
    int32_t flags;
} cv_farneback_params;

typedef struct cv_farneback cv_farneback;

cv_farneback *cv_farneback_create(cv_error *error);
void cv_farneback_destroy(cv_farneback *farneback);

/// Dense flow from `prev` to `next`, both packed 8-bit grey width × height (no row padding).
/// Writes width·height floats to each of `dx` and `dy` (`capacity` is each one's size in floats;
/// CV_ERR_BUFFER_TOO_SMALL if it is short).
int32_t cv_farneback_compute(cv_farneback *farneback, const uint8_t *prev, const uint8_t *next,
                             int32_t width, int32_t height, const cv_farneback_params *params,
                             float *dx, float *dy, size_t capacity, cv_error *error);

typedef struct cv_warper cv_warper;

cv_warper *cv_warper_create(cv_error *error);
void cv_warper_destroy(cv_warper *warper);

/// Backward warp of a planar float32 image (`planes` planes of width × height) by a flow field:
/// dst(y, x) = src(y + dy(y, x), x + dx(y, x)), bilinear (cv::remap INTER_LINEAR, which places
/// the sample on a 1/32-pixel grid), cv::BORDER_REPLICATE outside the image.
///
/// The flow may be smaller than the image (flow_width × flow_height, e.g. computed on a
/// downscaled grey copy): it is then resized to width × height with cv::resize INTER_LINEAR and
/// its vectors scaled by width / flow_width and height / flow_height. `dst` must not overlap
/// `src` (`capacity`: floats in dst, at least planes·width·height).
int32_t cv_warp_backward(cv_warper *warper, const float *src, int32_t width, int32_t height, int32_t planes,
                         const float *dx, const float *dy, int32_t flow_width, int32_t flow_height,
                         float *dst, size_t capacity, cv_error *error);

#ifdef __cplusplus
}
#endif

#endif
