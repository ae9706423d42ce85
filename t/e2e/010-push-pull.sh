#!/bin/bash
# User story: an admin's xCAT xdcp command lines (push, pull, -R, -P, globs, -o) work unchanged, with rsync or scp.
# The xCAT xdcp test cases (cases0): push, pull, -R, -RP, globs, rsync -o,
# with both transports.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/xdcp/test1" "$WORK/xdcp/test2" "$WORK/flat"
echo test1 >"$WORK/xdcp/test1/test1.txt"
echo test2 >"$WORK/xdcp/test2/test2.txt"
echo test1 >"$WORK/flat/test1.txt"
echo test2 >"$WORK/flat/test2.txt"
head -c 100000 /dev/urandom >"$WORK/hosts"
chmod 640 "$WORK/hosts"
touch -d '2020-01-02 03:04:05' "$WORK/hosts"

xdcp -h
check "xdcp -h exits 0 with usage" eval 'rc_is 0 && out_has Usage'
xdcp -V
check "xdcp -V prints Version" eval 'rc_is 0 && out_has Version'

for rcp in /usr/bin/rsync /usr/bin/scp; do
  t=$(basename $rcp)
  for n in cn1 cn2; do on $n rm -rf /tmp/hosts /tmp/xdcp /tmp/test1.txt /tmp/test2.txt; done
  xdcp cn1,cn2 -r $rcp "$WORK/hosts" /tmp/hosts
  check "$t: push one file to two nodes" eval \
    'rc_is 0 && out_empty && same_file "$WORK/hosts" cn1 /tmp/hosts && same_file "$WORK/hosts" cn2 /tmp/hosts'
  check "$t: nothing reaches nodes outside the range" absent cn3 /tmp/hosts

  xdcp cn1 -r $rcp -p "$WORK/hosts" /tmp/hosts_p
  check "$t: -p keeps mtime and mode" eval \
    '[ "$(on cn1 stat -c "%a %Y" /tmp/hosts_p)" = "$(stat -c "%a %Y" "$WORK/hosts")" ]'

  rm -rf "$WORK/pull" && mkdir "$WORK/pull"
  on cn1 sh -c 'echo inittab-of-cn1 > /tmp/inittab'
  on cn2 sh -c 'echo inittab-of-cn2 > /tmp/inittab'
  xdcp cn1,cn2 -r $rcp -P /tmp/inittab "$WORK/pull/"
  check "$t: -P pulls NAME._NODE from each node" eval \
    'rc_is 0 && [ "$(cat $WORK/pull/inittab._cn1)" = inittab-of-cn1 ] && [ "$(cat $WORK/pull/inittab._cn2)" = inittab-of-cn2 ]'

  on cn1 mkdir -p /tmp/xdcp/test1 /tmp/xdcp/test2
  on cn1 sh -c 'echo test1 > /tmp/xdcp/test1/test1.txt; echo test2 > /tmp/xdcp/test2/test2.txt'
  for round in 1 2; do
    xdcp cn1 -r $rcp -RP /tmp/xdcp "$WORK/pull"
    check "$t: -RP gives DIR._NODE with no extra level (run $round)" eval \
      'rc_is 0 && [ "$(cat $WORK/pull/xdcp._cn1/test1/test1.txt)" = test1 ] && [ "$(cat $WORK/pull/xdcp._cn1/test2/test2.txt)" = test2 ] && [ ! -e $WORK/pull/xdcp._cn1/xdcp ]'
  done
  on cn1 rm -rf /tmp/xdcp

  for round in 1 2; do
    xdcp cn1 -r $rcp -R "$WORK/xdcp" /tmp
    check "$t: -R pushes a tree as TARGET/DIR (run $round)" eval \
      'rc_is 0 && [ "$(on cn1 cat /tmp/xdcp/test1/test1.txt)" = test1 ] && [ "$(on cn1 cat /tmp/xdcp/test2/test2.txt)" = test2 ] && absent cn1 /tmp/xdcp/xdcp'
  done

  xdcp cn2 -r $rcp "$WORK/flat/*" /tmp
  check "$t: a quoted glob is expanded by xdcp" eval \
    'rc_is 0 && [ "$(on cn2 cat /tmp/test1.txt)" = test1 ] && [ "$(on cn2 cat /tmp/test2.txt)" = test2 ]'
done

on cn3 rm -f /tmp/test1.txt /tmp/test2.txt
xdcp cn3 -r /usr/bin/rsync -o "-t" "$WORK/flat/test1.txt" "$WORK/flat/test2.txt" /tmp
check "rsync with -o -t copies several files" eval \
  'rc_is 0 && [ "$(on cn3 cat /tmp/test1.txt)" = test1 ] && [ "$(on cn3 cat /tmp/test2.txt)" = test2 ]'

xdcp cn1,cn2 -T "$WORK/flat/test1.txt" /tmp/traced
check "-T prints the exact argv of every command" eval \
  'rc_is 0 && out_has "TRACE: cn1: /usr/bin/rsync -l --protect-args -e '"'"'ssh -o BatchMode=yes -o ConnectTimeout=10'"'"' $WORK/flat/test1.txt cn1:/tmp/traced" && out_has "TRACE: cn2: "'

xdcp cn1,cn2,cn3,cn4 -f 1 -v "$WORK/flat/test1.txt" /tmp/f1
check "-f 1 -v reaches every node one at a time" eval \
  'rc_is 0 && for n in cn1 cn2 cn3 cn4; do same_file "$WORK/flat/test1.txt" $n /tmp/f1 || exit 1; done'
check "summary names every node" err_has "xdcp: 4 nodes: 4 ok, 0 failed, 0 skipped"
check "no copy process is left behind" no_leftovers
finish
