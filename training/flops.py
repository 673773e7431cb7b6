"""FLOP count of the restoration network per face-frame, for sizing the `realtime` profile.

    python3 training/flops.py        # every profile and variant

Counts 2 x multiply-adds of conv and linear layers (forward hooks on a real forward pass).
"""
import sys
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import FHOG_PLANES, MFCC_COEFFS, VARIANTS, ModelConfig, Restorer  # noqa: E402


def flops_per_face_frame(cfg):
    """Multiply-adds x 2 of conv/linear layers for one restored face-frame when streaming.

    Per-frame work (LQ encoder, audio MLP, input projection) is done once per frame and reused
    by the 5 windows that contain it; the temporal blocks must run per window (their edges see
    zero padding): with kt = 3 the centre needs block 1 on 5 frames, block 2 on 3, block 3 on 1
    (kt = 1: one frame each). Returns (streaming total, naive per-window total, breakdown dict).
    Excludes FHOG, Farneback flow and paste-back (not conv layers; measured on the Swift side)."""
    m = Restorer(cfg).eval()
    counts = {}

    def hook(name):
        def fn(mod, inp, out):
            if isinstance(mod, (nn.Conv2d, nn.Conv3d)):
                k = mod.weight[0].numel()  # cin/groups * kernel volume
                counts[name] = counts.get(name, 0) + 2 * k * out.numel()
            elif isinstance(mod, nn.Linear):
                counts[name] = counts.get(name, 0) + 2 * mod.in_features * out.numel()
        return fn

    for name, mod in m.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.Conv3d, nn.Linear)):
            mod.register_forward_hook(hook(name))
    s, L = cfg.image_size, cfg.window
    with torch.no_grad():
        m(torch.zeros(1, L, 3, s, s), torch.zeros(1, L, FHOG_PLANES, s // 4, s // 4),
          torch.zeros(1, L, cfg.context_size, MFCC_COEFFS), torch.zeros(1, 1, 4, s // 4, s // 4))
    parts = {"encoder": 0, "audio": 0, "in_proj": 0, "blocks": 0, "head": 0, "decoder": 0,
             "fuse": 0, "modulation": 0}
    naive = 0
    evals = [5, 3, 1] if cfg.kernel_t == 3 else [1, 1, 1]
    for name, f in counts.items():
        top = name.split(".")[0]
        if top == "z_proj":
            continue  # training only
        naive += f
        if top in ("encoder", "audio", "in_proj"):
            parts[top] += f / L
        elif top == "blocks":
            parts["blocks"] += f / L * evals[int(name.split(".")[1])]
        else:
            parts[top] += f
    return sum(parts.values()), naive, parts


def main():
    for profile in ("realtime", "quality"):
        for variant in VARIANTS:
            cfg = ModelConfig.make(profile, variant)
            total, naive, parts = flops_per_face_frame(cfg)
            size = sum(v.numel() for k, v in Restorer(cfg).state_dict().items() if "z_proj" not in k) * 4
            print(f"{profile:8s} {variant:16s} {total / 1e9:6.3f} GFLOP per face-frame streaming "
                  f"({naive / 1e9:.3f} per naive 5-frame window), weights {size / 1e6:.1f} MB; "
                  + ", ".join(f"{k} {v / 1e6:.0f}M" for k, v in parts.items()))


if __name__ == "__main__":
    main()
