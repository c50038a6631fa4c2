#!/usr/bin/env bash
# The dependency rules of docs/ARCHITECTURE.md, enforced: every project
# #include and every library a layer names must point down or sideways.
#   base/                          nothing of the project
#   domain/  storage/  security/   base/, and (domain, security) the protos;
#                                  never each other
#   gateway/                       base/, security/ and the protos: the API over
#                                  HTTP, knowing nothing of the server
#   services/                      the four above
#   print/                         base/, domain/ and the protos (PDFs)
#   clients/                       services/ and print/ too
#   bench/                         anything but tests/
# gRPC only from services/ up (never in print/); RocksDB only in storage/ (and benches).
# usage: tests/layering_test.sh ROOT   (exit 1 naming every break)
set -uo pipefail
root=${1:?usage: layering_test.sh ROOT}
cd "$root" || exit 2

allowed() {  # layer -> the project folders it may include
  case "$1" in
    base) echo "base" ;;
    domain) echo "base domain cradle" ;;
    storage) echo "base storage" ;;
    security) echo "base security cradle" ;;
    gateway) echo "base security gateway cradle" ;;
    services) echo "base domain storage security gateway services cradle" ;;
    print) echo "base domain print cradle" ;;
    clients) echo "base domain storage security gateway services print clients cradle" ;;
    bench) echo "base domain storage security gateway services print clients bench cradle" ;;
  esac
}
project="base domain storage security gateway services print clients bench tests cradle"
breaks=0
for layer in base domain storage security gateway services print clients bench; do
  [ -d "$layer" ] || continue
  while IFS= read -r hit; do
    file=${hit%%:*}
    target=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"${hit#*:}")
    top=${target%%/*}
    case "$top" in
      grpc|grpcpp)
        case "$layer" in base|domain|storage|security|print)
          echo "$file includes $target: gRPC is for services/ and above"
          breaks=$((breaks + 1)) ;;
        esac ;;
      rocksdb)
        case "$layer" in storage|bench) ;; *)
          echo "$file includes $target: RocksDB stays behind storage/"
          breaks=$((breaks + 1)) ;;
        esac ;;
    esac
    [[ " $project " == *" $top "* ]] || continue
    if [[ " $(allowed "$layer") " != *" $top "* ]]; then
      echo "$file includes $target: $layer/ may include only $(allowed "$layer")"
      breaks=$((breaks + 1))
    fi
  done < <(grep -rnE '^#include "[^"]+"' "$layer" --include='*.h' --include='*.cc' |
           sed -E 's/^([^:]+):[0-9]+:/\1:/')
done
if [ "$breaks" -gt 0 ]; then
  echo "layering: $breaks include(s) against docs/ARCHITECTURE.md"
  exit 1
fi
echo "layering: every include points down"
