#!/usr/bin/env bash
# A province on loopback, as docs/CLUSTER.md describes it: three etcd
# members, three PostgreSQL 15 servers run by Patroni (synchronous mode,
# strict: a commit returns once a standby has it too), and three cradled
# nodes over the province's log, a front that relays to them, and the
# deadline sweeper apart (docs/CLUSTER.md, "Roles"). Everything from
# Debian's packages.
#
#   scripts/cluster.sh up        install what is missing, build, start all
#   scripts/cluster.sh up --nation   also a second province (32, one node,
#                                its own log table in the same database),
#                                the national node following both, and
#                                calls across the two provinces (both
#                                read DIR/federation.txt)
#   scripts/cluster.sh status    each process, who writes, each node's head
#   scripts/cluster.sh down      stop everything (data stays in DIR)
#   scripts/cluster.sh kill-node N   SIGKILL cradled N (1..3), for trials
#   scripts/cluster.sh kill-db N     SIGKILL Patroni and PostgreSQL N
#   scripts/cluster.sh start-node N / start-db N   start one again
#   scripts/cluster.sh conninfo  the log's libpq conninfo, for another node
#   scripts/cluster.sh clean     down, then remove DIR
#
# DIR is $CRADLE_CLUSTER_DIR (default ./cradle-cluster). Ports from
# $CRADLE_CLUSTER_PORT (default 7700): cradled 7701-7703, the front 7708,
# the sweeper's health 7710, PostgreSQL 7741-7743, Patroni's REST API
# 7751-7753, etcd 7761-7763 (peers 7771-7773); with --nation, province 32's
# node 7704 and the national node 7709.
# cradled's binaries: $CRADLE_BIN (default build/, built here). Patroni's
# log level: $CRADLE_PATRONI_LOG (default WARNING; INFO names every
# promotion and synchronous standby), in DIR/patroniN-log.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=$(realpath -m "${CRADLE_CLUSTER_DIR:-cradle-cluster}")
base=${CRADLE_CLUSTER_PORT:-7700}
bin=${CRADLE_BIN:-build}
n=3
pgbin=/usr/lib/postgresql/15/bin

usage() { sed -n '2,28p' "$0" >&2; exit 2; }
# Runs a command as the postgres user (PostgreSQL refuses root), in this
# process: exec, so that $! is the command's own pid.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    exec setpriv --reuid=postgres --regid=postgres --init-groups \
      env HOME=/var/lib/postgresql "$@"
  fi
  exec "$@"
}
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
node_addr() { echo "127.0.0.1:$((base + $1))"; }
conninfo() {
  echo "host=127.0.0.1,127.0.0.1,127.0.0.1 port=$((base + 41)),$((base + 42)),$((base + 43)) user=cradle dbname=postgres target_session_attrs=read-write"
}
etcd_hosts() {
  echo "127.0.0.1:$((base + 61)),127.0.0.1:$((base + 62)),127.0.0.1:$((base + 63))"
}

start_etcd() {
  local i=$1 cluster=""
  for j in $(seq $n); do
    cluster+="e$j=http://127.0.0.1:$((base + 70 + j)),"
  done
  alive "$dir/etcd$i.pid" && return 0
  etcd --name "e$i" --data-dir "$dir/etcd$i" --enable-v2=true \
    --listen-client-urls "http://127.0.0.1:$((base + 60 + i))" \
    --advertise-client-urls "http://127.0.0.1:$((base + 60 + i))" \
    --listen-peer-urls "http://127.0.0.1:$((base + 70 + i))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((base + 70 + i))" \
    --initial-cluster "${cluster%,}" --initial-cluster-state new \
    --initial-cluster-token cradle >"$dir/etcd$i.log" 2>&1 &
  echo $! >"$dir/etcd$i.pid"
}

patroni_config() {
  local i=$1
  cat <<EOF
scope: cradle
namespace: /cradle/
name: pg$i
log: {level: ${CRADLE_PATRONI_LOG:-WARNING}, dir: $dir/patroni$i-log}
restapi:
  listen: 127.0.0.1:$((base + 50 + i))
  connect_address: 127.0.0.1:$((base + 50 + i))
etcd:
  hosts: $(etcd_hosts)
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 0
    synchronous_mode: true
    synchronous_mode_strict: true
    postgresql:
      use_pg_rewind: true
      parameters:
        synchronous_commit: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
  initdb: [{encoding: UTF8}, {locale: C}]
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$((base + 40 + i))
  connect_address: 127.0.0.1:$((base + 40 + i))
  data_dir: $dir/pg$i
  bin_dir: $pgbin
  pgpass: $dir/pgpass$i
  authentication:
    superuser: {username: cradle, password: cradle}
    replication: {username: replicator, password: replicator}
  parameters:
    unix_socket_directories: $dir
  # Written at every start, not only at initdb: a Patroni killed while it
  # restored its files after pg_rewind left an empty one, and PostgreSQL
  # then refuses to start until it is mended.
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
EOF
}

start_db() {
  local i=$1
  alive "$dir/patroni$i.pid" && return 0
  mkdir -p "$dir/patroni$i-log"
  patroni_config "$i" >"$dir/patroni$i.yml"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir/patroni$i.yml" "$dir/patroni$i-log"
  (as_pg patroni "$dir/patroni$i.yml") >"$dir/patroni$i.out" 2>&1 &
  echo $! >"$dir/patroni$i.pid"
}

# With --nation: the directory of provinces (docs/CLUSTER.md, "Calls
# across provinces") the nodes of both provinces read.
federation_flags() {
  [ -f "$dir/federation.txt" ] &&
    echo "--province $1 --provinces-file $dir/federation.txt"
  return 0
}

# The nodes sweep only when asked: the sweeper apart asks.
start_node() {
  local i=$1
  alive "$dir/node$i.pid" && return 0
  # shellcheck disable=SC2046
  "$bin/services/cradled" --data "$dir/node$i" --listen "$(node_addr "$i")" \
    --insecure --cluster-log "$(conninfo)" --sweep-interval 0 \
    --signing-key "$dir/province-signing-key.pem" $(federation_flags 33) \
    >>"$dir/node$i.log" 2>&1 &
  echo $! >"$dir/node$i.pid"
}

# The front: one address for clients, relaying to whichever node serves.
start_front() {
  alive "$dir/front.pid" && return 0
  "$bin/services/cradled" --front "$(node_addr 1),$(node_addr 2),$(node_addr 3)" \
    --listen "$(node_addr 8)" --insecure >>"$dir/front.log" 2>&1 &
  echo $! >"$dir/front.pid"
}

# The deadline sweeper, asking through the front once a minute.
start_sweeper() {
  alive "$dir/sweeper.pid" && return 0
  local token
  token=$(ls "$dir"/node[1-3]/admin.token | head -1)
  "$bin/services/cradled" --sweeper "$(node_addr 8)" --sweeper-token-file "$token" \
    --sweep-interval 60s --listen "$(node_addr 10)" --insecure \
    >>"$dir/sweeper.log" 2>&1 &
  echo $! >"$dir/sweeper.pid"
}

# The raw Ed25519 public key of a PEM private key, as 64 hex digits.
public_key_hex() {
  openssl pkey -in "$1" -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n'
}

make_key() {
  [ -f "$1" ] || (umask 077 && openssl genpkey -algorithm ed25519 -out "$1")
}

# Province 32: one node over its own table, with its own key.
start_province2() {
  alive "$dir/node4.pid" && return 0
  make_key "$dir/province-32-signing-key.pem"
  # shellcheck disable=SC2046
  "$bin/services/cradled" --data "$dir/node4" --listen "$(node_addr 4)" \
    --insecure --cluster-log "$(conninfo)" --cluster-table cradle_log_32 \
    --signing-key "$dir/province-32-signing-key.pem" $(federation_flags 32) \
    >>"$dir/node4.log" 2>&1 &
  echo $! >"$dir/node4.pid"
}

# The directory of provinces: 33 (the three nodes) and 32.
write_federation() {
  make_key "$dir/province-32-signing-key.pem"
  {
    echo "# code  public key  nodes"
    echo "33 $(public_key_hex "$dir/province-signing-key.pem") $(node_addr 1),$(node_addr 2),$(node_addr 3)"
    echo "32 $(public_key_hex "$dir/province-32-signing-key.pem") $(node_addr 4)"
  } >"$dir/federation.txt"
}

# The national node, following province 33 (the first) and 32.
start_national() {
  alive "$dir/national.pid" && return 0
  {
    echo "# code  log table  public key  conninfo"
    echo "33 cradle_log $(public_key_hex "$dir/province-signing-key.pem") $(conninfo)"
    echo "32 cradle_log_32 $(public_key_hex "$dir/province-32-signing-key.pem") $(conninfo)"
  } >"$dir/provinces.txt"
  "$bin/services/cradled" --data "$dir/national" --listen "$(node_addr 9)" \
    --insecure --national "$dir/provinces.txt" >>"$dir/national.log" 2>&1 &
  echo $! >"$dir/national.pid"
}

# The primary's index (1..n) as Patroni's REST API says, or nothing.
primary() {
  for i in $(seq $n); do
    if curl -fs -o /dev/null "http://127.0.0.1:$((base + 50 + i))/primary"; then
      echo "$i"
      return
    fi
  done
}

has_primary() { [ -n "$(primary)" ]; }

wait_for() {  # SECONDS WHAT COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq $((seconds * 4))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "cluster: $what did not happen within ${seconds}s (logs in $dir)" >&2
  return 1
}

up() {
  scripts/install-deps.sh cluster
  if [ -z "${CRADLE_BIN:-}" ]; then
    scripts/build.sh build cradled cradlectl -- -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCRADLE_BUILD_TESTS=OFF
  fi
  mkdir -p "$dir"
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  echo "cluster: etcd ×$n"
  for i in $(seq $n); do start_etcd "$i"; done
  wait_for 30 "etcd's health" etcdctl --endpoints "$(etcd_hosts)" endpoint health
  echo "cluster: PostgreSQL ×$n under Patroni (synchronous mode, strict)"
  for i in $(seq $n); do start_db "$i"; done
  wait_for 120 "a PostgreSQL primary" has_primary
  # One signing key for the province: every node's tree heads verify
  # against its public key.
  make_key "$dir/province-signing-key.pem"
  [ "${1:-}" = "--nation" ] && write_federation
  echo "cluster: cradled ×$n, a front, the sweeper"
  for i in $(seq $n); do start_node "$i"; done
  wait_for 60 "a writer" compgen -G "$dir/node[1-3]/admin.token"
  start_front
  start_sweeper
  if [ "${1:-}" = "--nation" ]; then
    echo "cluster: province 32 (one node), the national node"
    start_province2
    wait_for 60 "province 32's writer" test -f "$dir/node4/admin.token"
    start_national
    wait_for 30 "the national node" test -f "$dir/national/admin.token"
  fi
  status
  local token
  token=$(ls "$dir"/node[1-3]/admin.token | head -1)
  echo
  echo "Any node serves any call, and the front relays to them, e.g.:"
  echo "  $bin/clients/cradlectl --server $(node_addr 8) --insecure --token-file $token credential list"
  echo "Try: scripts/cluster.sh kill-node N, kill-db N, status; down stops it."
  if alive "$dir/national.pid"; then
    echo "The nation: $bin/clients/cradlectl --server $(node_addr 9) --insecure --token-file $dir/national/admin.token national flows --from 2026-01 --to 2026-12"
  fi
}

status() {
  for i in $(seq $n); do
    printf 'etcd %d      %s\n' "$i" "$(alive "$dir/etcd$i.pid" && echo running || echo stopped)"
  done
  local p
  p=$(primary)
  for i in $(seq $n); do
    local role=stopped
    if alive "$dir/patroni$i.pid"; then
      role=standby
      [ "$i" = "$p" ] && role=primary
    fi
    printf 'postgres %d  %s (127.0.0.1:%d)\n' "$i" "$role" $((base + 40 + i))
  done
  local writer=""
  [ -n "$p" ] && writer=$(psql -qtA -h 127.0.0.1 -p $((base + 40 + p)) -U cradle \
    -d postgres -c "SELECT address FROM cradle_log_writer" 2>/dev/null || true)
  local token
  token=$(ls "$dir"/node[1-3]/admin.token 2>/dev/null | head -1 || true)
  for i in $(seq $n); do
    local state=stopped head=""
    if alive "$dir/node$i.pid"; then
      state=follower
      [ "$writer" = "$(node_addr "$i")" ] && state=writer
      [ -n "$token" ] && head=$("$bin/clients/cradlectl" --server "$(node_addr "$i")" \
        --insecure --token-file "$token" audit head 2>/dev/null | head -1 || true)
    fi
    printf 'cradled %d   %s (%s) %s\n' "$i" "$state" "$(node_addr "$i")" "$head"
  done
  printf 'front       %s (%s)\n' "$(alive "$dir/front.pid" && echo running || echo stopped)" "$(node_addr 8)"
  printf 'sweeper     %s (health on %s)\n' "$(alive "$dir/sweeper.pid" && echo running || echo stopped)" "$(node_addr 10)"
  if alive "$dir/node4.pid"; then
    printf 'cradled 4   province 32 (%s)\n' "$(node_addr 4)"
  fi
  if alive "$dir/national.pid"; then
    echo "national node ($(node_addr 9)), the provinces it follows:"
    "$bin/clients/cradlectl" --server "$(node_addr 9)" --insecure \
      --token-file "$dir/national/admin.token" national provinces 2>&1 | sed 's/^/  /' || true
  fi
}

stop_pid() {
  local f=$1
  if alive "$f"; then
    kill "$(cat "$f")" 2>/dev/null || true
    for _ in $(seq 40); do alive "$f" || break; sleep 0.25; done
  fi
  rm -f "$f"
}

down() {
  stop_pid "$dir/sweeper.pid"
  stop_pid "$dir/front.pid"
  stop_pid "$dir/national.pid"
  stop_pid "$dir/node4.pid"
  for i in $(seq $n); do stop_pid "$dir/node$i.pid"; done
  for i in $(seq $n); do stop_pid "$dir/patroni$i.pid"; done
  for i in $(seq $n); do stop_pid "$dir/etcd$i.pid"; done
  echo "cluster: stopped (data kept in $dir)"
}

kill_db() {
  local i=$1 pid
  alive "$dir/patroni$i.pid" && kill -9 "$(cat "$dir/patroni$i.pid")"
  if [ -f "$dir/pg$i/postmaster.pid" ]; then
    pid=$(head -1 "$dir/pg$i/postmaster.pid")
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/patroni$i.pid"
}

cmd=${1:-}
case "$cmd" in
  up) up "${2:-}" ;;
  status) status ;;
  conninfo) conninfo ;;
  down) down ;;
  clean) down; rm -rf "$dir" ;;
  kill-node) [ -n "${2:-}" ] || usage; kill -9 "$(cat "$dir/node$2.pid")"; rm -f "$dir/node$2.pid" ;;
  kill-db) [ -n "${2:-}" ] || usage; kill_db "$2" ;;
  start-node) [ -n "${2:-}" ] || usage; start_node "$2" ;;
  start-db) [ -n "${2:-}" ] || usage; start_db "$2" ;;
  *) usage ;;
esac
