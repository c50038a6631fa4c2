#!/usr/bin/env bash
# Long, coverage-guided fuzzing with clang's libFuzzer, under AddressSanitizer
# and UBSan. CTest runs a short, repeatable bounded fuzz of the same targets
# on every test run (tests/fuzz, label "fuzz"); this is for hours.
# usage: scripts/fuzz.sh TARGET [SECONDS]
#   TARGET: ledger_format_fuzz, cli_values_fuzz, request_bytes_fuzz,
#           decisions_fuzz or server_fuzz
#   SECONDS: how long (default 600)
# Builds into build-fuzz/, keeps the corpus in build-fuzz/corpus/TARGET/ (so a
# later run goes on from it) and a crashing input as build-fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
seconds=${2:-600}
case "$target" in
  ledger_format_fuzz|cli_values_fuzz|request_bytes_fuzz|decisions_fuzz|server_fuzz) ;;
  *) echo "fuzz.sh: unknown target $target" >&2; exit 2 ;;
esac
if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: needs clang and libFuzzer: apt-get install clang libclang-rt-14-dev" >&2
  exit 2
fi
scripts/install-deps.sh
CC=clang CXX=clang++ scripts/build.sh build-fuzz "$target" -- \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRADLE_LIBFUZZER=ON \
  -DCRADLE_SANITIZE=address,undefined -DCRADLE_TCMALLOC=OFF
corpus="build-fuzz/corpus/$target"
mkdir -p "$corpus"
binary=$(find build-fuzz/tests/fuzz -maxdepth 1 -name "$target" -type f)
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd build-fuzz
CRADLE_FUZZ_SEEDS="corpus/$target" "../$binary" "corpus/$target" \
  -max_total_time="$seconds" -print_final_stats=1
