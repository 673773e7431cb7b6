#!/usr/bin/env bash
# Soak: a live 720p30 RTSP camera showing a talking face (a second facerestored serving the shipped
# clip, looped and scaled to 720p, at its frame rate) is killed and restarted at random moments
# while the daemon under test restores it to RTSP (with a client attached) and to recording
# segments. Prints every outage's recovery time, RSS and open descriptors over time, and checks
# every finished segment plays.
#   scripts/soak-restarts.sh [--short] [SECONDS] [RESTARTS]     (defaults 1800 s, 20 restarts;
#   --short: 120 s, 4 restarts). Needs a release build and ffmpeg.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=1800; restarts=20
if [ "${1:-}" = "--short" ]; then seconds=120; restarts=4; shift; fi
seconds=${1:-$seconds}; restarts=${2:-$restarts}
bin=.build/release/facerestored
[ -x "$bin" ] || swift build -c release --product facerestored
dir=$(mktemp -d); cam=$((20000 + RANDOM % 10000)); out=$((cam + 1))
interval=$((seconds / (restarts + 1)))
# The camera plays the file from the start after each restart; it must outlast the longest
# stretch between two kills (interval + 3 s), or its end would be one more outage.
ffmpeg -v error -y -stream_loop $(( (interval + 30) / 3 + 1 )) -i data/grid_bbaf2n.mpg \
  -filter_complex "[0:v]scale=-2:720:flags=bicubic,pad=1280:720:(ow-iw)/2:0,fps=30[v]" -map "[v]" -map 0:a \
  -t $((interval + 30)) -c:v libx264 -preset veryfast -crf 23 -g 30 -c:a aac -ar 48000 "$dir/face720.mkv" \
  || { echo "ffmpeg could not build the camera's clip; run scripts/install-deps.sh"; exit 1; }
# identity sync=true paces the file at its frame rate, as a camera delivers it; `model: none`
# keeps the camera's own CPU low (it only serves the picture).
cat > "$dir/camera.yaml" <<YAML
source: "filesrc location=$dir/face720.mkv ! matroskademux name=d d.video_0 ! queue ! h264parse ! avdec_h264 ! identity sync=true d.audio_0 ! queue ! aacparse ! avdec_aac ! identity sync=true"
live: true
model: none
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
trap 'kill $daemon $camera $client $sampler 2>/dev/null; [ "${keep:-0}" = 1 ] && echo "kept $dir for inspection" || rm -rf "$dir"' EXIT
sleep 4
ffmpeg -v error -rtsp_transport tcp -i "rtsp://127.0.0.1:$out/out" -f null - > "$dir/client.log" 2>&1 &
client=$!
# RSS swings by about ±5 % from second to second in a steady stream (frame queues, encoder
# lookahead), so growth is the median of the last minute against the median of the first.
( while kill -0 "$daemon" 2>/dev/null; do
    echo "$(awk '/VmRSS/ {print $2}' /proc/$daemon/status 2>/dev/null) $(ls /proc/$daemon/fd 2>/dev/null | wc -l)"
    sleep 1
  done > "$dir/samples" ) &
sampler=$!
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
window=$(( seconds / 10 < 60 ? seconds / 10 : 60 ))
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
rss0=$(head -n "$window" "$dir/samples" | cut -d' ' -f1 | median)
rss1=$(tail -n "$window" "$dir/samples" | cut -d' ' -f1 | median)
fd0=$(head -n "$window" "$dir/samples" | cut -d' ' -f2 | sort -n | tail -1)
fd1=$(tail -n "$window" "$dir/samples" | cut -d' ' -f2 | sort -n | tail -1)
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
# Each session's summary line says how many face-frames it restored.
restored=$(grep -o "restored [0-9]* face-frames" "$dir/daemon.log" | awk '{s += $2} END {print s + 0}')
growth=$(echo "scale=1; ($rss1 - $rss0) * 100 / $rss0" | bc)
echo "summary: $restarts restarts, worst recovery $(printf %.2f "$worst") s, $fails over 2 s; RSS (median of the first/last $window s) $rss0 → $rss1 kB ($growth %); fds (max) $fd0 → $fd1; segments $total, unplayable $bad; $restored face-frames restored; exit status $status"
rss_ok=$(echo "$growth <= 5" | bc)
[ "$rss_ok" = 1 ] || echo "FAIL: resident memory grew by more than 5 %"
[ "$fd1" -le "$fd0" ] || echo "FAIL: open descriptors grew"
[ "$fails" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$status" -eq 0 ] && [ "$rss_ok" = 1 ] && [ "$fd1" -le "$fd0" ]
