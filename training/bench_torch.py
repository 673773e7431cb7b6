"""PyTorch CPU time per face-frame on exported weights, streaming as the Swift engine does.

    /usr/bin/python3 training/bench_torch.py models/realtime.safetensors --threads 1

The comparison the engine's benchmark needs: the same weights, inputs of the same sizes, the
same thread count, and the same work per frame — per-frame features (LQ encoder, FHOG pooling,
audio MLP, 1x1x1 input projection) once for the new frame, the three temporal blocks on 5, 3
and 1 frames (what the centre needs; conv3d without temporal padding on the trimmed window),
the head, argmax, codebook lookup, the modulation and the decoder with its fidelity skips. Only
the inference graph is timed (eval mode, no_grad); BatchNorm stays a separate op, as PyTorch
runs it. Prints the median milliseconds and `torch_ms_per_face_frame=...`.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export  # noqa: E402
from model import FHOG_PLANES, MFCC_COEFFS  # noqa: E402


def frame_features(m, lq, fhog, mfcc):
    """Per-frame work for one new frame: returns (projected [1, C, 1, g, g], encoder feats, emb)."""
    _, feats = m.encoder(lq)
    f16 = feats[3]
    parts = [f16, F.avg_pool2d(fhog, fhog.shape[-1] // f16.shape[-1])]
    emb = None
    if m.audio is not None:
        emb = m.audio(mfcc)
        parts.append(emb[:, :, None, None].expand(-1, -1, f16.shape[2], f16.shape[3]))
    x = torch.cat(parts, 1)[:, :, None]
    return m.in_proj(x), feats, emb


def centre_logits(m, window):
    """window [1, C, 5, g, g] → logits of the centre, each block evaluated only where needed."""
    c = window.shape[2] // 2
    if m.blocks[0].conv.kernel_size[0] == 1:
        window = window[:, :, c:c + 1]  # per-frame (2d-cnn) blocks: the centre frame alone
    h = window
    for i, blk in enumerate(m.blocks):
        kt = blk.conv.kernel_size[0]
        # Block 1 sees the window's zero-padded edges like training; later blocks only need
        # their valid (unpadded) outputs around the centre: 5 → 3 → 1 frames.
        pad_t = kt // 2 if i == 0 else 0
        h = F.relu(blk.bn(F.conv3d(h, blk.conv.weight, blk.conv.bias, padding=(pad_t, 1, 1))))
    return m.head(h[:, :, h.shape[2] // 2])


def run(path, threads, iterations):
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    m, cfg, _ = export.load(path)
    m.eval()
    s, g = cfg.image_size, cfg.image_size // 4
    lq = torch.rand(1, 3, s, s)
    fhog = torch.rand(1, FHOG_PLANES, g, g) * 0.4
    mfcc = torch.randn(1, cfg.context_size, MFCC_COEFFS) * 10
    flow = torch.randn(1, 4, g, g)
    times = []
    with torch.no_grad():
        cache = [frame_features(m, lq, fhog, mfcc) for _ in range(cfg.window)]
        for i in range(-2, iterations):
            t0 = time.perf_counter()
            cache = cache[1:] + [frame_features(m, lq, fhog, mfcc)]
            window = torch.cat([c[0] for c in cache], 2)
            logits = centre_logits(m, window)
            codes = logits.argmax(1)
            _, feats, emb = cache[cfg.window // 2]
            skips = {f: feats[m.enc_at[f]] for f in cfg.fidelity_levels}
            mod = m.modulation(flow, emb) if m.modulation is not None else None
            m.decoder(m.quantizer.lookup(codes), m._hook(skips, mod), lq if cfg.output_residual else None)
            if i >= 0:
                times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), cfg


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=30)
    a = ap.parse_args()
    ms, cfg = run(a.model, a.threads, a.iterations)
    print(f"PyTorch {torch.__version__} CPU, {a.threads} thread(s), {cfg.profile}/{cfg.variant}: "
          f"{ms:.2f} ms per face-frame (median of {a.iterations})")
    print(f"torch_ms_per_face_frame={ms:.2f}")


if __name__ == "__main__":
    main()
