#!/usr/bin/env bash
# A walkthrough of one manifest's life against a running cradled:
# register the parties and give each a credential, open a manifest in
# Jiaxing, pick it up, hand it over to a second carrier, deliver, weigh,
# dispose, and audit the chain with who signed each step; correct a
# manifest by a revision its parties approve.
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
SZREC=91320506MA2K7R8T90 # receiver, 苏州 吴中区 320506 (Jiangsu)
SM1=91330402MA2E4F5G64   # small generator (a garage), 嘉兴 南湖区 330402
SM2=91330402MA2E5H6J75   # small generator (a laboratory), 南湖区
COLL=91330411MA2F6K7L8R  # collector, 嘉兴 秀洲区 330411

# Registers an enterprise (the administrator) and issues it a credential
# for a signing key it makes first: what a party attests (a pickup, a
# receipt, a weighbridge reading) it signs.
enroll() {  # id name division role
  if cli admin enterprise show "$1" >/dev/null 2>&1; then
    echo "(enterprise $1 already registered)" >&2
  else
    as admin enterprise register --id "$1" --name "$2" --division "$3" --roles "$4"
  fi
  [ -f "$ids/$1.token" ] && [ -f "$ids/$1.key" ] && return
  as "$1" keygen --out "$ids/$1.key" >&2
  as admin credential issue --kind party --enterprise "$1" --role "$4" \
    --public-key "$ids/$1.key.pub" --out "$ids/$1.token" >&2
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
# Carriers' operating permits and crew: a leg names registered crew.
if ! cli admin enterprise show $CAR1 | grep -q "crew 330421198001011234"; then
  as admin carrier permit --carrier $CAR1 --number 浙交运管许可嘉字330421001号 \
    --valid-until 2028-12-31
  as admin carrier permit --carrier $CAR2 --number 浙交运管许可杭字330108002号 \
    --valid-until 2028-12-31
  as admin crew register --carrier $CAR1 --certificate 330421198001011234 \
    --name 张师傅 --roles driver --valid-until 2029-06-30
  as admin crew register --carrier $CAR1 --certificate 330421199002022345 \
    --name 李押运 --roles escort --valid-until 2029-06-30
  as admin crew register --carrier $CAR2 --certificate 330108198503033456 \
    --name 孙师傅 --roles driver,escort --valid-until 2029-06-30
  as admin crew register --carrier $CAR2 --certificate 330108199104044567 \
    --name 周押运 --roles escort --valid-until 2029-06-30
fi
as admin credential list

echo "== 1b. The generator files its management plan for the year (管理计划): 12 t of" >&2
echo "       waste oil, 2 t kept in stock, 10 t to the receiver; filing again revises it" >&2
echo "       under the same number (docs/PLANS.md)" >&2
filed=$(as $GEN plan file --generator $GEN --year "$(TZ=Asia/Shanghai date +%Y)" \
          --tier key --line 900-249-08:12t:0:2t --transfer 900-249-08:$REC:10t:D10)
echo "$filed"
PLAN=$(awk '/^plan /{print $2; exit}' <<<"$filed")

echo "== 2. The generator opens a manifest for one trip: 1.25 t of waste mineral oil," >&2
echo "      with the whole legal form (2021 办法 Art. 10, 13; docs/LIFECYCLE.md)" >&2
N=$(as $GEN manifest open --generator $GEN --carrier $CAR1 --receiver $REC \
      --waste 900-249-08:1.25t:铁桶:10 --method D10 \
      --line-field 1:common-name=废机油 --line-field 1:form=liquid \
      --line-field 1:purpose=dispose --line-field "1:constituents=矿物油, 苯系物" \
      --line-field "1:precautions=远离火源与氧化剂; 泄漏时以沙土围堵" \
      --line-field 1:dg-class=3 --line-field 1:un=UN1993 \
      --contact 王经理 --contact-mobile 13812345678 \
      --emergency-phone 0573-82345678 --address "嘉兴市南湖区某路1号" \
      --planned-date "$(date +%F)" --plan-number "$PLAN")
echo "manifest number: $N"

echo "== 2b. A correction: the loading scale reads 1.3 t. The revision waits for the" >&2
echo "       carrier and the receiver, whose duty it changes; each finds it in its inbox" >&2
as $GEN revise "$N" --set "lines[0].quantity_g=1300000" --reason "装车过磅复核为1.3吨"
as $CAR1 inbox
as $CAR1 revision approve "$N-R1"
as $REC revision approve "$N-R1" --note "可接收"

echo "== 3. The carrier scans the pickup with its registered crew, then hands over" >&2
as $CAR1 pickup "$N" --carrier $CAR1 --vehicle 浙F12345 --driver-cert 330421198001011234 \
  --escort-cert 330421199002022345 --waybill YD3304212026000017 \
  --origin 嘉兴市南湖区 --via "G60 沪昆高速" --destination 海宁市尖山新区 \
  --at 30.7461,120.7555
as $CAR1 relay "$N" --from $CAR1 --to $CAR2 --vehicle 浙A54321 \
  --driver-cert 330108198503033456 --escort-cert 330108199104044567 \
  --origin 海宁市长安服务区 --destination 海宁市尖山新区 --at 30.5100,120.6800

echo "== 4. The receiver signs arrival, weighs and checks the load, accepts and disposes" >&2
as $REC deliver "$N" --receiver $REC --at 30.5300,120.6900
# What waits on the receiver now: this receipt, with the working days left.
as $REC inbox
as $REC receive "$N" --receiver $REC --line 1:accept:1.3t --check 1:form=liquid \
  --check 1:packaging=drum --licence ZJ-HW-0481 --received-by 赵收货
as $REC dispose "$N" --receiver $REC --line 1:D10:1.3t --outcome "焚烧处置完毕, 残渣填埋"
as $GEN manifest show "$N"

echo "== 5. The regulator reads the chain and checks the ledger is untouched" >&2
as regulator audit chain "$N"
# The manifest against the generator's plan: what has shipped of each transfer.
as regulator plan show "$PLAN"
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

echo "== 8. Corrected: the generator names the Jiaxing receiver instead; once the carrier" >&2
echo "      and the new receiver approve, CROSS_CITY is cleared and no flag takes its place" >&2
as $GEN revise "$N2" --set receiver=$REC --reason "应就近处置, 改为市内接收单位"
as $CAR1 revision approve "$N2-R1"
as $REC revision approve "$N2-R1"
as regulator flags list --city 3304 --state open

echo "== 9. Labelled drums (HJ 1276-2022): the generator registers three as it fills them" >&2
echo "      and books them into its store (stock ledger, HJ 1259); the manifest lists them" >&2
echo "      and sums their weights; they are scanned onto the truck and at the relay, where" >&2
echo "      one is missing: CONTAINER_MISMATCH, at once. The stock balance shows them shipped;" >&2
echo "      the year's declaration (年度申报) counts them against the plan; the receiver's" >&2
echo "      daily report (经营情况日报) shows what it took in and treated today. First the" >&2
echo "      regulator approves longer storage: drums booked in this year may stay two years" >&2
# Each run labels new drums: a code is one filling, never reused.
seq_file="$ids/drum.seq"
next=$(( $(cat "$seq_file" 2>/dev/null || echo 0) + 1 ))
# One approval per run: its document number is given once per generator.
as regulator storage extend --generator $GEN --days 730 \
  --document "嘉环贮延〔$(TZ=Asia/Shanghai date +%Y)〕$(TZ=Asia/Shanghai date +%j)-${next}号" \
  --valid-from "$(TZ=Asia/Shanghai date +%F)" \
  --valid-until "$(TZ=Asia/Shanghai date -d '+1 year' +%F)"
DRUMS=()
for kg in 200 210 190; do
  [ "$next" -le 999 ] || { echo "demo: no drum sequence left for today" >&2; exit 1; }
  code=$(as $GEN container register --generator $GEN --waste 900-249-08 --seq "$next" \
           --weight "${kg}kg" --packaging 铁桶 --constituents "矿物油, 苯系物" | head -1)
  echo "drum: $code"
  as $GEN stock store "$code" --facility 贮存库1
  DRUMS+=("$code")
  next=$((next + 1))
done
echo $((next - 1)) > "$seq_file"
N3=$(as $GEN manifest open --generator $GEN --carrier $CAR1 --receiver $REC \
       --waste 900-249-08:sum:铁桶:3 --method D10 \
       --line-field "1:containers=$(IFS=,; echo "${DRUMS[*]}")")
as $GEN container show "${DRUMS[1]}"
# The labels, to print and stick on the drums: 100 mm, with the code as QR.
as $GEN label print --manifest "$N3" --out "$ids/labels-$N3.pdf"
as $CAR1 scan "$N3" --by $CAR1 --point load --device PDA-07 \
  --container "${DRUMS[0]}" --container "${DRUMS[1]}" --container "${DRUMS[2]}"
as $CAR1 pickup "$N3" --carrier $CAR1 --vehicle 浙F12345
as $CAR2 scan "$N3" --by $CAR2 --point relay --device PDA-21 \
  --container "${DRUMS[0]}" --container "${DRUMS[2]}"
as $CAR1 relay "$N3" --from $CAR1 --to $CAR2 --vehicle 浙A54321
as $GEN manifest show "$N3"
as regulator flags list --city 3304 --kind container_mismatch --state open
# generated = own use + shipped + stock, per code and store.
as $GEN stock show --generator $GEN --waste 900-249-08
# The year's declaration, pre-filled from the manifests and the stock ledger.
as regulator plan declare --generator $GEN --year "$(TZ=Asia/Shanghai date +%Y)"
# The receiver's daily report, read off the ledger; --csv writes it for a spreadsheet.
as $REC report operator --operator $REC --day "$(TZ=Asia/Shanghai date +%F)" \
  --csv "$ids/report-$REC.csv"

echo "== 10. The paper manifest for the cab, sealed by the server; an officer checks the QR code" >&2
echo "       offline against the key of a tree head saved earlier, then asks if it is current" >&2
as $GEN manifest print "$N3" --out "$ids/manifest-$N3.pdf"
as regulator audit head --save "$ids/head.json"
QR=$(as $GEN manifest seal "$N3" | head -1)
echo "QR: $QR"
as regulator manifest check-qr "$QR" --head "$ids/head.json" --current

echo "== 11. The carrier declares its route; its fleet platform sends the truck's track in" >&2
echo "       chained batches. The truck stands 70 min on the G60, off its route's ends:" >&2
echo "       LONG_STOP. Weighbridges at both gates disagree with the typed weights" >&2
N4=$(as $GEN manifest open --generator $GEN --carrier $CAR1 --receiver $REC \
       --waste 900-249-08:1.25t:drum:5 --method D10)
as $GEN weigh "$N4" --by $GEN --point exit --gross 13.55t --tare 12.3t --device WB-嘉兴-01
as $CAR1 pickup "$N4" --carrier $CAR1 --vehicle 浙F12345 \
  --route "30.7461,120.7555;30.5831,120.6878;30.4200,120.6200"
# Two hours up to now, one point per 30 s (the terminals' rate), south
# along the route, standing still from minute 40 to 110 halfway.
now=$(date +%s)
{
  echo "time,lat,lon,speed_kmh"
  for k in $(seq 0 239); do
    at=$k; speed=45
    if [ "$k" -ge 80 ] && [ "$k" -lt 220 ]; then at=80; speed=0; fi
    awk -v t=$((now - 7200 + 30 * k)) -v a="$at" -v s="$speed" 'BEGIN {
      f = a / 239; lat = 30.7461 - f * 0.3261; lon = 120.7555 - f * 0.1355
      printf "%d,%.6f,%.6f,%d\n", t, lat, lon, s }'
  done
} > "$ids/track-$N4.csv"
as $CAR1 track upload "$N4" --leg 1 --file "$ids/track-$N4.csv"
as $REC deliver "$N4" --receiver $REC
as $REC weigh "$N4" --by $REC --point entry --gross 13.31t --tare 12.3t --device WB-海宁-09
as $REC receive "$N4" --receiver $REC --line 1:accept:1.25t --licence ZJ-HW-0481 \
  --received-by 赵收货
as $GEN track show "$N4"
as regulator flags list --city 3304 --state open

echo "== 12. Across provinces (商请, 2021 办法 Art. 21-27): the generator applies to send" >&2
echo "       120 t of waste oil to Suzhou, in Jiangsu. Zhejiang's bureau accepts and writes to" >&2
echo "       Jiangsu's, which agrees; Zhejiang approves. Each stage is held by one bureau, due" >&2
echo "       on the working-day calendar; the approval takes the consultation's number and" >&2
echo "       ends with the receiver's licence (docs/CONSULTATION.md)" >&2
enroll $SZREC "苏州吴中固废处置有限公司" 320506 receiver
if ! cli admin enterprise show $SZREC | grep -q JS-HW-0506; then
  as admin licence grant --receiver $SZREC --number JS-HW-0506 --codes HW08 \
    --methods R9 --capacity-t 20000 --valid-until 2027-09-30
fi
for bureau in "zj-bureau 33 浙江省生态环境厅" "js-bureau 32 江苏省生态环境厅"; do
  set -- $bureau
  if [ ! -f "$ids/$1.token" ]; then
    as admin credential issue --kind regulator --jurisdiction "$2" \
      --holder "$3" --out "$ids/$1.token" >&2
  fi
done
from=$(TZ=Asia/Shanghai date +%F)
until=$(TZ=Asia/Shanghai date -d "+11 months" +%F)
applied=$(as $GEN consult apply --generator $GEN --receiver $SZREC --codes 900-249-08 \
  --method R9 --quantity-t 120 --valid-from "$from" --valid-until "$until" \
  --note "废矿物油，再生利用")
echo "$applied"
K=$(echo "$applied" | awk '/^consultation/ {print $2; exit}')
as zj-bureau consult accept "$K"
as zj-bureau consult letter "$K" --text "初审同意移出"
as js-bureau consult agree "$K" --text "同意接收"
as zj-bureau consult approve "$K"
as js-bureau consult list --province 32 --holder regulator:32 --overdue

echo "== 13. Collection from small generators (收集, Art. 16 and 31): a garage and a lab each" >&2
echo "       ship one drum to the collector on their own manifest, on one trip of one truck;" >&2
echo "       the collector's receipt ends each leg in its stock. It refills both drums into one" >&2
echo "       bag (1 kg of residue documented), ships it on as consignor, and its balance and" >&2
echo "       the garage's drum are followed to the disposer (docs/COLLECTION.md)" >&2
enroll $SM1 "嘉兴南湖某汽车维修店" 330402 generator
enroll $SM2 "嘉兴南湖某检测实验室" 330402 generator
if ! cli admin enterprise show $COLL >/dev/null 2>&1; then
  as admin enterprise register --id $COLL --name "嘉兴秀洲危废收集有限公司" --division 330411 \
    --roles collector,receiver
  as admin licence grant --receiver $COLL --number ZJ-SJ-0411 --codes HW08,HW49 \
    --capacity-t 500 --valid-until 2027-12-31
fi
# Two credentials: as receiver it signs receipts; as collector it consigns.
if [ ! -f "$ids/coll-r.token" ]; then
  as admin keygen --out "$ids/coll-r.key" >&2
  as admin credential issue --kind party --enterprise $COLL --role receiver \
    --public-key "$ids/coll-r.key.pub" --out "$ids/coll-r.token" >&2
  as admin credential issue --kind party --enterprise $COLL --role collector \
    --out "$ids/coll-c.token" >&2
fi
next=$(( $(cat "$seq_file" 2>/dev/null || echo 0) + 1 ))
[ "$next" -le 998 ] || { echo "demo: no drum sequence left for today" >&2; exit 1; }
SMALL=()
TRIP="$(TZ=Asia/Shanghai date +%Y%m%d)-$next"  # the truck's round (车次)
for pair in "$SM1 60" "$SM2 40"; do
  set -- $pair
  drum=$(as "$1" container register --generator "$1" --waste 900-249-08 --seq "$next" \
           --weight "${2}kg" --packaging 铁桶 | head -1)
  as "$1" stock store "$drum" --facility 危废暂存间
  n=$(as "$1" manifest open --generator "$1" --carrier $CAR1 --receiver $COLL \
        --waste 900-249-08:sum:铁桶:1 --method D10 --line-field "1:containers=$drum")
  as $CAR1 scan "$n" --by $CAR1 --point load --device PDA-07 --container "$drum"
  as $CAR1 pickup "$n" --carrier $CAR1 --vehicle 浙F12345 --trip "$TRIP"
  SMALL+=("$drum $n $2")
done
# The round as a regulator reads it: each small generator's manifest, one truck.
as regulator manifest list --party $CAR1 --trip "$TRIP"
for entry in "${SMALL[@]}"; do
  set -- $entry
  as coll-r deliver "$2" --receiver $COLL
  as coll-r scan "$2" --by $COLL --point arrival --device PDA-31 --container "$1"
  as coll-r receive "$2" --receiver $COLL --line "1:accept:${3}kg" --licence ZJ-SJ-0411 \
    --received-by 钱收集
done
D1=${SMALL[0]%% *}; D2=${SMALL[1]%% *}
BAG=$(as coll-c container register --generator $COLL --waste 900-249-08 --seq "$next" \
        --weight 99kg --packaging 吨袋 --source "$D1" --source "$D2" \
        --loss 1kg --loss-reason 残留于原包装桶 | head -1)
echo "$next" > "$seq_file"
as coll-c stock store "$BAG" --facility 收集贮存库
N5=$(as coll-c manifest open --generator $COLL --carrier $CAR1 --receiver $REC \
       --waste 900-249-08:sum:吨袋:1 --method D10 --line-field "1:containers=$BAG")
as $CAR1 scan "$N5" --by $CAR1 --point load --device PDA-07 --container "$BAG"
as $CAR1 pickup "$N5" --carrier $CAR1 --vehicle 浙F12345
# collected = refilled + lost + shortfall + held, per code.
as coll-c stock show --generator $COLL
# Its daily report: the drums it accepted today, and each one repacked into the bag.
as coll-r report operator --operator $COLL --day "$(TZ=Asia/Shanghai date +%F)"
as regulator container trace "$D1"
