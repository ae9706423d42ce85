#!/bin/bash
# Tests leave nothing in /tmp. `leftovers_test.sh stamp STAMP` runs first
# (ctest fixture setup) and marks the start of the run; `leftovers_test.sh
# check STAMP TAG SRC` runs last (fixture cleanup) and fails if an entry
# named xdcp-* or xdcp_test* that this build's tests made appeared in /tmp
# since the stamp. Other builds on the machine run their tests at the same
# time, older versions among them, so an entry newer than the stamp is this
# run's only if
#   - it is a scratch directory of this build, xdcp_test.TAG.* (t/scratch_dir.h), or
#   - its name is a template of this source tree with the X's filled in:
#     a test that names its own directory (mkdtemp("/tmp/xdcp-foo-XXXXXX"))
#     is the defect this check exists to find.
# Other entries are listed as another build's and do not fail the check.
set -euo pipefail
mode=$1 stamp=$2
case $mode in
  stamp)
    # A second early, so that nothing made in the stamp's clock tick is missed.
    touch -d "@$(($(date +%s) - 1))" "$stamp"
    echo "1 passed, 0 failed"
    ;;
  check)
    tag=$3 src=$4
    [ -e "$stamp" ] || { echo "no stamp $stamp: run the whole suite" >&2; exit 1; }
    # ours NAME: NAME is xdcp_test.TAG.* or a template in SRC with 6 to 12
    # X's at its end filled in.
    ours() {
      local name=$1 n xs
      [[ $name == "xdcp_test.$tag."* ]] && return 0
      [[ $name == xdcp_test.* ]] && return 1  # another build's scratch directory
      for n in 6 7 8 9 10 11 12; do
        [ ${#name} -gt $n ] || break
        xs=$(printf 'X%.0s' $(seq $n))
        grep -rqF --include='*.cc' --include='*.h' --include='*.sh' \
          "/tmp/${name:0:${#name}-n}$xs" "$src/t" "$src/xdcp" && return 0
      done
      return 1
    }
    left=() others=()
    while IFS= read -r -d '' path; do
      if ours "${path#/tmp/}"; then left+=("$path"); else others+=("$path"); fi
    done < <(find /tmp -maxdepth 1 -newer "$stamp" \( -name 'xdcp-*' -o -name 'xdcp_test*' \) -print0)
    if [ ${#others[@]} -gt 0 ]; then
      echo "not this build's (another build's tests running at the same time): ${#others[@]} entries"
    fi
    if [ ${#left[@]} -gt 0 ]; then
      echo "tests left ${#left[@]} entries in /tmp (use t/scratch_dir.h, or remove them in a trap):" >&2
      printf '  %s\n' "${left[@]}" >&2
      exit 1
    fi
    echo "1 passed, 0 failed"
    ;;
  *)
    echo "usage: $0 stamp STAMP | check STAMP TAG SRC" >&2
    exit 2
    ;;
esac
