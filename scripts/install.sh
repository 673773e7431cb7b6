#!/usr/bin/env bash
# Installs facerestored system-wide: the binary, the systemd unit template, the sample clip and
# an example camera config. Run as root after `swift build -c release`.
#   sudo scripts/install.sh [PREFIX]        (default PREFIX=/usr/local)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
[ -x .build/release/facerestored ] || swift build -c release --product facerestored
install -D -m 0755 .build/release/facerestored "$prefix/bin/facerestored"
install -D -m 0644 systemd/facerestored@.service /etc/systemd/system/facerestored@.service
sed -i "s#/usr/local/bin/facerestored#$prefix/bin/facerestored#" /etc/systemd/system/facerestored@.service
install -d -m 0755 /etc/facerestored "$prefix/share/facerestored/data" "$prefix/share/doc/facerestored"
install -m 0644 data/grid_bbaf2n.mpg data/SOURCES.md "$prefix/share/facerestored/data/"
install -m 0644 README.md "$prefix/share/doc/facerestored/"
if [ -d models ] && ls models/*.safetensors >/dev/null 2>&1; then
  install -d -m 0755 "$prefix/share/facerestored/models"
  install -m 0644 models/*.safetensors "$prefix/share/facerestored/models/"
fi
[ -e /etc/facerestored/example.yaml ] || install -m 0640 pipelines/rtsp-camera.yaml /etc/facerestored/example.yaml
command -v systemctl >/dev/null && systemctl daemon-reload 2>/dev/null || true
echo "installed. Copy /etc/facerestored/example.yaml to /etc/facerestored/<camera>.yaml, edit it, then:"
echo "  systemctl enable --now facerestored@<camera>"
