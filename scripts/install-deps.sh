#!/usr/bin/env bash
# Installs the Debian 12 packages Cradle builds with, if any is missing.
#   scripts/install-deps.sh           what the build and the embedded server need
#   scripts/install-deps.sh cluster   also the servers a cluster runs on
#                                     (PostgreSQL 15, Patroni, etcd; docs/CLUSTER.md)
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libssl-dev libtcmalloc-minimal4 libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
case "${1:-}" in
  "") ;;
  cluster) packages+=(postgresql-15 patroni python3-etcd etcd-server etcd-client curl openssl) ;;
  *) echo "install-deps: unknown group ${1} (cluster)" >&2; exit 2 ;;
esac

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
