#!/usr/bin/env bash
# One PostgreSQL 15 server in a directory of its own, for the cluster's
# tests and scripts/cluster.sh. As root it runs as the `postgres` user
# (initdb refuses root).
#
#   scripts/pg-node.sh start DIR [PORT]   create DIR/data if missing, start;
#                                         prints the libpq conninfo
#   scripts/pg-node.sh stop DIR           stop it (fast shutdown)
#   scripts/pg-node.sh kill DIR           SIGKILL the postmaster (tests)
#
# It listens on a Unix socket in DIR and, when PORT is given, on
# 127.0.0.1:PORT. Needs postgresql-15: scripts/install-deps.sh cluster.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
cmd=${1:-}
dir=${2:-}
port=${3:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
if [ ! -x "$bin/initdb" ]; then
  echo "pg-node: $bin/initdb not found: run scripts/install-deps.sh cluster" >&2
  exit 1
fi

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/data" -A trust -U cradle --no-sync \
        -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    listen="''"
    [ -n "$port" ] && listen=127.0.0.1
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses=$listen -p ${port:-5432}" start \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "host=$dir port=${port:-5432} user=cradle dbname=postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  kill)
    pid=$(head -1 "$dir/data/postmaster.pid")
    children=$(pgrep -P "$pid" || true)
    kill -9 "$pid"
    # Until it and its backends are gone, a new postmaster would refuse the
    # data directory (its lock file, its shared memory still in use).
    for p in $pid $children; do
      for _ in $(seq 100); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
      done
    done
    ;;
  *)
    echo "pg-node: unknown command $cmd (start, stop, kill)" >&2
    exit 2
    ;;
esac
