// cvision.h: a plain C ABI over the parts of dlib that facerestored uses (HOG face detector,
// FHOG features, 68-point shape predictor, correlation tracker). Thin: each call converts the caller's buffer to a
// dlib image, calls dlib and copies the result out. No C++ exception ever crosses this ABI:
// every function catches everything and reports it through a cv_error.
//
// Images are packed 8-bit, row-major, no row padding: `channels` is 3 (R,G,B interleaved) or 1
// (grey). Coordinates are pixels, origin top-left, x to the right.
//
// Threads: a handle is NOT thread-safe. One handle must be used by one thread at a time (dlib's
// object_detector keeps its feature pyramid in the detector object; every handle here also
// keeps reusable scratch images). Different handles may be used concurrently.
#ifndef CVISION_H
#define CVISION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cv_status {
    CV_OK = 0,
    /// Null pointer, unsupported channel count, size overflow, box outside the image …
    CV_ERR_INVALID_ARGUMENT = 1,
    /// The file could not be opened for reading (message carries strerror).
    CV_ERR_CANNOT_OPEN = 2,
    /// dlib could not deserialize the file (dlib::serialization_error or an error while reading).
    CV_ERR_CORRUPT_FILE = 3,
    /// The caller's output buffer is too small; the required size is reported.
    CV_ERR_BUFFER_TOO_SMALL = 4,
    /// std::bad_alloc.
    CV_ERR_OUT_OF_MEMORY = 5,
    /// Any other exception thrown by dlib (message carries what()).
    CV_ERR_INTERNAL = 6,
} cv_status;

#define CV_ERROR_MESSAGE_CAPACITY 512

/// Filled by every call that can fail; `message` is NUL-terminated ("" on success).
typedef struct cv_error {
    int32_t code;  // a cv_status
    char message[CV_ERROR_MESSAGE_CAPACITY];
} cv_error;

// ---------------------------------------------------------------------------------------------
// HOG face detector: dlib::get_frontal_face_detector() (5 HOG filters, pyramid_down<6>).

typedef struct cv_face_detector cv_face_detector;

/// One detection. The box is dlib's, inclusive on all sides: width = right - left + 1.
/// Coordinates are doubles because with upsampling dlib maps the box back with
/// pyramid_down<2>::rect_down, which is fractional (without upsampling they are integers).
typedef struct cv_detection {
    double left, top, right, bottom;
    /// dlib's rect_detection::detection_confidence (score minus the filter's threshold; > 0
    /// with adjust_threshold 0).
    double score;
    /// Which of the 5 filters fired (dlib's weight_index: 0 front, 1 left, 2 right,
    /// 3 front rotated left, 4 front rotated right).
    int32_t filter_index;
} cv_detection;

/// Creates the detector (deserializes dlib's built-in model: ~0.25 s). NULL on failure.
cv_face_detector *cv_face_detector_create(cv_error *error);
void cv_face_detector_destroy(cv_face_detector *detector);

/// Runs the detector on a packed image. `upsample` times the image is doubled with
/// dlib::pyramid_up first (finds faces down to ~40 px at 1, ~20 px at 2; 4× cost each) and
/// boxes are mapped back to the input's coordinates. `adjust_threshold` is dlib's (0 = default;
/// negative finds more, weaker faces). Results are sorted as dlib returns them (non-max
/// suppressed). At most `capacity` detections are written to `out`; `*count` receives the total
/// number found (if it exceeds capacity the call still succeeds: call again with more room).
/// An image smaller than dlib's 80×80 window (after upsampling) gives 0 detections.
int32_t cv_face_detector_detect(cv_face_detector *detector,
                                const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                                int32_t upsample, double adjust_threshold,
                                cv_detection *out, int32_t capacity, int32_t *count,
                                cv_error *error);

// ---------------------------------------------------------------------------------------------
// FHOG features: dlib::extract_fhog_features into dlib::array<array2d<float>> (31 planes).
//
// dlib drops the outermost cell ring (block normalisation needs neighbours): an image of
// R×C cells (R = round(height / cell_size)) gives ×(C-2) cells. With `pad_cells` = p
// this shim passes filter_rows_padding = filter_cols_padding = 2p+1 to dlib, which surrounds
// that grid with p rings of zero cells: (R-2+2p)×(C-2+2p). For a 256×256 crop, cell size 4
// and p = 1 this is exactly 64×64, and output cell (r, c) is the image cell covering pixels
// [4r, 4r+4) × [4c, 4c+4): the grid stays aligned with the image and the zero ring is where
// dlib has no normalised value. This is dlib's own padding mechanism (scan_fhog_pyramid pads
// with the filter size the same way), so it equals zero-padding dlib's default 62×62 output
// by one cell on each side.
//
// Output layout: planar float32 [31][rows][cols], row-major inside a plane:
//   out[(o * rows + r) * cols + c]. Planes 0–17 contrast-sensitive orientations, 18–26
// contrast-insensitive, 27–30 the four gradient-energy (texture) features (dlib's order).

#define CV_FHOG_PLANES 31

typedef struct cv_fhog cv_fhog;

cv_fhog *cv_fhog_create(cv_error *error);
void cv_fhog_destroy(cv_fhog *fhog);

/// Writes 31·rows·cols floats to `out` (capacity in floats). `*rows`/`*cols` receive the grid
/// size (also when the buffer is too small: CV_ERR_BUFFER_TOO_SMALL). An image too small to
/// have interior cells gives rows = cols = 0 and CV_OK.
int32_t cv_fhog_extract(cv_fhog *fhog,
                        const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                        int32_t cell_size, int32_t pad_cells,
                        float *out, size_t capacity, int32_t *rows, int32_t *cols,
                        cv_error *error);

// ---------------------------------------------------------------------------------------------
// Shape predictor: dlib::shape_predictor deserialized from a file (e.g.
// /usr/share/dlib/shape_predictor_68_face_landmarks.dat from libdlib-data).

typedef struct cv_shape_predictor cv_shape_predictor;

/// Loads the model (~0.7 s for the 68-point one). NULL on failure with CV_ERR_CANNOT_OPEN
/// (missing/unreadable file, a directory) or
/// CV_ERR_CORRUPT_FILE (not a dlib shape_predictor, truncated …).
cv_shape_predictor *cv_shape_predictor_load(const char *path, cv_error *error);
void cv_shape_predictor_destroy(cv_shape_predictor *predictor);

/// Number of points the model predicts (68 for the iBUG 300-W model).
int32_t cv_shape_predictor_num_parts(const cv_shape_predictor *predictor);

/// Predicts the points inside a box given in dlib's inclusive convention (doubles are rounded
/// to dlib::rectangle by dlib's drectangle conversion, floor(v + 0.5)). Writes
/// num_parts (x, y) pairs to `out_xy` (capacity in points). dlib's points are integers.
int32_t cv_shape_predictor_predict(cv_shape_predictor *predictor,
                                   const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                                   double left, double top, double right, double bottom,
                                   float *out_xy, int32_t capacity, cv_error *error);

// ---------------------------------------------------------------------------------------------
// Correlation tracker: dlib::correlation_tracker (Danelljan et al., "Accurate Scale Estimation
// for Robust Visual Tracking", BMVC 2014: a translation filter on FHOG + grey features of the
// box's surroundings, padded ×1.4 and resampled to filter_size², plus a 1-D scale filter).
// Follows one box from frame to frame; one handle per followed object.

typedef struct cv_correlation_tracker cv_correlation_tracker;

/// A box in dlib's inclusive convention (width = right - left + 1), as in cv_detection.
typedef struct cv_rect {
    double left, top, right, bottom;
} cv_rect;

/// Creates an idle tracker with dlib's parameters given as powers of two:
/// `filter_size_log2` (dlib's filter_size: the translation filter is 2^n × 2^n, 4…8; dlib's
/// default 6 = 64×64) and `scale_levels_log2` (dlib's num_scale_levels: 2^n scales, 1…7; dlib's
/// default 5 = 32). NULL on failure.
cv_correlation_tracker *cv_correlation_tracker_create(int32_t filter_size_log2, int32_t scale_levels_log2,
                                                      cv_error *error);
void cv_correlation_tracker_destroy(cv_correlation_tracker *tracker);

/// Starts (or restarts) following `box` in the image. The box must have a positive, finite
/// extent (right > left, bottom > top, coordinates within ±2^31) and overlap the image
/// (CV_ERR_INVALID_ARGUMENT otherwise; the tracker then stays as it was; if dlib itself fails
/// it is left unstarted). Later updates must pass images of the same width, height and channel
/// count.
int32_t cv_correlation_tracker_start(cv_correlation_tracker *tracker,
                                     const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                                     cv_rect box, cv_error *error);

/// Finds the box in the next image. `guess` is where to search (NULL: around the box of the
/// previous call). `estimate_scale` 0 skips dlib's scale filter (update_noscale: the box keeps
/// its size; cheaper). Writes the new box to `*box` and dlib's peak-to-side-lobe ratio of the
/// translation filter's response to `*psr` (higher = more confident; Bolme et al., CVPR 2010,
/// read 20–60 as a solid lock and < 7 as occlusion or failure; a response with no spread
/// outside its peak, where dlib would divide by zero, gives 0). CV_ERR_INVALID_ARGUMENT before a
/// start, for a non-finite or empty guess, or when the image's size or channel count differs
/// from the one given to start.
int32_t cv_correlation_tracker_update(cv_correlation_tracker *tracker,
                                      const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                                      const cv_rect *guess, int32_t estimate_scale,
                                      cv_rect *box, double *psr, cv_error *error);

// ---------------------------------------------------------------------------------------------
// Build.

/// The -march this shim was compiled for ("x86-64-v3" …; "" for the compiler's baseline), so
/// that the daemon can refuse, with a message, a CPU that lacks its instructions.
const char *cv_build_march(void);

#ifdef __cplusplus
}
#endif

#endif
