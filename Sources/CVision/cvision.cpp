// cvision.cpp: the dlib side of cvision.h (the correlation tracker is in cvision_tracker.cpp,
// shared helpers in cvision_internal.hpp). Thin by design: copy the caller's pixels into a dlib
// image, call dlib, copy the result out, and turn every exception into a cv_error.
//
// dlib's header-only parts (HOG scanner, FHOG, shape predictor) compile into this file, so the
// target is built with -O3 even in debug builds (see Package.swift); libdlib.so provides the
// rest. dlib/config.h of the Debian package already defines DLIB_NO_GUI_SUPPORT and
// DLIB_DISABLE_ASSERTS, so nothing needs defining here.
#include "cvision.h"
#include "cvision_internal.hpp"

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/image_transforms/fhog.h>
#include <dlib/image_transforms/interpolation.h>
#include <dlib/serialize.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include <sys/stat.h>

struct cv_face_detector {
    dlib::frontal_face_detector detector;
    dlib::array2d<dlib::rgb_pixel> rgb;
    dlib::array2d<unsigned char> grey;
    std::vector<dlib::rect_detection> detections;
};

struct cv_fhog {
    dlib::array2d<dlib::rgb_pixel> rgb;
    dlib::array2d<unsigned char> grey;
    dlib::array<dlib::array2d<float>> planes;
};

struct cv_shape_predictor {
    dlib::shape_predictor model;
    dlib::array2d<dlib::rgb_pixel> rgb;
    dlib::array2d<unsigned char> grey;
};

namespace {

using namespace cvision_detail;

template <typename Image>
void detect_in(cv_face_detector *d, Image &image, int32_t upsample, double adjust_threshold) {
    for (int32_t i = 0; i < upsample; ++i) dlib::pyramid_up(image);
    d->detector(image, d->detections, adjust_threshold);
}

/// Copies dlib's detections out, mapping boxes found on the upsampled image back to the input
/// with pyramid_down<2>::rect_down (the pyramid pyramid_up inverts).
void write_detections(cv_face_detector *d, int32_t upsample, cv_detection *out, int32_t capacity) {
    dlib::pyramid_down<2> pyramid;
    int32_t n = 0;
    for (const auto &det : d->detections) {
        if (n >= capacity) break;
        dlib::drectangle box(det.rect);
        if (upsample > 0) box = pyramid.rect_down(box, (unsigned int)upsample);
        out[n].left = box.left();
        out[n].top = box.top();
        out[n].right = box.right();
        out[n].bottom = box.bottom();
        out[n].score = det.detection_confidence;
        out[n].filter_index = (int32_t)det.weight_index;
        ++n;
    }
}

}  // namespace

// Package.swift defines it together with -march.
#ifndef FACERESTORED_VISION_MARCH
#define FACERESTORED_VISION_MARCH ""
#endif

extern "C" const char *cv_build_march(void) { return FACERESTORED_VISION_MARCH; }

// ---------------------------------------------------------------------------------------------

extern "C" cv_face_detector *cv_face_detector_create(cv_error *error) {
    try {
        auto *d = new cv_face_detector();
        d->detector = dlib::get_frontal_face_detector();
        ok(error);
        return d;
    } catch (...) {
        fail_current_exception(error, "creating dlib's frontal_face_detector");
        return nullptr;
    }
}

extern "C" void cv_face_detector_destroy(cv_face_detector *detector) { delete detector; }

extern "C" int32_t cv_face_detector_detect(cv_face_detector *detector,
                                           const uint8_t *pixels, int32_t width, int32_t height,
                                           int32_t channels, int32_t upsample, double adjust_threshold,
                                           cv_detection *out, int32_t capacity, int32_t *count,
                                           cv_error *error) {
    if (count != nullptr) *count = 0;
    if (detector == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "detector is NULL");
    if (int32_t s = check_image(pixels, width, height, channels, error)) return s;
    if (upsample < 0 || upsample > 4)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "upsample must be 0…4, got %d", upsample);
    if (capacity < 0 || (capacity > 0 && out == nullptr))
        return fail(error, CV_ERR_INVALID_ARGUMENT, "no room for detections (capacity %d)", capacity);
    try {
        if (channels == 3) {
            copy_into(detector->rgb, pixels, width, height);
            detect_in(detector, detector->rgb, upsample, adjust_threshold);
        } else {
            copy_into(detector->grey, pixels, width, height);
            detect_in(detector, detector->grey, upsample, adjust_threshold);
        }
        write_detections(detector, upsample, out, capacity);
        if (count != nullptr) *count = (int32_t)detector->detections.size();
        return ok(error);
    } catch (...) {
        return fail_current_exception(error, "dlib face detection");
    }
}

// ---------------------------------------------------------------------------------------------

extern "C" cv_fhog *cv_fhog_create(cv_error *error) {
    try {
        auto *f = new cv_fhog();
        ok(error);
        return f;
    } catch (...) {
        fail_current_exception(error, "creating FHOG scratch space");
        return nullptr;
    }
}

extern "C" void cv_fhog_destroy(cv_fhog *fhog) { delete fhog; }

extern "C" int32_t cv_fhog_extract(cv_fhog *fhog,
                                   const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                                   int32_t cell_size, int32_t pad_cells,
                                   float *out, size_t capacity, int32_t *rows, int32_t *cols,
                                   cv_error *error) {
    if (rows != nullptr) *rows = 0;
    if (cols != nullptr) *cols = 0;
    if (fhog == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "FHOG handle is NULL");
    if (int32_t s = check_image(pixels, width, height, channels, error)) return s;
    if (cell_size < 1 || cell_size > 1024)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "cell size must be 1…1024, got %d", cell_size);
    if (pad_cells < 0 || pad_cells > 1024)
        return fail(error, CV_ERR_INVALID_ARGUMENT, "pad_cells must be 0…1024, got %d", pad_cells);
    const int padding = 2 * pad_cells + 1;  // dlib's filter_rows_padding / filter_cols_padding
    try {
        if (channels == 3) {
            copy_into(fhog->rgb, pixels, width, height);
            dlib::extract_fhog_features(fhog->rgb, fhog->planes, cell_size, padding, padding);
        } else {
            copy_into(fhog->grey, pixels, width, height);
            dlib::extract_fhog_features(fhog->grey, fhog->planes, cell_size, padding, padding);
        }
        const auto &planes = fhog->planes;
        const long nr = planes.size() == 0 ? 0 : planes[0].nr();
        const long nc = planes.size() == 0 ? 0 : planes[0].nc();
        if (rows != nullptr) *rows = (int32_t)nr;
        if (cols != nullptr) *cols = (int32_t)nc;
        const size_t plane = size_t(nr) * size_t(nc);
        const size_t needed = plane * CV_FHOG_PLANES;
        if (needed == 0) return ok(error);
        if (planes.size() != CV_FHOG_PLANES)
            return fail(error, CV_ERR_INTERNAL, "dlib returned %zu FHOG planes, expected %d",
                        (size_t)planes.size(), CV_FHOG_PLANES);
        if (out == nullptr || capacity < needed)
            return fail(error, CV_ERR_BUFFER_TOO_SMALL, "FHOG needs %zu floats (%ld×%ld×%d), buffer holds %zu",
                        needed, nr, nc, CV_FHOG_PLANES, out == nullptr ? (size_t)0 : capacity);
        for (size_t o = 0; o < CV_FHOG_PLANES; ++o)
            std::memcpy(out + o * plane, dlib::image_data(planes[o]), plane * sizeof(float));
        return ok(error);
    } catch (...) {
        return fail_current_exception(error, "dlib FHOG extraction");
    }
}

// ---------------------------------------------------------------------------------------------

extern "C" cv_shape_predictor *cv_shape_predictor_load(const char *path, cv_error *error) {
    if (path == nullptr) {
        fail(error, CV_ERR_INVALID_ARGUMENT, "shape predictor path is NULL");
        return nullptr;
    }
    cv_shape_predictor *p = nullptr;
    try {
        struct stat info;
        if (::stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
            fail(error, CV_ERR_CANNOT_OPEN, "%s is a directory, not a model file", path);
            return nullptr;
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            fail(error, CV_ERR_CANNOT_OPEN, "cannot open %s: %s", path, std::strerror(errno));
            return nullptr;
        }
        p = new cv_shape_predictor();
        dlib::deserialize(p->model, in);
        if (p->model.num_parts() == 0) {
            delete p;
            fail(error, CV_ERR_CORRUPT_FILE, "%s holds a shape predictor with no parts", path);
            return nullptr;
        }
        ok(error);
        return p;
    } catch (const dlib::serialization_error &e) {
        delete p;
        fail(error, CV_ERR_CORRUPT_FILE, "%s is not a readable dlib shape_predictor: %s", path, e.what());
        return nullptr;
    } catch (const std::bad_alloc &) {
        // A corrupt length field makes dlib try to allocate absurd sizes.
        delete p;
        fail(error, CV_ERR_CORRUPT_FILE, "%s is not a readable dlib shape_predictor (allocation failed while reading)", path);
        return nullptr;
    } catch (const std::exception &e) {
        delete p;
        fail(error, CV_ERR_CORRUPT_FILE, "%s is not a readable dlib shape_predictor: %s", path, e.what());
        return nullptr;
    } catch (...) {
        delete p;
        fail(error, CV_ERR_CORRUPT_FILE, "%s is not a readable dlib shape_predictor (unknown exception)", path);
        return nullptr;
    }
}

extern "C" void cv_shape_predictor_destroy(cv_shape_predictor *predictor) { delete predictor; }

extern "C" int32_t cv_shape_predictor_num_parts(const cv_shape_predictor *predictor) {
    return predictor == nullptr ? 0 : (int32_t)predictor->model.num_parts();
}

extern "C" int32_t cv_shape_predictor_predict(cv_shape_predictor *predictor,
                                              const uint8_t *pixels, int32_t width, int32_t height,
                                              int32_t channels,
                                              double left, double top, double right, double bottom,
                                              float *out_xy, int32_t capacity, cv_error *error) {
    if (predictor == nullptr) return fail(error, CV_ERR_INVALID_ARGUMENT, "shape predictor is NULL");
    if (int32_t s = check_image(pixels, width, height, channels, error)) return s;
    const double limit = double(std::numeric_limits<int32_t>::max());
    for (double v : {left, top, right, bottom})
        if (!(v > -limit && v < limit))
            return fail(error, CV_ERR_INVALID_ARGUMENT, "box coordinate %g is not a finite 32-bit value", v);
    const int32_t parts = (int32_t)predictor->model.num_parts();
    if (out_xy == nullptr || capacity < parts)
        return fail(error, CV_ERR_BUFFER_TOO_SMALL, "the model predicts %d points, buffer holds %d",
                    parts, out_xy == nullptr ? 0 : capacity);
    try {
        const dlib::rectangle box(dlib::drectangle(left, top, right, bottom));
        dlib::full_object_detection shape;
        if (channels == 3) {
            copy_into(predictor->rgb, pixels, width, height);
            shape = predictor->model(predictor->rgb, box);
        } else {
            copy_into(predictor->grey, pixels, width, height);
            shape = predictor->model(predictor->grey, box);
        }
        for (int32_t i = 0; i < parts; ++i) {
            out_xy[2 * i] = (float)shape.part((unsigned long)i).x();
            out_xy[2 * i + 1] = (float)shape.part((unsigned long)i).y();
        }
        return ok(error);
    } catch (...) {
        return fail_current_exception(error, "dlib shape prediction");
    }
}
