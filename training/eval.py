"""Evaluation harness: held-out clips restored by the shipped Swift engine, scored on face crops.

The restoration is always `facerestored restore` (the daemon's engine), never the PyTorch mirror:
what we report is what ships. Per clip and per degradation seed (DESIGN.md "Evaluation"):

  1. truth: the clean clip's frames decoded by GStreamer like the daemon (data.decode_frames) and
     its crop regions and boxes from `facerestored features` on the clean clip;
  2. degraded: `degrade.py --preset standard --seed S CLIP OUT` (whole frames, FFV1, audio kept);
  3. rows: `bicubic` = the degraded video itself (degrade.py already scales it back to full
     size); each --model = `facerestored restore DEGRADED --model PATH` (lossless RGB out);
  4. every video cropped at the *ground-truth* regions (data.crop = FaceCrop.sample), so all rows
     are scored on the same squares whatever boxes the daemon found on the degraded input;
  5. metrics.py on the 256² crops: PSNR, SSIM, LPIPS (lpips_alex.py, when its weights are here),
     TLME (when the binary can predict landmarks: `facerestored landmarks`, see below).
A row's figure per (clip, seed) is its mean over face-frames; the table gives mean ± sample std
over all (clip, seed) pairs. Rows whose weights are missing stay in the table as "not trained".

Held-out only: the 7 clips data.py trains on are refused (by name and by content hash) unless
--allow-training-clips, and results.md says which clips were used and whether they are held out.

    /usr/bin/python3 training/eval.py --model realtime=models/realtime.safetensors \\
        --model 2d-cnn=models/realtime-2d-cnn.safetensors      # data/grid_bbaf2n.mpg, seeds 42 43 44
    /usr/bin/python3 training/eval.py --quick --model tiny=Tests/Fixtures/engine/tiny.safetensors

Binary: $FACERESTORED_BIN or .build/release/facerestored. Output (--out, git-ignored default
training/out/eval): results.md, results.csv, per_clip.csv, metrics.png, psnr_per_frame.png,
side_by_side.mp4 (degraded | restored | truth, with the clip's audio); eval_report.py writes them.
"""
import argparse
import ast
import dataclasses
import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data  # noqa: E402
import eval_report  # noqa: E402
import lpips_alex  # noqa: E402
import metrics  # noqa: E402
import safetensors_io as st  # noqa: E402

ROOT = data.ROOT
HELD_OUT = ROOT / "data" / "grid_bbaf2n.mpg"
SEEDS = (42, 43, 44)
# Rows when no --model is given: the shipped profiles and the ablations DESIGN.md asks for (the
# ablation file names are this script's proposal: no such weights exist yet). A file that does
# not exist becomes a "not trained" row.
DEFAULT_MODELS = ["realtime=models/realtime.safetensors", "quality=models/quality.safetensors",
                  "2d-cnn=models/realtime-2d-cnn.safetensors", "no-audio=models/realtime-no-audio.safetensors",
                  "no-smoothing=models/realtime-no-smoothing.safetensors,smoothing=off"]


@dataclasses.dataclass
class Row:
    name: str
    weights: str = ""          # "" for bicubic
    smoothing: str = "causal"
    trained: bool = True


def parse_model(spec, smoothing="causal", root=ROOT):
    """NAME=PATH[,smoothing=causal|paper|off] -> Row; NAME alone means models/NAME.safetensors;
    PATH `none` is the binary's pass-through (faces tracked and pasted back unchanged), a check
    that the restored video lines up with its input: it must score exactly as bicubic."""
    head, *opts = spec.split(",")
    name, _, path = head.partition("=")
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name):  # it names files under --out
        raise SystemExit(f"--model {spec}: the row name may use letters, digits, '.', '_' and '-' only")
    path = path or f"models/{name}.safetensors"
    for o in opts:
        key, _, value = o.partition("=")
        if key != "smoothing" or value not in ("causal", "paper", "off"):
            raise SystemExit(f"--model {spec}: unknown option {o!r} (only smoothing=causal|paper|off)")
        smoothing = value
    if path == "none":
        return Row(name, "none", smoothing, True)
    full = Path(path) if Path(path).is_absolute() else root / path
    return Row(name, str(full), smoothing, full.is_file())


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def trained_on(rows):
    """The clips that trained any of `rows`: from each file's training metadata (`train_clips`,
    written by export.py), else data.TRAIN_CLIPS (the weights shipped before it was recorded,
    all trained on the clips8 split)."""
    names = set()
    for row in rows:
        if not row.weights or row.weights == "none" or not row.trained:
            continue
        _, meta = st.load(row.weights, names=set())
        names |= set(json.loads(meta.get("training", "{}")).get("train_clips", data.TRAIN_CLIPS))
    return sorted(names)


def training_clip(path, names, by_content):
    """The name of the training clip `path` is (by file name, or by content: `by_content` maps
    the training files' hashes to their names), else None."""
    path = Path(path)
    if path.stem in names or f"{data.S1_PREFIX}{path.stem}" in names:
        return path.stem
    return by_content.get(_sha(path))


def check_clips(clips, allow_training, names=None):
    """Refuses clips that trained a row (metrics on them flatter the model) unless explicitly
    allowed. Returns {clip path: training clip name or None}."""
    names = data.TRAIN_CLIPS if names is None else names
    # Hashed once, not once per evaluated clip: the s1 split has over 100 training files.
    by_content = {_sha(data.video_path(c)): c for c in names if data.video_path(c).is_file()}
    found = {str(c): training_clip(c, names, by_content) for c in clips}
    bad = [f"{c} (= {t})" for c, t in found.items() if t]
    if bad and not allow_training:
        raise SystemExit("refusing training clips: " + ", ".join(bad) + f"; the shipped weights' held-out clip is "
                         f"{HELD_OUT.relative_to(ROOT)}, the s1 split's are {', '.join(data.S1_HELD_OUT)} "
                         "(use --allow-training-clips to override, and say so)")
    return found


def binary():
    return data.facerestored_bin()


def run(cmd, stderr=False):
    """Runs a tool; on failure shows its stderr (the binary's errors explain themselves).
    Returns its stdout, or its stderr (where the binary logs its summary) with `stderr`."""
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(map(str, cmd))}\n{r.stderr[-4000:]}")
    return r.stderr if stderr else r.stdout


def code_switch_rate(log):
    """The engine's code-switch rate from `facerestored restore`'s summary line; nan without one
    (no model, or no face restored)."""
    found = re.findall(r"code-switch rate ([0-9]+(?:\.[0-9]+)?)", log)
    return float(found[-1]) if found else float("nan")


def subcommands(binary_path):
    """Subcommand names from `facerestored --help` (ArgumentParser's SUBCOMMANDS section)."""
    text = subprocess.run([str(binary_path), "--help"], capture_output=True, text=True).stdout
    section = text.split("SUBCOMMANDS:", 1)[-1] if "SUBCOMMANDS:" in text else ""
    return {line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.split()
            and not line.startswith("   ")}


@dataclasses.dataclass
class Truth:
    """One clean clip: frames, the feature rows (frame_index, track_id, box, region), crops."""
    frames: np.ndarray
    fps: str
    features: Path
    frame_index: np.ndarray
    track_id: np.ndarray
    box: np.ndarray
    region: np.ndarray
    crops: np.ndarray


# Seconds one gst-launch decode may take (a 3 s clip takes < 1 s). Once, in a run under heavy
# CPU load, gst-launch decoding a restored MKV never returned and 40 + 60 reruns could not
# reproduce it: a stuck decode is killed and retried once rather than hanging the evaluation.
DECODE_TIMEOUT = 120


def decode(video):
    for attempt in (1, 2):
        try:
            return data.decode_frames(video, timeout=DECODE_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"warning: decoding {video} took over {DECODE_TIMEOUT} s (attempt {attempt}), killed",
                  file=sys.stderr, flush=True)
    raise SystemExit(f"decoding {video} hung twice")


def crops_at(frames, frame_index, region):
    return np.stack([data.crop(frames[f], r) for f, r in zip(frame_index, region)])


def load_truth(bin_path, clip, work):
    feats = work / "features.safetensors"
    run([bin_path, "features", clip, "-o", feats, "--no-crops"])
    t, _ = st.load(feats, names={"frame_index", "track_id", "box_xywh", "crop_region_xywh"})
    frames, fps = decode(clip)
    fi, region = np.array(t["frame_index"]), np.array(t["crop_region_xywh"])
    if len(fi) == 0:
        raise SystemExit(f"{clip}: `facerestored features` found no face; nothing to evaluate")
    return Truth(frames, fps, feats, fi, np.array(t["track_id"]), np.array(t["box_xywh"]), region,
                 crops_at(frames, fi, region))


def degrade_clip(clip, seed, out):
    """degrade.py's CLI (the one evaluation input format); returns its drawn parameters."""
    text = run([sys.executable, ROOT / "training" / "degrade.py", "--preset", "standard",
                "--seed", seed, clip, out])
    return ast.literal_eval(text.rsplit("params ", 1)[-1].strip())


def restore(bin_path, video, out, row):
    """Restores `video` into `out`; returns the engine's code-switch rate (nan without codes)."""
    return code_switch_rate(run([bin_path, "restore", video, "-o", out, "--model", row.weights,
                                 "--smoothing", row.smoothing, "--video-codec", "raw", "--audio-codec", "raw",
                                 "--force", "-q"], stderr=True))


# TLME needs dlib's 68 landmarks on each video at the ground-truth boxes. Python has no dlib here
# and the binary's LandmarkPredictor has no command yet; the command this expects is:
#   facerestored landmarks VIDEO --features FEATURES.safetensors -o OUT.safetensors
# predicting on frame `frame_index` of VIDEO in box `box_xywh` of every FEATURES row (the clean
# clip's boxes, so every video is measured in the same box), writing `landmarks` F32 [N, 68, 2]
# (x, y full-frame pixels) and `frame_index`, `track_id` I32 [N] copied from FEATURES.
LANDMARKS_MISSING = ("n/a: this facerestored has no `landmarks` command (dlib's 68-point predictor "
                     "on a video at given boxes); TLME is computed as soon as it has one.")


def landmarks(bin_path, commands, video, truth, out):
    """[N, 68, 2] landmarks at the truth's boxes, or None when the binary cannot predict them."""
    if "landmarks" not in commands:
        return None
    run([bin_path, "landmarks", video, "--features", truth.features, "-o", out, "--force"])
    t, _ = st.load(out)
    if not (np.array_equal(t["frame_index"], truth.frame_index) and np.array_equal(t["track_id"], truth.track_id)):
        raise SystemExit(f"{out}: landmark rows do not match the feature rows")
    return np.array(t["landmarks"], np.float64).reshape(len(truth.frame_index), 68, 2)


def score(truth, frames, lpips_net, lm_truth, lm):
    """Metrics of one video against the truth: clip means and the per-frame PSNR."""
    if frames.shape != truth.frames.shape:
        raise SystemExit(f"frame count/size differs from the truth: {frames.shape} vs {truth.frames.shape}")
    crops = crops_at(frames, truth.frame_index, truth.region)
    p = metrics.psnr(crops, truth.crops)
    out = {"psnr": float(np.mean(p)), "ssim": float(np.mean(metrics.ssim(crops, truth.crops))),
           "lpips": float("nan"), "tlme": float("nan"), "psnr_per_face": p}
    if lpips_net is not None:
        out["lpips"] = float(np.mean(lpips_distances(lpips_net, crops, truth.crops)))
    if lm is not None and lm_truth is not None:
        pairs = metrics.consecutive_pairs(truth.frame_index, truth.track_id)
        out["tlme"] = metrics.tlme(lm, lm_truth, truth.region[:, 2], pairs)
    return out


def lpips_distances(net, a, b, batch=16):
    import torch
    unit = lambda x: torch.from_numpy(x.astype(np.float32) / 255.0).permute(0, 3, 1, 2)
    return np.concatenate([net(unit(a[i:i + batch]), unit(b[i:i + batch])).numpy() for i in range(0, len(a), batch)])


def evaluate(clips, rows, seeds, out, allow_training=False):
    t0 = time.time()
    split = check_clips(clips, allow_training, trained_on(rows))  # before anything runs
    bin_path = binary()
    commands = subcommands(bin_path)
    lpips_reason = lpips_alex.unavailable_reason()
    lpips_net = None if lpips_reason else lpips_alex.LPIPS()
    tlme_reason = None if "landmarks" in commands else LANDMARKS_MISSING
    trained = [r for r in rows if r.weights and r.trained]
    samples, per_frame, video, params = [], None, None, {}
    for clip in clips:
        work = out / "work" / Path(clip).stem
        work.mkdir(parents=True, exist_ok=True)
        truth = load_truth(bin_path, clip, work)
        lm_truth = landmarks(bin_path, commands, clip, truth, work / "truth.landmarks.safetensors")
        for seed in seeds:
            degraded = work / f"s{seed}.degraded.mkv"
            params[(Path(clip).stem, seed)] = degrade_clip(clip, seed, degraded)
            videos = {"bicubic": degraded}
            switches = {}
            for row in trained:
                videos[row.name] = work / f"s{seed}.{row.name}.mkv"
                switches[row.name] = restore(bin_path, degraded, videos[row.name], row)
            scored = {}
            for name, path in videos.items():
                frames = decode(path)[0]
                lm = landmarks(bin_path, commands, path, truth, work / f"s{seed}.{name}.landmarks.safetensors")
                scored[name] = score(truth, frames, lpips_net, lm_truth, lm)
                samples.append(dict(row=name, clip=Path(clip).stem, seed=seed,
                                    code_switch=switches.get(name, float("nan")),
                                    **{k: scored[name][k] for k in ("psnr", "ssim", "lpips", "tlme")}))
                print(f"{Path(clip).stem} seed {seed} {name}: " + ", ".join(
                    f"{k} {samples[-1][k]:.4f}" for k in ("psnr", "ssim", "lpips", "tlme")), flush=True)
                if name != "bicubic" and video is None:  # the first restored video of the run
                    video = (clip, seed, name, decode(degraded)[0], frames, truth.frames, truth.fps)
            if per_frame is None:
                per_frame = (Path(clip).stem, seed, truth.frame_index,
                             {n: s["psnr_per_face"] for n, s in scored.items()})
    info = dict(clips={Path(c).stem: t for c, t in split.items()}, seeds=list(seeds), params=params,
                binary=str(bin_path), lpips_reason=lpips_reason, tlme_reason=tlme_reason,
                seconds=time.time() - t0, argv=sys.argv)
    eval_report.write(out, rows, samples, per_frame, video, info)
    print(f"wrote {out}/results.md ({time.time() - t0:.0f} s)")
    return samples


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clips", nargs="*", default=[str(HELD_OUT)], help="videos (default: the held-out clip)")
    ap.add_argument("--model", action="append", metavar="NAME=PATH[,smoothing=MODE]",
                    help="a row restored by facerestored with these weights (repeatable); "
                         "default: " + " ".join(DEFAULT_MODELS))
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="degradation seeds")
    ap.add_argument("--smoothing", default="causal", choices=("causal", "paper", "off"))
    ap.add_argument("--quick", action="store_true", help="CI: first clip, first seed only")
    ap.add_argument("--allow-training-clips", action="store_true",
                    help="evaluate training clips anyway (results.md says so)")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "out" / "eval")
    a = ap.parse_args(argv)
    seeds = [int(s) for s in a.seeds.split(",")]
    clips = [str(Path(c).resolve()) for c in a.clips]
    if a.quick:
        clips, seeds = clips[:1], seeds[:1]
    rows = [Row("bicubic", trained=True)] + [parse_model(m, a.smoothing) for m in a.model or DEFAULT_MODELS]
    names = [r.name for r in rows]
    if len(set(names)) != len(names):
        raise SystemExit(f"row names must differ: {names}")
    evaluate(clips, rows, seeds, a.out, a.allow_training_clips)


if __name__ == "__main__":
    main()
