#!/usr/bin/env bash
# The one command for a newcomer: installs what is missing, builds, makes a
# development CA and TLS certificate (first run), starts cradled over TLS on
# its embedded ledger (./cradle-data; its first start writes the
# administrator's token to ./cradle-data/admin.token) with the pages and the
# HTTP/JSON API on https://127.0.0.1:8443/ (docs/WEB.md), walks through one
# manifest's whole life with cradlectl, then keeps serving until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh build cradled cradlectl -- -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCRADLE_BUILD_TESTS=OFF

data="${CRADLE_DATA:-cradle-data}"
listen="${CRADLE_LISTEN:-127.0.0.1:7443}"
http_listen="${CRADLE_HTTP_LISTEN:-127.0.0.1:8443}"
if [ ! -f "$data/tls/server.crt" ]; then
  mkdir -p "$data"
  build/clients/cradlectl dev-ca --out "$data/tls"
fi
build/services/cradled --data "$data" --listen "$listen" \
  --tls_cert "$data/tls/server.crt" --tls_key "$data/tls/server.key" \
  --http-listen "$http_listen" --web web &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' INT TERM EXIT

scripts/demo.sh "$listen" "$data"

echo
echo "cradled is serving on $listen over TLS with its ledger in $data (Ctrl-C stops it)."
echo "The pages: https://$http_listen/ (trust $data/tls/ca.crt in the browser, or accept"
echo "  the warning once); sign in as the demo's regulator with $data/demo/regulator.token. docs/WEB.md."
echo "The administrator's token is in $data/admin.token; the demo's credentials in $data/demo."
echo "Try: build/clients/cradlectl --server $listen --ca $data/tls/ca.crt \\"
echo "       --token-file $data/admin.token credential list"
wait $server
