#!/usr/bin/env bash
# Soak: a live 720p30 RTSP camera (a second facerestored serving a test pattern with a tone) is
# killed and restarted at random moments while the daemon under test restores it to RTSP (with a
# client attached) and to recording segments. Prints every outage's recovery time, RSS and open
# descriptors over time, and checks every finished segment plays.
#   scripts/soak-restarts.sh [--short] [SECONDS] [RESTARTS]     (defaults 1800 s, 20 restarts;
#   --short: 120 s, 4 restarts). Needs a release build.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=1800; restarts=20
if [ "${1:-}" = "--short" ]; then seconds=120; restarts=4; shift; fi
seconds=${1:-$seconds}; restarts=${2:-$restarts}
bin=.build/release/facerestored
[ -x "$bin" ] || swift build -c release --product facerestored
dir=$(mktemp -d); cam=$((20000 + RANDOM % 10000)); out=$((cam + 1))
cat > "$dir/camera.yaml" <<YAML
source: "videotestsrc is-live=true pattern=ball ! video/x-raw,width=1280,height=720,framerate=30/1 ! identity audiotestsrc is-live=true wave=ticks ! audio/x-raw,rate=48000,channels=1 ! identity"
outputs:
  - rtsp: {port: $cam, path: /cam}
YAML
cat > "$dir/daemon.yaml" <<YAML
source: rtsp://soak:secret@127.0.0.1:$cam/cam
outputs:
  - rtsp: {port: $out, path: /out}
  - record: {directory: $dir/rec, segment_seconds: 10}
YAML
start_camera() { "$bin" run --config "$dir/camera.yaml" > "$dir/camera.log" 2>&1 & echo $!; }
camera=$(start_camera)
sleep 3
"$bin" run --config "$dir/daemon.yaml" > "$dir/daemon.log" 2>&1 &
daemon=$!
trap 'kill $daemon $camera $client 2>/dev/null; [ "${keep:-0}" = 1 ] && echo "kept $dir for inspection" || rm -rf "$dir"' EXIT
sleep 4
ffmpeg -v error -rtsp_transport tcp -i "rtsp://127.0.0.1:$out/out" -f null - > "$dir/client.log" 2>&1 &
client=$!
rss0=$(awk '/VmRSS/ {print $2}' /proc/$daemon/status); fd0=$(ls /proc/$daemon/fd | wc -l)
interval=$((seconds / (restarts + 1)))
worst=0; fails=0
for ((i = 1; i <= restarts; i++)); do
  sleep $((interval / 2 + RANDOM % (interval / 2 + 1)))
  kill -9 "$camera"; wait "$camera" 2>/dev/null
  sleep $((1 + RANDOM % 3))
  before=$(grep -c "streaming" "$dir/daemon.log")
  camera=$(start_camera)
  back=""
  for ((t = 0; t < 300; t++)); do
    [ -z "$back" ] && grep -q serving "$dir/camera.log" && back=$(date +%s.%N)
    if [ -n "$back" ] && [ "$(grep -c "streaming" "$dir/daemon.log")" -gt "$before" ]; then break; fi
    sleep 0.05
  done
  now=$(date +%s.%N)
  rec=$(echo "$now - ${back:-$now}" | bc)
  echo "restart $i: resumed $(printf %.2f "$rec") s after the camera's return; rss $(awk '/VmRSS/ {print $2}' /proc/$daemon/status) kB, fds $(ls /proc/$daemon/fd | wc -l)"
  worst=$(echo "if ($rec > $worst) $rec else $worst" | bc)
  [ "$(echo "$rec > 2" | bc)" = 1 ] && fails=$((fails + 1))
done
sleep 5
rss1=$(awk '/VmRSS/ {print $2}' /proc/$daemon/status); fd1=$(ls /proc/$daemon/fd | wc -l)
kill -TERM "$daemon"; wait "$daemon"; status=$?
bad=0; total=0
for f in "$dir"/rec/*; do
  total=$((total + 1))
  # Captured first: with pipefail, `| grep -q` would count discoverer's SIGPIPE as a failure.
  info=$(gst-discoverer-1.0 "$f" 2>&1)
  if [[ "$info" != *"video #"* ]]; then bad=$((bad + 1)); keep=1; echo "unplayable: $f ($(stat -c %s "$f") bytes)"; fi
done
grep -q secret "$dir/daemon.log" && echo "FAIL: a credential reached the log"
kill "$client" 2>/dev/null
echo "summary: $restarts restarts, worst recovery $(printf %.2f "$worst") s, $fails over 2 s; RSS $rss0 → $rss1 kB ($(( (rss1 - rss0) * 100 / rss0 )) %); fds $fd0 → $fd1; segments $total, unplayable $bad; exit status $status"
[ "$fails" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$status" -eq 0 ]
