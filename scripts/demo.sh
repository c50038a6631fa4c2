#!/usr/bin/env bash
# A walkthrough of one manifest's life against a running cradled:
# register the parties and give each a credential, open a manifest in
# Jiaxing, pick it up, hand it over to a second carrier, deliver, weigh,
# dispose, and audit the chain with who signed each step.
# Safe to run again: parties and credentials already made are kept.
# usage: scripts/demo.sh [HOST:PORT] [DATA_DIR]
#   DATA_DIR is cradled's --data: the administrator's token is read from
#   DATA_DIR/admin.token, the CA from DATA_DIR/tls/ca.crt (or $CRADLE_CA),
#   and the demo keeps the credentials and keys it issues in DATA_DIR/demo.
set -euo pipefail
cd "$(dirname "$0")/.."

server=${1:-127.0.0.1:7443}
data=${2:-cradle-data}
ca=${CRADLE_CA:-$data/tls/ca.crt}
ids=$data/demo
mkdir -p "$ids"
chmod 700 "$ids"

# cradlectl as someone: "admin", "regulator", or a party's USCC.
cli() {
  local who=$1; shift
  local token="$ids/$who.token"
  [ "$who" = admin ] && token="$data/admin.token"
  local id=()
  [ -f "$token" ] && id+=(--token-file "$token")
  [ -f "$ids/$who.key" ] && id+=(--key "$ids/$who.key")
  build/clients/cradlectl --server "$server" --ca "$ca" "${id[@]}" "$@"
}
as() {
  echo "\$ cradlectl [as $1] ${*:2}" >&2
  cli "$@"
}

for _ in $(seq 50); do
  [ -f "$data/admin.token" ] && cli admin --timeout 1s credential whoami >/dev/null 2>&1 && break
  sleep 0.2
done

# Unified social credit codes with valid check characters (GB 32100-2015).
GEN=91330402MA2B3C4D53   # generator, 嘉兴 南湖区 330402
CAR1=91330421MA2G5K6L7B  # carrier, 嘉善县 330421
CAR2=91330108MA2H3M4N54  # relay carrier, 杭州 滨江区 330108
REC=91330481MA2C7H8J9E   # receiver, 海宁市 330481
HZREC=91330106MA2D1E2F32 # receiver, 杭州 西湖区 330106

# Registers an enterprise (the administrator) and issues it a credential;
# carriers and receivers first make their own signing key.
enroll() {  # id name division role
  if cli admin enterprise show "$1" >/dev/null 2>&1; then
    echo "(enterprise $1 already registered)" >&2
  else
    as admin enterprise register --id "$1" --name "$2" --division "$3" --roles "$4"
  fi
  [ -f "$ids/$1.token" ] && return
  local pub=()
  if [ "$4" != generator ]; then
    as "$1" keygen --out "$ids/$1.key" >&2
    pub=(--public-key "$ids/$1.key.pub")
  fi
  as admin credential issue --kind party --enterprise "$1" --role "$4" \
    "${pub[@]}" --out "$ids/$1.token" >&2
}

echo "== 1. The registry: who may generate, carry and receive, each with a credential" >&2
enroll $GEN "嘉兴南湖精细化工有限公司" 330402 generator
enroll $CAR1 "嘉善安运危险品物流有限公司" 330421 transporter
enroll $CAR2 "杭州滨江危运有限公司" 330108 transporter
enroll $REC "海宁绿能固废处置有限公司" 330481 receiver
enroll $HZREC "杭州西湖资源利用有限公司" 330106 receiver
if [ ! -f "$ids/regulator.token" ]; then
  as admin credential issue --kind regulator --jurisdiction 3304 \
    --holder "嘉兴市生态环境局" --out "$ids/regulator.token" >&2
fi
if ! cli admin enterprise show $REC | grep -q ZJ-HW-0481; then
  as admin licence grant --receiver $REC --number ZJ-HW-0481 --codes 900-249-08,HW49 \
    --methods D10,R9 --capacity-t 5000 --valid-until 2027-12-31
  as admin licence grant --receiver $HZREC --number ZJ-HW-0106 --codes HW08 \
    --methods D10 --capacity-t 3000 --valid-until 2027-12-31
  as admin vehicle register --carrier $CAR1 --plate 浙F12345 --permit 330400-0001
  as admin vehicle register --carrier $CAR2 --plate 浙A54321 --permit 330100-0002
fi
as admin credential list

echo "== 2. The generator opens a manifest for one trip: 1.25 t of waste mineral oil" >&2
N=$(as $GEN manifest open --generator $GEN --carrier $CAR1 --receiver $REC \
      --waste 900-249-08:1.25t:drum:10 --method D10)
echo "manifest number: $N"

echo "== 3. The carrier scans the pickup, then hands over to a second carrier" >&2
as $CAR1 pickup "$N" --carrier $CAR1 --vehicle 浙F12345 --driver 张师傅 --at 30.7461,120.7555
as $CAR1 relay "$N" --from $CAR1 --to $CAR2 --vehicle 浙A54321 --at 30.5100,120.6800

echo "== 4. The receiver signs arrival, weighs, accepts and disposes" >&2
as $REC deliver "$N" --receiver $REC --at 30.5300,120.6900
as $REC receive "$N" --receiver $REC --line 1:accept:1.25t
as $REC dispose "$N" --receiver $REC --line 1:D10:1.25t

echo "== 5. The regulator reads the chain and checks the ledger is untouched" >&2
as regulator audit chain "$N"
as regulator audit verify
# Deeper: every manifest replayed from its entries against what is shown.
as regulator audit verify --deep
as regulator audit integrity

echo "== 6. Wrong moves are refused and change nothing" >&2
as $CAR2 pickup "$N" --carrier $CAR2 --vehicle 浙A54321 || true
as $CAR2 pickup "$N" --carrier $CAR1 --vehicle 浙F12345 || true
as $REC manifest open --generator $GEN --carrier $CAR1 --receiver $REC \
  --waste 900-249-08:1t || true

echo "== 7. 危险废物不出市: a load sent from Jiaxing to Hangzhou is flagged at once" >&2
N2=$(as $GEN manifest open --generator $GEN --carrier $CAR1 --receiver $HZREC \
       --waste 900-249-08:2t:drum:16)
as $GEN manifest show "$N2"
as regulator flags list --city 3304 --state open
as regulator enterprise risk $GEN
