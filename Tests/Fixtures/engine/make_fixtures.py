"""Writes the Swift inference engine's PyTorch parity fixtures (Tests/RestoreTests/Engine*Tests).

    /usr/bin/python3 Tests/Fixtures/engine/make_fixtures.py

(Debian's python3-torch 1.13 is installed for /usr/bin/python3 only.) Seed 42 throughout.

ops.safetensors        one small case per engine op: `<case>.input`, its parameters and
                       `<case>.expected`, computed by torch.nn.functional on random values.
tiny.safetensors       the `tiny` profile (fidelity levels 16, 8, 4) with random weights, written by
                       export.py's `inference_tensors` + metadata exactly like a trained export.
tiny-no-audio.safetensors   the same with the `no-audio` variant: what the daemon picks for a
                       source without audio when it is given tiny.safetensors.
tiny-fixtures.safetensors   2 validation windows in export.py's fixture format, made by
                       export.fixtures itself (real LQ crops of grid_bbaf2n, `standard`
                       degradation): needs training/cache (python3 training/data.py). No FHOG
                       input (2.5 MB a window): the test computes it with dlib from the crops,
                       whose parity with training/fhog.py is tested apart (within 2e-7).
tiny64-<variant>.safetensors, tiny64-<variant>-fixtures.safetensors
                       the same network at image_size 64 (latent 4) for the `2d-cnn` and
                       `no-audio` variants, on random inputs including FHOG: a different
                       architecture read from the metadata alone, for a few kilobytes.
tiny64-residual.safetensors, tiny64-residual-fixtures.safetensors
                       the `full` variant at 64² with `output_residual` (the decoder adds to the
                       input crop) and a fidelity skip at every level (16, 8, 4, 2).

Random weights are not a trained network's: the zero-initialised fuse and modulation conv2 are
re-initialised and the BatchNorm statistics and MFCC standardisation are drawn at random, so that
every path changes the output, and the temporal and head weights are scaled up so that the codes
vary across the face.
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
TRAINING = HERE.parents[2] / "training"
sys.path.insert(0, str(TRAINING))
import export  # noqa: E402
import safetensors_io as st  # noqa: E402
from model import FHOG_PLANES, MFCC_COEFFS, ModelConfig, Restorer  # noqa: E402

SEED = 42
EPS = 1e-5


def op_cases():
    g = torch.Generator().manual_seed(SEED)
    r = lambda *s: torch.randn(*s, generator=g)  # noqa: E731
    t = {}

    def conv2d(name, cin, cout, k, stride, h, w):
        x, wt, b = r(cin, h, w), r(cout, cin, k, k) * 0.3, r(cout)
        t.update({f"{name}.input": x, f"{name}.weight": wt, f"{name}.bias": b,
                  f"{name}.expected": F.conv2d(x[None], wt, b, stride, k // 2)[0]})

    # Odd, non-square sizes so that a transposed or mis-strided index cannot pass.
    conv2d("conv3x3_s1", 5, 6, 3, 1, 9, 11)
    conv2d("conv3x3_s2", 5, 6, 3, 2, 10, 12)
    conv2d("conv3x3_s2_odd", 3, 4, 3, 2, 9, 11)
    conv2d("conv1x1", 7, 4, 1, 1, 6, 5)

    # The decoder's fusions: nearest ×2 up-sampling read by the conv; ResBlock's second conv
    # with the residual and the ReLU.
    x, wt, b = r(4, 5, 6), r(3, 4, 3, 3) * 0.3, r(3)
    up = F.interpolate(x[None], scale_factor=2, mode="nearest")
    t.update({"up2_conv3x3.input": x, "up2_conv3x3.weight": wt, "up2_conv3x3.bias": b,
              "up2_conv3x3.expected": F.conv2d(up, wt, b, 1, 1)[0]})
    x, h, wt, b = r(5, 7, 6), r(5, 7, 6), r(5, 5, 3, 3) * 0.3, r(5)
    t.update({"residual_relu.input": h, "residual_relu.residual": x, "residual_relu.weight": wt,
              "residual_relu.bias": b, "residual_relu.expected": F.relu(x + F.conv2d(h[None], wt, b, 1, 1)[0])})

    def conv3d_bn(name, c, kt, frames, h, w):
        x, wt, b = r(c, frames, h, w), r(c, c, kt, 3, 3) * 0.2, r(c)
        gamma, beta = 1 + 0.2 * r(c), 0.2 * r(c)
        mean, var = 0.3 * r(c), torch.rand(c, generator=g) + 0.5
        y = F.conv3d(x[None], wt, b, padding=(kt // 2, 1, 1))
        y = F.batch_norm(y, mean, var, gamma, beta, training=False, eps=EPS)[0]
        t.update({f"{name}.input": x, f"{name}.weight": wt, f"{name}.bias": b,
                  f"{name}.bn_weight": gamma, f"{name}.bn_bias": beta, f"{name}.bn_mean": mean,
                  f"{name}.bn_var": var, f"{name}.expected": y})

    # BatchNorm before the ReLU: the ReLU would hide half of the values compared.
    conv3d_bn("conv3d_kt3", 6, 3, 5, 7, 8)
    conv3d_bn("conv3d_kt1", 6, 1, 5, 7, 8)

    x = r(3, 5, 7)
    t.update({"up2.input": x, "up2.expected": F.interpolate(x[None], scale_factor=2, mode="nearest")[0]})
    x = r(FHOG_PLANES, 16, 12)
    t.update({"avgpool4.input": x, "avgpool4.expected": F.avg_pool2d(x[None], 4)[0]})
    x = r(4, 10, 6)
    t.update({"avgpool2.input": x, "avgpool2.expected": F.avg_pool2d(x[None], 2)[0]})
    x, wt, b = r(40), r(16, 40), r(16)
    t.update({"linear.input": x, "linear.weight": wt, "linear.bias": b, "linear.expected": F.linear(x, wt, b)})
    x = r(3, 4, 5)
    t.update({"relu.input": x, "relu.expected": F.relu(x)})
    embed, logits = r(16, 4), r(16, 5, 6)
    idx = logits.argmax(0)
    t.update({"vq.embed": embed, "vq.logits": logits, "vq.expected_codes": idx.to(torch.int32),
              "vq.expected_vectors": embed[idx].permute(2, 0, 1).contiguous()})
    return {k: v.contiguous().numpy() for k, v in t.items()}


def random_restorer(cfg):
    torch.manual_seed(SEED)
    m = Restorer(cfg).eval()
    with torch.no_grad():
        for layer in m.fuse.values():
            layer.reset_parameters()
        if m.modulation is not None:
            m.modulation.conv2.reset_parameters()
        # At the default initialisation the logits are the head's bias plus little else: one code
        # everywhere, which would not test the argmax, the lookup or the code-to-pixel path.
        for layer in [m.in_proj] + [blk.conv for blk in m.blocks]:
            layer.weight.mul_(2)
        m.head.weight.mul_(5)
        m.head.bias.mul_(0.1)
        for blk in m.blocks:
            c = blk.bn.num_features
            blk.bn.weight.copy_(1 + 0.2 * torch.randn(c))
            blk.bn.bias.copy_(0.2 * torch.randn(c))
            blk.bn.running_mean.copy_(0.3 * torch.randn(c))
            blk.bn.running_var.copy_(torch.rand(c) + 0.5)
        if m.audio is not None:
            m.audio.mean.copy_(torch.randn(MFCC_COEFFS))
            m.audio.std.copy_(torch.rand(MFCC_COEFFS) + 0.5)
    return m


def save_model(m, cfg, path):
    meta = {"format": export.FORMAT, "stage": "2", **cfg.to_metadata(), **export.conventions(),
            "training": json.dumps({"note": "random weights for the engine's parity tests", "seed": SEED})}
    st.save(path, export.inference_tensors(m), meta)


@torch.no_grad()
def synthetic_fixtures(m, cfg, path, windows=1):
    """export.fixtures' format on random inputs (the cache has only 256² crops)."""
    g = torch.Generator().manual_seed(SEED)
    s, L, grid = cfg.image_size, cfg.window, cfg.image_size // 4
    lq = torch.randint(0, 256, (windows, L, s, s, 3), generator=g, dtype=torch.uint8)
    fhog = torch.rand(windows, L, FHOG_PLANES, grid, grid, generator=g) * 0.4
    mfcc = torch.randn(windows, L, cfg.context_size, MFCC_COEFFS, generator=g) * 3
    flow = torch.randn(windows, 1, 4, grid, grid, generator=g) * 2
    out = m(lq.movedim(-1, -3).float() / 255.0, fhog, mfcc, flow if cfg.use_modulation else None)
    t = {"input_lq_crops_u8": lq.numpy(), "input_fhog": fhog.numpy(), "input_mfcc": mfcc.numpy(),
         "input_flow": flow[:, 0].numpy(), "expected_logits": out["logits"][0].numpy(),
         "expected_codes": out["codes"][0].to(torch.int32).numpy(),
         "expected_image": out["image"][0].clamp(0, 1).numpy()}
    st.save(path, t, {"seed": str(SEED), "note": "random inputs; FHOG is an input here, not dlib's"})


def main():
    st.save(HERE / "ops.safetensors", op_cases(), {"seed": str(SEED), "batchnorm_eps": str(EPS)})

    cfg = ModelConfig.make("tiny", "full", fidelity_levels=(16, 8, 4))
    m = random_restorer(cfg)
    save_model(m, cfg, HERE / "tiny.safetensors")
    again, _, _ = export.load(HERE / "tiny.safetensors")
    export.fixtures(again, cfg, HERE / "tiny-fixtures.safetensors", windows=2)

    # The daemon's fallback for sources without audio: X.safetensors → X-no-audio.safetensors.
    cfg = ModelConfig.make("tiny", "no-audio", fidelity_levels=(16, 8, 4))
    save_model(random_restorer(cfg), cfg, HERE / "tiny-no-audio.safetensors")

    for variant in ("2d-cnn", "no-audio"):
        cfg = ModelConfig.make("tiny", variant, image_size=64, fidelity_levels=(16, 8, 4))
        m = random_restorer(cfg)
        save_model(m, cfg, HERE / f"tiny64-{variant}.safetensors")
        again, _, _ = export.load(HERE / f"tiny64-{variant}.safetensors")
        synthetic_fixtures(again, cfg, HERE / f"tiny64-{variant}-fixtures.safetensors")

    cfg = ModelConfig.make("tiny", "full", image_size=64, fidelity_levels=(16, 8, 4, 2), output_residual=True)
    m = random_restorer(cfg)
    save_model(m, cfg, HERE / "tiny64-residual.safetensors")
    again, _, _ = export.load(HERE / "tiny64-residual.safetensors")
    synthetic_fixtures(again, cfg, HERE / "tiny64-residual-fixtures.safetensors")

    for p in sorted(HERE.glob("*.safetensors")):
        print(f"{p.name}: {p.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
