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
# Paths under the tree are hashed relative to it, so that another clone
# (a clean-clone check, a second worktree) reuses what this one compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake -S . -B "$dir" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
