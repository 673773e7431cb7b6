"""Training data from the project's clips, exactly as the Swift front end sees them.

`python3 training/data.py` (once, ~30 s) fills training/cache/ (git-ignored):
  <clip>.ctx<k>.safetensors  `facerestored features` output (boxes, crop regions, 256² crops,
                             dlib FHOG, MFCC contexts of size k, from the daemon's own code)
  <clip>.frames.npy          the decoded RGB frames, decoded by GStreamer like the daemon
  manifest.json              per clip: counts and two parity checks (see below)
Parity checks run on every clip: our crop of the GStreamer frames at the Swift crop regions must
equal the Swift crops up to 1 level in < 1e-4 of the values (the regions are stored as float32,
the Swift side samples with the float64 originals: ~1e-5 of the values land on the other side of
a rounding boundary), and fhog.py on the Swift crops must equal the
Swift/dlib FHOG (max abs diff <= 1e-5 expected; 1.8e-7 measured). Training degrades the frames,
crops the *ground-truth* regions of the clean clip and computes FHOG with fhog.py.

Splits (by speaker, told apart by eye: GRID file names carry no speaker id). The 8 clips in data/
show 7 speakers (grid_id2_vcd_swwp2s and grid_pwij3p are the same man; grid_bbaf2n is speaker s1).
  clips8  train on 7 clips, hold out grid_bbaf2n (the demo clip, a speaker in no other clip):
          75 of 600 face-frames, 12.5 %. The shipped weights were trained on it.
  s1      train on the s1 clips fetched by fetch_grid_s1.py (training/extra/grid_s1/, named
          s1_<clip>) and 4 clips of 3 other speakers; hold out grid_lrwp9a, grid_sbia1a and
          grid_sbwe5n (3 speakers in no training clip). These are also the evaluation's clips, so
          a run on this split exports its last checkpoint, never the best on them.
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import degrade as deg  # noqa: E402
import safetensors_io as st  # noqa: E402
from fhog import fhog  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("FACERESTORED_TRAIN_CACHE", ROOT / "training" / "cache"))
EXTRA = ROOT / "training" / "extra" / "grid_s1"
S1_PREFIX = "s1_"
CLIPS = sorted(p.stem for p in (ROOT / "data").glob("*.mpg"))
VAL_CLIPS = ["grid_bbaf2n"]
TRAIN_CLIPS = [c for c in CLIPS if c not in VAL_CLIPS]
S1_HELD_OUT = ["grid_lrwp9a", "grid_sbia1a", "grid_sbwe5n"]
S1_OTHER_TRAIN = ["grid_brbk7n", "grid_id2_vcd_swwp2s", "grid_lbax4n", "grid_pwij3p"]
SPLITS = ("clips8", "s1")
SEED = 42
# Optical flow for the temporal modulation: OpenCV Farneback on 64x64 grey versions of the LQ
# crops (grey = 0.299 R + 0.587 G + 0.114 B, 4x4 box mean, rounded to uint8). Small on purpose:
# the modulation runs at 32x32, and the Swift engine must reproduce it (values go to metadata).
FLOW_SIZE = 64
FLOW_PARAMS = dict(pyr_scale=0.5, levels=2, winsize=9, iterations=3, poly_n=5, poly_sigma=1.1, flags=0)


def facerestored_bin():
    path = Path(os.environ.get("FACERESTORED_BIN", ROOT / ".build" / "release" / "facerestored"))
    if not path.exists():
        sys.exit(f"{path} missing: run `swift build -c release --product facerestored` "
                 "(or set FACERESTORED_BIN)")
    return path


def video_path(clip):
    if clip.startswith(S1_PREFIX):
        return EXTRA / f"{clip[len(S1_PREFIX):]}.mpg"
    return ROOT / "data" / f"{clip}.mpg"


def split(name):
    """(training clips, held-out clips) of a named split (see the module's doc)."""
    if name == "clips8":
        return TRAIN_CLIPS, VAL_CLIPS
    if name == "s1":
        extra = sorted(S1_PREFIX + p.stem for p in EXTRA.glob("*.mpg"))
        if not extra:
            sys.exit(f"split s1: no clips in {EXTRA}; run `python3 training/fetch_grid_s1.py` first")
        return extra + S1_OTHER_TRAIN, S1_HELD_OUT
    raise ValueError(f"unknown split {name!r}; use one of {SPLITS}")


def decode_frames(video, timeout=None):
    """RGB frames decoded the daemon's way (decodebin ! videoconvert ! RGB): ffmpeg's own YUV->RGB
    differs by up to 5 levels, which would break crop parity. Returns (uint8 [T,H,W,3], fps).
    `timeout` (s) raises subprocess.TimeoutExpired instead of waiting on a stuck gst-launch."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height,r_frame_rate", "-of", "csv=p=0", str(video)],
                           capture_output=True, text=True, check=True, timeout=timeout).stdout.strip().split(",")
    w, h, fps = int(probe[0]), int(probe[1]), probe[2]
    raw = subprocess.run(["gst-launch-1.0", "-q", "filesrc", f"location={video}", "!", "decodebin",
                          "!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "fdsink", "fd=1"],
                         capture_output=True, check=True, timeout=timeout).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3), fps


def crop(frame, region, size=256):
    """FaceCrop.sample in numpy: bilinear, pixel centres aligned, edge replication, rounding
    half up. `region` is the float32 x, y, w, h the Swift side wrote."""
    x, y, w, _ = (float(v) for v in region)
    s = w / size
    hgt, wid, _ = frame.shape
    fy = y + (np.arange(size) + 0.5) * s - 0.5
    fx = x + (np.arange(size) + 0.5) * s - 0.5
    y0, x0 = np.floor(fy).astype(np.int64), np.floor(fx).astype(np.int64)
    ty, tx = (fy - y0)[:, None, None], (fx - x0)[None, :, None]
    ya, yb = np.clip(y0, 0, hgt - 1), np.clip(y0 + 1, 0, hgt - 1)
    xa, xb = np.clip(x0, 0, wid - 1), np.clip(x0 + 1, 0, wid - 1)
    f = frame.astype(np.float64)
    top = f[ya][:, xa] + (f[ya][:, xb] - f[ya][:, xa]) * tx
    bottom = f[yb][:, xa] + (f[yb][:, xb] - f[yb][:, xa]) * tx
    return np.clip(np.floor(top + (bottom - top) * ty + 0.5), 0, 255).astype(np.uint8)


def prepare(clips=CLIPS, context_sizes=(5,), force=False):
    CACHE.mkdir(parents=True, exist_ok=True)
    manifest_path = CACHE / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for clip in clips:
        video = video_path(clip)
        for k in context_sizes:
            out = CACHE / f"{clip}.ctx{k}.safetensors"
            if force or not out.exists():
                cmd = [str(facerestored_bin()), "features", str(video), "-o", str(out), "--context-size", str(k)]
                if k != 5:
                    cmd.append("--no-crops")  # crops are the same; keep them once
                subprocess.run(cmd, check=True, capture_output=True)
        frames_path = CACHE / f"{clip}.frames.npy"
        if force or not frames_path.exists():
            np.save(frames_path, decode_frames(video)[0])
        if clip in manifest and not force:
            continue
        t, _ = st.load(CACHE / f"{clip}.ctx5.safetensors")
        frames = np.load(frames_path, mmap_mode="r")
        diffs = np.stack([np.abs(crop(frames[fi], r).astype(np.int16) - c.astype(np.int16))
                          for fi, r, c in zip(t["frame_index"], t["crop_region_xywh"], t["crops"])])
        fh = fhog(torch.from_numpy(np.array(t["crops"]))).numpy()
        manifest[clip] = {"frames": int(frames.shape[0]), "face_frames": int(len(t["frame_index"])),
                          "tracks": sorted({int(v) for v in t["track_id"]}),
                          "crop_parity_max_abs": int(diffs.max()),
                          "crop_parity_frac_differing": float((diffs > 0).mean()),
                          "fhog_parity_max_abs": float(np.abs(fh - np.array(t["fhog"])).max())}
        print(clip, manifest[clip], flush=True)
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))  # a long run can stop
    return manifest


class Clip:
    """One clip's frames (mapped from the cache: the s1 split has ~5 GB of them) and per-face rows."""

    def __init__(self, name, context_size=5):
        self.name = name
        t, self.meta = st.load(CACHE / f"{name}.ctx5.safetensors")
        self.frames = np.load(CACHE / f"{name}.frames.npy", mmap_mode="r")
        self.frame_index = np.array(t["frame_index"])
        self.track_id = np.array(t["track_id"])
        self.region = np.array(t["crop_region_xywh"])
        self.crops = np.array(t["crops"])
        if context_size == 5:
            self.mfcc = np.array(t["mfcc_context"])
        else:
            a, _ = st.load(CACHE / f"{name}.ctx{context_size}.safetensors", names={"mfcc_context", "frame_index"})
            assert np.array_equal(a["frame_index"], self.frame_index), "feature runs disagree on frames"
            self.mfcc = np.array(a["mfcc_context"])

    def windows(self, length):
        """Row indices of every run of `length` consecutive frames of one track."""
        rows = {(int(f), int(tr)): i for i, (f, tr) in enumerate(zip(self.frame_index, self.track_id))}
        out = []
        for (f, tr), _ in sorted(rows.items()):
            run = [rows.get((f + k, tr)) for k in range(length)]
            if all(r is not None for r in run):
                out.append(run)
        return out


def load_clips(names, context_size=5):
    return [Clip(n, context_size) for n in names]


def mfcc_stats(clips):
    """Per-coefficient mean/std of the training MFCCs; stored in the model (and its metadata)."""
    m = np.concatenate([c.mfcc.reshape(-1, c.mfcc.shape[-1]) for c in clips])
    return m.mean(0).astype(np.float32), (m.std(0) + 1e-3).astype(np.float32)


def derangement(rng, n):
    """A permutation with no fixed point: the negative context must differ in every segment."""
    while True:
        p = rng.permutation(n)
        if n < 2 or not np.any(p == np.arange(n)):
            return p


def flow_inputs(lq, centre):
    """Farneback flow from LQ frame `centre` to centre-1 and centre+1 at 64x64, [4, 64, 64]."""
    import cv2  # python3-opencv; only training needs it
    w = np.array([0.299, 0.587, 0.114], np.float32)
    def grey(i):
        g = lq[i].astype(np.float32) @ w
        g = g.reshape(FLOW_SIZE, 256 // FLOW_SIZE, FLOW_SIZE, 256 // FLOW_SIZE).mean((1, 3))
        return np.clip(np.floor(g + 0.5), 0, 255).astype(np.uint8)
    c = grey(centre)
    flows = [cv2.calcOpticalFlowFarneback(c, grey(j), None, **FLOW_PARAMS) for j in (centre - 1, centre + 1)]
    return np.concatenate([f.transpose(2, 0, 1) for f in flows]).astype(np.float32)


class WindowSet:
    """Stage-2 samples: a window of 5 frames (t-2..t+2) plus t+3 when the temporal SSIM term needs
    the next centre. Degradation, FHOG, flow and the audio negative are drawn per (seed, epoch,
    index), so a sample is the same whenever it is asked for again. With `standard_share` > 0,
    that share of the windows draws from the `standard` preset's ranges instead of `spec`'s (the
    evaluation's clips and seeds are never used: validation is another speaker)."""

    def __init__(self, clips, spec=deg.TRAINING, temporal_pair=True, random_negatives=False, seed=SEED,
                 standard_share=0.0):
        self.clips, self.spec, self.seed = clips, spec, seed
        self.standard_share = standard_share
        self.pair, self.random_negatives = temporal_pair, random_negatives
        self.length = 6 if temporal_pair else 5
        self.items = [(ci, w) for ci, c in enumerate(clips) for w in c.windows(self.length)]

    def __len__(self):
        return len(self.items)

    def get(self, index, epoch=0):
        rng = deg.rng_for(self.seed, epoch, index)
        ci, rows = self.items[index]
        c = self.clips[ci]
        frames = c.frames[c.frame_index[rows]]
        # Drawn only when asked for, so that runs without a share keep their random streams.
        spec = deg.STANDARD if self.standard_share > 0 and rng.random() < self.standard_share else self.spec
        lq_frames, params = deg.degrade(frames, spec, rng)
        lq = np.stack([crop(f, c.region[r]) for f, r in zip(lq_frames, rows)])
        mfcc = c.mfcc[rows]
        if self.random_negatives:
            other = self.clips[int(rng.integers(len(self.clips)))]
            neg = other.mfcc[rng.integers(len(other.mfcc), size=len(rows))]
        else:  # interference negative: the same audio with its segment order permuted
            neg = mfcc[:, derangement(rng, mfcc.shape[1])]
        centres = [2, 3] if self.pair else [2]
        return {"hq": c.crops[rows], "lq": lq, "fhog": fhog(torch.from_numpy(lq)).numpy(),
                "mfcc": mfcc, "mfcc_neg": neg,
                "flow": np.stack([flow_inputs(lq, k) for k in centres]), "params": params}

    def batch(self, indices, epoch=0):
        samples = [self.get(int(i), epoch) for i in indices]
        out = {k: torch.from_numpy(np.stack([s[k] for s in samples]))
               for k in ("hq", "lq", "fhog", "mfcc", "mfcc_neg", "flow")}
        out["params"] = [s["params"] for s in samples]
        return out


class CropSet:
    """Stage-1 samples: single clean crops, horizontally flipped with p = 0.5 per (seed, epoch, index)."""

    def __init__(self, clips, seed=SEED, flip=True):
        self.items = [(ci, r) for ci, c in enumerate(clips) for r in range(len(c.crops))]
        self.clips, self.seed, self.flip = clips, seed, flip

    def __len__(self):
        return len(self.items)

    def batch(self, indices, epoch=0):
        out = []
        for i in indices:
            ci, r = self.items[int(i)]
            x = self.clips[ci].crops[r]
            if self.flip and deg.rng_for(self.seed, epoch, int(i)).random() < 0.5:
                x = x[:, ::-1]
            out.append(np.ascontiguousarray(x))
        return torch.from_numpy(np.stack(out))


def to_float(x):
    """uint8 [..., H, W, 3] -> float [..., 3, H, W] in [0, 1]."""
    return x.movedim(-1, -3).float() / 255.0


def _main():
    ap = argparse.ArgumentParser(description="Fill training/cache/ from data/*.mpg and check parity.")
    ap.add_argument("--context-sizes", default="5", help="comma list, e.g. 3,5,7 for the ablations")
    ap.add_argument("--split", default="clips8", choices=SPLITS)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    sizes = sorted({5} | {int(k) for k in a.context_sizes.split(",")})
    train, held_out = split(a.split)
    m = prepare(clips=sorted(set(train) | set(held_out)), context_sizes=sizes, force=a.force)
    bad = [c for c, v in m.items() if v["crop_parity_max_abs"] > 1 or v["crop_parity_frac_differing"] > 1e-4
           or v["fhog_parity_max_abs"] > 1e-5]
    print(f"{len(m)} clips; split {a.split}: {len(train)} train, held out {held_out}; "
          f"parity failures: {bad or 'none'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    _main()
