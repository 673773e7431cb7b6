#!/usr/bin/env bash
# Sets everything up and restores the shipped demo clip (GRID corpus, CC BY 4.0, degraded with
# the `standard` preset: see data/SOURCES.md) with the shipped realtime weights into
# out/demo.mp4, the degraded input and the restored result side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product facerestored
mkdir -p out
.build/release/facerestored restore data/grid_bbaf2n.standard.mkv -o out/demo.mp4 --side-by-side --force
echo "demo written to out/demo.mp4 (left: degraded input, right: restored by the realtime model)"
