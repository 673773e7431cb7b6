#!/usr/bin/env bash
# Installs the native dependencies on Debian 12 (GStreamer 1.22 with RTSP server and codecs,
# dlib, FFTW, OpenBLAS, oneDNN, ffmpeg for checks). Needs root or sudo. Swift 6 must already be on PATH.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PACKAGES=(
  pkg-config
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools gstreamer1.0-rtsp
  gstreamer1.0-plugins-base-apps
  libopenblas-dev libdnnl-dev libfftw3-dev libdlib-dev libdlib-data libopencv-video-dev libopencv-imgproc-dev libpng-dev libjpeg-dev libsystemd-dev
  ffmpeg python3 python3-pip
  # Python unit tests of training/ (Debian's CPU PyTorch 1.13, for /usr/bin/python3; ~30 s);
  # Pillow for the JPEG degradation, matplotlib for the loss curves and evaluation plots,
  # OpenCV for the training windows' Farneback flow (the tests import all three)
  python3-torch python3-pytest python3-numpy python3-pil python3-matplotlib python3-opencv
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "error: no Swift toolchain on PATH. Install Swift 6 (https://www.swift.org/install/linux/) and re-run." >&2
  exit 1
fi
