#!/usr/bin/env python3
"""Audio/video drift of a restored file against its source.

Drift is audio slipping against the pictures over the length of a file. Both files' audio is
decoded to 16 kHz mono (ffmpeg) and the restored audio is cross-correlated with the source's in
a window near the start and one near the end; the lag found is the audio's offset at that point
(codec priming and padding make a constant lag, which is no drift). Drift = end lag − start lag.
The video is checked to keep its frame count (its timestamps are kept to ±1 ms, tested in the
Swift suite), so audio slipping against the audio of the source is slipping against the video.

    python3 scripts/av-drift.py SOURCE RESTORED        (exit status 1 if drift > 1 frame)
"""
import subprocess
import sys
from fractions import Fraction

import numpy as np

RATE = 16000


def audio(path):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vn", "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float64)


def probe(path, entry):
    return subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                           f"stream={entry}", "-of", "csv=p=0", path], capture_output=True, text=True, check=True).stdout.strip()


def lag(ref, other, at, window=2.0, search=0.2):
    """Samples by which `other` is late against `ref` around second `at`, and the peak's
    correlation coefficient (cross-correlation by FFT over ±`search` seconds)."""
    n, s = int(window * RATE), int(search * RATE)
    lo = max(0, int(at * RATE) - s)
    a = ref[int(at * RATE):int(at * RATE) + n]
    b = other[lo:int(at * RATE) + n + s]
    a, b = a - a.mean(), b - b.mean()
    size = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    corr = np.fft.irfft(np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size)), size)[:len(b) - len(a) + 1]
    k = int(np.argmax(corr))
    seg = b[k:k + len(a)]
    coefficient = float(np.dot(a, seg) / (np.linalg.norm(a) * np.linalg.norm(seg) + 1e-9))
    return k - (int(at * RATE) - lo), coefficient


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    fps = float(Fraction(probe(src, "avg_frame_rate")))
    fi, fo = int(probe(src, "nb_read_packets")), int(probe(out, "nb_read_packets"))
    a, b = audio(src), audio(out)
    seconds = min(len(a), len(b)) / RATE
    window = min(2.0, seconds / 4)
    start, cs = lag(a, b, window / 2, window)
    end, ce = lag(a, b, seconds - 1.5 * window, window)
    drift_ms = (end - start) / RATE * 1000
    frame_ms = 1000 / fps
    print(f"video frames: source {fi}, restored {fo}; audio {len(a) / RATE:.2f} s vs {len(b) / RATE:.2f} s")
    print(f"audio lag near the start {start / RATE * 1000:+.1f} ms (correlation {cs:.3f}), "
          f"near the end {end / RATE * 1000:+.1f} ms (correlation {ce:.3f})")
    print(f"drift {drift_ms:+.1f} ms = {drift_ms / frame_ms:+.2f} frames at {fps:.2f} fps over {seconds:.0f} s; "
          f"drift_frames={abs(drift_ms) / frame_ms:.3f}")
    sys.exit(0 if abs(drift_ms) <= frame_ms and fi == fo else 1)


if __name__ == "__main__":
    main()
