#!/usr/bin/env bash
# make bench-floor: installs gcc, wrk and nginx-light when missing, then bench/floor/run.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-packages.sh gcc wrk nginx-light
exec python3 bench/floor/run.py "$@"
