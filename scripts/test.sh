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
passed=$(grep -c '^✔ Test "' "$log" || true)
failed=$(grep -c '^✘ Test "[^"]*" failed' "$log" || true)
py_passed=0; py_failed=0
if [ -d training/tests ] && python3 -c "import pytest" 2>/dev/null; then
  python3 -m pytest -q training/tests 2>&1 | tee "$log.py"
  pst=${PIPESTATUS[0]}
  py_passed=$(grep -oE '[0-9]+ passed' "$log.py" | grep -oE '[0-9]+' || echo 0)
  py_failed=$(grep -oE '[0-9]+ failed' "$log.py" | grep -oE '[0-9]+' || echo 0)
  [ "$pst" -ne 0 ] && [ "$pst" -ne 5 ] && status=1
fi
rm -f "$log" "$log.py"
echo "$((passed + py_passed)) passed, $((failed + py_failed)) failed"
exit "$status"
