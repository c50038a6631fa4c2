#!/usr/bin/env bash
# Writes a small ledger with every kind of stream and event this version
# stores, for tests/compat/golden_ledger_test: every later version must open
# it, verify it, replay it to the same states and prove the same root.
# Run it once per ledger format, into a new directory; never over one that
# is checked in (that would hide exactly the change the test exists to
# catch).
# usage: scripts/make-golden-ledger.sh BUILD_DIR OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/make-golden-ledger.sh BUILD_DIR OUT_DIR}
out=${2:?usage: scripts/make-golden-ledger.sh BUILD_DIR OUT_DIR}
if [ -e "$out" ]; then
  echo "make-golden-ledger: $out exists; a golden ledger is never rewritten" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/services/cradled" --data="$work/data" --listen=127.0.0.1:0 --insecure \
  --transit_limit=4s --receipt_limit=4s --disposal_limit=4s \
  --backfill_limit=4s --sweep_interval=500ms --scrub_rate=0 \
  >"$work/cradled.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$work/cradled.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/cradled.log" >&2; exit 1; }
# A province, small, every violation four times as likely: registrations,
# credentials, approvals, whole lifecycles, rejections, relays, flags raised,
# acknowledged and cleared by the sweeper.
"$build/clients/cradle-sim" --server="127.0.0.1:$port" \
  --admin_token_file="$work/data/admin.token" --seed=7 --manifests=60 \
  --generators=40 --carriers=12 --clients=4 --rate_scale=4 \
  --deadline_wait=7s
kill -TERM "$pid"
wait "$pid" || true
"$build/clients/cradlectl" audit verify --data "$work/data" --deep
mkdir -p "$out"
cp -r "$work/data/." "$out/"
rm -f "$out/admin.token" "$out/LOCK" "$out"/LOG*
echo "make-golden-ledger: wrote $out ($(du -sh "$out" | cut -f1))"
