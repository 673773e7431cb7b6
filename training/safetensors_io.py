"""Minimal safetensors reader/writer (numpy only).

Written here rather than depending on the `safetensors` package: Debian 12 does not ship it, and
the format is a few lines (8-byte little-endian header length, JSON header, raw little-endian
tensors). The Swift side (Sources/Restore/SafeTensorsWriter.swift and the future loader) uses the
same layout, so keeping the Python side this small makes the two easy to compare.
"""
import json
import struct

import numpy as np

_DTYPES = {
    "F32": np.float32, "F16": np.float16, "F64": np.float64,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U8": np.uint8, "BOOL": np.bool_,
}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def read_header(path):
    """Returns (header dict without __metadata__, metadata dict, data offset)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    return header, meta, 8 + n


def load(path, names=None, mmap=True):
    """Loads tensors as numpy arrays (memory-mapped by default: the feature files are ~50 MB).

    Returns (dict name -> array, metadata dict of str -> str).
    """
    header, meta, base = read_header(path)
    raw = np.memmap(path, dtype=np.uint8, mode="r") if mmap else np.fromfile(path, dtype=np.uint8)
    out = {}
    for name, info in header.items():
        if names is not None and name not in names:
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        arr = raw[base + start: base + end].view(dtype).reshape(info["shape"])
        out[name] = arr
    return out, meta


def save(path, tensors, metadata=None):
    """Writes a dict of numpy arrays (C order, little-endian) with string metadata.

    Tensors are written in sorted name order so that the same content gives the same bytes
    (reproducible exports, stable diffs of parity fixtures).
    """
    header = {}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        if arr.dtype not in _NAMES:
            raise TypeError(f"{name}: unsupported dtype {arr.dtype}")
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _NAMES[arr.dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    if metadata:
        bad = [k for k, v in metadata.items() if not isinstance(v, str)]
        if bad:
            raise TypeError(f"metadata values must be strings: {bad}")
        header["__metadata__"] = dict(sorted(metadata.items()))
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # align tensor data to 8 bytes, as the spec advises
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
