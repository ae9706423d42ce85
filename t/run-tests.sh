#!/bin/bash
# Installs dependencies, builds xdcp with warnings as errors, and runs every
# test: unit, process and end-to-end (a test cluster of real sshd hosts,
# started and stopped by the suite); then the same suite again on a build
# with AddressSanitizer and UndefinedBehaviorSanitizer, and the fuzzers for
# a bounded time. Usage: t/run-tests.sh [ctest args]
# XDCP_QUICK=1 runs the first build's suite only.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/t/relocate.sh" run-tests.sh "$@"
"$top/.ci/deps"

# run_suite BUILD_DIR CMAKE_ARGS...: configure, build, run every test.
run_suite() {
  local build=$1
  shift
  cmake -S "$top" -B "$build" "$@" >/dev/null
  cmake --build "$build" -j"$(nproc)"
  # The cluster of a run that was killed may still be up.
  "$top/t/cluster/cluster.sh" down "$build/cluster" 2>/dev/null || true
  (
    trap '"$top/t/cluster/cluster.sh" down "$build/cluster" 2>/dev/null || true' EXIT
    cd "$build"
    ctest --output-on-failure -j"$(nproc)" ${CTEST_ARGS:-}
  )
}

CTEST_ARGS="$*" run_suite "${XDCP_BUILD_DIR:-$top/build}" -DXDCP_WERROR=ON
[ "${XDCP_QUICK:-}" = 1 ] && exit 0
echo "== the same suite under AddressSanitizer and UndefinedBehaviorSanitizer"
# (the packages are built once, by the first suite)
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  CTEST_ARGS="-LE package $*" run_suite "$top/build-asan" -DXDCP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "== fuzzers"
"$top/t/fuzz/run.sh" "${XDCP_FUZZ_SECONDS:-60}"
