#!/usr/bin/env python3
"""Regenerates the MFCC parity fixtures used by Tests/RestoreTests/MFCCParityTests.swift.

Run from anywhere:  python3 Tests/Fixtures/mfcc/make_mfcc_fixtures.py
Needs: librosa (pip install librosa), numpy, and ffmpeg on PATH for the speech excerpt.

Every fixture NAME is three little-endian float32 files plus an entry in manifest.json:
  NAME.input.f32         mono samples at 16 kHz
  NAME.mfcc.f32          librosa.feature.mfcc with the model's parameters (top_db=80, librosa's
                         default), stored FRAME-MAJOR: frames x 80 (librosa returns 80 x frames)
  NAME.mfcc_notopdb.f32  the same pipeline with power_to_db(top_db=None), frame-major, used to
                         check the streaming form, whose clip cannot see the whole input
"""
import json
import pathlib
import subprocess

import numpy as np
import librosa
import scipy

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
SR = 16000
PARAMS = dict(sr=SR, n_mfcc=80, n_fft=512, win_length=400, hop_length=160, n_mels=80)


def synthetic() -> np.ndarray:
    """1 s: a 150 Hz -> 3 kHz exponential chirp with two harmonics, a 440 Hz burst, seeded noise."""
    t = np.arange(SR, dtype=np.float64) / SR
    f0, f1 = 150.0, 3000.0
    k = np.log(f1 / f0)
    phase = 2 * np.pi * f0 * (np.exp(k * t) - 1) / k
    y = 0.4 * np.sin(phase) + 0.15 * np.sin(2 * phase) + 0.08 * np.sin(3 * phase + 0.3)
    burst = (t > 0.3) & (t < 0.45)
    y += 0.3 * burst * np.sin(2 * np.pi * 440 * t)
    rng = np.random.default_rng(20240611)
    y += 0.01 * rng.standard_normal(SR)
    # A quiet lead-in so that the top_db clip has something to bite on.
    y[:1200] *= 1e-4
    return y.astype(np.float32)


def speech() -> np.ndarray:
    """1 s of GRID speaker audio (bbaf2n), 0.85 s .. 1.85 s: a little silence, then speech."""
    candidates = [REPO / "shared" / "data" / "grid_bbaf2n.mpg", REPO.parent / "shared" / "data" / "grid_bbaf2n.mpg"]
    src = next((c for c in candidates if c.exists()), None)
    if src is None:
        raise SystemExit("grid_bbaf2n.mpg not found under shared/data; see README.md in this folder")
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(src), "-ac", "1", "-ar", str(SR), "-f", "f32le", "-"],
        check=True, capture_output=True).stdout
    y = np.frombuffer(raw, dtype="<f4")
    start = int(0.85 * SR)
    return np.ascontiguousarray(y[start:start + SR])


def log_mel_no_top_db(y: np.ndarray) -> np.ndarray:
    mel = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=512, win_length=400, hop_length=160, n_mels=80)
    return librosa.power_to_db(mel, top_db=None)


def mfcc_no_top_db(y: np.ndarray) -> np.ndarray:
    # mfcc(S=...) treats S as the log-power mel spectrogram and only applies the DCT.
    return librosa.feature.mfcc(S=log_mel_no_top_db(y), n_mfcc=80)


def write(name: str, y: np.ndarray, manifest: dict) -> None:
    m = librosa.feature.mfcc(y=y, **PARAMS)
    m_none = mfcc_no_top_db(y)
    assert m.shape == m_none.shape == (80, 1 + len(y) // 160), m.shape
    y.astype("<f4").tofile(HERE / f"{name}.input.f32")
    np.ascontiguousarray(m.T).astype("<f4").tofile(HERE / f"{name}.mfcc.f32")
    np.ascontiguousarray(m_none.T).astype("<f4").tofile(HERE / f"{name}.mfcc_notopdb.f32")
    manifest["fixtures"][name] = {"samples": int(len(y)), "frames": int(m.shape[1]), "coefficients": 80,
                                  "clip_bites": bool(np.any(m != m_none)),
                                  # Frame holding the maximum that top_db is measured from; a causal
                                  # running maximum equals librosa's from this frame on.
                                  "loudest_frame": int(np.argmax(log_mel_no_top_db(y).max(axis=0)))}


def main() -> None:
    manifest = {
        "call": "librosa.feature.mfcc(y=y, sr=16000, n_mfcc=80, n_fft=512, win_length=400, hop_length=160, n_mels=80)",
        "layout": "little-endian float32; input: samples; mfcc: frames x coefficients (frame-major)",
        "librosa": librosa.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "fixtures": {},
    }
    write("synthetic", synthetic(), manifest)
    write("speech", speech(), manifest)
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
