#!/usr/bin/env bash
# The engine against the BLAS roofline and against PyTorch, in one run, same weights, same
# thread count:  scripts/bench-engine.sh [MODEL=models/realtime.safetensors] [THREADS=1]
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-models/realtime.safetensors}"
threads="${2:-1}"
bin=.build/release/facerestored
[ -x "$bin" ] || swift build -c release --product facerestored
swift_out=$("$bin" bench engine --model "$model" --threads "$threads" --iterations 50)
echo "$swift_out"
torch_out=$(/usr/bin/python3 training/bench_torch.py "$model" --threads "$threads" --iterations 30)
echo "$torch_out"
swift_ms=$(echo "$swift_out" | sed -n 's/.*per_face_frame_ms=\([0-9.]*\).*/\1/p')
torch_ms=$(echo "$torch_out" | sed -n 's/.*torch_ms_per_face_frame=\([0-9.]*\).*/\1/p')
python3 -c "print(f'speedup_vs_pytorch={float(\"$torch_ms\") / float(\"$swift_ms\"):.2f}  (PyTorch {float(\"$torch_ms\"):.2f} ms / Swift {float(\"$swift_ms\"):.2f} ms per face-frame, $threads thread(s))')"
