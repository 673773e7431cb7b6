"""Writes reference.safetensors with Hugging Face's own `safetensors` package (pip install
safetensors numpy), so the Swift reader is checked against a writer no one here wrote.
Values are small and exactly representable in every dtype used."""
import json
import numpy as np
from safetensors.numpy import save_file

tensors = {
    "f32": np.array([[1.5, -2.25, 0.0], [3.0, 1e-3, -7.75]], dtype=np.float32),
    "f16": np.array([0.5, -1.25, 2048.0, 6.1035156e-05], dtype=np.float16),
    "i64": np.array([1, -2, 3_000_000_000], dtype=np.int64),
    "u8": np.arange(7, dtype=np.uint8),
    "empty": np.zeros((0, 4), dtype=np.float32),
}
save_file(tensors, "reference.safetensors", metadata={"profile": "fixture", "note": "made by safetensors.numpy"})
with open("reference.json", "w") as f:
    json.dump({k: {"shape": list(v.shape), "values": v.astype(np.float64).ravel().tolist()} for k, v in tensors.items()}, f, indent=1)
