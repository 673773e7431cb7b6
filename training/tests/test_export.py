import pytest

np = pytest.importorskip("numpy", reason="numpy missing (apt install python3-numpy)")
torch = pytest.importorskip("torch", reason="PyTorch missing (apt install python3-torch)")
import export  # noqa: E402
import safetensors_io as st  # noqa: E402
import train  # noqa: E402
from model import FHOG_PLANES, MFCC_COEFFS, ModelConfig, Restorer  # noqa: E402


def test_safetensors_round_trip(tmp_path):
    t = {"f": np.arange(6, dtype=np.float32).reshape(2, 3), "u": np.arange(5, dtype=np.uint8),
         "i": np.array([-1, 7], np.int32), "l": np.array([1 << 40], np.int64)}
    p = tmp_path / "x.safetensors"
    st.save(p, t, {"k": "v"})
    back, meta = st.load(p)
    assert meta == {"k": "v"}
    for k in t:
        assert back[k].dtype == t[k].dtype and np.array_equal(back[k], t[k])
    with pytest.raises(TypeError):
        st.save(p, t, {"k": 1})


def test_export_and_reload_give_the_same_network(tmp_path):
    torch.manual_seed(42)
    cfg = ModelConfig.make("tiny", "full", image_size=64)
    m = Restorer(cfg).eval()
    for p in m.parameters():  # non-zero fuse/modulation weights so they matter
        p.data.add_(0.01 * torch.randn_like(p))
    opt = torch.optim.Adam(m.parameters())
    train.save_ckpt(tmp_path / "stage2.pt", m, opt, 3, cfg, [{"step": 3, "val_psnr": 1.0}])
    out = tmp_path / "m.safetensors"
    export.export(tmp_path, out)
    again, cfg2, meta = export.load(out)
    assert cfg2 == cfg and meta["format"] == export.FORMAT
    # The engine benchmark's FLOP count is flops.py's streaming figure.
    from flops import flops_per_face_frame
    assert float(meta["gflop_per_face_frame"]) == pytest.approx(flops_per_face_frame(cfg)[0] / 1e9, abs=1e-4)
    tensors, _ = st.load(out)
    assert all(v.dtype == np.float32 for v in tensors.values())
    assert not any(k.startswith("z_proj") for k in tensors)
    g = torch.Generator().manual_seed(0)
    args = (torch.rand(1, 5, 3, 64, 64, generator=g), torch.rand(1, 5, FHOG_PLANES, 16, 16, generator=g),
            torch.randn(1, 5, 5, MFCC_COEFFS, generator=g), torch.randn(1, 1, 4, 16, 16, generator=g))
    with torch.no_grad():
        a, b = m(*args), again(*args)
    assert torch.equal(a["image"][0], b["image"][0]) and torch.equal(a["codes"][0], b["codes"][0])


def test_export_best_checkpoint_is_the_best_files_weights(tmp_path):
    torch.manual_seed(42)
    cfg = ModelConfig.make("tiny", "full", image_size=64)
    best, last = Restorer(cfg).eval(), Restorer(cfg).eval()
    with torch.no_grad():
        last.head.bias.add_(1.0)
    opt = torch.optim.Adam(best.parameters())
    train.save_ckpt(tmp_path / "stage2_best.pt", best, opt, 2, cfg, [{"step": 2, "val_psnr": 9.0}])
    train.save_ckpt(tmp_path / "stage2.pt", last, opt, 4, cfg, [{"step": 4, "val_psnr": 5.0}])
    import json
    (tmp_path / "run.json").write_text(json.dumps({"sessions": [
        {"split": "s1", "train_clips": ["s1_bbaf3s", "grid_brbk7n"]}]}))
    export.export(tmp_path, tmp_path / "b.safetensors", checkpoint="best")
    again, _, meta = export.load(tmp_path / "b.safetensors")
    # The evaluation reads which clips trained the file from here (eval.trained_on).
    training = json.loads(meta["training"])
    assert training["split"] == "s1" and training["train_clips"] == ["s1_bbaf3s", "grid_brbk7n"]
    assert torch.equal(again.head.bias, best.head.bias)
    assert '"checkpoint": "stage2_best.pt"' in meta["training"] and '"val_psnr": 9.0' in meta["training"]


def test_batches_are_deterministic_and_resume_in_place():
    it = train.batches(40, 42, 0)
    first = [tuple(next(it)[2]) for _ in range(7)]
    resumed = train.batches(40, 42, 4)
    assert [tuple(next(resumed)[2]) for _ in range(3)] == first[4:]
    assert sorted(sum(first[:5], ())) == list(range(40))  # one epoch = each sample once


def test_prefetched_keeps_order_and_loads_one_item_ahead():
    import threading
    events, started = [], threading.Event()

    def load(x):
        events.append(("load", x))
        if x == 1:
            started.set()
        return x * 10

    out = []
    for item, value in train.prefetched(range(4), load):
        if item == 0:
            # Item 1 is loading while item 0 is being used.
            assert started.wait(5)
        out.append((item, value))
        events.append(("use", item))
    assert out == [(0, 0), (1, 10), (2, 20), (3, 30)]
    assert events.index(("load", 1)) < events.index(("use", 0))
    assert list(train.prefetched([], load)) == []
