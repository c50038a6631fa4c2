#!/usr/bin/env bash
# A walkthrough of one manifest's life against a running cradled:
# register the parties, open a manifest in Jiaxing, pick it up, hand it over
# to a second carrier, deliver, weigh, dispose, and audit the chain.
# Safe to run again: parties already registered are kept.
# usage: scripts/demo.sh [HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."

server=${1:-127.0.0.1:7443}
ctl() {
  echo "\$ cradlectl $*" >&2
  build/clients/cradlectl --server "$server" "$@"
}

for _ in $(seq 50); do
  build/clients/cradlectl --server "$server" --timeout 1s audit verify >/dev/null 2>&1 && break
  sleep 0.2
done

# Unified social credit codes with valid check characters (GB 32100-2015).
GEN=91330402MA2B3C4D53   # generator, 嘉兴 南湖区 330402
CAR1=91330421MA2G5K6L7B  # carrier, 嘉善县 330421
CAR2=91330108MA2H3M4N54  # relay carrier, 杭州 滨江区 330108
REC=91330481MA2C7H8J9E   # receiver, 海宁市 330481
HZREC=91330106MA2D1E2F32 # receiver, 杭州 西湖区 330106

register() {  # id name division roles
  if build/clients/cradlectl --server "$server" enterprise show "$1" >/dev/null 2>&1; then
    echo "(enterprise $1 already registered)" >&2
  else
    ctl enterprise register --id "$1" --name "$2" --division "$3" --roles "$4"
  fi
}

echo "== 1. The registry: who may generate, carry and receive" >&2
register $GEN "嘉兴南湖精细化工有限公司" 330402 generator
register $CAR1 "嘉善安运危险品物流有限公司" 330421 transporter
register $CAR2 "杭州滨江危运有限公司" 330108 transporter
register $REC "海宁绿能固废处置有限公司" 330481 receiver
register $HZREC "杭州西湖资源利用有限公司" 330106 receiver
if ! build/clients/cradlectl --server "$server" enterprise show $REC | grep -q ZJ-HW-0481; then
  ctl licence grant --receiver $REC --number ZJ-HW-0481 --codes 900-249-08,HW49 \
    --capacity-t 5000 --valid-until 2027-12-31
  ctl licence grant --receiver $HZREC --number ZJ-HW-0106 --codes HW08 \
    --capacity-t 3000 --valid-until 2027-12-31
  ctl vehicle register --carrier $CAR1 --plate 浙F12345 --permit 330400-0001
  ctl vehicle register --carrier $CAR2 --plate 浙A54321 --permit 330100-0002
fi

echo "== 2. The generator opens a manifest for one trip: 1.25 t of waste mineral oil" >&2
N=$(ctl manifest open --generator $GEN --carrier $CAR1 --receiver $REC \
      --waste 900-249-08:1.25t:drum:10 --method D10)
echo "manifest number: $N"

echo "== 3. The carrier scans the pickup, then hands over to a second carrier" >&2
ctl pickup "$N" --carrier $CAR1 --vehicle 浙F12345 --driver 张师傅 --at 30.7461,120.7555
ctl relay "$N" --from $CAR1 --to $CAR2 --vehicle 浙A54321 --at 30.5100,120.6800

echo "== 4. The receiver signs arrival, weighs, accepts and disposes" >&2
ctl deliver "$N" --receiver $REC --at 30.5300,120.6900
ctl receive "$N" --receiver $REC --line 1:accept:1.25t
ctl dispose "$N" --receiver $REC --line 1:D10:1.25t

echo "== 5. The regulator reads the chain and checks the ledger is untouched" >&2
ctl audit chain "$N"
ctl audit verify

echo "== 6. A wrong move is refused and changes nothing" >&2
ctl pickup "$N" --carrier $CAR2 --vehicle 浙A54321 || true

echo "== 7. 危险废物不出市: a load sent from Jiaxing to Hangzhou is flagged at once" >&2
N2=$(ctl manifest open --generator $GEN --carrier $CAR1 --receiver $HZREC \
       --waste 900-249-08:2t:drum:16)
ctl manifest show "$N2"
ctl flags list --city 3304 --state open
ctl enterprise risk $GEN
