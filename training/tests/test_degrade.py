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


class _FakeClip:
    """The fields WindowSet reads, for one track of 8 small frames."""

    def __init__(self):
        self.frames = _frames(t=8, h=64, w=80)
        self.frame_index = np.arange(8)
        self.track_id = np.ones(8, int)
        self.region = np.tile(np.array([[8.0, 4.0, 48.0, 48.0]], np.float32), (8, 1))
        self.crops = np.zeros((8, 256, 256, 3), np.uint8)
        self.mfcc = deg.rng_for(42, 5).standard_normal((8, 5, 80)).astype(np.float32)

    def windows(self, length):
        return [list(range(s, s + length)) for s in range(8 - length + 1)]


@needs_ffmpeg
def test_standard_share_draws_the_standard_preset_deterministically():
    pytest.importorskip("cv2", reason="python3-opencv missing (training only)")
    from data import WindowSet
    every = WindowSet([_FakeClip()], temporal_pair=False, standard_share=1.0)
    never = WindowSet([_FakeClip()], temporal_pair=False, standard_share=0.0)
    for i in range(len(every)):
        p = every.get(i, epoch=1)["params"]
        assert p["scale"] == 4.0 and p["h264_crf"] == 32 and p["drops"] == []
    scales = {never.get(i, epoch=1)["params"]["scale"] for i in range(len(never))}
    assert scales.isdisjoint({4.0})  # continuous draws from 2..8: never exactly the preset's
    assert np.array_equal(every.get(2, epoch=3)["lq"], every.get(2, epoch=3)["lq"])
