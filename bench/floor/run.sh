#!/usr/bin/env bash
# make bench-floor: installs gcc, wrk and nginx-light when missing, then bench/floor/run.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=""
for p in gcc wrk nginx-light; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
exec python3 bench/floor/run.py "$@"
