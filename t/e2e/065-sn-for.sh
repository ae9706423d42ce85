#!/bin/bash
# User story: before compute nodes install, their service nodes get exactly what those nodes need (--for).
# Before compute nodes install: `xdcp --for CNRANGE` brings exactly the
# service nodes that serve them up to date with what those nodes need (their
# netboot images, their synclist files); `--sn` without a cluster database
# keeps every netboot image and says why.
. "$(dirname "$0")/lib.sh"
export XDCP_DATADIR=$XDCP_SOURCE_DIR XDCP_REMOTE_XDCP=$XDCP
SNDIR=/var/xcat/syncfiles
A=/install/netboot/rhels9/x86_64/imga
B=/install/netboot/rhels9/x86_64/imgb

rm -rf /install/* /var/xcat/*
mkdir -p /install/postscripts /install/custom $A/rootimg/etc $B/rootimg/etc \
  /install/rhels9/x86_64
echo 'echo hi' >/install/postscripts/hello
echo a >$A/rootimg/etc/motd
echo b >$B/rootimg/etc/motd
touch /install/rhels9/x86_64/.treeinfo
mkdir -p "$WORK/src"
echo for-a >"$WORK/src/a"
echo for-b >"$WORK/src/b"
echo "$WORK/src/a -> /etc/a" >/install/custom/a.synclist
echo "$WORK/src/b -> /etc/b" >/install/custom/b.synclist
cat >/etc/xcat/nodelist.xml <<EOF2
<cluster>
  <site master="mn" installdir="/install" SNsyncfiledir="$SNDIR"/>
  <osimage name="img-a" rootimgdir="$A" synclists="/install/custom/a.synclist"/>
  <osimage name="img-b" rootimgdir="$B/" synclists="/install/custom/b.synclist"/>
  <node name="sn1" groups="service"/>
  <node name="sn2" groups="service"/>
  <node name="cn5" groups="compute" servicenode="sn1" provmethod="img-a"/>
  <node name="cn6" groups="compute" servicenode="sn1" provmethod="img-b"/>
  <node name="cn7" groups="compute" servicenode="sn2" provmethod="img-a"/>
  <node name="cn1" groups="compute" provmethod="img-a"/>
</cluster>
EOF2
for s in sn1 sn2; do on $s sh -c 'rm -rf /install/* /var/xcat/*'; done
# An image B that sn1 already has from earlier: not this run's business.
on sn1 sh -c "mkdir -p $B/rootimg/etc && echo old-b >$B/rootimg/etc/motd"

xdcp --for cn5 --dry-run
check "--for --dry-run: one line per exclusion rule, with its count" eval \
  'rc_is 0 && grep -q "^xdcp: exclusions: sn1: /install: [0-9]* exclusions$" $WORK/err &&
   grep -q "^xdcp: exclusions: sn1: /install:   [0-9]* from $XDCP_SOURCE_DIR/filelists/install.exclude$" $WORK/err &&
   err_has "xdcp: exclusions: sn1: /install:   1 copycds trees" &&
   err_has "xdcp: exclusions: sn1: /install:   1 netboot images none of its nodes uses"'
check "... and changes nothing" absent sn1 /install/postscripts/hello

xdcp --for cn5 --delete
check "--for cn5: exit 0, one result, for sn1 only" eval \
  'rc_is 0 && err_has "xdcp: 1 node: 1 ok" && absent sn2 /install/postscripts'
check "sn1 gets /install and image A" eval \
  '[ "$(on sn1 cat $A/rootimg/etc/motd)" = a ] && on sn1 test -f /install/postscripts/hello'
check "image B is not sent, and sn1's own copy is left alone under --delete" \
  [ "$(on sn1 cat $B/rootimg/etc/motd)" = old-b ]
check "cn5's synclist files are staged, cn6's are not" eval \
  '[ "$(on sn1 cat $SNDIR$WORK/src/a)" = for-a ] && on sn1 test -f $SNDIR/install/custom/a.synclist &&
   absent sn1 $SNDIR$WORK/src/b && absent sn1 $SNDIR/install/custom/b.synclist'

xdcp --for cn1
check "--for a node that no service node serves: error, exit 2" eval \
  'rc_is 2 && err_has "no service node serves '"'"'cn1'"'"'"'
xdcp --for cn5,cn7 --sn sn2
check "--for with --sn: only the service nodes of both" eval \
  'rc_is 0 && err_has "xdcp: 1 node: 1 ok" && [ "$(on sn2 cat $A/rootimg/etc/motd)" = a ] && absent sn2 $B'

rm -f /etc/xcat/nodelist.xml
on sn2 sh -c 'rm -rf /install/*'
xdcp --sn sn2 /install
check "--sn without a database: every netboot image is kept, with a warning" eval \
  'rc_is 0 && err_has "Warning: no cluster database" &&
   [ "$(on sn2 cat $A/rootimg/etc/motd)" = a ] && [ "$(on sn2 cat $B/rootimg/etc/motd)" = b ]'
check "... copycds trees are still left out" absent sn2 /install/rhels9/x86_64
xdcp --for cn5
check "--for without a database: error, exit 2" eval \
  'rc_is 2 && err_has "--for needs the cluster database"'
rm -rf /install/*
check "nothing is left running" no_leftovers
finish
