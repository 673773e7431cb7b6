#!/usr/bin/env bash
# Long-run leak check of the streaming core: a live 640×360@30 test source with audio through
# the passthrough slot to RTSP and to a recording, with an RTSP client attached. Prints resident
# memory and open file descriptors over time and the growth between the first and last sample.
# Usage: scripts/soak-passthrough.sh [SECONDS]   (default 120; needs a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
bin=.build/release/facerestored
[ -x "$bin" ] || swift build -c release --product facerestored
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
cat > "$dir/soak.yaml" <<YAML
source: "videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=30/1 ! identity audiotestsrc is-live=true wave=ticks ! audio/x-raw,rate=48000,channels=1 ! identity"
outputs:
  - rtsp: {port: $port, path: /soak}
  - record: {directory: $dir/rec, segment_seconds: 10}
YAML
"$bin" run --config "$dir/soak.yaml" 2> "$dir/daemon.log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
sleep 3
timeout $((seconds + 10)) ffmpeg -v error -rtsp_transport tcp -i "rtsp://127.0.0.1:$port/soak" -f null - &
client=$!
first_rss=""; first_fd=""
for ((t = 0; t <= seconds; t += 10)); do
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  fds=$(ls /proc/$pid/fd | wc -l)
  [ -z "$first_rss" ] && [ "$t" -ge 20 ] && first_rss=$rss && first_fd=$fds
  echo "t=${t}s rss=${rss} kB fds=${fds}"
  sleep 10
done
kill -TERM $pid; wait $pid || true
kill $client 2>/dev/null || true
echo "RSS growth after warm-up: $(( (rss - first_rss) * 100 / first_rss )) % (${first_rss} → ${rss} kB); fds ${first_fd} → ${fds}"
echo "segments: $(ls "$dir/rec" | wc -l), last log line: $(tail -1 "$dir/daemon.log")"
