"""Deterministic degradation of whole video frames (uint8 RGB, [T, H, W, 3]).

Applied to whole frames, then cropped at the ground-truth (HQ) crop regions, because that is
what the daemon sees: a degraded stream in which the face is then found and cropped (DESIGN.md
"Evaluation" defines `standard` on whole frames too).

Order, as the `standard` preset: bicubic down by s -> Gaussian blur (sigma, at the low
resolution) -> Gaussian noise -> optional JPEG -> optional H.264 (ffmpeg/libx264) -> bicubic up
to the original size -> frame drops (a dropped frame repeats the previous degraded one, as a
stalled decoder would). The degraded frame is already back at full size, so its crop is also
the evaluation's bicubic baseline. Parameters are drawn once per clip window (a real stream degrades
steadily); noise is drawn per frame.

Determinism: every draw comes from numpy's Generator seeded with (seed, *key), e.g. (42, epoch,
sample index); libx264 runs with one thread and fixed settings so the same input gives the same
bytes.

CLI: `python3 training/degrade.py --preset standard IN.mpg OUT.mkv` writes the standard-degraded
video (lossless FFV1, original audio copied) for evaluations that run the Swift engine.
"""
import argparse
import dataclasses
import io
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F


@dataclasses.dataclass(frozen=True)
class DegradeSpec:
    """Ranges to draw from; a fixed value is a range with equal ends."""
    scale: tuple = (2.0, 8.0)          # down/up factor
    blur_sigma: tuple = (0.2, 2.0)     # pixels at the low resolution
    noise_sigma: tuple = (0.0, 10.0)   # on the 0..255 scale
    jpeg_prob: float = 0.3
    jpeg_quality: tuple = (30, 90)
    h264_prob: float = 0.3
    h264_crf: tuple = (23, 38)
    drop_prob: float = 0.05            # per frame (never the first frame of a window)


# DESIGN.md "Evaluation": x4 bicubic down, blur sigma in [0.5, 1.5], noise sigma in [0, 5]/255,
# H.264 CRF 32, back up. No JPEG, no drops. Used with seed 42 for every reported figure.
STANDARD = DegradeSpec(scale=(4.0, 4.0), blur_sigma=(0.5, 1.5), noise_sigma=(0.0, 5.0),
                       jpeg_prob=0.0, jpeg_quality=(90, 90), h264_prob=1.0, h264_crf=(32, 32),
                       drop_prob=0.0)
TRAINING = DegradeSpec()
PRESETS = {"standard": STANDARD, "training": TRAINING}


def rng_for(seed, *key):
    """One generator per (seed, key...): same key, same draws, whatever ran before."""
    return np.random.default_rng([int(seed)] + [int(k) for k in key])


def draw_params(spec, rng):
    u = lambda r: float(rng.uniform(r[0], r[1])) if r[0] != r[1] else float(r[0])
    p = {"scale": u(spec.scale), "blur_sigma": u(spec.blur_sigma), "noise_sigma": u(spec.noise_sigma)}
    p["jpeg_quality"] = int(round(u(spec.jpeg_quality))) if rng.random() < spec.jpeg_prob else None
    p["h264_crf"] = int(round(u(spec.h264_crf))) if rng.random() < spec.h264_prob else None
    return p


def _gaussian_blur(x, sigma):
    """x: float [T, 3, H, W]. Separable kernel of radius ceil(3 sigma), reflected borders."""
    if sigma <= 0:
        return x
    # Radius ceil(3 sigma), capped below the image size because reflect padding needs it.
    r = min(max(1, int(np.ceil(3 * sigma))), x.shape[-1] - 1, x.shape[-2] - 1)
    t = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    c = x.shape[1]
    x = F.pad(x, (r, r, 0, 0), mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    x = F.pad(x, (0, 0, r, r), mode="reflect")
    return F.conv2d(x, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def _quantise(x):
    return torch.clamp(torch.floor(x + 0.5), 0, 255)


def _jpeg(frames, quality):
    from PIL import Image  # python3-pil (scripts/install-deps.sh); only needed when JPEG is drawn
    out = []
    for f in frames:
        buf = io.BytesIO()
        Image.fromarray(f).save(buf, format="JPEG", quality=quality)
        out.append(np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")))
    return np.stack(out)


def h264_roundtrip(frames, crf, fps=25):
    """Encodes the frames as one H.264 stream (libx264, yuv420p, 1 thread) and decodes it back."""
    t, h, w, _ = frames.shape
    enc = ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
           "-r", str(fps), "-i", "-", "-c:v", "libx264", "-preset", "medium", "-crf", str(crf),
           "-pix_fmt", "yuv420p", "-threads", "1", "-x264-params", "threads=1", "-f", "h264", "-"]
    bitstream = subprocess.run(enc, input=frames.tobytes(), capture_output=True, check=True).stdout
    dec = ["ffmpeg", "-v", "error", "-threads", "1", "-f", "h264", "-i", "-", "-f", "rawvideo",
           "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(dec, input=bitstream, capture_output=True, check=True).stdout
    out = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)
    if out.shape[0] != t:
        raise RuntimeError(f"h264 round trip returned {out.shape[0]} frames for {t}")
    return out


def degrade(frames, spec, rng, params=None):
    """frames: uint8 [T, H, W, 3] consecutive frames. Returns (uint8 [T, H, W, 3], params)."""
    params = params or draw_params(spec, rng)
    t, h, w, _ = frames.shape
    x = torch.from_numpy(np.array(frames)).permute(0, 3, 1, 2).float()
    # Low-resolution size rounded to even numbers: yuv420p needs them, and it keeps the
    # standard preset's x4 exact for 360x288 (90x72).
    lh = max(2, int(round(h / params["scale"] / 2)) * 2)
    lw = max(2, int(round(w / params["scale"] / 2)) * 2)
    x = F.interpolate(x, size=(lh, lw), mode="bicubic", align_corners=False, antialias=True)
    x = _gaussian_blur(x, params["blur_sigma"])
    if params["noise_sigma"] > 0:
        noise = rng.standard_normal(x.shape).astype(np.float32) * params["noise_sigma"]
        x = x + torch.from_numpy(noise)
    low = _quantise(x).to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()
    if params["jpeg_quality"] is not None:
        low = _jpeg(low, params["jpeg_quality"])
    if params["h264_crf"] is not None:
        low = h264_roundtrip(low, params["h264_crf"])
    x = torch.from_numpy(np.array(low)).permute(0, 3, 1, 2).float()
    x = F.interpolate(x, size=(h, w), mode="bicubic", align_corners=False)
    out = _quantise(x).to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()
    drops = [i for i in range(1, t) if rng.random() < spec.drop_prob]
    for i in drops:
        out[i] = out[i - 1]
    params = dict(params, drops=drops)
    return out, params


def _main():
    ap = argparse.ArgumentParser(description="Write a degraded copy of a video (FFV1 + original audio).")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="standard")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from data import decode_frames  # GStreamer decode, identical to the daemon's frames
    frames, fps = decode_frames(a.input)
    out, params = degrade(frames, PRESETS[a.preset], rng_for(a.seed, 0))
    t, h, w, _ = out.shape
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
           "-r", fps, "-i", "-", "-i", a.input, "-map", "0:v", "-map", "1:a?", "-c:v", "ffv1",
           "-c:a", "copy", a.output]
    subprocess.run(cmd, input=out.tobytes(), check=True)
    print(f"{a.output}: {t} frames, preset {a.preset}, seed {a.seed}, params {params}")


if __name__ == "__main__":
    _main()
