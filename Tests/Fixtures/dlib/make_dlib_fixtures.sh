#!/bin/sh
# Regenerates the dlib reference fixtures in this folder (needs ffmpeg, g++, libdlib-dev,
# libdlib-data and the GRID clips in /work/shared/data or $GRID_DIR).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
grid=${GRID_DIR:-/work/shared/data}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Inputs: frame 40 of grid_bbaf2n at its own 360x288, frame 30 of grid_id2_vcd_swwp2s scaled to 240x192.
ffmpeg -loglevel error -y -i "$grid/grid_bbaf2n.mpg" -vf "select=eq(n\,40)" -frames:v 1 -f rawvideo -pix_fmt rgb24 "$here/bbaf2n_f40_360x288.rgb"
ffmpeg -loglevel error -y -i "$grid/grid_id2_vcd_swwp2s.mpg" -vf "select=eq(n\,30),scale=240:192:flags=bicubic" -frames:v 1 -f rawvideo -pix_fmt rgb24 "$here/swwp2s_f30_240x192.rgb"
g++ -std=c++17 -O2 -o "$tmp/make_dlib_fixtures" "$here/make_dlib_fixtures.cpp" $(pkg-config --cflags --libs dlib-1)
"$tmp/make_dlib_fixtures" /usr/share/dlib/shape_predictor_68_face_landmarks.dat "$here/dlib_reference.json" \
    "$here/bbaf2n_f40_360x288.rgb" 360 288 "$here/bbaf2n_f40_fhog_crop.f32" \
    "$here/bbaf2n_f40_360x288.rgb" 360 288 0 \
    "$here/bbaf2n_f40_360x288.rgb" 360 288 1 \
    "$here/swwp2s_f30_240x192.rgb" 240 192 1
