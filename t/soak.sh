#!/bin/bash
# Runs the end-to-end and faults suites (ctest -L 'e2e|faults': the test
# cluster's cluster_up and cluster_down included) N times in a row, to show
# that no test depends on timing. Prints one line per run and a final
# "N passed, N failed"; exits 1 if any run failed.
#
# Usage: t/soak.sh N [--busy] [--asan]
#   --busy  keep both cores busy all along with two busy loops (killed at
#           the end, whatever happens)
#   --asan  use the AddressSanitizer/UBSan build (build-asan) instead of build
# Set XDCP_TEST_NET to a network of your own first (see t/cluster/README.md).
# Each run's ctest output is kept in BUILD/soak/START-TIME/run-N.log.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/t/relocate.sh" soak.sh "$@"

usage() { echo "usage: t/soak.sh N [--busy] [--asan]" >&2; exit 2; }
[[ ${1:-} =~ ^[1-9][0-9]*$ ]] || usage
runs=$1
shift
busy=0 asan=0
for a; do
  case $a in
    --busy) busy=1 ;;
    --asan) asan=1 ;;
    *) usage ;;
  esac
done

if ((asan)); then
  build=$top/build-asan
  cmake -S "$top" -B "$build" -DXDCP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
else
  build=$top/build
  cmake -S "$top" -B "$build" -DXDCP_WERROR=ON >/dev/null
fi
cmake --build "$build" -j2 >/dev/null
logs=$build/soak/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$logs"

pids=()
stop() {
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  "$top/t/cluster/cluster.sh" down "$build/cluster" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM
if ((busy)); then
  for _ in 1 2; do
    bash -c 'while :; do :; done' &
    pids+=($!)
  done
fi
# A cluster left by a run that was killed.
"$top/t/cluster/cluster.sh" down "$build/cluster" 2>/dev/null || true

what=$(basename "$build")
((busy)) && what+=", both cores kept busy"
echo "soak: $runs runs of ctest -L 'e2e|faults' in $build ($what), XDCP_TEST_NET=${XDCP_TEST_NET:-127.77.0}"
passed=0 failed=0
for ((i = 1; i <= runs; i++)); do
  log=$logs/run-$i.log
  start=$SECONDS
  if (cd "$build" && ctest -L 'e2e|faults' --output-on-failure -j2) >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "run $i/$runs: passed ($((SECONDS - start)) s) $(date -u +%H:%M:%S)"
  else
    failed=$((failed + 1))
    bad=$(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (.*)$/\1/p' "$log" | tr '\n' ' ')
    echo "run $i/$runs: FAILED ($((SECONDS - start)) s) $(date -u +%H:%M:%S): ${bad:-see log} - $log"
    grep -h '^FAIL - \|^FAIL ' "$log" | sed 's/^/    /' || true
  fi
done
echo "$passed passed, $failed failed"
((failed == 0))
