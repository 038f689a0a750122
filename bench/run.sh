#!/usr/bin/env bash
# make bench: installs wrk and nginx-light when missing, builds release as deployed, runs bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=""
for p in wrk nginx-light; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
# As deployed (Dockerfile, service install): release, Swift runtime linked in.
swift build -c release --static-swift-stdlib --product switchboard
exec python3 bench/bench.py "$@"
