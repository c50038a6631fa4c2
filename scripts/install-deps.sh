#!/usr/bin/env bash
# Installs the Debian 12 packages Cradle builds with, if any is missing.
#   scripts/install-deps.sh           what the build and the embedded server need,
#                                     and cradlectl's printing (cairo, libqrencode,
#                                     the Noto CJK fonts; docs/CONTAINERS.md), and
#                                     the HTTP gateway's cpp-httplib (docs/WEB.md)
#   scripts/install-deps.sh cluster   also the servers a cluster runs on
#                                     (PostgreSQL 15, Patroni, etcd; docs/CLUSTER.md)
#   scripts/install-deps.sh test      also what the tests read printed PDFs with
#                                     (poppler-utils, zbar-tools)
#   scripts/install-deps.sh browser   also what the page tests drive (Debian's
#                                     chromium, and Node.js with npm unless present;
#                                     then tests/web's npm ci; docs/WEB.md)
# Groups combine: scripts/install-deps.sh cluster test
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libssl-dev libsodium-dev libtcmalloc-minimal4 libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcairo2-dev libqrencode-dev fonts-noto-cjk fontconfig
  libcpp-httplib-dev
)
for group in "$@"; do
  case "$group" in
    cluster) packages+=(postgresql-15 patroni python3-etcd etcd-server etcd-client curl openssl) ;;
    test) packages+=(poppler-utils zbar-tools) ;;
    browser)
      packages+=(chromium fonts-noto-cjk)
      # A Node.js from elsewhere (NodeSource) ships its own npm.
      command -v node >/dev/null || packages+=(nodejs)
      command -v npm >/dev/null || packages+=(npm) ;;
    *) echo "install-deps: unknown group ${group} (cluster, test, browser)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
