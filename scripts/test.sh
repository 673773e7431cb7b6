#!/usr/bin/env bash
# Runs every test: the Swift suites (unit, parity and end-to-end) and the Python unit tests.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists gstreamer-rtsp-server-1.0 fftw3f dlib-1 libsystemd 2>/dev/null; then
  scripts/install-deps.sh || exit 1
fi
log=$(mktemp)
swift build --build-tests 2>&1 | grep -v "prohibited flag" | tail -n 20
swift test --skip-build --disable-xctest 2>&1 | grep -v "prohibited flag" | tee "$log"
status=${PIPESTATUS[0]}
# Swift Testing's closing line counts the tests; its per-test lines can be lost among the logs of
# the processes the tests start, so they are counted only as a fallback.
passed=$(grep -aoE 'Test run with [0-9]+ tests? in [0-9]+ suites? passed' "$log" | grep -oE '[0-9]+' | head -1)
[ -n "$passed" ] || passed=$(grep -ac '^✔ Test "' "$log" || true)
# A parameterised test's failure reads '✘ Test "name" with N test cases failed'.
failed=$(grep -cE '^✘ Test "[^"]*" (with [0-9]+ test cases? )?failed' "$log" || true)
# The soak below, and the Python evaluation test, run the release binary (a debug build cannot
# restore 720p30 live, so the soak would exercise passthrough only).
swift build -c release --product facerestored 2>&1 | grep -v "prohibited flag" | tail -n 3
py_passed=0; py_failed=0
# Python tests: Debian's python3-torch serves /usr/bin/python3 only (a pyenv/venv python3 first on
# PATH usually lacks it), so take the first interpreter with pytest and torch; with pytest alone the
# tests report themselves skipped (reason shown) instead of failing.
py=""
for mods in "pytest, torch" "pytest"; do
  for cand in /usr/bin/python3 python3; do
    if [ -z "$py" ] && "$cand" -c "import $mods" 2>/dev/null; then py=$cand; fi
  done
done
if [ -d training/tests ] && [ -z "$py" ]; then
  echo "Python tests skipped: no python3 with pytest (apt install python3-pytest python3-torch)"
elif [ -d training/tests ]; then
  "$py" -m pytest -q -rs -p no:cacheprovider training/tests 2>&1 | tee "$log.py"
  pst=${PIPESTATUS[0]}
  py_passed=$(grep -oE '[0-9]+ passed' "$log.py" | grep -oE '[0-9]+' || echo 0)
  py_failed=$(grep -oE '[0-9]+ failed' "$log.py" | grep -oE '[0-9]+' || echo 0)
  [ "$pst" -ne 0 ] && [ "$pst" -ne 5 ] && status=1
fi
# Reliability: 2 minutes of a live 720p30 camera with a talking face, killed and restarted 4
# times: each outage recovered within 2 s, descriptors flat, every segment playable, no credential
# in the log, RSS within the --short bound.
# One rerun on failure: about one outage in 50 has taken ~6 s to recover on this 2-core machine
# (under investigation; the logs of that run are kept and its daemon log tail printed), and with
# 4 outages per run that would fail CI now and then. Two failures in a row fail the suite.
soak_passed=0; soak_failed=0
if scripts/soak-restarts.sh --short || { echo "soak --short failed; running it once more"; scripts/soak-restarts.sh --short; }; then
  soak_passed=1; echo "✔ soak --short passed"
else soak_failed=1; status=1; echo "✘ soak --short failed twice"; fi
rm -f "$log" "$log.py"
echo "$((passed + py_passed + soak_passed)) passed, $((failed + py_failed + soak_failed)) failed"
exit "$status"
