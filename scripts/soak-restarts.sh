#!/usr/bin/env bash
# Soak: a live 720p30 RTSP camera showing a talking face (a second facerestored serving the shipped
# clip, looped and scaled to 720p, at its frame rate) is killed and restarted at random moments
# while the daemon under test restores it to RTSP (with a client attached) and to recording
# segments. Prints every outage's recovery time, RSS and open descriptors over time, and checks
# every finished segment plays.
#   scripts/soak-restarts.sh [--short] [SECONDS] [RESTARTS]     (defaults 1800 s, 20 restarts;
#   --short: 120 s, 4 restarts). Needs ffmpeg and a release build, or FACERESTORED_BIN=path.
# RSS while streaming may grow by 5 %, by two measures (outages and each session's first 10 s left
# out, see below): the median of the last minute against the first, and the least-squares trend
# over every settled sample from the run's first to its last. --short allows 20 %: two minutes
# are too short to resolve 5 %, but a pipeline leaked per restart (tens of MB each) still fails.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=1800; restarts=20; rss_limit=5
if [ "${1:-}" = "--short" ]; then seconds=120; restarts=4; rss_limit=20; shift; fi
seconds=${1:-$seconds}; restarts=${2:-$restarts}
bin=${FACERESTORED_BIN:-.build/release/facerestored}
[ -x "$bin" ] || swift build -c release --product facerestored
keep=${SOAK_KEEP:-0}  # SOAK_KEEP=1 keeps the logs and samples
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
# RSS is two different things over a soak: while a session streams it swings by ±10 % (frame
# queues, encoder lookahead, the periodic trim) after a ~10-second ramp, and between sessions,
# with everything released and trimmed, it falls to a floor. A window that mixes the two measures
# where the outages fell rather than growth. So each sample is labelled: `settled` (streaming for
# 10 s or more), `ramp`, or `down` (camera killed, not yet resumed); growth compares settled
# samples only, and the floors of the first and last outage are reported beside it. Settled
# levels still differ by ±3 % from one session to the next (how many frames are in flight,
# which malloc arena each session's new threads get), so one minute against another measures
# which sessions they fell in; a leak is a trend, which the fitted line over all settled
# samples (~25 minutes of them) shows. Both must stay within the limit.
state() { echo "$1 $(date +%s) $2" > "$dir/state.tmp"; mv "$dir/state.tmp" "$dir/state"; }
for ((t = 0; t < 200; t++)); do grep -q streaming "$dir/daemon.log" && break; sleep 0.1; done
state up 0
( while kill -0 "$daemon" 2>/dev/null; do
    read -r what since n < "$dir/state"
    label=$what
    [ "$what" = up ] && label=$([ $(( $(date +%s) - since )) -ge 10 ] && echo settled || echo ramp)
    # RSS, descriptors, RSS of anonymous memory and of mapped files (library code paged in on
    # first use: bounded, not a leak), label, session or outage number.
    read -r rss anon file < <(awk '/^(VmRSS|RssAnon|RssFile):/ {v[$1] = $2} END {print v["VmRSS:"], v["RssAnon:"], v["RssFile:"]}' /proc/$daemon/status 2>/dev/null)
    echo "$rss $(ls /proc/$daemon/fd 2>/dev/null | wc -l) $anon $file $label $n"
    sleep 1
  done > "$dir/samples" ) &
sampler=$!
began=$(date +%s)
worst=0; fails=0
for ((i = 1; i <= restarts; i++)); do
  sleep $((interval / 2 + RANDOM % (interval / 2 + 1)))
  state down "$i"
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
  state up "$i"
  rec=$(echo "$now - ${back:-$now}" | bc)
  echo "restart $i: resumed $(printf %.2f "$rec") s after the camera's return; rss $(awk '/VmRSS/ {print $2}' /proc/$daemon/status) kB, fds $(ls /proc/$daemon/fd | wc -l)"
  worst=$(echo "if ($rec > $worst) $rec else $worst" | bc)
  if [ "$(echo "$rec > 2" | bc)" = 1 ]; then
    fails=$((fails + 1)); keep=1
    echo "slow recovery; the daemon's last log lines:"; tail -n 8 "$dir/daemon.log" | cut -c1-300
  fi
done
# Run the full duration, with at least 40 s after the last restart (30 s of it settled).
left=$(( seconds - ($(date +%s) - began) )); sleep $(( left > 40 ? left : 40 ))
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
grep ' settled ' "$dir/samples" > "$dir/settled"
n=$(wc -l < "$dir/settled")
window=$(( n / 4 < 60 ? n / 4 : 60 ))
col() { cut -d' ' -f"$1" | median; }
rss0=$(head -n "$window" "$dir/settled" | col 1); rss1=$(tail -n "$window" "$dir/settled" | col 1)
fd0=$(head -n "$window" "$dir/settled" | col 2); fd1=$(tail -n "$window" "$dir/settled" | col 2)
anon0=$(head -n "$window" "$dir/settled" | col 3); anon1=$(tail -n "$window" "$dir/settled" | col 3)
file0=$(head -n "$window" "$dir/settled" | col 4); file1=$(tail -n "$window" "$dir/settled" | col 4)
floor() { awk -v n="$1" '$5 == "down" && $6 == n {print $1}' "$dir/samples" | sort -n | head -1; }
floor0=$(floor 1); floor1=$(floor "$restarts")
kill -TERM "$daemon"; wait "$daemon"; status=$?
bad=0; total=0
for f in "$dir"/rec/*; do
  total=$((total + 1))
  # Captured first: with pipefail, `| grep -q` would count discoverer's SIGPIPE as a failure.
  info=$(gst-discoverer-1.0 "$f" 2>&1)
  if [[ "$info" != *"video #"* ]]; then bad=$((bad + 1)); keep=1; echo "unplayable: $f ($(stat -c %s "$f") bytes)"; fi
done
cred_ok=1
grep -q secret "$dir/daemon.log" && { cred_ok=0; keep=1; echo "FAIL: a credential reached the log"; }
kill "$client" 2>/dev/null
# Each session's summary line says how many face-frames it restored.
restored=$(grep -o "restored [0-9]* face-frames" "$dir/daemon.log" | awk '{s += $2} END {print s + 0}')
minutes=$(echo "scale=1; ($rss1 - $rss0) * 100 / $rss0" | bc)
# Least-squares line of settled RSS against the sample's second (its line in `samples`).
read -r trend0 trend1 < <(awk '$5 == "settled" {n++; x = NR; y = $1; sx += x; sy += y; sxx += x * x; sxy += x * y; if (n == 1) x0 = x; x1 = x}
  END {b = (n * sxy - sx * sy) / (n * sxx - sx * sx); a = (sy - b * sx) / n; printf "%d %d\n", a + b * x0, a + b * x1}' "$dir/samples")
growth=$(echo "scale=1; ($trend1 - $trend0) * 100 / $trend0" | bc)
echo "summary: $restarts restarts, worst recovery $(printf %.2f "$worst") s, $fails over 2 s; RSS streaming trend (least squares over $n settled samples) $trend0 → $trend1 kB ($growth %), median of the first/last $window settled samples $rss0 → $rss1 kB ($minutes %; anonymous $anon0 → $anon1, files $file0 → $file1), between sessions (floor of outage 1 / $restarts) ${floor0:-?} → ${floor1:-?} kB; fds (median) $fd0 → $fd1; segments $total, unplayable $bad; $restored face-frames restored; exit status $status"
rss_ok=$(echo "$growth <= $rss_limit && $minutes <= $rss_limit" | bc)
[ "$rss_ok" = 1 ] || echo "FAIL: resident memory grew by more than $rss_limit %"
[ "$fd1" -le "$fd0" ] || echo "FAIL: open descriptors grew"
[ "$fails" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$status" -eq 0 ] && [ "$rss_ok" = 1 ] && [ "$fd1" -le "$fd0" ] && [ "$cred_ok" = 1 ]
