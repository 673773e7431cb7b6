"""The named training splits and the s1 fetcher: which clips, speaker-disjointness, hash checks."""
import pytest

np = pytest.importorskip("numpy", reason="numpy missing (apt install python3-numpy)")
pytest.importorskip("torch", reason="PyTorch missing (apt install python3-torch)")
import data  # noqa: E402
import fetch_grid_s1 as fetch  # noqa: E402


def test_clip_list_is_s1_without_the_demo_clip():
    rows = fetch.clip_list()
    names = [n for n, _ in rows]
    assert len(rows) == 999 and len(set(names)) == 999
    assert "bbaf2n" not in names  # grid_bbaf2n is in data/ already
    assert all(len(sha) == 40 for _, sha in rows)


def test_choice_is_seeded_and_nested():
    assert fetch.chosen(20)[:10] == fetch.chosen(10)
    assert fetch.chosen(10) != fetch.clip_list()[:10]  # a permutation, not the sorted head


def test_blob_hash_is_gits():
    assert fetch.blob_sha1(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object


def test_a_clip_with_the_wrong_hash_is_refused_and_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "read_blob", lambda name, git_dir: b"not the clip")
    with pytest.raises(SystemExit, match="does not match its listed hash"):
        fetch.fetch(1, out=tmp_path)
    assert not list(tmp_path.glob("*.mpg"))


def test_s1_split_is_speaker_disjoint(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "EXTRA", tmp_path)
    for name in ("bbaf3s", "swwp2p"):
        (tmp_path / f"{name}.mpg").write_bytes(b"")
    train, held_out = data.split("s1")
    assert train[:2] == ["s1_bbaf3s", "s1_swwp2p"]
    assert set(held_out) == {"grid_lrwp9a", "grid_sbia1a", "grid_sbwe5n"}
    assert not set(train) & set(held_out)
    # The demo clip's speaker (s1) trains here, so the demo clip itself must not be held out as a test.
    assert "grid_bbaf2n" not in held_out
    assert data.video_path("s1_bbaf3s") == tmp_path / "bbaf3s.mpg"
    assert data.video_path("grid_sbia1a") == data.ROOT / "data" / "grid_sbia1a.mpg"


def test_s1_split_without_fetched_clips_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "EXTRA", tmp_path)
    with pytest.raises(SystemExit, match="fetch_grid_s1.py"):
        data.split("s1")


def test_clips8_split_is_what_the_shipped_weights_used():
    train, held_out = data.split("clips8")
    assert held_out == ["grid_bbaf2n"] and len(train) == 7 and "grid_bbaf2n" not in train
    with pytest.raises(ValueError, match="unknown split"):
        data.split("everything")
