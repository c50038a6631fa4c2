#!/usr/bin/env bash
# Checks C++ formatting (clang-format, .clang-format) and clang's thread-safety
# analysis of the code that uses absl::Mutex. Runs in scripts/test.sh when
# clang is installed; usable as a pre-push hook:
#   ln -s ../../scripts/check-format.sh .git/hooks/pre-push
# usage: scripts/check-format.sh [BUILD_DIR]
#   BUILD_DIR: a configured build, for the generated protobuf headers
#   (default build-test); without it the thread-safety analysis is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-test}"

status=0
if command -v clang-format >/dev/null; then
  # Tracked files and new ones not yet added (what a commit would take).
  files=$(git ls-files --cached --others --exclude-standard '*.cc' '*.h')
  if ! clang-format --dry-run --Werror $files 2>/tmp/cradle-format.log; then
    echo "check-format: clang-format would change:"
    grep -oE '^[^: ]+\.(cc|h):[0-9]+:' /tmp/cradle-format.log | cut -d: -f1 | sort -u | sed 's/^/  /'
    status=1
  fi
else
  echo "check-format: clang-format not installed; skipped"
fi
if [ ! -d "$build/proto/cradle" ]; then
  echo "check-format: no generated headers in $build; thread-safety analysis skipped"
elif command -v clang++ >/dev/null; then
  # The sources of every header that declares guarded state.
  for h in $(git grep -l 'ABSL_GUARDED_BY' -- '*.h' | grep -v '^tests/'); do
    f="${h%.h}.cc"
    [ -f "$f" ] || f="$h"
    clang++ -std=c++17 -x c++ -fsyntax-only -Wthread-safety -Werror \
      -Wno-pragma-once-outside-header -I. -I"$build/proto" \
      $(pkg-config --cflags libpq) "$f" || status=1
  done
else
  echo "check-format: clang++ not installed; thread-safety analysis skipped"
fi
exit $status
