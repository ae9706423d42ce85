#!/bin/bash
# User story: the first mirror of many service nodes does not send the whole tree once per SN from the management node.
# --sn --relay: the management node sends a cold tree to the first two SNs;
# each SN forwards it to two others, with the receiving SN's own
# exclusions; a second probe then finds what the relay did not bring (an
# image the relaying SN does not keep), and only that comes from the
# management node. A relaying SN that is down, or stops mid-relay, fails
# no SN behind it. After every run each SN's tree is compared exactly with
# what the plain mirror (a full rsync -aH of the same tree with the same
# exclusions, shown by 060 and 062) leaves there.
# Here cn1..cn4 play the service nodes: relayed in plan order, cn1 and cn2
# get the tree from the management node, cn3 and cn4 from cn1.
. "$(dirname "$0")/lib.sh"
export XDCP_DATADIR=$XDCP_SOURCE_DIR XDCP_REMOTE_XDCP=$XDCP
SNS=(cn1 cn2 cn3 cn4)
wipe() { for s in "$@"; do on "$s" find /install -mindepth 1 -delete; done; }

rm -rf /install/*
IMG=/install/netboot/rhels9/x86_64
mkdir -p /install/postscripts /install/big "$IMG/alpha/rootimg/etc" "$IMG/beta/rootimg/etc"
echo 'echo hi' >/install/postscripts/hello
ln /install/postscripts/hello /install/postscripts/hello.hardlink
echo numeric >/install/postscripts/numeric
chown 4242:4242 /install/postscripts/numeric
echo secret >/install/postscripts/secret
chmod 0600 /install/postscripts/secret
echo alpha >"$IMG/alpha/rootimg/etc/motd"
ln -s motd "$IMG/alpha/rootimg/etc/issue"
ln -s /.statelite/tmpfs/etc/fstab "$IMG/beta/rootimg/etc/fstab"
echo beta >"$IMG/beta/rootimg/etc/motd"
head -c 3000000 /dev/urandom >/install/big/big
find /install -exec touch -h -d '2024-01-02 03:04:05' {} +
# cn1 and cn4 serve nodes of the alpha image, cn2 and cn3 of beta: cn3
# relays from cn1, which has no beta image to give it.
cat >/etc/xcat/nodelist.xml <<EOF
<cluster>
  <site master="mn" installdir="/install"/>
  <osimage name="img-alpha" rootimgdir="$IMG/alpha"/>
  <osimage name="img-beta" rootimgdir="$IMG/beta"/>
  <node name="cn1" groups="service"/>
  <node name="cn2" groups="service"/>
  <node name="cn3" groups="service"/>
  <node name="cn4" groups="service"/>
  <node name="c1" servicenode="cn1" provmethod="img-alpha"/>
  <node name="c2" servicenode="cn2" provmethod="img-beta"/>
  <node name="c3" servicenode="cn3" provmethod="img-beta"/>
  <node name="c4" servicenode="cn4" provmethod="img-alpha"/>
</cluster>
EOF
wipe "${SNS[@]}"

# The reference: each SN's tree after the plain mirror (no --relay).
xdcp --sn cn1,cn2,cn3,cn4 /install
check "the plain mirror: exit 0, 4 ok" eval 'rc_is 0 && err_has "xdcp: 4 nodes: 4 ok"'
declare -A REF
for s in "${SNS[@]}"; do REF[$s]=$(tree_listing "$s"); done
check "... each SN has only its own image" eval \
  'absent cn1 $IMG/beta && absent cn3 $IMG/alpha && on cn3 test -f $IMG/beta/rootimg/etc/motd && on cn4 test -f $IMG/alpha/rootimg/etc/motd'
exact() {
  local s ok=0
  for s in "${SNS[@]}"; do
    [ "$(tree_listing "$s")" = "${REF[$s]}" ] && continue
    echo "  $s differs from the plain mirror:"; diff <(echo "${REF[$s]}") <(tree_listing "$s") | sed 's/^/    /'
    ok=1
  done
  return $ok
}
ran_from_mn() { grep -q "^TRACE: $1: [^ ]*/rsync " "$WORK/out"; }

wipe "${SNS[@]}"
xdcp --sn cn1,cn2,cn3,cn4 --relay -T /install
check "cold, --relay: exit 0, 4 ok" eval 'rc_is 0 && err_has "xdcp: 4 nodes: 4 ok"'
check "... -T says who relays to whom" eval \
  'err_has "xdcp: relay: cn3: /install: if all of it is to send, cn1 sends it first" && err_has "xdcp: relay: cn4: /install: if all of it is to send, cn1 sends it first"'
check "... cn1 and cn2 got the tree from here, cn3 and cn4 from cn1" eval \
  'ran_from_mn cn1 && ran_from_mn cn2 && grep -q "^TRACE: cn3: ssh .* cn1 .*rsync .* cn3:/install/" "$WORK/out" && grep -q "^TRACE: cn4: ssh .* cn1 .*rsync .* cn4:/install/" "$WORK/out"'
# (its second probe normally finds nothing; should it find a directory,
# -T names it, and rsync from here may run, but sends no file)
check "... cn4 (the same image as cn1) got no file from here" eval \
  '! grep -q "^TRACE: cn4: changed: /" "$WORK/out" && ! out_has "all of /install to send (9 directories): every directory differs on cn4 after"'
if ran_from_mn cn4; then echo "# note: cn4's second probe: $(grep "directories of /install to send" "$WORK/out" | grep "cn4")"; fi
check "... cn3 got from here only what cn1 does not keep (the beta image)" eval \
  'ran_from_mn cn3 && out_has "directories of /install to send" && grep -q "^TRACE: cn3: .*--files-from=" "$WORK/out"'
check "... every tree is exactly the plain mirror's: cn1's image never reached cn3" exact

xdcp --sn cn1,cn2,cn3,cn4 --relay -T /install
check "warm, --relay: nothing relayed, nothing sent" eval \
  'rc_is 0 && ! grep -q "cn1 .*rsync .*cn3:/install/" "$WORK/out" && ! ran_from_mn cn1 && ! ran_from_mn cn3'

# --delete: the relay deletes nothing; the pass from here after it does,
# within its cap. --persist: the relay goes over cn1's kept connection.
wipe cn3 cn4
on cn3 sh -c 'mkdir -p /install/postscripts && echo junk >/install/postscripts/junk'
xdcp --sn cn1,cn2,cn3,cn4 --relay --delete --persist 60 -T /install
check "--relay --delete --persist: exit 0, 4 ok, cn3's extra file deleted" eval \
  'rc_is 0 && err_has "xdcp: 4 nodes: 4 ok" && absent cn3 /install/postscripts/junk'
check "... the relays went over cn1's kept connection" eval \
  'grep -q "^TRACE: cn3: ssh .*ControlPath=.* cn1 .*rsync .* cn3:/install/" "$WORK/out"'
check "... exact" exact
xdcp --close-connections cn1,cn2,cn3,cn4
check "... --close-connections closes them" rc_is 0

# A relaying SN that is down: the SNs behind it get the tree from here.
wipe cn3 cn4
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" cn1
xdcp --sn cn1,cn2,cn3,cn4 --relay -T /install
"$CLUSTER" start-sshd "$XDCP_CLUSTER" cn1
check "relaying SN down: cn1 fails, and only cn1" eval \
  'rc_is 1 && err_has "xdcp: 4 nodes: 3 ok, 1 failed" && grep -q "cn1" "$WORK/err"'
check "... the relays from it are passed over, cn3 and cn4 get the tree from here" eval \
  'out_has "TRACE: cn3: '"'(skipped)' 'relay /install from cn1: cn1 failed'"'" && ran_from_mn cn3 && ran_from_mn cn4'
check "... exact" exact

# A relaying SN that stops (SIGSTOP, the whole host) in the middle of a
# relay. -r names an rsync that goes slowly on cn1 only, so that the relay
# is seen under way.
BIN=$XDCP_CLUSTER/e2e-063-bin
mkdir -p "$BIN"
printf '#!/bin/sh\n[ "$(hostname)" = cn1 ] && exec /usr/bin/rsync --bwlimit=100 "$@"\nexec /usr/bin/rsync "$@"\n' >"$BIN/rsync"
chmod 755 "$BIN/rsync"
wipe cn3 cn4
"$XDCP" --sn cn1,cn2,cn3,cn4 --relay -T -r "$BIN/rsync" /install >"$WORK/out" 2>"$WORK/err" &
pid=$!
wait_for "the relay from cn1 writing big/big on cn3" 120 host_has cn3 '/install/big/.big.*'
"$CLUSTER" freeze "$XDCP_CLUSTER" cn1
wait "$pid"
RC=$?
# (cn1's relay is killed before cn1 goes on, so that it never writes to
# cn3 after the test looked)
on cn1 pkill -KILL -f 'bwlimit=100'
"$CLUSTER" thaw "$XDCP_CLUSTER" cn1
check "relaying SN stopped mid-relay: exit 0, 4 ok (cn1's own mirror had ended)" eval \
  'rc_is 0 && err_has "xdcp: 4 nodes: 4 ok"'
check "... the relay is given up on, saying so, and the tree comes from here" eval \
  'grep -q "cn[34]: relay of /install from cn1 failed; sending from here" "$WORK/out" && ran_from_mn cn3 && ran_from_mn cn4'
check "... exact, with no temporary file of the relay left" exact
no_rsync_on() { ! on "$1" pgrep -x rsync; }
check "... no rsync left on cn3 or cn4" eval \
  'wait_for "the relay receivers to go" 90 no_rsync_on cn3 && wait_for "... on cn4" 90 no_rsync_on cn4'
check "nothing is left running" no_leftovers

rm -rf "$BIN" /install/*
wipe "${SNS[@]}"
finish
