#!/bin/bash
# 10,000 targets at fan-out 256 with a low open-file limit: xdcp raises the
# soft limit as far as the hard one allows, caps the fan-out with a message
# when that is still too low, and every target still gets its result.
# The copy command is a no-op named rsync; no node is contacted.
set -u
xdcp=$1
tmp=$(mktemp -d "/tmp/xdcp_test.${XDCP_TEST_TAG:-untagged}.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ln -s /bin/true "$tmp/rsync"
passed=0 failed=0
check() {
  if eval "$2"; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "FAIL - $1"; tail -5 "$tmp/err"; fi
}
# No cluster database (names are host names): an empty /etc/xcat of our own.
unshare --mount --propagation private env -u XDCP_NODELIST bash -c '
  mkdir -p /etc/xcat && mount -t tmpfs tmpfs /etc/xcat
  ulimit -Sn 256
  ulimit -Hn 600
  XDCP_LOCK_DIR="$1/locks" "$2" "n[1-10000]" -f 256 -r "$1/rsync" /etc/hostname /tmp/x \
    >"$1/out" 2>"$1/err"
  echo $? >"$1/rc"' sh "$tmp" "$xdcp"
check "10,000 targets at fan-out 256 with 600 files allowed: all ok" \
  '[ "$(cat $tmp/rc)" = 0 ] && grep -q "xdcp: 10000 nodes: 10000 ok" "$tmp/err"'
check "the fan-out is capped to what the limit allows, with a message" \
  'grep -q "Warning: fan-out 256 needs more open files than allowed (600); using 134" "$tmp/err"'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
