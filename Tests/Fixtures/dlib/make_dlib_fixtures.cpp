// make_dlib_fixtures.cpp: reference outputs from dlib's own code for the Swift parity tests
// (Tests/RestoreTests/DlibParityTests.swift). Built directly against libdlib, NOT through the
// CVision shim, so the tests compare our wrapper with an independent caller of dlib.
// Build and run with ./make_dlib_fixtures.sh (it also makes the input frames with ffmpeg).
//
// usage: make_dlib_fixtures LANDMARKS.dat OUT.json FHOG_FRAME.rgb W H FHOG_OUT.f32 \
//            [FRAME.rgb W H UPSAMPLE]...
//   - every FRAME is packed RGB; the detector runs on it after UPSAMPLE pyramid_up steps and
//     boxes are mapped back with pyramid_down<2>::rect_down (as dlib's Python API does);
//   - the 68-point predictor runs on every box (rounded to a dlib::rectangle) on the frame;
//   - FHOG: a 256×256 crop of FHOG_FRAME centred on its first detection, cell size 4,
//     filter_rows_padding = filter_cols_padding = 3 (→ 64×64), written as float32
//     little-endian [31][64][64]; a second crop shifted by (+3, +1) px is summarised by plane
//     sums only (keeps the committed files small).
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/image_transforms/fhog.h>
#include <dlib/image_transforms/interpolation.h>
#include <dlib/revision.h>
#include <dlib/serialize.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using namespace dlib;

static array2d<rgb_pixel> read_rgb(const std::string &path, long w, long h) {
    std::ifstream in(path, std::ios::binary);
    std::vector<unsigned char> bytes(size_t(w * h * 3));
    if (!in.read(reinterpret_cast<char *>(bytes.data()), std::streamsize(bytes.size()))) {
        std::cerr << "cannot read " << w << "x" << h << " RGB from " << path << "\n";
        std::exit(1);
    }
    array2d<rgb_pixel> img(h, w);
    for (long r = 0; r < h; ++r)
        for (long c = 0; c < w; ++c) {
            const unsigned char *p = &bytes[size_t((r * w + c) * 3)];
            img[r][c] = rgb_pixel(p[0], p[1], p[2]);
        }
    return img;
}

static std::string base_name(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

static array2d<rgb_pixel> crop256(const array2d<rgb_pixel> &img, long x0, long y0) {
    array2d<rgb_pixel> crop(256, 256);
    for (long r = 0; r < 256; ++r)
        for (long c = 0; c < 256; ++c) crop[r][c] = img[y0 + r][x0 + c];
    return crop;
}

int main(int argc, char **argv) {
    if (argc < 7 || (argc - 7) % 4 != 0) {
        std::cerr << "usage: " << argv[0]
                  << " LANDMARKS.dat OUT.json FHOG_FRAME.rgb W H FHOG_OUT.f32 [FRAME.rgb W H UPSAMPLE]...\n";
        return 2;
    }
    shape_predictor sp;
    deserialize(argv[1]) >> sp;
    frontal_face_detector detector = get_frontal_face_detector();
    FILE *json = std::fopen(argv[2], "w");
    if (!json) { std::perror(argv[2]); return 1; }

    std::fprintf(json, "{\n  \"dlib_version\": \"%d.%d.%d\",\n  \"frames\": [\n",
                 DLIB_MAJOR_VERSION, DLIB_MINOR_VERSION, DLIB_PATCH_VERSION);
    for (int a = 7; a < argc; a += 4) {
        const std::string path = argv[a];
        const long w = std::atol(argv[a + 1]), h = std::atol(argv[a + 2]);
        const unsigned upsample = unsigned(std::atoi(argv[a + 3]));
        array2d<rgb_pixel> img = read_rgb(path, w, h);
        array2d<rgb_pixel> scanned;
        assign_image(scanned, img);
        for (unsigned i = 0; i < upsample; ++i) pyramid_up(scanned);
        std::vector<rect_detection> dets;
        detector(scanned, dets, 0.0);
        pyramid_down<2> pyr;
        std::fprintf(json, "    {\"file\": \"%s\", \"width\": %ld, \"height\": %ld, \"upsample\": %u, \"detections\": [\n",
                     base_name(path).c_str(), w, h, upsample);
        for (size_t d = 0; d < dets.size(); ++d) {
            drectangle box = dets[d].rect;
            if (upsample > 0) box = pyr.rect_down(box, upsample);
            const full_object_detection shape = sp(img, rectangle(box));
            std::fprintf(json,
                         "      {\"left\": %.17g, \"top\": %.17g, \"right\": %.17g, \"bottom\": %.17g, "
                         "\"score\": %.17g, \"filter_index\": %lu,\n       \"landmarks\": [",
                         box.left(), box.top(), box.right(), box.bottom(), dets[d].detection_confidence,
                         dets[d].weight_index);
            for (unsigned long p = 0; p < shape.num_parts(); ++p)
                std::fprintf(json, "%s[%ld, %ld]", p ? ", " : "", shape.part(p).x(), shape.part(p).y());
            std::fprintf(json, "]}%s\n", d + 1 < dets.size() ? "," : "");
        }
        std::fprintf(json, "    ]}%s\n", a + 4 < argc ? "," : "");
    }
    std::fprintf(json, "  ],\n");

    // FHOG of 256×256 crops of one frame.
    const std::string fhog_frame = argv[3];
    const long fw = std::atol(argv[4]), fh = std::atol(argv[5]);
    array2d<rgb_pixel> frame = read_rgb(fhog_frame, fw, fh);
    std::vector<rectangle> faces = detector(frame);
    if (faces.empty() || fw < 256 + 3 || fh < 256 + 1) {
        std::cerr << "no face (or frame smaller than 259x257) in " << fhog_frame << "\n";
        return 1;
    }
    const point centre = dlib::center(faces[0]);
    const long x0 = std::clamp(centre.x() - 128, 0L, fw - 256 - 3);
    const long y0 = std::clamp(centre.y() - 128, 0L, fh - 256 - 1);
    std::fprintf(json, "  \"fhog\": {\"frame\": \"%s\", \"cell_size\": 4, \"filter_padding\": 3, "
                       "\"planes\": 31, \"rows\": 64, \"cols\": 64, \"layout\": \"float32 LE [31][64][64]\",\n"
                       "    \"crops\": [\n", base_name(fhog_frame).c_str());
    for (int k = 0; k < 2; ++k) {
        const long cx = x0 + 3 * k, cy = y0 + k;
        dlib::array<array2d<float>> hog;
        extract_fhog_features(crop256(frame, cx, cy), hog, 4, 3, 3);
        if (hog.size() != 31 || hog[0].nr() != 64 || hog[0].nc() != 64) {
            std::cerr << "unexpected FHOG shape " << hog.size() << "x" << hog[0].nr() << "x" << hog[0].nc() << "\n";
            return 1;
        }
        std::fprintf(json, "      {\"x\": %ld, \"y\": %ld, %s\"plane_sums\": [", cx, cy,
                     k == 0 ? ("\"file\": \"" + base_name(argv[6]) + "\", ").c_str() : "");
        for (unsigned long o = 0; o < 31; ++o) {
            double sum = 0;
            for (long r = 0; r < 64; ++r)
                for (long c = 0; c < 64; ++c) sum += hog[o][r][c];
            std::fprintf(json, "%s%.17g", o ? ", " : "", sum);
        }
        std::fprintf(json, "]}%s\n", k == 0 ? "," : "");
        if (k == 0) {
            std::ofstream out(argv[6], std::ios::binary);
            for (unsigned long o = 0; o < 31; ++o)
                for (long r = 0; r < 64; ++r)
                    out.write(reinterpret_cast<const char *>(&hog[o][r][0]), 64 * sizeof(float));
            if (!out) { std::cerr << "cannot write " << argv[6] << "\n"; return 1; }
        }
    }
    std::fprintf(json, "    ]\n  }\n}\n");
    std::fclose(json);
    return 0;
}
