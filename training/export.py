"""Export a trained model to one float32 .safetensors file (+ parity fixtures for Swift).

    python3 training/export.py --run training/runs/realtime-full --out models/realtime.safetensors \
        [--fixtures training/out/realtime-fixtures.safetensors --fixture-windows 1 --fixture-fhog]

The file holds the inference weights only (no optimiser, no HQ encoder, no triplet projection,
no EMA bookkeeping) and, in `__metadata__`, everything the Swift engine needs to rebuild the
network and its inputs: `architecture` (ModelConfig as JSON), `format`, the FHOG/MFCC/crop/flow
conventions, and the training provenance (seed, steps, git commit, last validation figures).
BatchNorm is exported unfolded (weight, bias, running_mean, running_var, eps in metadata); the
engine folds it at load time.

Fixtures: for a few validation windows (`standard` degradation, seed 42) the inputs (LQ crops
uint8, FHOG, MFCC contexts, flow) and the expected outputs (code logits, codes, restored image in
[0, 1]) of this exact file, so the Swift engine can test its max abs diff <= 1e-3 and >= 99 %
identical codes (DESIGN.md "Parity").
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import safetensors_io as st  # noqa: E402
from model import ModelConfig, Restorer, VQAutoencoder  # noqa: E402

FORMAT = "facerestored-model/1"
# Buffers and layers the engine never needs.
_SKIP = ("z_proj.", "quantizer.cluster_size", "quantizer.embed_avg", "quantizer.initialised",
         "quantizer.usage", "num_batches_tracked")


def inference_tensors(model):
    return {k: v.detach().to(torch.float32).contiguous().numpy()
            for k, v in model.state_dict().items() if not any(s in k for s in _SKIP)}


def conventions():
    import data  # lazily: the data module needs only numpy/torch, but keeps paths in one place
    return {
        "input_crop": "256x256 RGB uint8 from FaceCrop (expansion 1.8, lift 0.12); model input = value / 255",
        "fhog": "dlib extract_fhog_features(crop, cell 4, padding 3, 3): float32 [31, 64, 64] planar",
        "mfcc": "librosa-equal MFCC, 80 coefficients, context of context_size frames centred on the video PTS; "
                "standardised inside the model with audio.mean / audio.std",
        "flow": "OpenCV Farneback from the centre LQ crop to t-1 then to t+1, on grey (0.299 R + 0.587 G + "
                f"0.114 B) 4x4-box-averaged, rounded uint8 64x64 images; params {json.dumps(data.FLOW_PARAMS)}; "
                "channels [dx(t-1), dy(t-1), dx(t+1), dy(t+1)] in 64x64 pixels",
        "output": "RGB float in [0, 1] (clamp) for the centre frame of the 5-frame window; with "
                  "output_residual the decoder's RGB conv adds to the centre input crop / 255 instead of 0.5",
        "batchnorm_eps": "1e-05",
        "modulation": "h = h * (1 + alpha) + beta at decoder level modulation_level",
        "fidelity": "h = h + fidelity_w * fuse.<level>(concat(h, encoder features at that level))",
    }


def export(run, out, stage=2, checkpoint="last"):
    """`checkpoint`: "last" (stage{stage}.pt) or "best" (stage2_best.pt, the best validation PSNR)."""
    name = f"stage{stage}.pt" if checkpoint == "last" else f"stage{stage}_best.pt"
    ck = torch.load(Path(run) / name)
    cfg = ModelConfig.from_metadata(ck["config"])
    model = (Restorer(cfg) if stage == 2 else VQAutoencoder(cfg)).eval()
    model.load_state_dict(ck["model"])
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent).stdout.strip()
    last_val = next((r for r in reversed(ck["log"]) if any(k.startswith("val_") for k in r)), {})
    # Which clips trained it: the evaluation refuses to score a model on them.
    info = Path(run) / "run.json"
    sessions = json.loads(info.read_text()).get("sessions", []) if info.exists() else []
    clips = {}
    if sessions:
        clips = {"split": sessions[-1].get("split", "clips8"), "train_clips": sessions[-1]["train_clips"]}
    extra = {}
    if stage == 2:
        # Conv/linear FLOPs per streamed face-frame (flops.py): the engine's benchmark divides
        # by its time to report GFLOP/s against the BLAS roofline.
        from flops import flops_per_face_frame
        extra["gflop_per_face_frame"] = f"{flops_per_face_frame(cfg)[0] / 1e9:.4f}"
    meta = {"format": FORMAT, "stage": str(stage), **cfg.to_metadata(), **conventions(), **extra,
            "training": json.dumps({"steps": ck["step"], "seed": 42, "git_commit": commit,
                                    "run": str(run), "checkpoint": name, "last_validation": last_val, **clips},
                                   sort_keys=True)}
    tensors = inference_tensors(model)
    st.save(out, tensors, meta)
    return model, cfg, meta


def load(path):
    """Rebuilds the model from an exported file alone (what the Swift loader must be able to do)."""
    tensors, meta = st.load(path, mmap=False)
    cfg = ModelConfig.from_metadata(meta)
    model = (Restorer(cfg) if meta.get("stage", "2") == "2" else VQAutoencoder(cfg)).eval()
    state = model.state_dict()
    missing = [k for k in state if k not in tensors and not any(s in k for s in _SKIP)]
    if missing:
        raise ValueError(f"{path}: tensors missing: {missing[:5]}")
    for k, v in tensors.items():
        if k not in state or tuple(state[k].shape) != v.shape:
            raise ValueError(f"{path}: unexpected tensor {k} {v.shape}")
        state[k].copy_(torch.from_numpy(np.array(v)))
    return model, cfg, meta


@torch.no_grad()
def fixtures(model, cfg, path, windows=1, seed=42, with_fhog=False):
    import data
    import degrade as deg
    clips = data.load_clips(data.VAL_CLIPS, cfg.context_size)
    ws = data.WindowSet(clips, deg.STANDARD, temporal_pair=False, seed=seed)
    pick = np.linspace(0, len(ws) - 1, windows).round().astype(int)
    b = ws.batch(pick)
    out = model(data.to_float(b["lq"]), b["fhog"], b["mfcc"], b["flow"][:, :1] if cfg.use_modulation else None)
    t = {"input_lq_crops_u8": b["lq"].numpy(), "input_mfcc": b["mfcc"].numpy(),
         "input_flow": b["flow"][:, 0].numpy(), "expected_logits": out["logits"][0].numpy(),
         "expected_codes": out["codes"][0].to(torch.int32).numpy(),
         "expected_image": out["image"][0].clamp(0, 1).numpy()}
    if with_fhog:  # 2.5 MB per window; the engine computes FHOG itself (its parity is tested apart)
        t["input_fhog"] = b["fhog"].numpy()
    st.save(path, t, {"windows": json.dumps([ws.items[i][1] for i in pick]), "degradation": "standard",
                      "seed": str(seed), "clip": ",".join(data.VAL_CLIPS),
                      "note": "FHOG input = dlib FHOG of input_lq_crops_u8 (fhog.py, equal to dlib within 2e-7)"})
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--stage", type=int, default=2, choices=[1, 2])
    ap.add_argument("--checkpoint", choices=["last", "best"], default="last",
                    help="stage 2: the last checkpoint or the one with the best validation PSNR")
    ap.add_argument("--fixtures", type=Path)
    ap.add_argument("--fixture-windows", type=int, default=1)
    ap.add_argument("--fixture-fhog", action="store_true", help="also store the FHOG input")
    a = ap.parse_args()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    if a.checkpoint == "best" and a.stage != 2:
        ap.error("--checkpoint best exists for stage 2 only")
    model, cfg, meta = export(a.run, a.out, a.stage, a.checkpoint)
    again, _, _ = load(a.out)  # the file alone must rebuild the same network
    for k, v in again.state_dict().items():
        if not any(s in k for s in _SKIP) and not torch.equal(v, model.state_dict()[k]):
            sys.exit(f"round trip changed {k}")
    print(f"{a.out}: {a.out.stat().st_size / 1e6:.2f} MB, {cfg.profile}/{cfg.variant}")
    if a.fixtures and a.stage == 2:
        a.fixtures.parent.mkdir(parents=True, exist_ok=True)
        fixtures(again, cfg, a.fixtures, a.fixture_windows, with_fhog=a.fixture_fhog)
        print(f"{a.fixtures}: {a.fixtures.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
