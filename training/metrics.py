"""Evaluation metrics on 256² face crops (DESIGN.md "Evaluation").

Inputs are uint8 RGB crops [N, H, W, 3] taken at the *ground-truth* crop regions, so restored,
degraded and clean crops show the same square of the frame. Pixel metrics work on RGB in [0, 1].

- PSNR: 10 log10(1 / MSE) per crop; identical crops give +inf (not a clamped 120 dB: an
  evaluation that reports "no change at all" should say so).
- SSIM: losses.ssim (Gaussian window 11 taps, sigma 1.5, K1 0.01, K2 0.03, valid borders, mean
  over channels = scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
  use_sample_covariance=False, data_range=1)), run in float64 per crop: one definition for the
  training loss and the reported figure.
- TLME (temporal landmark motion error) for one video against the ground truth, over pairs of
  consecutive frames (t, t+1) of the same face track:

      TLME = mean over pairs and the 68 landmarks k of
             | (p[t+1, k] - p[t, k]) - (g[t+1, k] - g[t, k]) |_2 / s[t]

  p = landmarks on the evaluated video, g = landmarks on the ground truth (both in full-frame
  pixels, predicted in the same ground-truth box), s[t] = side of the ground-truth crop region
  of frame t in full-frame pixels. Dividing by s makes TLME a fraction of the crop side: 0.01 is
  2.56 px of the 256² crop. It compares *motion*, so a landmark offset that stays the same on
  every frame costs nothing; jitter the truth does not have is what it measures.
"""
import numpy as np
import torch

from losses import ssim as _ssim_torch


def _unit(crops):
    """uint8 [..., H, W, 3] -> float64 torch [N, 3, H, W] in [0, 1]."""
    x = np.asarray(crops)
    x = x.reshape((-1,) + x.shape[-3:])
    return torch.from_numpy(x.astype(np.float64) / 255.0).permute(0, 3, 1, 2)


def psnr(pred, truth):
    """Per-crop PSNR in dB, float64 [N]; +inf where the crops are identical."""
    a, b = _unit(pred), _unit(truth)
    mse = (a - b).pow(2).flatten(1).mean(1).numpy()
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(1.0 / mse)


def ssim(pred, truth):
    """Per-crop SSIM, float64 [N] (exactly 1.0 for identical crops)."""
    a, b = _unit(pred), _unit(truth)
    return np.array([_ssim_torch(a[i:i + 1], b[i:i + 1]).item() for i in range(a.shape[0])])


def consecutive_pairs(frame_index, track_id):
    """Row pairs (i, j) where row j is the frame right after row i in the same track, [P, 2].
    A track that skips a frame (lost face) contributes no pair across the gap."""
    keys = [(int(f), int(t)) for f, t in zip(frame_index, track_id)]
    rows = {k: i for i, k in enumerate(keys)}
    pairs = [(i, rows[(f + 1, t)]) for i, (f, t) in enumerate(keys) if (f + 1, t) in rows]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def tlme(pred, truth, scale, pairs):
    """pred, truth: landmarks [N, 68, 2] (full-frame pixels); scale: crop side per row [N];
    pairs: from consecutive_pairs. Returns the mean (see the module docstring); nan if no pair."""
    pred, truth = np.asarray(pred, np.float64), np.asarray(truth, np.float64)
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        return float("nan")
    i, j = pairs[:, 0], pairs[:, 1]
    d = (pred[j] - pred[i]) - (truth[j] - truth[i])               # [P, 68, 2]
    err = np.linalg.norm(d, axis=-1) / np.asarray(scale, np.float64)[i][:, None]
    return float(err.mean())


def mean_std(values):
    """Mean and sample std (ddof 1) of per-(clip, seed) values. One value: std 0. Values with
    +inf (PSNR of identical crops): mean inf, std 0 if they are all equal, else nan. Any nan
    (metric not computed): nan, nan."""
    v = np.asarray(values, np.float64)
    if len(v) == 0 or np.isnan(v).any():
        return float("nan"), float("nan")
    if len(v) == 1 or np.all(v == v[0]):
        return float(v[0]), 0.0
    if not np.all(np.isfinite(v)):
        return float(v.mean()), float("nan")
    return float(v.mean()), float(v.std(ddof=1))
