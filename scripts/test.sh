#!/usr/bin/env bash
# Builds Cradle with warnings as errors and AddressSanitizer + UBSan, and runs
# every test (unit, integration over a real gRPC server and RocksDB, crash and
# end-to-end tests that drive the real binaries, cluster tests over real
# PostgreSQL servers, the pages in Debian's headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh cluster test browser
(cd tests/web && npm ci --no-audit --no-fund --loglevel=error)
scripts/build.sh build-test -- -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCRADLE_WERROR=ON -DCRADLE_SANITIZE=address,undefined
scripts/check-format.sh build-test
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd build-test
ctest --output-on-failure -j 2 --timeout 600
