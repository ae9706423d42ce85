#!/bin/bash
# User story: each service node holds only the synclist files its own nodes need.
# Each service node holds only what its own nodes need: a (noderange) line
# is staged on an SN only when one of its nodes is in the range, variables
# are expanded with each node's image, and a line for the SN itself is
# never staged for its nodes (xCAT's updatenode_f_F_hierarchy).
. "$(dirname "$0")/lib.sh"
export XDCP_DATADIR=$XDCP_SOURCE_DIR XDCP_REMOTE_XDCP=$XDCP
SNDIR=/var/xcat/syncfiles
DB=/etc/xcat/nodelist.xml

rm -rf /install/* /var/xcat/*
mkdir -p "$WORK/src/sm90" /install/custom
for f in all c56 c7 c1 snown sm90/k; do echo "$f" >"$WORK/src/$f"; done
L=/install/custom/compute.synclist
cat >$L <<EOF2
$WORK/src/all -> /tmp/all
$WORK/src/c56 -> (cn5,cn6) /tmp/c56
$WORK/src/c7 -> (cn7) /tmp/c7
$WORK/src/c1 -> (cn1) /tmp/c1
$WORK/src/\$ARCH/k -> (gpu) /tmp/k
$WORK/src/snown -> (sn1) /tmp/snown
EOF2
cat >$DB <<EOF2
<cluster>
  <site master="mn" installdir="/install" SNsyncfiledir="$SNDIR"/>
  <osimage name="img-cpu" synclists="$L"/>
  <osimage name="img-gpu" synclists="$L" environvar="ARCH=sm90"/>
  <node name="sn1" groups="service"/>
  <node name="sn2" groups="service"/>
  <node name="cn5" groups="compute" servicenode="sn1" provmethod="img-cpu"/>
  <node name="cn6" groups="compute" servicenode="sn1" provmethod="img-cpu"/>
  <node name="cn7" groups="compute" servicenode="sn2" provmethod="img-cpu"/>
  <node name="cn8" groups="compute,gpu" servicenode="sn2" provmethod="img-gpu"/>
  <node name="cn1" groups="compute" provmethod="img-cpu"/>
</cluster>
EOF2
clean() {
  for h in sn1 sn2; do on $h sh -c "rm -rf $SNDIR"; done
  for h in cn1 cn5 cn6 cn7 cn8; do on $h sh -c 'rm -f /tmp/all /tmp/c56 /tmp/c7 /tmp/c1 /tmp/k /tmp/snown'; done
}
# staged HOST: every file under HOST's SNsyncfiledir, one line, sorted.
staged() { on "$1" sh -c "cd $SNDIR 2>/dev/null && find . -type f | sort | tr '\n' ' '"; }
expect_staged() { # HOST FILE...: exactly these files (paths under SNDIR)
  local want=$(for f in "${@:2}"; do echo ".$f"; done | sort | tr '\n' ' ')
  [ "$(staged "$1")" = "$want" ] || { echo "  $1 holds: $(staged "$1")"; echo "  expected: $want"; return 1; }
}
S=$WORK/src

clean
xdcp cn1,cn5,cn6,cn7,cn8 -F $L
check "-F over two SNs and a direct node, \$ARCH defined for the GPU image only: exit 0" eval \
  'rc_is 0 && err_has "xdcp: 5 nodes: 5 ok"'
check "sn1 holds exactly what cn5 and cn6 need" expect_staged sn1 $S/all $S/c56 $L $DB
check "sn2 holds exactly what cn7 and cn8 need" expect_staged sn2 $S/all $S/c7 $S/sm90/k $L $DB
check "each node got its lines, and only those" eval \
  'same_file $S/c56 cn5 /tmp/c56 && same_file $S/c7 cn7 /tmp/c7 && same_file $S/sm90/k cn8 /tmp/k &&
   same_file $S/c1 cn1 /tmp/c1 && absent cn7 /tmp/k && absent cn8 /tmp/c7 && absent cn5 /tmp/c7 &&
   absent cn5 /tmp/snown && same_file $S/all cn6 /tmp/all'

clean
xdcp cn5 -s -F $L
check "-s for cn5: sn1 holds cn5's files, not the SN's own line" eval \
  'rc_is 0 && expect_staged sn1 $S/all $S/c56 $L $DB && absent cn5 /tmp/all'
check "... and sn2, which serves no node of the range, gets nothing" eval '[ -z "$(staged sn2)" ]'

clean
xdcp --sn sn1,sn2 /install
check "--sn stages, per SN, what the nodes it serves need" eval \
  'rc_is 0 && expect_staged sn1 $S/all $S/c56 $L && expect_staged sn2 $S/all $S/c7 $S/sm90/k $L'
xdcp cn5 -F $L
check "... then -F through sn1 delivers cn5's lines, the SN's own file nowhere" eval \
  'rc_is 0 && same_file $S/c56 cn5 /tmp/c56 && absent cn5 /tmp/snown && absent sn1 $SNDIR$S/snown'

# APPEND markers do not depend on the path: cn1 (which accepts ssh from
# anyone) is delivered once directly, then once through sn1.
echo appended-line >$S/app
printf 'APPEND:\n%s -> /tmp/app.target\n' $S/app >$WORK/app.synclist
on cn1 sh -c 'echo line1 >/tmp/app.target'
xdcp cn1 -F $WORK/app.synclist
sed -i 's|<node name="cn1" groups="compute" provmethod="img-cpu"/>|<node name="cn1" groups="compute" servicenode="sn1" provmethod="img-cpu"/>|' $DB
xdcp cn1 -F $WORK/app.synclist -T
check "APPEND directly, then through an SN: one block" eval \
  'rc_is 0 && grep -q "TRACE: sn1: .*--source-prefix" $WORK/out &&
   [ "$(on cn1 grep -c appended-line /tmp/app.target)" = 1 ] && [ "$(on cn1 grep -c "^# xdcp APPEND begin" /tmp/app.target)" = 1 ]'
on cn1 rm -f /tmp/app.target

rm -f $DB
rm -rf /install/*
clean
check "nothing is left running" no_leftovers
finish
