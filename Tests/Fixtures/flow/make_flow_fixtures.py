"""Reference values for the Swift flow code, from training/data.py and cv2 themselves.

    /usr/bin/python3 Tests/Fixtures/flow/make_flow_fixtures.py    (needs training/cache: data.py)

Writes into this directory (raw little-endian, no headers; shapes in manifest.json):
  window.crops.u8     3 LQ crops t-1, t, t+1 [3, 256, 256, 3] straight from training's sampler
                      (data.WindowSet, grid_bbaf2n = the validation clip, `standard`
                      degradation, seed 42): the window of the first 30 with the most 4x4 blocks
                      whose mean is exactly on .5, where float32 order decides the grey
  window.greys.u8     their 64x64 greys [3, 64, 64], data.py's formula
  window.flow.f32     the sampler's flow input for that window: [4, 64, 64]
  ties.*              a synthetic crop whose 4096 blocks are all such ties (palette, per-block
                      colours A/B and masks, rebuilt in Swift) and data.py's grey of it [64, 64]
  extra<k>.greys.u8   greys of windows of two other clips (`training` degradation: JPEG, H.264,
  extra<k>.flow.f32   noise drawn at random) and data.py's flows of them (greys only: 4 KB each)
  warp<k>.f32         cv2.remap of an analytic image by an analytic flow resized like the shim
                      (the inputs are recomputed in Swift from the formulas in manifest.json)

It also checks, on every crop it makes (200 real LQ crops and the tie crop), that the float32
recipe FlowGrey.modelGrey follows (fma(B, .114, fma(R, .299, G * .587)), each block's rows summed
left to right, the rows top to bottom, / 16) gives data.py's grey exactly, and that data.py's flows
equal cv2's on its greys (so the greys written are the ones the flow saw).

That recipe is numpy 1.24 + OpenBLAS sgemv on this machine for crops with data.crop's x-major
memory layout; a C-contiguous crop takes another sgemv path (fma order R, G, B) and changes the
grey of some tie blocks (counted in manifest.json). If data.py, numpy or the BLAS change, this
script fails here first, before the Swift test does.
"""
import json
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "training"))
import data  # noqa: E402
import degrade as deg  # noqa: E402

W = np.array([0.299, 0.587, 0.114], np.float32)


def grey_data_py(crop):
    """Verbatim from data.flow_inputs (a closure there)."""
    g = crop.astype(np.float32) @ W
    g = g.reshape(data.FLOW_SIZE, 256 // data.FLOW_SIZE, data.FLOW_SIZE, 256 // data.FLOW_SIZE).mean((1, 3))
    return np.clip(np.floor(g + 0.5), 0, 255).astype(np.uint8)


def grey_recipe(crop):
    """What FlowGrey.modelGrey does, in numpy float32 (fma emulated in float64: exact here)."""
    c = crop.astype(np.float64)
    green = (crop[..., 1].astype(np.float32) * W[1]).astype(np.float64)
    gr = (c[..., 0] * np.float64(W[0]) + green).astype(np.float32).astype(np.float64)
    p = (c[..., 2] * np.float64(W[2]) + gr).astype(np.float32).reshape(64, 4, 64, 4)
    rows = [((p[:, r, :, 0] + p[:, r, :, 1]) + p[:, r, :, 2]) + p[:, r, :, 3] for r in range(4)]
    total = ((rows[0] + rows[1]) + rows[2]) + rows[3]
    return np.clip(np.floor(total / np.float32(16) + np.float32(0.5)), 0, 255).astype(np.uint8)


def grey_exact(crop):
    """The same grey in exact integer arithmetic (ties round up): differs from data.py only where
    float32 rounding moved a mean that is exactly on (or next to) .5."""
    s = crop.astype(np.int64) @ np.array([299, 587, 114], np.int64)
    s = s.reshape(64, 4, 64, 4).sum((1, 3))
    return np.clip((s + 8000) // 16000, 0, 255).astype(np.uint8)


def tie_crop(rng):
    """A synthetic crop made of 4x4 blocks whose mean is exactly on .5 in decimal arithmetic:
    each block mixes two colours A, B (8 pixels each, by a 16-bit mask) whose exact grey
    0.299 R + 0.587 G + 0.114 B is a half-integer, with integer parts of the same parity. Every
    block is then a tie that only float32 rounding, in numpy's order, decides. Stored compactly
    (palette, per-block A, B, mask) and rebuilt in Swift."""
    r, g, b = np.meshgrid(np.arange(256), np.arange(256), np.arange(256), indexing="ij")
    v = 299 * r + 587 * g + 114 * b
    ok = v % 1000 == 500
    colours = np.stack([r[ok], g[ok], b[ok]], 1)
    parity = ((v[ok] - 500) // 1000) % 2
    palette = np.concatenate([rng.choice(colours[parity == 0], 128, replace=False),
                              rng.choice(colours[parity == 1], 128, replace=False)]).astype(np.uint8)
    group = rng.integers(0, 2, (64, 64)) * 128
    a = (group + rng.integers(0, 128, (64, 64))).astype(np.uint8)
    b_ = (group + rng.integers(0, 128, (64, 64))).astype(np.uint8)
    masks = np.array([sum(1 << int(k) for k in rng.choice(16, 8, replace=False)) for _ in range(64 * 64)],
                     np.uint16).reshape(64, 64)
    return palette, a, b_, masks


def build_tie_crop(palette, a, b, masks):
    crop = np.empty((256, 256, 3), np.uint8)
    for by in range(64):
        for bx in range(64):
            for i in range(4):
                for j in range(4):
                    use_a = (int(masks[by, bx]) >> (i * 4 + j)) & 1
                    crop[by * 4 + i, bx * 4 + j] = palette[a[by, bx] if use_a else b[by, bx]]
    return crop


def training_layout(crop):
    """The same pixels with data.crop's memory layout (x-major), which decides numpy's order."""
    return np.ascontiguousarray(crop.transpose(1, 0, 2)).transpose(1, 0, 2)


def lq_track(name, spec, seed):
    clip = data.Clip(name)
    run = clip.windows(25)[0]
    frames = clip.frames[clip.frame_index[run]]
    lq_frames, params = deg.degrade(frames, spec, deg.rng_for(seed, 7))
    lq = np.stack([data.crop(f, clip.region[r]) for f, r in zip(lq_frames, run)])
    return lq, [int(clip.frame_index[r]) for r in run], params


def warp_inputs(planes, h, w, fh, fw):
    """Analytic image and flow, exactly representable, rebuilt by FlowParityTests."""
    p, y, x = np.meshgrid(np.arange(planes), np.arange(h), np.arange(w), indexing="ij")
    image = ((x * 7 + y * 13 + p * 50) % 256).astype(np.float32) / np.float32(255)
    fy, fx = np.meshgrid(np.arange(fh), np.arange(fw), indexing="ij")
    dx = ((fx * 3 + fy * 5) % 17 - 8).astype(np.float32) / np.float32(4)
    dy = ((fx * 11 + fy * 2) % 13 - 6).astype(np.float32) / np.float32(4)
    return image, dx, dy


def warp_reference(image, dx, dy):
    planes, h, w = image.shape
    fh, fw = dx.shape
    if (fh, fw) != (h, w):
        dx = cv2.resize(dx, (w, h), interpolation=cv2.INTER_LINEAR) * (np.float32(w) / np.float32(fw))
        dy = cv2.resize(dy, (w, h), interpolation=cv2.INTER_LINEAR) * (np.float32(h) / np.float32(fh))
    mx = np.arange(w, dtype=np.float32)[None, :] + dx
    my = np.arange(h, dtype=np.float32)[:, None] + dy
    return np.stack([cv2.remap(image[k], mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
                     for k in range(planes)])


def main():
    manifest = {"opencv": cv2.__version__, "numpy": np.__version__, "flow_params": data.FLOW_PARAMS}
    tracks = {"grid_brbk7n": lq_track("grid_brbk7n", deg.TRAINING, 43),
              "grid_lrwp9a": lq_track("grid_lrwp9a", deg.TRAINING, 44)}
    checked, recipe_vs_exact = 0, 0
    for lq, _, _ in tracks.values():
        for crop in lq:
            g = grey_data_py(crop)
            assert np.array_equal(grey_recipe(crop), g), "FlowGrey's float32 recipe differs from data.py"
            recipe_vs_exact += int((grey_exact(crop) != g).sum())
            checked += 1
    manifest["grey_exact_arithmetic_differs_pixels"] = recipe_vs_exact

    # The validation window, straight from training's own sampler, whose greys differ most from
    # exact arithmetic (ties). The first 30 windows are enough to find one.
    ws = data.WindowSet(data.load_clips(["grid_bbaf2n"]), deg.STANDARD, temporal_pair=False, seed=42)
    best, best_diff = None, -1
    for idx in range(min(30, len(ws))):
        sample = ws.get(idx)
        lq = sample["lq"]
        for crop in lq:
            assert np.array_equal(grey_recipe(crop), grey_data_py(crop)), "recipe differs on a WindowSet crop"
            checked += 1
        diff = int(sum((grey_exact(c) != grey_data_py(c)).sum() for c in lq[1:4]))
        if diff > best_diff:
            best, best_diff = (idx, sample), diff
    assert best_diff > 0, "no window with a float32 tie: the grey test would not tell recipes apart"
    idx, sample = best
    window, flow = sample["lq"][1:4], sample["flow"][0]
    layout = int(sum((grey_data_py(np.ascontiguousarray(c)) != grey_data_py(c)).sum() for c in window))
    greys = np.stack([grey_data_py(c) for c in window])
    check = np.concatenate([cv2.calcOpticalFlowFarneback(greys[1], greys[j], None, **data.FLOW_PARAMS)
                            .transpose(2, 0, 1) for j in (0, 2)])
    assert np.array_equal(check, flow), "the greys written are not the ones training's flow saw"
    np.ascontiguousarray(window).tofile(HERE / "window.crops.u8")
    greys.tofile(HERE / "window.greys.u8")
    flow.astype("<f4").tofile(HERE / "window.flow.f32")
    rows = ws.items[idx][1]
    manifest["window"] = {"clip": "grid_bbaf2n", "source": f"data.WindowSet(standard, seed 42).get({idx}), frames 1-3",
                          "frames": [int(ws.clips[0].frame_index[r]) for r in rows[1:4]],
                          "params": sample["params"], "tie_pixels_vs_exact": best_diff,
                          "grey_pixels_changed_by_c_contiguous_copy": layout,
                          "flow_abs_max": float(np.abs(flow).max())}
    manifest["grey_recipe_checked_crops"] = checked
    print(f"grey recipe == data.py on {checked} crops; exact arithmetic would differ in {recipe_vs_exact} "
          f"pixels of the first {len(tracks) * 25}; window {idx}: {best_diff} tie pixels, "
          f"{layout} pixels change with a C-contiguous copy")

    palette, a, b, masks = tie_crop(np.random.default_rng(42))
    crop = training_layout(build_tie_crop(palette, a, b, masks))
    assert crop.strides == sample["lq"][0].strides
    g = grey_data_py(crop)
    assert np.array_equal(grey_recipe(crop), g), "recipe differs on the tie crop"
    palette.tofile(HERE / "ties.palette.u8")
    np.stack([a, b]).tofile(HERE / "ties.ab.u8")
    masks.astype("<u2").tofile(HERE / "ties.masks.u16")
    g.tofile(HERE / "ties.grey.u8")
    manifest["ties"] = {"blocks_on_half": 64 * 64,
                        "pixels_differing_from_exact_arithmetic": int((grey_exact(crop) != g).sum()),
                        "pixels_differing_with_c_contiguous_crop": int((grey_data_py(np.ascontiguousarray(crop)) != g).sum())}
    print("tie crop:", manifest["ties"])

    manifest["extra"] = []
    for k, name in enumerate(("grid_brbk7n", "grid_lrwp9a")):
        lq, frames, params = tracks[name]
        # The window with the most motion: the flow is then far from trivial.
        motion = [float(np.abs(data.flow_inputs(lq, j)).mean()) for j in range(1, len(lq) - 1)]
        j = 1 + int(np.argmax(motion))
        g = np.stack([grey_data_py(lq[j + d]) for d in (-1, 0, 1)])
        f = data.flow_inputs(lq, j)
        g.tofile(HERE / f"extra{k}.greys.u8")
        f.astype("<f4").tofile(HERE / f"extra{k}.flow.f32")
        manifest["extra"].append({"clip": name, "frames": frames[j - 1:j + 2], "degradation": "training",
                                  "params": params, "flow_abs_max": float(np.abs(f).max()),
                                  "flow_abs_mean": motion[j - 1]})

    manifest["warp"] = []
    for k, (planes, h, w, fh, fw) in enumerate([(3, 64, 64, 16, 16), (2, 40, 60, 10, 16)]):
        image, dx, dy = warp_inputs(planes, h, w, fh, fw)
        warp_reference(image, dx, dy).astype("<f4").tofile(HERE / f"warp{k}.f32")
        manifest["warp"].append({"planes": planes, "height": h, "width": w, "flow_height": fh, "flow_width": fw,
                                 "image": "((x*7 + y*13 + p*50) % 256) / 255",
                                 "dx": "((x*3 + y*5) % 17 - 8) / 4", "dy": "((x*11 + y*2) % 13 - 6) / 4"})
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in HERE.iterdir() if p.is_file())
    print(f"fixtures: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
