#!/bin/sh
# Makes bitflipped-h264.mkv for BadInputTests.bitFlippedH264: the held-out GRID clip
# (data/grid_bbaf2n.mpg, CC BY 4.0, see data/SOURCES.md) as H.264 + AAC in Matroska, written
# bit-exact (one x264 thread, no random UIDs) so the damage below always hits the same bytes,
# then 100 bits flipped in the middle 60 % of the file (seed 5). GStreamer and ffmpeg both
# decode 74 of its 75 frames; one flip corrupts a cluster time, so from frame 14 on the
# decoded timestamps jump 8.2 s ahead and then stand still.
# Run from the repository root: sh Tests/Fixtures/damaged/make-bitflipped.sh
set -eu
out=Tests/Fixtures/damaged
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -v error -y -i data/grid_bbaf2n.mpg -map 0:v -map 0:a -c:v libx264 -preset veryfast -crf 23 -g 25 \
    -threads 1 -c:a aac -b:a 64k -ac 1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
    -map_metadata -1 "$tmp/clean.mkv"
python3 - "$tmp/clean.mkv" "$out/bitflipped-h264.mkv" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], 'rb').read())
rng = random.Random(5)
for _ in range(100):
    at = len(data) // 5 + rng.randrange(len(data) * 3 // 5)
    data[at] ^= 1 << rng.randrange(8)
open(sys.argv[2], 'wb').write(data)
PY
