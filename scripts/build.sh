#!/usr/bin/env bash
# Configures and builds into a build directory; extra arguments go to cmake.
# usage: scripts/build.sh BUILD_DIR [TARGET...] [-- CMAKE_ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."

dir=$1; shift
targets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do targets+=("--target" "$1"); shift; done
[ "${1:-}" = "--" ] && shift

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake -S . -B "$dir" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
