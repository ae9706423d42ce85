# Shared helpers for the end-to-end tests. Each test script runs on the
# management node's view of the test cluster (cluster.sh on STATEDIR mn ...)
# with XDCP (the binary), XDCP_CLUSTER (STATEDIR) and XDCP_SOURCE_DIR set.
set -u
: "${XDCP:?}" "${XDCP_CLUSTER:?}" "${XDCP_SOURCE_DIR:?}"
CLUSTER="$XDCP_SOURCE_DIR/t/cluster/cluster.sh"
PASSED=0
FAILED=0
WORK=$(mktemp -d /tmp/e2e.XXXXXX)
# A test that failed half-way may have left its cluster database behind.
rm -f /etc/xcat/nodelist.xml
trap 'rm -f /etc/xcat/nodelist.xml' EXIT

# on HOST CMD...: run CMD in HOST's view of the file system.
on() { "$CLUSTER" on "$XDCP_CLUSTER" "$@"; }

# xdcp ARGS...: run the binary, keeping rc, stdout and stderr in
# $RC, $OUT and $ERR.
xdcp() {
  "$XDCP" "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL - $1"
  echo "  rc=${RC:-} stdout:"; sed 's/^/    /' "$WORK/out" 2>/dev/null
  echo "  stderr:"; sed 's/^/    /' "$WORK/err" 2>/dev/null
}

# check DESCRIPTION CMD...: passes when CMD succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# wait_for DESCRIPTION DEADLINE_S CMD...: polls CMD (every 0.05 s) until it
# succeeds. Tests wait on a state, never on time: after DEADLINE_S seconds
# the test fails, saying which state never came, and wait_for returns 1.
wait_for() {
  local what=$1 deadline=$2 end
  shift 2
  end=$((${EPOCHREALTIME/./} + deadline * 1000000))
  until "$@" >/dev/null; do
    if [ "${EPOCHREALTIME/./}" -gt "$end" ]; then
      fail "waited $deadline s for: $what (it never happened)"
      return 1
    fi
    sleep 0.05
  done
}

# children_of PID REGEX: the pids of PID's own children whose command line
# matches REGEX (pgrep -f), never anyone else's processes on the machine.
children_of() { pgrep -P "$1" -f "$2"; }

# host_has HOST GLOB: a file matching GLOB exists on HOST (e.g. rsync's
# temporary file /tmp/.large.*, while it receives /tmp/large).
host_has() {
  on "$1" sh -c 'for f in $1; do [ -e "$f" ] && exit 0; done; exit 1' sh "$2"
}

rc_is() { [ "$RC" = "$1" ]; }
out_has() { grep -qF -- "$1" "$WORK/out"; }
err_has() { grep -qF -- "$1" "$WORK/err"; }
out_empty() { [ ! -s "$WORK/out" ]; }

# same_file LOCAL HOST REMOTE: byte-identical content on HOST.
same_file() { on "$2" cat "$3" 2>/dev/null | cmp -s "$1" -; }
absent() { ! on "$1" test -e "$2"; }

# tree_listing HOST [FILTER]: what rsync -aH keeps of HOST's /install, one
# line per path (type, mode, owner, size, mtime, link count, link target),
# the hard-link groups, and each file's md5. FILTER is find(1) tests put
# before the others to leave paths out ('-path ./scratch -prune -o').
tree_listing() {
  on "$1" sh -c 'set -f; cd /install || exit 1
    find . $1 \( \( -type d -printf "d %m %u:%g %T@ %p\n" \) -o \
      \( -type l -printf "l %u:%g %T@ %p -> %l\n" \) -o \
      -printf "%y %m %u:%g %s %T@ %n %p\n" \) | sort
    find . $1 -type f -links +1 -printf "%i %p\n" | sort -k2 |
      awk "{g[\$1] = g[\$1] \" \" \$2} END {for (i in g) print \"link:\" g[i]}" | sort
    find . $1 -type f -print0 | sort -z | xargs -0 -r md5sum' sh "${2:-}"
}

# Every process xdcp starts inherits this variable, so the test can find
# what it left behind without mistaking anyone else's processes for it.
export XDCP_E2E_MARK=$WORK
# No process of the test run may outlive it: nothing started by xdcp
# (rsync, ssh, scp) is left running.
no_leftovers() {
  local f
  for f in /proc/[0-9]*/environ; do
    [ "${f%/environ}" = "/proc/$$" ] && continue
    if { tr '\0' '\n' <"$f"; } 2>/dev/null | grep -qx "XDCP_E2E_MARK=$WORK"; then
      local pid=${f#/proc/}; pid=${pid%/environ}
      # this shell's own children (the loop's subshells) are not xdcp's
      [ "$(awk '{print $4}' /proc/$pid/stat 2>/dev/null)" = $$ ] && continue
      grep -qE '^(rsync|ssh|scp|xdcp)' /proc/$pid/comm 2>/dev/null && return 1
    fi
  done
  return 0
}

finish() {
  rm -rf "$WORK"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
