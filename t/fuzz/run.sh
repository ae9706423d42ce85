#!/bin/bash
# Builds the fuzzers with clang and runs each for a bounded time on a copy
# of its seed corpus (a unit that runs over 30 s counts as a hang; what
# fails is saved in the build dir). Usage: t/fuzz/run.sh [SECONDS] (default 60).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${XDCP_FUZZ_BUILD_DIR:-$top/build-fuzz}
seconds=${1:-60}
CC=clang CXX=clang++ cmake -S "$top" -B "$build" -DXDCP_FUZZ=ON -DXDCP_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
fail=0
for name in noderange synclist filelist nodelist; do
  corpus=$(mktemp -d)
  cp "$top/t/fuzz/corpus/$name/"* "$corpus/"
  if "$build/t/fuzz/${name}_fuzz" -max_total_time="$seconds" -timeout=30 \
       -rss_limit_mb=1024 -artifact_prefix="$build/" "$corpus" >"$build/$name.log" 2>&1; then
    echo "ok - fuzz $name: $(grep -c . "$corpus"/* 2>/dev/null | wc -l) inputs, no crash, leak or hang"
  else
    echo "FAIL - fuzz $name"; tail -30 "$build/$name.log"; fail=$((fail + 1))
  fi
  rm -rf "$corpus"
done
echo "$((4 - fail)) passed, $fail failed"
[ $fail -eq 0 ]
