import shutil

import pytest

np = pytest.importorskip("numpy", reason="numpy missing (apt install python3-numpy)")
torch = pytest.importorskip("torch", reason="PyTorch missing (apt install python3-torch)")
import degrade as deg  # noqa: E402
from data import derangement  # noqa: E402

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg missing")


def _frames(t=4, h=48, w=64):
    return deg.rng_for(42, 99).integers(0, 256, (t, h, w, 3), dtype=np.uint8)


def test_same_seed_same_output_without_codec():
    spec = deg.DegradeSpec(h264_prob=0.0, jpeg_prob=1.0, drop_prob=0.5)
    a, pa = deg.degrade(_frames(), spec, deg.rng_for(42, 0, 3))
    b, pb = deg.degrade(_frames(), spec, deg.rng_for(42, 0, 3))
    c, pc = deg.degrade(_frames(), spec, deg.rng_for(43, 0, 3))
    assert a.dtype == np.uint8 and a.shape == (4, 48, 64, 3)
    assert pa == pb and np.array_equal(a, b)
    assert pa != pc


@needs_ffmpeg
def test_standard_preset_is_fixed_and_deterministic():
    a, pa = deg.degrade(_frames(), deg.STANDARD, deg.rng_for(42, 0))
    b, _ = deg.degrade(_frames(), deg.STANDARD, deg.rng_for(42, 0))
    assert np.array_equal(a, b)
    assert pa["scale"] == 4.0 and pa["h264_crf"] == 32 and pa["jpeg_quality"] is None and pa["drops"] == []
    assert 0.5 <= pa["blur_sigma"] <= 1.5 and 0 <= pa["noise_sigma"] <= 5


def test_frame_drop_repeats_previous_frame():
    spec = deg.DegradeSpec(h264_prob=0.0, jpeg_prob=0.0, drop_prob=1.0)
    out, p = deg.degrade(_frames(), spec, deg.rng_for(42, 1))
    assert p["drops"] == [1, 2, 3]
    assert all(np.array_equal(out[0], out[i]) for i in range(1, 4))


def test_derangement_has_no_fixed_point():
    for k in (3, 5, 7):
        for s in range(20):
            p = derangement(deg.rng_for(42, s), k)
            assert sorted(p) == list(range(k)) and not np.any(p == np.arange(k))
