#!/bin/bash
# User story: one service node serves hundreds of nodes over one connection; every node's result comes back.
# One service node serving 500 nodes: the management node makes one
# connection to it, the SN's fan-out delivers in waves, and every node's
# result comes back (500 names of cn5 in sn1's /etc/hosts stand for the
# nodes; cn5 accepts ssh only from sn1).
. "$(dirname "$0")/lib.sh"
export XDCP_DATADIR=$XDCP_SOURCE_DIR XDCP_REMOTE_XDCP=$XDCP
N=500
DB=/etc/xcat/nodelist.xml
addr=$("$CLUSTER" addr "$XDCP_CLUSTER" cn5)
on sn1 cp /etc/hosts /tmp/hosts.orig
on sn1 sh -c "echo '$addr $(seq -f 'big%g' 1 $N | tr '\n' ' ')' >>/etc/hosts"
{
  echo '<cluster><site master="mn"/><node name="sn1" groups="service"/>'
  for i in $(seq 1 $N); do echo "<node name=\"big$i\" servicenode=\"sn1\"/>"; done
  echo '</cluster>'
} >$DB
echo payload >$WORK/f
xdcp "big[1-$N]" -f 64 -T $WORK/f /tmp/big.f
check "$N nodes behind one SN: exit 0, one result each" eval \
  "rc_is 0 && err_has 'xdcp: $N nodes: $N ok'"
check "... delivered: the file is on the node" same_file $WORK/f cn5 /tmp/big.f
check "the management node logged in to sn1 only, once, with one delivery" eval \
  '[ "$(grep -c "^TRACE: sn1: .*--report-results" $WORK/out)" = 1 ] &&
   ! grep -qE "^TRACE: sn1: ssh .* -- big[0-9]+ " $WORK/out &&
   [ "$(grep -c "ControlMaster=auto" $WORK/out | head -1)" -ge 1 ]'
check "the nodes went to sn1 as one folded noderange" out_has "-T -- '\\''big[1-$N]'\\'' "
check "the SN ran its own fan-out: every node's rsync is in the SN's trace" eval \
  '[ "$(grep -c "^TRACE: big[0-9]*: /usr/bin/rsync" $WORK/out)" = $N ]'
on sn1 sh -c 'cat /tmp/hosts.orig >/etc/hosts && rm -f /tmp/hosts.orig'
on cn5 rm -f /tmp/big.f
rm -f $DB
check "nothing is left running" no_leftovers
finish
