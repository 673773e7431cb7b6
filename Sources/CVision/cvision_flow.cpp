// cvision_flow.cpp: OpenCV's Farneback flow and remap behind cvision_flow.h. Thin like the dlib
// side: wrap the caller's buffers in cv::Mat headers (no copy), call OpenCV, copy the result
// out, catch everything.
//
// Parameters are checked here although OpenCV asserts some of them itself: its assertions read
// as "(-215:Assertion failed) ..." with a source line, and some values it does not check at all
// (poly_n other than 5 or 7 silently uses a wrong kernel; pyr_scale >= 1 never shrinks).
#include "cvision_flow.h"
#include "cvision_internal.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <cmath>
#include <cstdint>

// The sampling positions x + s·dx must round the same with or without -march=…: a fused
// multiply-add would move some of them across OpenCV's 1/32-pixel grid.
#pragma STDC FP_CONTRACT OFF

struct cv_farneback {
    cv::Mat flow;  // CV_32FC2, reused while the size stays the same
};

struct cv_warper {
    cv::Mat flow_x, flow_y;  // the flow resized to the image (when it is smaller)
    cv::Mat map_x, map_y;    // absolute sampling positions
    cv::Mat fixed_xy, fixed_frac;  // cv::convertMaps' fixed-point form, shared by all planes
};

namespace {

using namespace cvision_detail;

bool fits(size_t capacity, int32_t width, int32_t height, int32_t planes = 1) {
    return capacity / size_t(planes) / size_t(width) >= size_t(height);
}

int32_t check_size(int32_t width, int32_t height, const char *what, cv_error *error) {
    if (width <= 0 || height <= 0 || width > (1 << 15) || height > (1 << 15))
        return fail(error, CV_ERR_INVALID_ARGUMENT, "%s size %d×%d is not within 1…32768", what, width, height);
    return CV_OK;
}

int32_t check_params(const cv_farneback_params *p, cv_error *error) {
    if (p == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "Farneback parameters are NULL");
    if (!(p->pyr_scale > 0 && p->pyr_scale < 1))
        return fail(error, CV_ERR_INVALID_ARGUMENT, "pyr_scale must be in (0, 1), got %g", p->pyr_scale);
    if (p->levels < 0 || p->levels > 16)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "levels must be 0…16, got %d", p->levels);
    if (p->winsize < 1 || p->winsize > 255)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "winsize must be 1…255, got %d", p->winsize);
    if (p->iterations < 1 || p->iterations > 100)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "iterations must be 1…100, got %d", p->iterations);
    if (p->poly_n != 5 && p->poly_n != 7)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "poly_n must be 5 or 7, got %d", p->poly_n);
    if (!(p->poly_sigma > 0 && p->poly_sigma <= 10))
        return fail(error, CV_ERR_INVALID_ARGUMENT, "poly_sigma must be in (0, 10], got %g", p->poly_sigma);
    if ((p->flags & ~(CV_FARNEBACK_USE_INITIAL_FLOW | CV_FARNEBACK_GAUSSIAN)) != 0)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "flags %d has bits other than USE_INITIAL_FLOW (4) and "
                    "FARNEBACK_GAUSSIAN (256)", p->flags);
    return CV_OK;
}

bool overlaps(const void *a, size_t a_bytes, const void *b, size_t b_bytes) {
    const auto pa = reinterpret_cast<std::uintptr_t>(a), pb = reinterpret_cast<std::uintptr_t>(b);
    return pa < pb + b_bytes && pb < pa + a_bytes;
}

}  // namespace

static_assert(CV_FARNEBACK_USE_INITIAL_FLOW == cv::OPTFLOW_USE_INITIAL_FLOW, "flag value differs from OpenCV's");
static_assert(CV_FARNEBACK_GAUSSIAN == cv::OPTFLOW_FARNEBACK_GAUSSIAN, "flag value differs from OpenCV's");

// ---------------------------------------------------------------------------------------------

extern "C" cv_farneback *cv_farneback_create(cv_error *error) {
    try {
        auto *f = new cv_farneback();
        ok(error);
        return f;
    } catch (...) {
        fail_current_exception(error, "creating the Farneback flow");
        return nullptr;
    }
}

extern "C" void cv_farneback_destroy(cv_farneback *farneback) { delete farneback; }

extern "C" int32_t cv_farneback_compute(cv_farneback *farneback, const uint8_t *prev, const uint8_t *next,
                                        int32_t width, int32_t height, const cv_farneback_params *params,
                                        float *dx, float *dy, size_t capacity, cv_error *error) {
    if (farneback == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "Farneback handle is NULL");
    if (prev == nullptr || next == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "an input image is NULL");
    if (dx == nullptr || dy == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "dx or dy output is NULL");
    if (int32_t s = check_size(width, height, "Farneback image", error)) return s;
    if (int32_t s = check_params(params, error)) return s;
    if (!fits(capacity, width, height))
        return fail(error, CV_ERR_BUFFER_TOO_SMALL, "dx/dy hold %zu floats, %d×%d needed", capacity, width, height);
    try {
        const cv::Mat a(height, width, CV_8UC1, const_cast<uint8_t *>(prev));
        const cv::Mat b(height, width, CV_8UC1, const_cast<uint8_t *>(next));
        cv::Mat &flow = farneback->flow;
        flow.create(height, width, CV_32FC2);
        if (params->flags & CV_FARNEBACK_USE_INITIAL_FLOW) {
            for (int32_t y = 0; y < height; ++y) {
                auto *row = flow.ptr<cv::Vec2f>(y);
                for (int32_t x = 0; x < width; ++x) row[x] = {dx[y * width + x], dy[y * width + x]};
            }
        }
        cv::calcOpticalFlowFarneback(a, b, flow, params->pyr_scale, params->levels, params->winsize,
                                     params->iterations, params->poly_n, params->poly_sigma, params->flags);
        for (int32_t y = 0; y < height; ++y) {
            const auto *row = flow.ptr<cv::Vec2f>(y);
            for (int32_t x = 0; x < width; ++x) {
                dx[y * width + x] = row[x][0];
                dy[y * width + x] = row[x][1];
            }
        }
        return ok(error);
    } catch (...) {
        return fail_current_exception(error, "OpenCV Farneback flow");
    }
}

// ---------------------------------------------------------------------------------------------

extern "C" cv_warper *cv_warper_create(cv_error *error) {
    try {
        auto *w = new cv_warper();
        ok(error);
        return w;
    } catch (...) {
        fail_current_exception(error, "creating the flow warper");
        return nullptr;
    }
}

extern "C" void cv_warper_destroy(cv_warper *warper) { delete warper; }

extern "C" int32_t cv_warp_backward(cv_warper *warper, const float *src, int32_t width, int32_t height,
                                    int32_t planes, const float *dx, const float *dy, int32_t flow_width,
                                    int32_t flow_height, float *dst, size_t capacity, cv_error *error) {
    if (warper == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "warper handle is NULL");
    if (src == nullptr || dst == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "src or dst is NULL");
    if (dx == nullptr || dy == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "dx or dy is NULL");
    if (int32_t s = check_size(width, height, "warped image", error)) return s;
    if (int32_t s = check_size(flow_width, flow_height, "flow field", error)) return s;
    if (planes < 1 || planes > 64) return fail(error, CV_ERR_INVALID_ARGUMENT, "planes must be 1…64, got %d", planes);
    if (flow_width > width || flow_height > height)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "flow field %d×%d is larger than the image %d×%d", flow_width,
                    flow_height, width, height);
    if (!fits(capacity, width, height, planes))
        return fail(error, CV_ERR_BUFFER_TOO_SMALL, "dst holds %zu floats, %d×%d×%d needed", capacity, planes, height,
                    width);
    const size_t plane_floats = size_t(width) * size_t(height);
    const size_t image_bytes = plane_floats * size_t(planes) * sizeof(float);
    if (overlaps(src, image_bytes, dst, image_bytes))
        return fail(error, CV_ERR_INVALID_ARGUMENT, "dst overlaps src (cv::remap cannot work in place)");
    try {
        const cv::Mat fx(flow_height, flow_width, CV_32FC1, const_cast<float *>(dx));
        const cv::Mat fy(flow_height, flow_width, CV_32FC1, const_cast<float *>(dy));
        const cv::Mat *ux = &fx, *uy = &fy;
        float sx = 1, sy = 1;
        if (flow_width != width || flow_height != height) {
            cv::resize(fx, warper->flow_x, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
            cv::resize(fy, warper->flow_y, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
            ux = &warper->flow_x;
            uy = &warper->flow_y;
            sx = float(width) / float(flow_width);
            sy = float(height) / float(flow_height);
        }
        warper->map_x.create(height, width, CV_32FC1);
        warper->map_y.create(height, width, CV_32FC1);
        for (int32_t y = 0; y < height; ++y) {
            const float *vx = ux->ptr<float>(y), *vy = uy->ptr<float>(y);
            float *mx = warper->map_x.ptr<float>(y), *my = warper->map_y.ptr<float>(y);
            for (int32_t x = 0; x < width; ++x) {
                mx[x] = float(x) + sx * vx[x];
                my[x] = float(y) + sy * vy[x];
            }
        }
        // cv::remap converts float maps to this fixed-point form internally on every call; doing
        // it once serves all planes and gives the same samples.
        cv::convertMaps(warper->map_x, warper->map_y, warper->fixed_xy, warper->fixed_frac, CV_16SC2);
        for (int32_t p = 0; p < planes; ++p) {
            const cv::Mat in(height, width, CV_32FC1, const_cast<float *>(src + size_t(p) * plane_floats));
            cv::Mat out(height, width, CV_32FC1, dst + size_t(p) * plane_floats);
            cv::remap(in, out, warper->fixed_xy, warper->fixed_frac, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        }
        return ok(error);
    } catch (...) {
        return fail_current_exception(error, "OpenCV remap");
    }
}
