#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and the benchmark, on a unix socket in a temporary
# directory only (listen_addresses=''): nothing listens on the network.
#
#   scripts/pg-test-cluster.sh start [DIR]   initdb + start; prints DIR (the socket directory)
#   scripts/pg-test-cluster.sh stop DIR      stop it and remove DIR
#   scripts/pg-test-cluster.sh halt DIR      stop the server, keep the data (tests: PostgreSQL down)
#   scripts/pg-test-cluster.sh resume DIR    start it again after `halt`
#   scripts/pg-test-cluster.sh url DIR       the URL to give --db / SWITCHBOARD_TEST_POSTGRES
#
# As root (CI), initdb and the server run as the `postgres` user, which owns DIR. Extra server
# settings: PG_TEST_SETTINGS="-c fsync=off ...".
set -euo pipefail

bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  echo "pg-test-cluster: initdb not found (install postgresql)" >&2
  exit 1
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

url() { echo "postgresql:///postgres?host=$1&user=postgres"; }

server_start() {
  local dir=$1 bin; bin=$(bindir)
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -c listen_addresses='' -c max_connections=400 -c dynamic_shared_memory_type=mmap ${PG_TEST_SETTINGS:-}" \
    start >/dev/null
  local i
  for i in $(seq 1 100); do
    as_owner "$bin/pg_isready" -q -h "$dir" -U postgres && return 0
    sleep 0.1
  done
  echo "pg-test-cluster: the server in $dir did not become ready; its log:" >&2
  tail -n 30 "$dir/server.log" >&2 || true
  return 1
}

case "${1:-}" in
  start)
    bin=$(bindir)
    dir=${2:-$(mktemp -d /tmp/sbpg.XXXXXX)}
    mkdir -p "$dir"
    chmod 0755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    if ! as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
      echo "pg-test-cluster: initdb failed; its output:" >&2
      cat "$dir/initdb.log" >&2
      exit 1
    fi
    server_start "$dir"
    echo "$dir"
    ;;
  halt)
    as_owner "$(bindir)/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
    ;;
  resume)
    server_start "$2"
    ;;
  stop)
    dir=${2:?usage: pg-test-cluster.sh stop DIR}
    [ -d "$dir/data" ] && as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    case "$dir" in /tmp/sbpg.*|/tmp/*) rm -rf "$dir" ;; esac
    ;;
  url)
    url "$2"
    ;;
  *)
    echo "usage: $0 start [DIR] | stop DIR | halt DIR | resume DIR | url DIR" >&2
    exit 2
    ;;
esac
