#!/usr/bin/env bash
# Sets everything up and restores the shipped demo clip (GRID corpus, CC BY 4.0) into
# out/demo.mp4, with the input and the result side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product facerestored
mkdir -p out
.build/release/facerestored restore data/grid_bbaf2n.mpg -o out/demo.mp4 --side-by-side --force
echo "demo written to out/demo.mp4 (left: input, right: output of the restoration slot)"
