// cvision_internal.hpp: helpers shared by the shim's translation units (cvision.cpp,
// cvision_tracker.cpp). Private to the CVision target: not part of the C ABI.
#ifndef CVISION_INTERNAL_HPP
#define CVISION_INTERNAL_HPP

#include "cvision.h"

#include <dlib/array2d.h>
#include <dlib/pixel.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

static_assert(sizeof(dlib::rgb_pixel) == 3, "packed RGB copy assumes a 3-byte rgb_pixel");

namespace cvision_detail {

inline int32_t fail(cv_error *error, cv_status code, const char *format, ...) __attribute__((format(printf, 3, 4)));

inline int32_t fail(cv_error *error, cv_status code, const char *format, ...) {
    if (error != nullptr) {
        error->code = code;
        va_list args;
        va_start(args, format);
        std::vsnprintf(error->message, sizeof error->message, format, args);
        va_end(args);
    }
    return code;
}

inline int32_t ok(cv_error *error) {
    if (error != nullptr) {
        error->code = CV_OK;
        error->message[0] = '\0';
    }
    return CV_OK;
}

/// Maps the exception in flight to a status; call only from a catch block.
inline int32_t fail_current_exception(cv_error *error, const char *what_call) {
    try {
        throw;
    } catch (const std::bad_alloc &) {
        return fail(error, CV_ERR_OUT_OF_MEMORY, "%s: out of memory", what_call);
    } catch (const std::exception &e) {
        return fail(error, CV_ERR_INTERNAL, "%s: %s", what_call, e.what());
    } catch (...) {
        return fail(error, CV_ERR_INTERNAL, "%s: unknown exception", what_call);
    }
}

inline int32_t check_image(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                           cv_error *error) {
    if (pixels == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "pixels is NULL");
    if (width <= 0 || height <= 0)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "image size %d×%d is empty", width, height);
    if (channels != 1 && channels != 3)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "channels must be 1 (grey) or 3 (RGB), got %d", channels);
    return CV_OK;
}

/// Copies a packed buffer into a dlib image (reusing its storage when the size is unchanged).
template <typename Pixel>
void copy_into(dlib::array2d<Pixel> &image, const uint8_t *pixels, int32_t width, int32_t height) {
    if (image.nr() != height || image.nc() != width) image.set_size(height, width);
    std::memcpy(dlib::image_data(image), pixels, size_t(width) * size_t(height) * sizeof(Pixel));
}

}  // namespace cvision_detail

#endif
