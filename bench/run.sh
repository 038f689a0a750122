#!/usr/bin/env bash
# make bench: installs wrk and nginx-light when missing, builds release as deployed, runs bench/bench.py
# and bench/postgres.py.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh wrk nginx-light
# As deployed (Dockerfile, service install): release, Swift runtime linked in.
swift build -c release --static-swift-stdlib --product switchboard
python3 bench/bench.py "$@"
# Three instances on one PostgreSQL against pgbench (a throwaway cluster on a unix socket).
exec python3 bench/postgres.py
