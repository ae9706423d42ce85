#!/bin/bash
# Installs dependencies, builds xdcp with warnings as errors, and runs every
# test: unit, process and end-to-end (a test cluster of real sshd hosts,
# started and stopped by the suite). Usage: t/run-tests.sh [ctest args]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${XDCP_BUILD_DIR:-$top/build}
"$top/.ci/deps"
cmake -S "$top" -B "$build" -DXDCP_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
# The cluster of a run that was killed may still be up.
"$top/t/cluster/cluster.sh" down "$build/cluster" 2>/dev/null || true
trap '"$top/t/cluster/cluster.sh" down "$build/cluster" 2>/dev/null || true' EXIT
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
