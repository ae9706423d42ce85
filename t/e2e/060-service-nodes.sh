#!/bin/bash
# User story: the admin mirrors /install to the service nodes (--sn) and syncs the nodes behind them (-F).
# Service nodes: --sn mirrors /install with per-SN exclusions and stages the
# synclist files of each SN's nodes; -F to nodes behind SNs is delivered
# through them (cn5..cn8 accept ssh only from their SN); -s stages only.
. "$(dirname "$0")/lib.sh"
export XDCP_DATADIR=$XDCP_SOURCE_DIR XDCP_REMOTE_XDCP=$XDCP
SNDIR=/var/xcat/syncfiles

# A synthetic /install on the management node.
rm -rf /install/* /var/xcat/*
mkdir -p /install/postscripts /install/custom/netboot /install/nim \
  /install/netboot/rhels9/x86_64/compute/rootimg/etc \
  /install/netboot/rhels9/x86_64/unused/rootimg/etc \
  /install/netboot/sles15/x86_64/lite/rootimg/etc \
  /install/rhels9/x86_64/Packages
echo 'echo hi' >/install/postscripts/hello
ln /install/postscripts/hello /install/postscripts/hello.hardlink
echo "weird" >"/install/postscripts/we ird;\$(touch pwned)"
echo compute >/install/netboot/rhels9/x86_64/compute/rootimg/etc/motd
echo unused >/install/netboot/rhels9/x86_64/unused/rootimg/etc/motd
ln -s /.statelite/tmpfs/etc/fstab /install/netboot/sles15/x86_64/lite/rootimg/etc/fstab
echo lite >/install/netboot/sles15/x86_64/lite/rootimg/etc/motd
touch /install/rhels9/x86_64/.treeinfo /install/rhels9/x86_64/Packages/kernel.rpm
echo nim >/install/nim/spot
mkdir -p "$WORK/src"
echo hosts-for-compute >"$WORK/src/hosts"
echo only-sn1-nodes >"$WORK/src/sn1only"
cat >/install/custom/netboot/compute.synclist <<EOF2
$WORK/src/hosts -> /etc/hosts.synced
$WORK/src/sn1only -> (cn5) /tmp/sn1only
EOF2
cat >/etc/xcat/nodelist.xml <<EOF2
<cluster>
  <site master="mn" installdir="/install" SNsyncfiledir="$SNDIR"/>
  <osimage name="img-compute" rootimgdir="/install/netboot/rhels9/x86_64/compute"
           synclists="/install/custom/netboot/compute.synclist"/>
  <osimage name="img-lite" rootimgdir="/install/netboot/sles15/x86_64/lite"/>
  <osdistro name="rhels9-x86_64" dirpaths="/install/rhels9/x86_64"/>
  <node name="sn1" groups="service"/>
  <node name="sn2" groups="service"/>
  <node name="cn5" groups="compute" servicenode="sn1" provmethod="img-compute"/>
  <node name="cn6" groups="compute" servicenode="sn1" provmethod="img-compute"/>
  <node name="cn7" groups="compute" servicenode="sn2" provmethod="img-lite"/>
  <node name="cn8" groups="compute" servicenode="sn2" provmethod="img-lite"/>
  <node name="cn1" groups="compute"/>
</cluster>
EOF2
for s in sn1 sn2; do on $s sh -c 'rm -rf /install/* /var/xcat/*'; done

tree_of() { on $1 sh -c 'cd /install && find . | sort | tr "\n" " "'; }
xdcp --sn sn1,sn2 /install
check "--sn: exit 0, one result per SN" eval 'rc_is 0 && err_has "xdcp: 2 nodes: 2 ok"'
check "sn1 has postscripts, custom lists and the image its nodes use" eval \
  'on sn1 test -f /install/postscripts/hello && on sn1 test -f /install/custom/netboot/compute.synclist && [ "$(on sn1 cat /install/netboot/rhels9/x86_64/compute/rootimg/etc/motd)" = compute ]'
check "sn1 lacks the unused image, sn2's image, the copycds tree and /install/nim" eval \
  'absent sn1 /install/netboot/rhels9/x86_64/unused && absent sn1 /install/netboot/sles15/x86_64/lite && absent sn1 /install/rhels9/x86_64 && absent sn1 /install/nim'
check "sn2 has the statelite image, its dangling link kept as a link" eval \
  '[ "$(on sn2 readlink /install/netboot/sles15/x86_64/lite/rootimg/etc/fstab)" = /.statelite/tmpfs/etc/fstab ] && absent sn2 /install/netboot/rhels9/x86_64/compute'
check "hard links stay hard links" [ "$(on sn1 stat -c %h /install/postscripts/hello)" = 2 ]
check "a hostile file name is mirrored byte-exact, nothing executed" eval \
  'on sn1 test -f "/install/postscripts/we ird;\$(touch pwned)" && ! on sn1 sh -c "ls /root/pwned /tmp/pwned" 2>/dev/null'
check "the synclist files of sn1's nodes are staged under SNsyncfiledir" eval \
  '[ "$(on sn1 cat $SNDIR$WORK/src/hosts)" = hosts-for-compute ] && on sn1 test -f $SNDIR/install/custom/netboot/compute.synclist'
check "sn2 serves no node with a synclist: nothing staged there" absent sn2 "$SNDIR$WORK"

xdcp --sn sn1,sn2 -T /install
check "a second run with nothing changed transfers nothing" eval \
  'rc_is 0 && ! grep -q "^TRACE: [^ ]*: changed: " $WORK/out'
# The mirror's ssh prefers AES-GCM when the CPU has AES and no ssh_config
# chooses ciphers; a Ciphers line of the admin's own turns that off.
if grep -qw aes /proc/cpuinfo; then
  check "with AES and no Ciphers in ssh_config, the mirror's ssh prefers AES-GCM" \
    out_has "-c aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr -o ControlMaster"
fi
cp /root/.ssh/config "$WORK/ssh_config.orig"
printf 'Host *\n    Ciphers chacha20-poly1305@openssh.com\n' >>/root/.ssh/config
xdcp --sn sn1 -T /install
cp "$WORK/ssh_config.orig" /root/.ssh/config
check "... and a Ciphers line in ~/.ssh/config leaves ssh's choice alone" eval \
  'rc_is 0 && out_has "TRACE: sn1: /usr/bin/rsync" && ! grep -q " -c aes" $WORK/out'
echo changed >/install/postscripts/hello2
xdcp --sn sn1,sn2 -T /install
check "a one-file change transfers that file only" eval \
  'rc_is 0 && [ "$(grep "^TRACE: [^ ]*: changed: " $WORK/out | grep -vc "tree digest of")" = 2 ] && out_has "TRACE: sn1: changed: /install/postscripts/hello2"'

printf '/install/postscripts/hello2\n*.rpm\n' >"$WORK/my.exclude"
on sn1 sh -c 'mkdir -p /install/keepme && echo local > /install/keepme/f'
echo gone >/install/postscripts/gone && xdcp --sn sn1 /install >/dev/null
rm /install/postscripts/gone
printf '/install/keepme\n' >>"$WORK/my.exclude"
xdcp --sn sn1 -X "$WORK/my.exclude" --delete -T /install
check "--delete removes what is gone, -X (absolute) protects an excluded directory" eval \
  'rc_is 0 && absent sn1 /install/postscripts/gone && on sn1 test -f /install/keepme/f && out_has "TRACE: sn1: deleting: /install/postscripts/gone"'
printf '+ bad\n' >"$WORK/bad.exclude"
xdcp --sn sn1 -X "$WORK/bad.exclude" /install
check "a bad exclusion list is an error with file and line, exit 2" eval \
  'rc_is 2 && err_has "$WORK/bad.exclude:1:"'
xdcp --sn sn1 --dry-run /install
check "--dry-run shows what would be sent and changes nothing" eval \
  'rc_is 0 && out_has "TRACE: sn1:" && absent sn1 /install/nim'

"$CLUSTER" freeze "$XDCP_CLUSTER" sn2
xdcp --sn sn1,sn2 -t 12 --connect-timeout 30 /install
"$CLUSTER" thaw "$XDCP_CLUSTER" sn2
check "an SN frozen under -t is timed out, the other SN is fine" eval \
  'rc_is 1 && err_has "Error: sn2: timeout: timed out" && err_has "xdcp: ok: sn1"'
check "a long run never looks hung: one progress line naming the slowest, without a terminal" \
  eval 'grep -q "^xdcp: progress: [0-2]/2 done, .*, longest sn2 [0-9]* s" $WORK/err'
check "... and nothing is left running" no_leftovers

# Hierarchical -F: the xCAT updatenode_f_F_hierarchy case.
S=$WORK/updatenode_f_F_hierarchy.dir
mkdir -p $S/testdir1 $S/testdir2 $S/testdir3 $S/testdir4 $S/testdir5 $S/testdir6
for i in 1 2 3 4 5 6; do echo hellotest >$S/testdir$i/testfile$i; done
cat >$WORK/hier.synclist <<EOF2
$S/testdir1/ -> (cn5) /tmp/
$S/testdir2/* -> (cn5) /tmp/
$S/testdir3 -> (cn5) /tmp/
$S/testdir4/testfile4 -> (cn5) /tmp/
$S/testdir5/testfile5 -> /tmp/
$S/testdir6/testfile6 -> (sn1) /tmp/
EOF2
on sn1 sh -c "rm -rf $SNDIR/*"
on cn5 sh -c 'rm -rf /tmp/testfile* /tmp/testdir3'
xdcp cn5 -s -F $WORK/hier.synclist
check "-s stages on the SN only" eval \
  'rc_is 0 && for i in 1 2 3 4 5; do [ "$(on sn1 cat $SNDIR$S/testdir$i/testfile$i)" = hellotest ] || exit 1; done && absent cn5 /tmp/testfile5'
xdcp cn5 -F $WORK/hier.synclist
check "-F through sn1: exit 0" rc_is 0
check "cn5 got the five lines as listed" eval \
  'for f in testfile1 testfile2 testdir3/testfile3 testfile4 testfile5; do [ "$(on cn5 cat /tmp/$f)" = hellotest ] || exit 1; done'
check "the (SN)-only file never reaches the node" absent cn5 /tmp/testfile6
check "cn5 refuses the management node: delivery really went through sn1" eval \
  '! ssh -o BatchMode=yes cn5 true 2>/dev/null'

# Hostile names through a service node: delivered byte-exact, nothing run.
hostile='we ird;$(touch pwned) `touch pwned2` "q"'
echo hostile >"$WORK/src/$hostile"
printf '"%s" -> "/tmp/%s"\n' "$WORK/src/$(printf '%s' "$hostile" | sed 's/["\\]/\\&/g')" \
  "$(printf '%s' "$hostile" | sed 's/["\\]/\\&/g')" >$WORK/hostile.synclist
xdcp cn5 -F $WORK/hostile.synclist
check "hostile names through an SN arrive byte-exact, nothing executed" eval \
  'rc_is 0 && [ "$(on cn5 cat "/tmp/$hostile")" = hostile ] && for h in mn sn1 cn5; do ! on $h sh -c "ls /root/pwned* /tmp/pwned* 2>/dev/null | grep -q ." || exit 1; done'

printf '%s -> /tmp/h5\n' "$WORK/src/hosts" >$WORK/two.synclist
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" sn2
xdcp cn1,cn5,cn6,cn7,cn8 -F $WORK/two.synclist
"$CLUSTER" start-sshd "$XDCP_CLUSTER" sn2
check "an SN that is down: its nodes are blocked by SN, exit 1" eval \
  'rc_is 1 && err_has "Error: cn7: blocked by SN: sn2: unreachable: connection refused" && err_has "Error: cn8: blocked by SN"'
check "... the other SN's nodes and the flat node succeed" eval \
  'same_file $WORK/src/hosts cn5 /tmp/h5 && same_file $WORK/src/hosts cn6 /tmp/h5 && same_file $WORK/src/hosts cn1 /tmp/h5'
check "... one result per node in the summary" err_has "xdcp: 5 nodes: 3 ok, 2 failed"

# A pool: cn9 is served by sn2 first, then sn1. With sn2 down, sn1 delivers.
sed -i 's|<node name="cn1" groups="compute"/>|<node name="cn1" groups="compute"/><node name="cn9" servicenode="sn2,sn1"/>|' /etc/xcat/nodelist.xml
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" sn2
xdcp cn9 -F $WORK/two.synclist
"$CLUSTER" start-sshd "$XDCP_CLUSTER" sn2
check "a pool with its first SN down: the next member delivers, with a warning" eval \
  'rc_is 0 && same_file $WORK/src/hosts cn9 /tmp/h5 && err_has "Warning: service node sn2 is not reachable"'
xdcp sn1,cn5,cn6 -F $WORK/two.synclist
check "an SN and its own nodes in one range: one result each" eval \
  'rc_is 0 && err_has "xdcp: 3 nodes: 3 ok" && same_file $WORK/src/hosts sn1 /tmp/h5'
xdcp --sn 'nosuch[1-0]' /install
check "an empty service-node range is an error" eval 'rc_is 2'

XDCP_REMOTE_XDCP=/nonexistent/xdcp xdcp cn5 -F $WORK/two.synclist
check "xdcp missing on an SN fails its nodes with a message saying so" eval \
  'rc_is 1 && err_has "Error: cn5: blocked by SN: sn1:" && err_has "check xdcp"'
rm -f /etc/xcat/nodelist.xml
rm -rf /install/*
check "nothing is left running" no_leftovers
finish
