#!/bin/bash
# User story: plain pushes and pulls to nodes behind service nodes work as to any node.
# Plain copies to and from nodes behind service nodes go through them, as
# -F does: a push is staged once per SN and pushed by the SN's xdcp; a pull
# is pulled by the SN and brought back, nothing left on the SN; one result
# per node (cn5..cn8 accept ssh only from their SN; cn1 is served by the
# management node).
. "$(dirname "$0")/lib.sh"
export XDCP_DATADIR=$XDCP_SOURCE_DIR XDCP_REMOTE_XDCP=$XDCP
SNDIR=/var/xcat/syncfiles
DB=/etc/xcat/nodelist.xml
cat >$DB <<EOF2
<cluster>
  <site master="mn" SNsyncfiledir="$SNDIR"/>
  <node name="sn1" groups="service"/>
  <node name="sn2" groups="service"/>
  <node name="cn5" groups="compute" servicenode="sn1"/>
  <node name="cn6" groups="compute" servicenode="sn1"/>
  <node name="cn7" groups="compute" servicenode="sn2"/>
  <node name="cn8" groups="compute" servicenode="sn2"/>
  <node name="cn1" groups="compute"/>
</cluster>
EOF2
S=$WORK/src
mkdir -p $S/tree/sub
echo file >$S/f
echo deep >$S/tree/sub/deep
echo mode >$S/m && chmod 0640 $S/m && touch -d '2020-01-02 03:04:05' $S/m
ln -s f $S/link
for h in sn1 sn2; do on $h sh -c "rm -rf $SNDIR"; done
for h in cn1 cn5 cn6 cn7 cn8; do on $h sh -c 'rm -rf /tmp/f /tmp/tree /tmp/m /tmp/l'; done

xdcp cn1,cn5,cn6,cn7,cn8 -T $S/f /tmp/f
check "push to two SNs' nodes and a direct node: exit 0, one result each" eval \
  'rc_is 0 && err_has "xdcp: 5 nodes: 5 ok"'
check "every node has the file" eval \
  'for h in cn1 cn5 cn6 cn7 cn8; do same_file $S/f $h /tmp/f || exit 1; done'
check "the file is staged once on each SN" eval \
  'same_file $S/f sn1 $SNDIR$S/f && same_file $S/f sn2 $SNDIR$S/f'
check "one delivery per SN, with the SN's nodes as one noderange" eval \
  'out_has "deliver from sn1 to cn[5-6]" || grep -q "TRACE: sn1: .*cn\[5-6\]" $WORK/out'
check "the management node never logs in to a node behind an SN" eval \
  '! grep -qE "TRACE: cn[5-8]: [^ ]*ssh .* cn[5-8] " $WORK/out'

xdcp cn5,cn7 -R $S/tree /tmp
check "-R through SNs" eval \
  'rc_is 0 && same_file $S/tree/sub/deep cn5 /tmp/tree/sub/deep && same_file $S/tree/sub/deep cn7 /tmp/tree/sub/deep'
echo skip >$S/tree/skip.me
echo skip.me >$WORK/x.list
xdcp cn6,cn8 -R -X $WORK/x.list $S/tree /tmp
check "-X applies on the SN too" eval \
  'rc_is 0 && same_file $S/tree/sub/deep cn6 /tmp/tree/sub/deep && absent cn6 /tmp/tree/skip.me && absent cn8 /tmp/tree/skip.me'
xdcp cn5 -p $S/m /tmp/m
check "-p through an SN keeps mode and time" eval \
  'rc_is 0 && [ "$(on cn5 stat -c "%a %Y" /tmp/m)" = "$(stat -c "%a %Y" $S/m)" ]'
xdcp cn6 $S/link /tmp/l
check "a named symlink arrives as the file it points to (never resolved on the SN)" eval \
  'rc_is 0 && same_file $S/f cn6 /tmp/l && [ "$(on cn6 stat -c %F /tmp/l)" = "regular file" ]'

head -c 1300000 /dev/urandom >$S/slow
xdcp cn5,cn6 -o --bwlimit=100 $S/slow /tmp/slow
check "progress of a run through an SN counts the nodes behind it, not the SN's job" eval \
  'rc_is 0 && grep -q "^xdcp: progress: [0-2]/2 done, 1 running, .*longest sn1 " $WORK/err && same_file $S/slow cn6 /tmp/slow'
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" sn2
xdcp cn5,cn7,cn8,cn1 $S/f /tmp/f2
"$CLUSTER" start-sshd "$XDCP_CLUSTER" sn2
check "an SN that is down: its nodes are blocked by SN, the others ok, exit 1" eval \
  'rc_is 1 && err_has "Error: cn7: blocked by SN: sn2: unreachable" && err_has "Error: cn8: blocked by SN" &&
   err_has "xdcp: 4 nodes: 2 ok, 2 failed" && same_file $S/f cn5 /tmp/f2 && same_file $S/f cn1 /tmp/f2'
xdcp cn5 $S/nosuch /tmp/x
check "a missing source fails before anything runs" eval '! rc_is 0 && absent sn1 $SNDIR$S/nosuch'

# Pulls through the SNs.
for h in cn1 cn5 cn6 cn7 cn8; do
  on $h sh -c "echo from-$h >/tmp/p && mkdir -p /tmp/pt/sub && echo deep-$h >/tmp/pt/sub/d"
done
mkdir -p $WORK/pulled
xdcp cn1,cn5,cn6,cn7,cn8 -P /tmp/p $WORK/pulled
check "pull from two SNs' nodes and a direct node: exit 0, one result each" eval \
  'rc_is 0 && err_has "xdcp: 5 nodes: 5 ok"'
check "every node's file lands as name._NODE" eval \
  'for h in cn1 cn5 cn6 cn7 cn8; do [ "$(cat $WORK/pulled/p._$h)" = from-$h ] || exit 1; done'
check "nothing pulled is left on the SNs" eval \
  'absent sn1 $SNDIR/.xdcp-pull && absent sn2 $SNDIR/.xdcp-pull'
xdcp cn5,cn7 -R -P /tmp/pt $WORK/pulled
check "-R pull through SNs" eval \
  'rc_is 0 && [ "$(cat $WORK/pulled/pt._cn5/sub/d)" = deep-cn5 ] && [ "$(cat $WORK/pulled/pt._cn7/sub/d)" = deep-cn7 ]'
on cn6 rm -f /tmp/p
mkdir -p $WORK/pulled2
xdcp cn5,cn6 -P /tmp/p $WORK/pulled2
check "a node without the file fails, its neighbour behind the same SN is pulled" eval \
  'rc_is 1 && err_has "Error: cn6: transfer" && [ "$(cat $WORK/pulled2/p._cn5)" = from-cn5 ] && err_has "xdcp: 2 nodes: 1 ok, 1 failed"'
mkdir -p $WORK/pulled3
xdcp cn5,cn7 -r /usr/bin/scp -P /tmp/p $WORK/pulled3
check "pull through SNs with scp: files land as name._NODE" eval \
  'rc_is 0 && [ "$(cat $WORK/pulled3/p._cn5)" = from-cn5 ] && [ "$(cat $WORK/pulled3/p._cn7)" = from-cn7 ] && [ ! -e $WORK/pulled3/.xdcp-pull ]'
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" sn2
xdcp cn5,cn7 -P /tmp/p $WORK/pulled
"$CLUSTER" start-sshd "$XDCP_CLUSTER" sn2
check "pull with an SN down: its node is blocked by SN, exit 1" eval \
  'rc_is 1 && err_has "Error: cn7: blocked by SN: sn2: unreachable"'

rm -f $DB
for h in cn1 cn5 cn6 cn7 cn8; do on $h sh -c 'rm -rf /tmp/f /tmp/f2 /tmp/tree /tmp/m /tmp/l /tmp/p /tmp/pt /tmp/slow'; done
check "nothing is left running" no_leftovers
finish
