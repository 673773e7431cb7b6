// cvision_tracker.cpp: dlib::correlation_tracker behind cvision.h. Thin like cvision.cpp: copy
// the caller's pixels into a dlib image, call dlib, copy the box out, catch everything.
//
// dlib checks its own preconditions with DLIB_CASSERT (a thrown fatal_error); they are checked
// here first anyway so that a wrong call reads as CV_ERR_INVALID_ARGUMENT with a plain message.
#include "cvision.h"
#include "cvision_internal.hpp"

// correlation_tracker.h uses FHOG and the FFT without including them (dlib's umbrella
// image_processing.h includes them first).
#include <dlib/image_transforms/fhog.h>
#include <dlib/matrix.h>
#include <dlib/image_processing/correlation_tracker.h>

#include <cmath>
#include <limits>

struct cv_correlation_tracker {
    dlib::correlation_tracker tracker;
    dlib::array2d<dlib::rgb_pixel> rgb;
    dlib::array2d<unsigned char> grey;
    // The image geometry given to start (0 channels: not started).
    int32_t width = 0, height = 0, channels = 0;

    cv_correlation_tracker(unsigned long filter_size_log2, unsigned long scale_levels_log2)
        : tracker(filter_size_log2, scale_levels_log2) {}
};

namespace {

using namespace cvision_detail;

int32_t check_rect(const cv_rect &r, const char *what, cv_error *error) {
    const double limit = double(std::numeric_limits<int32_t>::max());
    for (double v : {r.left, r.top, r.right, r.bottom})
        if (!(v > -limit && v < limit))
            return fail(error, CV_ERR_INVALID_ARGUMENT, "%s coordinate %g is not a finite 32-bit value", what, v);
    if (!(r.right > r.left && r.bottom > r.top))
        return fail(error, CV_ERR_INVALID_ARGUMENT, "%s (%g, %g)–(%g, %g) is empty", what, r.left, r.top,
                    r.right, r.bottom);
    return CV_OK;
}

dlib::drectangle to_dlib(const cv_rect &r) { return dlib::drectangle(r.left, r.top, r.right, r.bottom); }

}  // namespace

extern "C" cv_correlation_tracker *cv_correlation_tracker_create(int32_t filter_size_log2, int32_t scale_levels_log2,
                                                                 cv_error *error) {
    if (filter_size_log2 < 4 || filter_size_log2 > 8) {
        fail(error, CV_ERR_INVALID_ARGUMENT, "filter size must be 2^4…2^8 (log2 4…8), got log2 %d", filter_size_log2);
        return nullptr;
    }
    if (scale_levels_log2 < 1 || scale_levels_log2 > 7) {
        fail(error, CV_ERR_INVALID_ARGUMENT, "scale levels must be 2^1…2^7 (log2 1…7), got log2 %d", scale_levels_log2);
        return nullptr;
    }
    try {
        auto *t = new cv_correlation_tracker((unsigned long)filter_size_log2, (unsigned long)scale_levels_log2);
        ok(error);
        return t;
    } catch (...) {
        fail_current_exception(error, "creating dlib's correlation_tracker");
        return nullptr;
    }
}

extern "C" void cv_correlation_tracker_destroy(cv_correlation_tracker *tracker) { delete tracker; }

extern "C" int32_t cv_correlation_tracker_start(cv_correlation_tracker *tracker,
                                                const uint8_t *pixels, int32_t width, int32_t height,
                                                int32_t channels, cv_rect box, cv_error *error) {
    if (tracker == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "correlation tracker is NULL");
    if (int32_t s = check_image(pixels, width, height, channels, error)) return s;
    if (int32_t s = check_rect(box, "start box", error)) return s;
    if (box.right < 0 || box.bottom < 0 || box.left > width - 1 || box.top > height - 1)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "start box (%g, %g)–(%g, %g) lies outside the %d×%d image",
                    box.left, box.top, box.right, box.bottom, width, height);
    try {
        tracker->channels = 0;  // not started until start_track has returned
        if (channels == 3) {
            copy_into(tracker->rgb, pixels, width, height);
            tracker->tracker.start_track(tracker->rgb, to_dlib(box));
        } else {
            copy_into(tracker->grey, pixels, width, height);
            tracker->tracker.start_track(tracker->grey, to_dlib(box));
        }
        tracker->width = width;
        tracker->height = height;
        tracker->channels = channels;
        return ok(error);
    } catch (...) {
        return fail_current_exception(error, "starting dlib's correlation tracker");
    }
}

extern "C" int32_t cv_correlation_tracker_update(cv_correlation_tracker *tracker,
                                                 const uint8_t *pixels, int32_t width, int32_t height,
                                                 int32_t channels, const cv_rect *guess, int32_t estimate_scale,
                                                 cv_rect *box, double *psr, cv_error *error) {
    if (tracker == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "correlation tracker is NULL");
    if (box == nullptr || psr == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "box or psr output is NULL");
    if (int32_t s = check_image(pixels, width, height, channels, error)) return s;
    if (tracker->channels == 0)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "correlation tracker updated before a successful start");
    if (width != tracker->width || height != tracker->height || channels != tracker->channels)
        return fail(error, CV_ERR_INVALID_ARGUMENT,
                    "image is %d×%d×%d but the track was started on %d×%d×%d", width, height, channels,
                    tracker->width, tracker->height, tracker->channels);
    if (guess != nullptr)
        if (int32_t s = check_rect(*guess, "guess box", error)) return s;
    try {
        const dlib::drectangle where = guess != nullptr ? to_dlib(*guess) : tracker->tracker.get_position();
        double ratio;
        if (channels == 3) {
            copy_into(tracker->rgb, pixels, width, height);
            ratio = estimate_scale ? tracker->tracker.update(tracker->rgb, where)
                                   : tracker->tracker.update_noscale(tracker->rgb, where);
        } else {
            copy_into(tracker->grey, pixels, width, height);
            ratio = estimate_scale ? tracker->tracker.update(tracker->grey, where)
                                   : tracker->tracker.update_noscale(tracker->grey, where);
        }
        const dlib::drectangle p = tracker->tracker.get_position();
        const cv_rect out = {p.left(), p.top(), p.right(), p.bottom()};
        if (!(std::isfinite(out.left) && std::isfinite(out.top) && std::isfinite(out.right) && std::isfinite(out.bottom)))
            return fail(error, CV_ERR_INTERNAL, "dlib's correlation tracker lost the box (non-finite position)");
        *box = out;
        // A flat response has zero side-lobe deviation: dlib then divides by zero.
        *psr = std::isfinite(ratio) ? ratio : 0;
        return ok(error);
    } catch (...) {
        return fail_current_exception(error, "dlib correlation tracking");
    }
}
