"""Stage 1 (VQ autoencoder) and stage 2 (audio-guided index predictor) training.

One command reproduces a run (seed 42, Adam 2e-4, batch 8), resuming from its last checkpoint
when the run folder already has one:
    python3 training/train.py --run training/runs/realtime-full --profile realtime \
        --variant full --stage1-steps 20000 --stage2-steps 20000
`--stage 1` or `--stage 2` runs one stage only (stage 2 needs the run's stage-1 checkpoint or
--stage1-ckpt). The run folder gets: stage{1,2}.pt (checkpoint: weights, optimiser, step, RNG
states, config, log), stage{1,2}_log.csv, loss_curves.png and run.json (command, seed, data,
software, wall time).
"""
import argparse
import copy
import csv
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data  # noqa: E402
import degrade as deg  # noqa: E402
import losses  # noqa: E402
from model import ModelConfig, Restorer, VQAutoencoder, VARIANTS  # noqa: E402

LR, BATCH = 2e-4, 8


def order(n, seed, epoch):
    """Sample order of one epoch: a fixed permutation per (seed, epoch)."""
    return deg.rng_for(seed, 7, epoch).permutation(n)


def batches(n, seed, start_step):
    """Yields (step, epoch, indices) from start_step on; the same for a resumed run."""
    per_epoch = n // BATCH
    step = start_step
    while True:
        epoch, k = divmod(step, per_epoch)
        yield step, epoch, order(n, seed, epoch)[k * BATCH:(k + 1) * BATCH]
        step += 1


def prefetched(items, load):
    """Yields (item, load(item)) with the next item's load already running in a thread: stage-2
    samples (degradation through ffmpeg, FHOG, Farneback) took ~2.5 of ~4.3 s per step on this
    2-core CPU while the model waited. The samples do not draw from torch's global RNG (they are
    keyed on seed, epoch and index), so a run gives the same batches with or without it."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=1) as pool:
        it = iter(items)
        try:
            item = next(it)
        except StopIteration:
            return
        pending = pool.submit(load, item)
        for following in it:
            ahead = pool.submit(load, following)
            yield item, pending.result()
            item, pending = following, ahead
        yield item, pending.result()


def save_ckpt(path, model, opt, step, cfg, log, extra=None):
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                "config": cfg.to_metadata(), "log": log, "torch_rng": torch.get_rng_state(),
                **(extra or {})}, tmp)
    tmp.replace(path)  # atomic: a run killed mid-save keeps its previous checkpoint


def write_log(run, stage, log):
    if not log:
        return
    keys = sorted({k for row in log for k in row})
    with open(run / f"stage{stage}_log.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(log)
    plot(run)


PANELS = (("losses", ("loss", "l1", "ce", "triplet", "commit"), "log"),
          ("PSNR (dB)", ("psnr", "val_psnr", "val_bicubic_psnr"), "linear"),
          ("[0, 1] metrics", ("ssim", "temporal_ssim", "val_ssim", "val_bicubic_ssim", "code_acc",
                              "val_code_acc", "code_usage"), "linear"))


def plot(run):
    """Loss curves and validation figures of both stages to loss_curves.png (matplotlib, if
    installed; the CSV logs are written either way)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing (apt install python3-matplotlib): CSV logs only", flush=True)
        return
    fig, axes = plt.subplots(2, 3, figsize=(14, 7))
    for s, row in zip((1, 2), axes):
        p = run / f"stage{s}_log.csv"
        rows = list(csv.DictReader(open(p))) if p.exists() else []
        for ax, (title, keys, scale) in zip(row, PANELS):
            for key in keys:
                pts = [(int(r["step"]), float(r[key])) for r in rows if r.get(key)]
                if pts:
                    ax.plot(*zip(*pts), label=key, marker="o" if key.startswith("val_") else None, markersize=3)
            ax.set_title(f"stage {s}: {title}")
            ax.set_xlabel("step")
            ax.set_yscale(scale)
            if ax.lines:
                ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(run / "loss_curves.png", dpi=80)
    plt.close(fig)


@torch.no_grad()
def validate_stage1(ae, val_crops):
    ae.eval()
    ae.quantizer.reset_usage()
    ps, ss = [], []
    for i in range(0, len(val_crops), BATCH):
        x = data.to_float(val_crops[i:i + BATCH])
        y = ae(x)[0].clamp(0, 1)
        ps.append(losses.psnr(y, x).item())
        ss.append(losses.ssim(y, x).item())
    u = ae.quantizer.usage
    p = u / u.sum()
    ae.train()
    return {"val_psnr": float(np.mean(ps)), "val_ssim": float(np.mean(ss)),
            "code_usage": float((u > 0).float().mean()),
            "code_perplexity": float(torch.exp(-(p[p > 0] * p[p > 0].log()).sum()))}


def resume(ck, model, opt, label):
    """Restores model, optimiser and RNG from a checkpoint; returns (step, log), (0, []) if none."""
    if not ck.exists():
        return 0, []
    state = torch.load(ck)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    torch.set_rng_state(state["torch_rng"])
    print(f"{label}: resumed at step {state['step']}", flush=True)
    return state["step"], state["log"]


def run_stage1(a, cfg, run, train_clips, val_clips):
    torch.manual_seed(a.seed)
    ae = VQAutoencoder(cfg)
    opt = torch.optim.Adam(ae.parameters(), lr=LR)
    ck = run / "stage1.pt"
    start, log = resume(ck, ae, opt, "stage 1")
    crops = data.CropSet(train_clips, a.seed)
    val_crops = torch.from_numpy(np.concatenate([c.crops for c in val_clips]))
    t0 = time.time()
    ae.train()
    for step, epoch, idx in batches(len(crops), a.seed, start):
        if step >= a.stage1_steps:
            break
        x = data.to_float(crops.batch(idx, epoch))
        recon, _, commit = ae(x)
        loss, terms = losses.stage1_loss(recon, x, commit)
        opt.zero_grad()
        loss.backward()
        opt.step()
        row = {"step": step + 1, "epoch": epoch, "time_s": round(time.time() - t0, 2), "loss": loss.item(), **terms}
        last = step + 1 == a.stage1_steps
        if (step + 1) % a.val_every == 0 or last:
            row.update(validate_stage1(ae, val_crops))
            print(f"stage 1 step {step + 1}: " + ", ".join(f"{k} {v:.4g}" for k, v in row.items()), flush=True)
        log.append(row)
        if (step + 1) % a.ckpt_every == 0 or last:
            save_ckpt(ck, ae, opt, step + 1, cfg, log)
            write_log(run, 1, log)
    return ae


def val_windows(val_clips, cfg, seed, count):
    """The validation set: val clips, `standard` preset, seed 42, every k-th window (fixed)."""
    ws = data.WindowSet(val_clips, deg.STANDARD, temporal_pair=cfg.use_modulation, seed=seed)
    pick = np.linspace(0, len(ws) - 1, min(count, len(ws))).round().astype(int)
    return [ws.batch(pick[i:i + BATCH]) for i in range(0, len(pick), BATCH)]


def forward_stage2(model, hq_encoder, b, cfg):
    centres = (2, 3) if cfg.use_modulation else (2,)
    lq, hq = data.to_float(b["lq"]), data.to_float(b["hq"])
    out = model(lq, b["fhog"], b["mfcc"], b["flow"] if cfg.use_modulation else None, centres)
    with torch.no_grad():
        hq_codes = [hq_encoder.codes(hq[:, c]) for c in centres]
    h_neg = model.audio(b["mfcc_neg"][:, centres[0]]) if cfg.use_audio else None
    loss, terms = losses.stage2_loss(out, hq_codes, [hq[:, c] for c in centres], h_neg, cfg.use_modulation)
    return loss, terms, out, lq[:, centres[0]], hq[:, centres[0]]


@torch.no_grad()
def validate_stage2(model, hq_encoder, vset, cfg):
    model.eval()
    rows = []
    for b in vset:
        _, terms, out, lq, hq = forward_stage2(model, hq_encoder, b, cfg)
        y = out["image"][0].clamp(0, 1)
        rows.append({"val_psnr": losses.psnr(y, hq).item(), "val_ssim": losses.ssim(y, hq).item(),
                     "val_bicubic_psnr": losses.psnr(lq, hq).item(), "val_bicubic_ssim": losses.ssim(lq, hq).item(),
                     "val_code_acc": terms["code_acc"]})
    model.train()
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def run_stage2(a, cfg, run, train_clips, val_clips, ae):
    torch.manual_seed(a.seed)
    model = Restorer(cfg)
    model.load_stage1(ae)
    mean, std = data.mfcc_stats(train_clips)
    if model.audio is not None:
        model.audio.mean.copy_(torch.from_numpy(mean))
        model.audio.std.copy_(torch.from_numpy(std))
    for p in model.frozen_parameters():
        p.requires_grad_(False)
    hq_encoder = copy.deepcopy(ae).eval()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=LR)
    ck = run / "stage2.pt"
    start, log = resume(ck, model, opt, "stage 2")
    ws = data.WindowSet(train_clips, deg.TRAINING, temporal_pair=cfg.use_modulation,
                        random_negatives=cfg.variant == "random-negatives", seed=a.seed,
                        standard_share=a.standard_share)
    vset = val_windows(val_clips, cfg, a.seed, a.val_windows)
    t0 = time.time()
    model.train()
    steps = itertools.takewhile(lambda item: item[0] < a.stage2_steps, batches(len(ws), a.seed, start))
    def load(item):
        t = time.time()
        return ws.batch(item[2], item[1]), time.time() - t
    for (step, epoch, idx), (b, td) in prefetched(steps, load):
        loss, terms, *_ = forward_stage2(model, hq_encoder, b, cfg)
        opt.zero_grad()
        loss.backward()
        opt.step()
        row = {"step": step + 1, "epoch": epoch, "time_s": round(time.time() - t0, 2), "data_s": round(td, 2),
               "loss": loss.item(), **terms}
        last = step + 1 == a.stage2_steps
        if (step + 1) % a.val_every == 0 or last:
            row.update(validate_stage2(model, hq_encoder, vset, cfg))
            # The best validation checkpoint is kept apart: on a few hundred face-frames the last
            # one is often past the best (export.py --checkpoint best).
            best = max((r["val_psnr"] for r in log if "val_psnr" in r), default=float("-inf"))
            if row["val_psnr"] > best:
                save_ckpt(run / "stage2_best.pt", model, opt, step + 1, cfg, log + [row])
        print(f"stage 2 step {step + 1}: " + ", ".join(f"{k} {v:.4g}" for k, v in row.items()), flush=True)
        log.append(row)
        if (step + 1) % a.ckpt_every == 0 or last:
            save_ckpt(ck, model, opt, step + 1, cfg, log)
            write_log(run, 2, log)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, type=Path, help="run folder (checkpoints, logs, plot)")
    ap.add_argument("--profile", default="realtime", choices=["realtime", "quality", "tiny"])
    ap.add_argument("--variant", default="full", choices=VARIANTS)
    ap.add_argument("--mfcc-context", type=int, default=5, choices=[3, 5, 7])
    ap.add_argument("--stage", type=int, choices=[1, 2], help="one stage only (default: both)")
    ap.add_argument("--stage1-ckpt", type=Path, help="stage-1 checkpoint for --stage 2 (default: the run's)")
    ap.add_argument("--stage1-steps", type=int, default=20000)
    ap.add_argument("--stage2-steps", type=int, default=20000)
    ap.add_argument("--val-every", type=int, default=500)
    ap.add_argument("--val-windows", type=int, default=24)
    ap.add_argument("--ckpt-every", type=int, default=200)
    ap.add_argument("--seed", type=int, default=data.SEED)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared)")
    ap.add_argument("--standard-share", type=float, default=0.0,
                    help="share of stage-2 training windows degraded with the `standard` preset's ranges")
    ap.add_argument("--fidelity-w", type=float, default=0.5, help="weight w of the fidelity skips")
    ap.add_argument("--output-residual", action="store_true",
                    help="the decoder adds to the LQ crop instead of 0.5 and is fine-tuned in stage 2 (see model.Restorer)")
    ap.add_argument("--split", default="clips8", choices=data.SPLITS,
                    help="clips8: the 8 clips in data/ (the shipped weights); s1: adds fetch_grid_s1.py's clips (see data.py)")
    ap.add_argument("--fidelity-levels", default="16,8",
                    help="decoder levels (down-sampling factors) that get the LQ encoder skip, e.g. 16,8,4")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    a.run.mkdir(parents=True, exist_ok=True)
    levels = tuple(int(v) for v in a.fidelity_levels.split(","))
    if not set(levels) <= {16, 8, 4, 2, 1}:
        ap.error(f"--fidelity-levels: {a.fidelity_levels!r}; use factors among 16,8,4,2,1")
    cfg = ModelConfig.make(a.profile, a.variant, context_size=a.mfcc_context, fidelity_levels=levels,
                           fidelity_w=a.fidelity_w, output_residual=a.output_residual)
    train_names, val_names = data.split(a.split)
    data.prepare(clips=sorted(set(train_names) | set(val_names)), context_sizes=sorted({5, a.mfcc_context}))
    train_clips = data.load_clips(train_names, a.mfcc_context)
    val_clips = data.load_clips(val_names, a.mfcc_context)
    info_path = a.run / "run.json"
    info = json.loads(info_path.read_text()) if info_path.exists() else {"sessions": []}
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=data.ROOT, capture_output=True, text=True).stdout.strip()
    session = {"argv": sys.argv, "seed": a.seed, "git_commit": commit, "torch": torch.__version__,
               "threads": a.threads, "split": a.split, "train_clips": train_names, "val_clips": val_names,
               "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    t0 = time.time()
    ae = None
    if a.stage in (None, 1):
        ae = run_stage1(a, cfg, a.run, train_clips, val_clips)
    if a.stage in (None, 2):
        if ae is None:
            ae = VQAutoencoder(cfg)
            state = torch.load(a.stage1_ckpt or a.run / "stage1.pt")
            ae.load_state_dict(state["model"])
        run_stage2(a, cfg, a.run, train_clips, val_clips, ae)
    session["wall_s"] = round(time.time() - t0, 1)
    info["sessions"].append(session)
    info["config"] = cfg.to_metadata()
    info_path.write_text(json.dumps(info, indent=1))
    print(f"done in {session['wall_s']} s; run folder {a.run}", flush=True)


if __name__ == "__main__":
    main()
