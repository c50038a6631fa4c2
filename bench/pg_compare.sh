#!/usr/bin/env bash
# The peer comparison: the same manifest-event transaction on PostgreSQL 15
# (the store national systems such as Trackdéchets use), driven by pgbench on
# this machine, durable (fsync, synchronous_commit on), at 1, 16 and 64
# clients. Installs PostgreSQL from Debian if missing, starts a throwaway
# cluster on loopback, measures, stops it and removes it.
#
#   bench/pg_compare.sh [SECONDS]
#
# Two transactions:
#   open     insert the manifest, its event and 5 index rows (no chain)
#   chained  the same, plus the global hash chain Cradle keeps: read and lock
#            the head, hash the event onto it, move the head
set -euo pipefail
seconds=${1:-5}
port=54329

if ! command -v /usr/lib/postgresql/15/bin/initdb >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15 >/dev/null
fi
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/cradle-pg-XXXXXX)
chmod 755 "$dir"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
cleanup() { as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
[ -n "${PG_DEBUG:-}" ] && trap - EXIT

as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200" \
  start >/dev/null
psql() { as_pg /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p $port -U postgres -q "$@"; }
psql -c "CREATE DATABASE cradle" >/dev/null
psql -d cradle <<'SQL' >/dev/null
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE manifests (number bigserial PRIMARY KEY, generator text, carrier text,
  receiver text, status text, version int, state bytea);
CREATE TABLE events (sequence bigserial PRIMARY KEY, manifest bigint, version int,
  type text, actor text, recorded timestamptz, payload bytea, prev_hash bytea, hash bytea);
CREATE TABLE manifest_index (key text PRIMARY KEY);
CREATE TABLE head (id int PRIMARY KEY, hash bytea);
INSERT INTO head VALUES (1, '\x00');
SQL
cat > "$dir/open.sql" <<'SQL'
BEGIN;
INSERT INTO manifests (generator, carrier, receiver, status, version, state)
  VALUES ('91330402MA2B3C4D53', '91330421MA2G5K6L7B', '91330481MA2C7H8J9E', 'ISSUED', 1, decode(repeat('ab', 200), 'hex'))
  RETURNING number \gset
INSERT INTO events (manifest, version, type, actor, recorded, payload, prev_hash, hash)
  VALUES (:number, 1, 'manifest.opened', '91330402MA2B3C4D53', now(), decode(repeat('cd', 107), 'hex'), NULL, NULL);
INSERT INTO manifest_index VALUES ('m/all/' || :number), ('m/status/ISSUED/' || :number),
  ('m/party/g/' || :number), ('m/party/c/' || :number), ('m/party/r/' || :number);
COMMIT;
SQL
cat > "$dir/chained.sql" <<'SQL'
BEGIN;
INSERT INTO manifests (generator, carrier, receiver, status, version, state)
  VALUES ('91330402MA2B3C4D53', '91330421MA2G5K6L7B', '91330481MA2C7H8J9E', 'ISSUED', 1, decode(repeat('ab', 200), 'hex'))
  RETURNING number \gset
WITH prev AS (SELECT hash FROM head WHERE id = 1 FOR UPDATE),
     e AS (INSERT INTO events (manifest, version, type, actor, recorded, payload, prev_hash, hash)
           SELECT :number, 1, 'manifest.opened', '91330402MA2B3C4D53', now(), decode(repeat('cd', 107), 'hex'),
                  prev.hash, digest(prev.hash || decode(repeat('cd', 107), 'hex'), 'sha256') FROM prev
           RETURNING hash)
UPDATE head SET hash = (SELECT hash FROM e) WHERE id = 1;
INSERT INTO manifest_index VALUES ('m/all/' || :number), ('m/status/ISSUED/' || :number),
  ('m/party/g/' || :number), ('m/party/c/' || :number), ('m/party/r/' || :number);
COMMIT;
SQL
chmod 644 "$dir"/*.sql

echo "PostgreSQL $(as_pg $bin/postgres --version | awk '{print $3}'), fsync on, synchronous_commit on; ${seconds}s per row"
echo
echo "| transaction | clients | tps | p50 us | p99 us |"
echo "|---|---:|---:|---:|---:|"
for script in open chained; do
  for clients in 1 16 64; do
    logdir="$dir/log-$script-$clients"
    mkdir -p "$logdir"; [ "$(id -u)" -eq 0 ] && chown postgres "$logdir"
    out=$(cd "$logdir" && as_pg $bin/pgbench -h 127.0.0.1 -p $port -U postgres -n \
          -c "$clients" -j 2 -T "$seconds" -f "$dir/$script.sql" -l --log-prefix=tx cradle 2>&1)
    if echo "$out" | grep -qi "error"; then echo "$out" >&2; exit 1; fi
    tps=$(echo "$out" | awk '/^tps/ {printf "%.0f", $3; exit}')
    # per-transaction logs: field 3 is the latency in microseconds
    read -r p50 p99 < <(cat "$logdir"/tx.* | awk '{print $3}' | sort -n |
      awk '{a[NR]=$1} END {print a[int(NR*0.5)+1], a[int(NR*0.99)+1]}')
    echo "| $script | $clients | $tps | $p50 | $p99 |"
  done
done
