"""eval.py's pieces without the real binary (a fake one stands in for the landmarks command), and
one end-to-end check with the real binary when it is built."""
import os
import shutil
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy", reason="numpy missing (apt install python3-numpy)")
pytest.importorskip("torch", reason="PyTorch missing (apt install python3-torch)")
import eval as ev  # noqa: E402
import eval_report  # noqa: E402
import safetensors_io as st  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("FACERESTORED_BIN", ROOT / ".build" / "release" / "facerestored"))


def test_parse_model_rows():
    r = ev.parse_model("tiny=Tests/Fixtures/engine/tiny.safetensors,smoothing=off")
    assert (r.name, r.smoothing, r.trained) == ("tiny", "off", True)
    shipped = ev.parse_model("realtime")
    assert shipped.weights.endswith("models/realtime.safetensors") and shipped.trained
    missing = ev.parse_model("ghost=models/ghost.safetensors")
    assert missing.weights.endswith("models/ghost.safetensors") and not missing.trained
    assert ev.parse_model("check=none").weights == "none"
    with pytest.raises(SystemExit):
        ev.parse_model("x=y.safetensors,gamma=0.5")
    with pytest.raises(SystemExit, match="row name"):
        ev.parse_model("../x=y.safetensors")


def test_training_clips_are_refused_by_name_and_by_content(tmp_path):
    held_out = str(ev.HELD_OUT)
    assert ev.check_clips([held_out], False) == {held_out: None}
    with pytest.raises(SystemExit, match="refusing training clips"):
        ev.check_clips([str(ROOT / "data" / "grid_brbk7n.mpg")], False)
    renamed = tmp_path / "innocent.mpg"
    shutil.copy(ROOT / "data" / "grid_lbax4n.mpg", renamed)
    with pytest.raises(SystemExit, match="grid_lbax4n"):
        ev.check_clips([str(renamed)], False)
    assert ev.check_clips([str(renamed)], True) == {str(renamed): "grid_lbax4n"}


def test_each_row_is_checked_against_the_clips_that_trained_it(tmp_path):
    import json
    import safetensors_io as st
    s1 = tmp_path / "s1.safetensors"
    st.save(s1, {"w": np.zeros(1, np.float32)},
            {"training": json.dumps({"split": "s1", "train_clips": ["s1_bbaf3s", "grid_brbk7n"]})})
    shipped = tmp_path / "shipped.safetensors"
    st.save(shipped, {"w": np.zeros(1, np.float32)}, {"training": json.dumps({"steps": 250})})
    assert ev.trained_on([ev.Row("s1", str(s1))]) == ["grid_brbk7n", "s1_bbaf3s"]
    # Weights without the record were all trained on the clips8 split.
    assert ev.trained_on([ev.Row("old", str(shipped)), ev.Row("bicubic")]) == sorted(ev.data.TRAIN_CLIPS)
    names = ev.trained_on([ev.Row("s1", str(s1))])
    sbia = str(ROOT / "data" / "grid_sbia1a.mpg")  # trains the shipped weights, not the s1 model
    assert ev.check_clips([sbia], False, names) == {sbia: None}
    with pytest.raises(SystemExit, match="grid_brbk7n"):
        ev.check_clips([str(ROOT / "data" / "grid_brbk7n.mpg")], False, names)
    with pytest.raises(SystemExit, match="refusing training clips"):
        ev.check_clips([sbia], False, ev.trained_on([ev.Row("s1", str(s1)), ev.Row("old", str(shipped))]))


FAKE_BIN = '''#!{python}
# Stands in for facerestored: --help lists a landmarks command; `landmarks` writes points that
# move by (frame index, 0) px so the test knows the answer.
import sys
sys.path.insert(0, {training!r})
import numpy as np, safetensors_io as st
if sys.argv[1] == "--help":
    print("USAGE: facerestored <subcommand>\\n\\nSUBCOMMANDS:\\n  restore   Restore.\\n"
          "                 more text\\n  landmarks   Landmarks.\\n\\n  See help.")
    sys.exit(0)
video, feats, out = sys.argv[2], sys.argv[4], sys.argv[6]
t, _ = st.load(feats)
fi = np.array(t["frame_index"])
lm = np.zeros((len(fi), 68, 2), np.float32)
lm[:, :, 0] = fi[:, None] * (2.0 if video.endswith("jittery") else 1.0)
st.save(out, {{"landmarks": lm, "frame_index": fi, "track_id": np.array(t["track_id"])}})
'''


def test_landmarks_command_is_wired(tmp_path):
    fake = tmp_path / "facerestored"
    fake.write_text(FAKE_BIN.format(python=sys.executable, training=str(ROOT / "training")))
    fake.chmod(0o755)
    commands = ev.subcommands(fake)
    assert {"restore", "landmarks"} <= commands and "more" not in commands
    fi, tr = np.arange(4, dtype=np.int32), np.ones(4, np.int32)
    feats = tmp_path / "f.safetensors"
    st.save(feats, {"frame_index": fi, "track_id": tr})
    region = np.tile(np.array([0, 0, 100, 100], np.float32), (4, 1))
    truth = ev.Truth(None, "25/1", feats, fi, tr, region, region, None)
    lm_truth = ev.landmarks(fake, commands, "clean", truth, tmp_path / "a.safetensors")
    lm = ev.landmarks(fake, commands, "jittery", truth, tmp_path / "b.safetensors")
    assert lm_truth.shape == (4, 68, 2) and lm[3, 0, 0] == 6.0
    # Each step moves 2 px instead of 1: 1 px of a 100 px crop.
    pairs = ev.metrics.consecutive_pairs(fi, tr)
    assert ev.metrics.tlme(lm, lm_truth, region[:, 2], pairs) == pytest.approx(0.01)
    assert ev.landmarks(fake, {"restore"}, "clean", truth, tmp_path / "c.safetensors") is None


def test_code_switch_rate_is_read_from_the_summary_line():
    log = ("info facerestored: [StreamDaemon] wrote x.mkv: 75 frames out of 75 in 2.57 s\n"
           "info facerestored: [StreamDaemon] faces: 75 face-frames in 75 frames, 0 frames without a face, "
           "1 tracks, 15 detections; restored 75 face-frames, code-switch rate 0.005\n")
    assert ev.code_switch_rate(log) == 0.005
    assert np.isnan(ev.code_switch_rate("faces: 75 face-frames in 75 frames, 1 tracks, 15 detections"))


def test_report_has_a_code_switch_column_next_to_tlme(tmp_path):
    rows = [ev.Row("bicubic"), ev.Row("tiny", "/x/tiny.safetensors")]
    samples = [dict(row=r, clip="grid_bbaf2n", seed=s, psnr=23.0, ssim=0.7, lpips=0.3, tlme=0.004, code_switch=c)
               for r, c in (("bicubic", float("nan")), ("tiny", 0.02)) for s in (42, 43)]
    info = dict(clips={"grid_bbaf2n": None}, seeds=[42, 43], binary="fake", seconds=1.0, argv=["eval.py"],
                lpips_reason=None, tlme_reason=None,
                params={("grid_bbaf2n", 42): dict(blur_sigma=1.0, noise_sigma=2.0, h264_crf=32)})
    eval_report.write(tmp_path, rows, samples, None, None, info)
    md = (tmp_path / "results.md").read_text()
    assert "| TLME (crop side) ↓ | code-switch rate ↓ |" in md
    assert "| 0.0040 ± 0.0000 | 0.0200 ± 0.0000 |" in md
    assert "| 0.0040 ± 0.0000 | n/a |" in md


def test_report_lists_untrained_rows_and_held_out_clips(tmp_path):
    rows = [ev.Row("bicubic"), ev.Row("tiny", "/x/tiny.safetensors"),
            ev.Row("realtime", str(ROOT / "models/realtime.safetensors"), trained=False)]
    samples = [dict(row=r, clip="grid_bbaf2n", seed=s, psnr=p, ssim=0.7, lpips=float("nan"), tlme=float("nan"))
               for r, p in (("bicubic", 23.0), ("tiny", float("inf"))) for s in (42, 43)]
    per_frame = ("grid_bbaf2n", 42, np.array([0, 1, 2]), {"bicubic": np.array([23.0, 24.0, 22.0]),
                                                          "tiny": np.full(3, np.inf)})
    info = dict(clips={"grid_bbaf2n": None}, seeds=[42, 43], binary="fake", seconds=1.0, argv=["eval.py"],
                lpips_reason="no weights here", tlme_reason=ev.LANDMARKS_MISSING,
                params={("grid_bbaf2n", 42): dict(blur_sigma=1.0, noise_sigma=2.0, h264_crf=32)})
    summary = eval_report.write(tmp_path, rows, samples, per_frame, None, info)
    md = (tmp_path / "results.md").read_text()
    assert "| realtime | not trained (`models/realtime.safetensors` missing) | 0 |" in md
    assert "| bicubic | baseline: the degraded input | 2 | 23.00 ± 0.00 |" in md
    assert "| tiny | `/x/tiny.safetensors` | 2 | ∞ ± 0.00 |" in md
    assert "`grid_bbaf2n` (held out)" in md and "Only held-out clips" in md
    assert "LPIPS: no weights here" in md and "no `landmarks` command" in md
    assert [d["status"] for d in summary] == ["baseline: the degraded input", "evaluated", "not trained"]
    assert (tmp_path / "metrics.png").stat().st_size > 0 and (tmp_path / "psnr_per_frame.png").exists()
    assert (tmp_path / "results.csv").read_text().count("\n") == 4
    info["clips"] = {"grid_brbk7n": "grid_brbk7n"}
    eval_report.write(tmp_path, rows, samples, per_frame, None, info)
    assert "Warning: training clips were evaluated" in (tmp_path / "results.md").read_text()


@pytest.mark.skipif(not BIN.exists(), reason=f"{BIN} not built (set FACERESTORED_BIN)")
@pytest.mark.skipif(shutil.which("gst-launch-1.0") is None, reason="gst-launch-1.0 missing")
def test_passthrough_restore_scores_as_identical(tmp_path):
    """`--model none` on the clean clip pastes the faces back unchanged: through the binary, the
    decode and the ground-truth crops, every crop's PSNR must be ∞ (the whole chain lines up).
    ~3 s with a release build on an idle machine."""
    truth = ev.load_truth(BIN, ev.HELD_OUT, tmp_path)
    out = tmp_path / "none.mkv"
    ev.restore(BIN, ev.HELD_OUT, out, ev.parse_model("check=none"))
    frames = ev.decode(out)[0]
    assert frames.shape == truth.frames.shape and len(truth.frame_index) > 0
    assert np.all(np.isinf(ev.metrics.psnr(ev.crops_at(frames, truth.frame_index, truth.region), truth.crops)))
