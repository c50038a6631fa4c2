#!/usr/bin/env bash
# Embedded vs a three-node cluster, in one run: starts a throwaway province
# with scripts/cluster.sh (three etcd, three PostgreSQL under Patroni in
# synchronous mode, three cradled) on ports of its own, then runs e2e_bench
# against an embedded cradled, the cluster's writer node and a follower, and
# has a fresh node join the log to measure its catch-up; a national node
# (cluster.sh up --nation) follows the province meanwhile, and how far it
# lags the writer under load is sampled. Stops and removes the cluster at
# the end.
#
#   bench/cluster_bench.sh [SECONDS] [CLIENTS]     (defaults: 5, 1,16,64)
#
# Everything runs on this machine: the cluster's nine processes share its
# cores with the embedded server and the clients (docs/BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
clients=${2:-1,16,64}
bin=${CRADLE_BIN:-build}

scripts/install-deps.sh cluster
if [ -z "${CRADLE_BIN:-}" ]; then
  scripts/build.sh build cradled cradlectl e2e_bench -- \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRADLE_BUILD_BENCH=ON
fi
export CRADLE_CLUSTER_DIR=${CRADLE_CLUSTER_DIR:-/tmp/cradle-bench-cluster}
export CRADLE_CLUSTER_PORT=${CRADLE_CLUSTER_PORT:-7900}
export CRADLE_BIN=$bin
trap 'scripts/cluster.sh clean >/dev/null 2>&1 || true' EXIT
scripts/cluster.sh clean >/dev/null 2>&1 || true
scripts/cluster.sh up --nation >/dev/null

status=$(scripts/cluster.sh status)
writer=$(sed -n 's/^cradled [0-9]* *writer (\([^)]*\)).*/\1/p' <<<"$status")
follower=$(sed -n 's/^cradled [0-9]* *follower (\([^)]*\)).*/\1/p' <<<"$status" | head -1)
if [ -z "$writer" ] || [ -z "$follower" ]; then
  echo "cluster_bench: no writer and follower in:" >&2
  echo "$status" >&2
  exit 1
fi
token=$(ls "$CRADLE_CLUSTER_DIR"/node[1-3]/admin.token | head -1)
log=$(scripts/cluster.sh conninfo)
"$bin/bench/e2e_bench" --seconds="$seconds" --clients="$clients" \
  --cluster="$writer,$follower" --cluster_token="$token" --cluster_log="$log" \
  --national="127.0.0.1:$((CRADLE_CLUSTER_PORT + 9))" \
  --national_token="$CRADLE_CLUSTER_DIR/national/admin.token"
