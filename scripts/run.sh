#!/usr/bin/env bash
# The one command for a newcomer: installs what is missing, builds, starts
# cradled on its embedded ledger (./cradle-data), walks through one manifest's
# whole life with cradlectl, then keeps serving until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh build cradled cradlectl -- -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCRADLE_BUILD_TESTS=OFF

data="${CRADLE_DATA:-cradle-data}"
listen="${CRADLE_LISTEN:-127.0.0.1:7443}"
build/services/cradled --data "$data" --listen "$listen" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' INT TERM EXIT

scripts/demo.sh "$listen"

echo
echo "cradled is serving on $listen with its ledger in ./$data (Ctrl-C stops it)."
echo "Try: build/clients/cradlectl --server $listen --help"
wait $server
