"""Which flow should TemporalSmoother warp with? A measurement, not a fixture.

    /usr/bin/python3 Tests/Fixtures/flow/smoothing_flow_study.py   (needs training/cache, ~1 min)

Restored faces are simulated as the clean crop plus per-frame band-limited noise (the flicker
the smoother is there to damp: independent hallucinated detail per frame). The LQ crops are the
clean frames degraded with training/degrade.py's `standard` preset (seed 42). For each source
of flow the causal and the paper smoother run over real tracks, and the figure of merit is the
RMSE of the smoothed face against the clean crop (lower: more flicker removed without ghosting),
next to the plain restored faces and to blending without any motion compensation. Timings are
cv2's (the same libopencv the Swift side links), one Farneback call per frame.
"""
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "training"))
import data  # noqa: E402
import degrade as deg  # noqa: E402

GAMMA = 0.7
P64 = data.FLOW_PARAMS
W = np.array([0.299, 0.587, 0.114], np.float32)


def grey(rgb, size):
    g = rgb.astype(np.float32) @ W
    k = rgb.shape[0] // size
    g = g.reshape(size, k, size, k).mean((1, 3))
    return np.clip(np.floor(g + 0.5), 0, 255).astype(np.uint8)


def warp(img, flow):
    """img float [256, 256, 3]; flow [h, w, 2] at any size, upsampled like the Swift shim."""
    n = img.shape[0]
    if flow.shape[0] != n:
        flow = cv2.resize(flow, (n, n), interpolation=cv2.INTER_LINEAR) * (n / flow.shape[0])
    gx, gy = np.meshgrid(np.arange(n, dtype=np.float32), np.arange(n, dtype=np.float32))
    return cv2.remap(img, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def sources():
    """name -> (which images, size, Farneback params)."""
    scaled = lambda f: dict(P64, winsize=int(9 * f) | 1, levels=2 + int(np.log2(f)))
    out = {"lq64 (model input)": ("lq", 64, P64)}
    for size in (128, 256):
        out[f"lq{size}"] = ("lq", size, scaled(size // 64))
    for size in (64, 128, 256):
        out[f"restored{size}"] = ("restored", size, scaled(size // 64) if size > 64 else P64)
    return out


def flows(imgs, size, params, a, b):
    t0 = time.perf_counter()
    f = cv2.calcOpticalFlowFarneback(grey(imgs[a], size), grey(imgs[b], size), None, **params)
    return f, time.perf_counter() - t0


def run_track(hq, lq, restored, src):
    """Returns per-method squared-error sums and timings for one track."""
    n = len(hq)
    imgs = {"lq": lq, "restored": restored}
    res, times = {}, []
    x = restored.astype(np.float32)
    for name, (which, size, params) in src.items():
        causal = x[0].copy()
        se_c, se_p, se_align = 0.0, 0.0, 0.0
        for t in range(1, n):
            f_prev, dt = flows(imgs[which], size, params, t, t - 1)
            times.append((name, dt))
            causal = GAMMA * x[t] + (1 - GAMMA) * warp(causal, f_prev)
            se_c += ((causal - hq[t]) ** 2).mean()
            if t + 1 < n:
                f_next, _ = flows(imgs[which], size, params, t, t + 1)
                aligned = warp(hq[t + 1].astype(np.float32), f_next)
                se_align += ((aligned - hq[t]) ** 2).mean()
                paper = GAMMA * x[t] + (1 - GAMMA) * warp(x[t + 1], f_next)
                se_p += ((paper - hq[t]) ** 2).mean()
        res[name] = (se_c / (n - 1), se_p / (n - 2), se_align / (n - 2))
    zero = np.zeros((64, 64, 2), np.float32)
    causal, se_c, se_p, se_a, se_r = x[0].copy(), 0.0, 0.0, 0.0, 0.0
    for t in range(1, n):
        causal = GAMMA * x[t] + (1 - GAMMA) * causal
        se_c += ((causal - hq[t]) ** 2).mean()
        se_r += ((x[t] - hq[t]) ** 2).mean()
        if t + 1 < n:
            se_p += ((GAMMA * x[t] + (1 - GAMMA) * x[t + 1] - hq[t]) ** 2).mean()
            se_a += ((hq[t + 1].astype(np.float32) - hq[t]) ** 2).mean()
    res["no motion compensation"] = (se_c / (n - 1), se_p / (n - 2), se_a / (n - 2))
    res["unsmoothed restored"] = (se_r / (n - 1),) * 2 + (0.0,)
    return res, times


def main():
    rng = np.random.default_rng(42)
    src = sources()
    total, count, times = {}, 0, []
    for name in ("grid_bbaf2n", "grid_brbk7n", "grid_lrwp9a"):
        clip = data.Clip(name)
        run = clip.windows(40)[0]
        frames = clip.frames[clip.frame_index[run]]
        lq_frames, _ = deg.degrade(frames, deg.STANDARD, deg.rng_for(42, 0, count))
        lq = np.stack([data.crop(f, clip.region[r]) for f, r in zip(lq_frames, run)])
        hq = clip.crops[run].astype(np.float32)
        noise = rng.standard_normal(hq.shape).astype(np.float32) * 8
        noise = np.stack([cv2.GaussianBlur(z, (0, 0), 1.0) for z in noise])
        restored = np.clip(hq + noise, 0, 255)
        res, t = run_track(hq, lq, restored, src)
        times += t
        for k, v in res.items():
            total[k] = total.get(k, np.zeros(3)) + np.array(v)
        count += 1
    rmse = lambda s: np.sqrt(s / count)
    print(f"{'flow source':26s} {'causal':>8s} {'paper':>8s} {'align':>8s} {'ms/flow':>8s}  (RMSE, 0..255)")
    for k, v in total.items():
        ms = [dt for n, dt in times if n == k]
        print(f"{k:26s} {rmse(v[0]):8.3f} {rmse(v[1]):8.3f} {rmse(v[2]):8.3f} "
              f"{(1e3 * np.median(ms)) if ms else 0:8.3f}")


if __name__ == "__main__":
    main()
