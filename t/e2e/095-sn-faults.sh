#!/bin/bash
# User story: stopping xdcp or losing a service node mid-run stops everything behind it; the next run recovers.
# Service nodes under faults: Ctrl-C on the management node stops the
# service node's xdcp and everything it started; -t is each node's budget,
# also behind a service node; an SN whose sshd dies mid-delivery is
# reported as such; Ctrl-C during the pool check stops the run; rsync's
# temporary file left on an SN by a killed mirror is removed by the next.
. "$(dirname "$0")/lib.sh"
export XDCP_DATADIR=$XDCP_SOURCE_DIR XDCP_REMOTE_XDCP=$XDCP
SNDIR=/var/xcat/syncfiles
cat >/etc/xcat/nodelist.xml <<EOF2
<cluster>
  <site master="mn" installdir="/install" SNsyncfiledir="$SNDIR"/>
  <node name="sn1" groups="service"/>
  <node name="sn2" groups="service"/>
  <node name="cn5" servicenode="sn1"/>
  <node name="cn6" servicenode="sn1"/>
  <node name="cn9" servicenode="sn2,sn1"/>
</cluster>
EOF2

# wait_until SECONDS CMD...: polls CMD until it succeeds; fails after SECONDS.
wait_until() {
  local end=$(($(date +%s%N) + $1 * 1000000000))
  shift
  until "$@"; do
    [ "$(date +%s%N)" -ge $end ] && return 1
    sleep 0.1
  done
}
# Names of the xdcp, rsync and ssh processes on HOST (its own pid namespace).
host_procs() {
  on "$1" sh -c 'cat /proc/[0-9]*/comm 2>/dev/null' | grep -xE 'xdcp|rsync|ssh' | sort | tr '\n' ' '
}
quiet_everywhere() { [ -z "$(host_procs sn1)$(host_procs cn5)$(host_procs cn6)" ]; }
no_workdir_on_sn1() { [ -z "$(on sn1 sh -c 'ls -d /tmp/xdcp.* 2>/dev/null')" ]; }
receiving() { on "$1" pgrep -x rsync >/dev/null; }
# The pids of the processes this test started with comm $1 (on mn).
marked() {
  local f pid
  for f in /proc/[0-9]*/environ; do
    if { tr '\0' '\n' <"$f"; } 2>/dev/null | grep -qx "XDCP_E2E_MARK=$WORK"; then
      pid=${f#/proc/}; pid=${pid%/environ}
      grep -qx "$1" /proc/$pid/comm 2>/dev/null && echo $pid
    fi
  done
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

head -c 30000000 /dev/urandom >"$WORK/big"
printf '%s -> /tmp/big\n' "$WORK/big" >"$WORK/big.synclist"
for n in cn5 cn6; do on $n rm -f /tmp/big; done

# Ctrl-C on the management node during a slow hierarchical delivery. (Job
# control on, or the background job would ignore SIGINT.)
set -m
"$XDCP" cn5,cn6 -F "$WORK/big.synclist" -o --bwlimit=2000 >"$WORK/out" 2>"$WORK/err" &
pid=$!
set +m
check "a slow delivery through sn1 is under way on cn5 and cn6" \
  wait_until 60 eval 'receiving cn5 && receiving cn6'
kill -INT $pid
start=$(date +%s%N)
wait $pid
RC=$?
check "Ctrl-C during a delivery through an SN: exit 130" rc_is 130
wait_until 5 quiet_everywhere
took=$(ms_since $start)
check "... within 5 s no xdcp, rsync or ssh runs on sn1, cn5, cn6 (${took} ms; left: $(host_procs sn1)$(host_procs cn5)$(host_procs cn6))" \
  quiet_everywhere
check "... no work directory is left on sn1" no_workdir_on_sn1
check "... nothing half-written at the target's name" eval 'absent cn5 /tmp/big && absent cn6 /tmp/big'
check "... nothing left running on the management node" no_leftovers

# -t is each node's budget: fan-out 1 on sn1 sends to cn5, then cn6, each
# within -t, together longer than -t (3 MB at 1 MB/s: about 3 s each).
head -c 3000000 /dev/urandom >"$WORK/mid"
printf '%s -> /tmp/mid\n' "$WORK/mid" >"$WORK/mid.synclist"
start=$(date +%s%N)
xdcp cn5,cn6 -f 1 -t 5 -F "$WORK/mid.synclist" -o --bwlimit=1000
took=$(ms_since $start)
check "-t 5, two nodes of 3 s each behind one SN, fan-out 1: both ok (${took} ms)" eval \
  'rc_is 0 && same_file "$WORK/mid" cn5 /tmp/mid && same_file "$WORK/mid" cn6 /tmp/mid'
on cn5 rm -f /tmp/mid; on cn6 rm -f /tmp/mid

# sn1's sshd dies while it delivers: its nodes are blocked, with the reason
# ssh gave; sn1's xdcp notices and stops its own children.
"$XDCP" cn5,cn6 -F "$WORK/big.synclist" -o --bwlimit=2000 >"$WORK/out" 2>"$WORK/err" &
pid=$!
wait_until 60 eval 'receiving cn5 && receiving cn6'
on sn1 pkill -9 -x sshd
wait $pid
RC=$?
"$CLUSTER" start-sshd "$XDCP_CLUSTER" sn1
check "sn1's sshd killed mid-delivery: its nodes blocked by SN, the connection named" eval \
  'rc_is 1 && err_has "Error: cn5: blocked by SN: sn1: transfer: connection closed by remote host after login"'
check "... and sn1's own xdcp stopped within 5 s, its work directory gone" eval \
  'wait_until 5 quiet_everywhere && no_workdir_on_sn1'

# Ctrl-C while xdcp checks a pool (sn2 frozen: the check waits for its
# connect timeout) stops the run; no member is marked down, nothing sent.
# The connect timeout is far longer than the test may take, so the check
# is still waiting when the Ctrl-C comes, however slow the machine (finding
# the probe's ssh scans /proc, which takes seconds under load).
printf '%s -> /tmp/pooled\n' "$WORK/mid" >"$WORK/pool.synclist"
on cn9 rm -f /tmp/pooled
"$CLUSTER" freeze "$XDCP_CLUSTER" sn2
set -m
"$XDCP" cn9 -F "$WORK/pool.synclist" --connect-timeout 900 >"$WORK/out" 2>"$WORK/err" &
pid=$!
set +m
wait_for "xdcp's ssh probing the pool of cn9" 120 eval '[ -n "$(marked ssh)" ]'
check "Ctrl-C during the pool check: it still waits for frozen sn2 when the Ctrl-C comes" eval \
  '! err_has "is not reachable" && kill -0 $pid'
kill -INT $pid
start=$(date +%s%N)
wait $pid
RC=$?
took=$(ms_since $start)
"$CLUSTER" thaw "$XDCP_CLUSTER" sn2
check "Ctrl-C during the pool check: exit 130 at once (${took} ms)" eval \
  'rc_is 130 && [ $took -lt 3000 ] && err_has "stopped by Interrupt while checking the service node pools"'
check "... no member marked down, nothing sent" eval \
  '! err_has "is not reachable" && absent cn9 /tmp/pooled'

# A --sn mirror whose receiver on sn1 is killed hard leaves rsync's
# temporary file; the next run removes it (and nothing else).
rm -rf /install/* && mkdir -p /install/big
on sn1 sh -c 'rm -rf /install/* && mkdir -p /install/big && echo mine >/install/big/.notes.bak && echo mine >/install/big/.keep.Ab12Cd.d'
head -c 200000000 /dev/zero >/install/big/file
# Slowed to 20 MB/s (10 s), so the receiver is still writing when killed.
"$XDCP" --sn sn1 /install -o --bwlimit=20000 >"$WORK/out" 2>"$WORK/err" &
pid=$!
temp_on_sn1() { on sn1 sh -c 'ls -A /install/big' | grep -qE '^\.file\.[A-Za-z0-9]{6}$'; }
wait_for "rsync's temporary file on sn1 (the mirror under way)" 120 temp_on_sn1
# Every rsync on sn1 is stopped before any is killed: a receiver that
# outlives its generator for a moment cleans up and removes its temporary
# file, which a loaded machine allows between two kills.
on sn1 sh -c 'pkill -STOP -x rsync; pkill -KILL -x rsync'
wait $pid
check "a receiver killed hard on sn1 leaves rsync's temporary file" temp_on_sn1
xdcp --sn sn1 /install
check "... the next run removes it and delivers the file" eval \
  'rc_is 0 && ! temp_on_sn1 && [ "$(on sn1 stat -c %s /install/big/file)" = 200000000 ]'
check "... and keeps the SN's own files of other names" eval \
  '[ "$(on sn1 cat /install/big/.notes.bak)" = mine ] && [ "$(on sn1 cat /install/big/.keep.Ab12Cd.d)" = mine ]'
rm -rf /install/*
on sn1 sh -c 'rm -rf /install/*'
check "nothing is left running" no_leftovers
finish
