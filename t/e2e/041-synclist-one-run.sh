#!/bin/bash
# User story: a synclist of many small lines reaches each node in one rsync run.
# One rsync run per node for a whole synclist, whatever its layout: xCAT's
# test layout (20 lines, each file into its own directory, every second
# one renamed), and EXECUTE deciding per trigger from that one run.
. "$(dirname "$0")/lib.sh"

S=$WORK/src
mkdir -p $S
reset() { for n in cn1 cn2; do on $n rm -rf /tmp/one; done; }
reset
: >$WORK/ref.synclist
want=""
for i in $(seq -w 1 20); do
  echo "file $i" >$S/f$i
  if [ $((10#$i % 2)) = 0 ]; then
    echo "$S/f$i -> /tmp/one/d$i/renamed$i" >>$WORK/ref.synclist
    want="$want/tmp/one/d$i/renamed$i "
  else
    echo "$S/f$i -> /tmp/one/d$i/" >>$WORK/ref.synclist
    want="$want/tmp/one/d$i/f$i "
  fi
done
# rsync processes per node in the trace: the copy steps' argv[0].
rsyncs() { grep -c "^TRACE: $1: [^ ]*rsync " "$WORK/out"; }

xdcp cn1,cn2 -F $WORK/ref.synclist -T
check "20 lines, 20 directories, 10 renames: exit 0" rc_is 0
check "one rsync run per node (counted with -T)" eval \
  '[ "$(rsyncs cn1)" = 1 ] && [ "$(rsyncs cn2)" = 1 ]'
for n in cn1 cn2; do
  got=$(on $n sh -c 'find /tmp/one -type f | sort | tr "\n" " "')
  check "$n has the 20 files under their names" [ "$got" = "$want" ]
done
check "contents and renames are right" eval \
  '[ "$(on cn2 cat /tmp/one/d20/renamed20)" = "file 20" ] && [ "$(on cn1 cat /tmp/one/d07/f07)" = "file 07" ]'
xdcp cn1,cn2 -F $WORK/ref.synclist --dry-run
check "--dry-run shows the same one run and makes nothing" eval \
  'rc_is 0 && [ "$(rsyncs cn1)" = 1 ] && out_has "make the transfer tree"'

# EXECUTE: two triggers in two directories, one renamed; each .post runs
# only where its own trigger changed in the one run.
mkdir -p $S/exec
for t in t1 t2; do
  echo "$t v1" >$S/exec/$t
  printf '#!/bin/sh\necho "%s.post ran on $(hostname)"\n' $t >$S/exec/$t.post
  chmod +x $S/exec/$t.post
done
cat $WORK/ref.synclist >$WORK/exec.synclist
cat >>$WORK/exec.synclist <<EOF2
$S/exec/t1 -> /tmp/one/e1/
$S/exec/t2 -> /tmp/one/e2/trigger2
$S/exec/t1.post -> /tmp/one/e1/
$S/exec/t2.post -> /tmp/one/e2/
EXECUTE:
$S/exec/t1.post
$S/exec/t2.post
EOF2
reset
xdcp cn1,cn2 -F $WORK/exec.synclist -T
check "EXECUTE run 1: both scripts run on both nodes, after one rsync" eval \
  'rc_is 0 && [ "$(rsyncs cn1)" = 1 ] && out_has "cn1: t1.post ran on cn1" && out_has "cn1: t2.post ran on cn1" && out_has "cn2: t2.post ran on cn2"'
xdcp cn1,cn2 -F $WORK/exec.synclist
check "EXECUTE run 2, nothing changed: nothing runs" eval 'rc_is 0 && out_empty'
echo "t2 v2, longer" >$S/exec/t2
xdcp cn1,cn2 -F $WORK/exec.synclist -T
check "EXECUTE run 3, only the renamed trigger t2 changed: only t2.post runs" eval \
  'rc_is 0 && [ "$(rsyncs cn1)" = 1 ] && out_has "cn1: t2.post ran on cn1" && out_has "cn2: t2.post ran on cn2" && ! out_has "t1.post ran"'
echo "t1 v2, longer" >$S/exec/t1
touch -d "2024-01-02 03:04:05" $S/exec/t1
on cn2 sh -c "cat >/tmp/one/e1/t1 && touch -d '2024-01-02 03:04:05' /tmp/one/e1/t1" <$S/exec/t1
xdcp cn1,cn2 -F $WORK/exec.synclist
check "EXECUTE run 4, t1 changed on cn1 only: t1.post runs there only" eval \
  'rc_is 0 && out_has "cn1: t1.post ran on cn1" && ! out_has "cn2: t1.post" && ! out_has "t2.post ran"'
reset
check "nothing is left running" no_leftovers
finish
