#!/bin/bash
# User story: an admin keeps node configuration in a synclist (-F); every line form works as in xCAT.
# Synclists (-F): every line form, noderange lines, variables, EXECUTE,
# EXECUTEALWAYS, APPEND, MERGE, errors, symlinks, -i; rsync and scp.
. "$(dirname "$0")/lib.sh"

R=$WORK/ref
mkdir -p $R/prog1 $R/prog2 $R/flat $R/dir1 $R/dir3 $R/exec $R/app $R/merge "$R/sp ace"
echo hosts >$R/hosts.txt
echo c1 >$R/prog1/conf1.tmpl; echo c2 >$R/prog1/conf2.tmpl
echo p1 >$R/prog2/conf1; echo p2 >$R/prog2/conf2
echo test1 >$R/flat/test1.txt; echo test2 >$R/flat/test2.txt
echo f1 >$R/dir1/f1
echo f3 >$R/dir3/f3
echo "spaced out" >"$R/sp ace/my file"
ln -s $R/hosts.txt $R/hosts.link
cat >/etc/xcat/nodelist.xml <<XML
<cluster>
  <osimage name="img1" environvar="XRDIR=/tmp/xr_envdir,OTHER=x"/>
  <node name="cn1" groups="compute" provmethod="img1"/>
  <node name="cn2" groups="compute" provmethod="img1"/>
  <node name="cn3" groups="compute"/>
  <node name="cn4" groups="compute"/>
</cluster>
XML
reset_nodes() { for n in cn1 cn2 cn3 cn4; do on $n sh -c 'rm -rf /tmp/sl /tmp/nr /etc/prog1 /tmp/xr_envdir /tmp/exec* /tmp/app /tmp/always_test'; done; }
reset_nodes

cat >$WORK/basic.synclist <<EOF2
# comment line
$R/hosts.txt -> /tmp/sl/hosts.txt
$R/hosts.txt -> /tmp/sl/renamed_hosts
$R/prog1/conf1.tmpl -> /etc/prog1/conf1
$R/prog1/conf2.tmpl -> /etc/prog1/conf2
$R/prog2/conf1 $R/prog2/conf2 -> /tmp/sl/prog2
$R/flat/* -> /tmp/sl/glob/
$R/dir1/ -> /tmp/sl/d1/
$R/dir3 -> /tmp/sl/d3/
$R/hosts.txt -> /tmp/sl/sub/deeper/h2
$R/hosts.txt -> \${XRDIR}/h_env
"$R/sp ace/my file" -> "/tmp/sl/with space/your file"
$R/hosts.link -> /tmp/sl/link_target
EOF2
for rcp in scp rsync; do
  # scp cannot send a link that dangles here; rsync keeps it as a link.
  [ $rcp = rsync ] && ln -s /only/on/the/node $R/dir1/dangling
  reset_nodes
  xdcp cn1,cn2 -r /usr/bin/$rcp -F $WORK/basic.synclist
  check "$rcp: basic synclist: exit 0" rc_is 0
  for n in cn1 cn2; do
    got=$(on $n sh -c 'cd / && find /etc/prog1 /tmp/sl /tmp/xr_envdir \( -type f -o -type l \) | sort | tr "\n" " "')
    want="/etc/prog1/conf1 /etc/prog1/conf2 /tmp/sl/d1/dangling /tmp/sl/d1/f1 /tmp/sl/d3/dir3/f3 /tmp/sl/glob/test1.txt /tmp/sl/glob/test2.txt /tmp/sl/hosts.txt /tmp/sl/link_target /tmp/sl/prog2/conf1 /tmp/sl/prog2/conf2 /tmp/sl/renamed_hosts /tmp/sl/sub/deeper/h2 /tmp/sl/with space/your file /tmp/xr_envdir/h_env "
    [ "$rcp" = scp ] && want=${want/\/tmp\/sl\/d1\/dangling /}
    check "$rcp: $n has exactly the 15 files of xCAT's f01 case" [ "$got" = "$want" ]
  done
  check "$rcp: contents and renames are right" eval \
    '[ "$(on cn1 cat /etc/prog1/conf2)" = c2 ] && [ "$(on cn2 cat "/tmp/sl/with space/your file")" = "spaced out" ] && [ "$(on cn1 cat /tmp/xr_envdir/h_env)" = hosts ]'
  check "$rcp: a named symlink is delivered as its target's content" eval \
    '[ "$(on cn1 cat /tmp/sl/link_target)" = hosts ] && ! on cn1 test -L /tmp/sl/link_target'
done
check "rsync: a link inside a synced directory stays a link, even dangling" \
  eval 'reset_nodes; xdcp cn1 -F $WORK/basic.synclist; rc_is 0 && [ "$(on cn1 readlink /tmp/sl/d1/dangling)" = /only/on/the/node ]'

cat >$WORK/nr.synclist <<EOF2
$R/hosts.txt -> (cn1) /tmp/nr/a/only_cn1
$R/hosts.txt -> (cn2,cn3) /tmp/nr/b/cn2_cn3
$R/hosts.txt -> (compute,-cn1) /tmp/nr/c/c4_minus_cn1
$R/flat/test1.txt -> (cn[3-4]) /tmp/nr/d/
$R/flat/test2.txt -> (/cn[12]) /tmp/nr/e/
$R/hosts.txt -> /tmp/nr/everyone
EOF2
reset_nodes
xdcp compute -F $WORK/nr.synclist
check "noderange lines: exit 0" rc_is 0
listing() { on $1 sh -c 'cd /tmp/nr && find . -type f | sort | tr "\n" " "'; }
check "noderange lines: cn1 gets a, e, everyone" [ "$(listing cn1)" = "./a/only_cn1 ./e/test2.txt ./everyone " ]
check "noderange lines: cn2" [ "$(listing cn2)" = "./b/cn2_cn3 ./c/c4_minus_cn1 ./e/test2.txt ./everyone " ]
check "noderange lines: cn3" [ "$(listing cn3)" = "./b/cn2_cn3 ./c/c4_minus_cn1 ./d/test1.txt ./everyone " ]
check "noderange lines: cn4" [ "$(listing cn4)" = "./c/c4_minus_cn1 ./d/test1.txt ./everyone " ]

cat >$WORK/collide.synclist <<EOF2
$R/hosts.txt -> (cn1) /tmp/nr/only_cn1
$R/hosts.txt -> (cn1,cn2) /tmp/nr/cn1_cn2
$R/hosts.txt -> /tmp/nr/everyone
EOF2
reset_nodes
xdcp cn1,cn2 -F $WORK/collide.synclist
check "several renames of one source into one directory are all delivered" eval \
  'rc_is 0 && [ "$(listing cn1)" = "./cn1_cn2 ./everyone ./only_cn1 " ] && [ "$(listing cn2)" = "./cn1_cn2 ./everyone " ]'

printf '%s\n' "$R/hosts.txt -> (cn3) /tmp/nr/h" >$WORK/nomatch.synclist
xdcp cn1,cn3 -F $WORK/nomatch.synclist
check "a node that matches no line is skipped, not failed (exit 0)" eval \
  'rc_is 0 && err_has "xdcp: 2 nodes: 1 ok, 0 failed, 1 skipped" && err_has "skipped (nothing to do): cn1"'

# EXECUTE: runs iff the trigger changed on that node in this run. Every
# change sets its mtime explicitly: a same-size rewrite within the same
# second would look unchanged to rsync's quick check (size and mtime).
echo v1 >$R/exec/file
touch -d '2022-01-01 00:00:00' $R/exec/file
printf '#!/bin/sh\necho hello > /tmp/exec_test\necho "file.post ran on $(hostname)"\n' >$R/exec/file.post
chmod +x $R/exec/file.post
cat >$WORK/execute.synclist <<EOF2
$R/exec/file -> /tmp/exec/file
$R/exec/file.post -> /tmp/exec/file.post
EXECUTE:
$R/exec/file.post
EOF2
reset_nodes
xdcp cn1,cn2 -F $WORK/execute.synclist
check "EXECUTE run 1: runs on both nodes, output prefixed" eval \
  'rc_is 0 && out_has "cn1: file.post ran on cn1" && out_has "cn2: file.post ran on cn2" && [ "$(on cn1 cat /tmp/exec_test)" = hello ]'
for n in cn1 cn2; do on $n rm -f /tmp/exec_test; done
xdcp cn1,cn2 -F $WORK/execute.synclist
check "EXECUTE run 2, nothing changed: does not run" eval 'rc_is 0 && out_empty && absent cn1 /tmp/exec_test'
touch -d '2022-06-01 00:00:00' $R/exec/file.post
xdcp cn1,cn2 -F $WORK/execute.synclist
check "EXECUTE run 3, only the .post touched: does not run" eval 'rc_is 0 && out_empty && absent cn1 /tmp/exec_test'
echo v2 >$R/exec/file
touch -d '2022-01-01 00:00:01' $R/exec/file
on cn2 sh -c "echo v2 > /tmp/exec/file; touch -d '2000-01-01 00:00:00' /tmp/exec/file" # cn2 differs only in time
xdcp cn1,cn2 -F $WORK/execute.synclist
check "EXECUTE run 4, the trigger changed: runs" eval 'rc_is 0 && out_has "cn1: file.post ran on cn1" && [ "$(on cn1 cat /tmp/exec_test)" = hello ]'
printf '#!/bin/sh\necho failing on purpose\nexit 3\n' >$R/exec/file.post
echo "v3, longer" >$R/exec/file  # rsync's quick check: size or time must differ
xdcp cn1 -F $WORK/execute.synclist
check "a failing EXECUTE script fails the node: remote command" eval \
  'rc_is 1 && out_has "cn1: failing on purpose" && err_has "Error: cn1: remote command: exit code 3 in EXECUTE"'

# EXECUTE with scp: xdcp compares size and time itself before copying.
echo s1 >$R/exec/file
printf '#!/bin/sh\necho hello > /tmp/exec_test\necho "file.post ran on $(hostname)"\n' >$R/exec/file.post
reset_nodes
scp_run() { for n in cn1 cn2; do on $n rm -f /tmp/exec_test; done; xdcp cn1,cn2 -r /usr/bin/scp -F $WORK/execute.synclist; }
scp_run
check "scp EXECUTE run 1: runs on both nodes" eval \
  'rc_is 0 && out_has "cn1: file.post ran on cn1" && out_has "cn2: file.post ran on cn2"'
scp_run
check "scp EXECUTE run 2, nothing changed: does not run" eval 'rc_is 0 && out_empty && absent cn1 /tmp/exec_test'
touch -d "2021-01-01 00:00:00" $R/exec/file.post
scp_run
check "scp EXECUTE run 3, only the .post changed: does not run" eval 'rc_is 0 && out_empty'
echo "s2, longer" >$R/exec/file
scp_run
check "scp EXECUTE run 4, the trigger changed: runs" eval \
  'rc_is 0 && out_has "cn1: file.post ran on cn1" && [ "$(on cn1 cat /tmp/exec_test)" = hello ]'

# E2: ".post" inside a directory name and ": " in a file name do not
# confuse change detection.
mkdir -p "$R/a.postfix"
echo cf >"$R/a.postfix/main: cf"
printf '#!/bin/sh\necho "main cf hook"\n' >"$R/a.postfix/main: cf.post"
chmod +x "$R/a.postfix/main: cf.post"
printf '"%s" -> /tmp/exec/pf/\nEXECUTE:\n"%s"\n' "$R/a.postfix/main: cf" "$R/a.postfix/main: cf.post" >$WORK/e2.synclist
xdcp cn1 -F $WORK/e2.synclist
check "E2: the right .post fires, once" eval 'rc_is 0 && [ "$(grep -c "cn1: main cf hook" $WORK/out)" = 1 ]'
xdcp cn1 -F $WORK/e2.synclist
check "E2: and not again when nothing changed" eval 'rc_is 0 && out_empty'

# B1: with clauses present, a transfer error is still shown and fails the node.
on cn1 sh -c 'rm -rf /tmp/blocker; echo x > /tmp/blocker'
printf '%s -> /tmp/blocker/sub/h\nEXECUTE:\n%s\n' "$R/exec/file" "$R/exec/file.post" >$WORK/b1.synclist
xdcp cn1 -F $WORK/b1.synclist
check "B1: rsync's error is shown although the list has an EXECUTE clause" eval \
  'rc_is 1 && out_has "cn1: mkdir: cannot create directory" && err_has "Error: cn1: transfer"'

# EXECUTEALWAYS: every run, on nodes that received the script as a source.
printf '#!/bin/sh\necho always >> /tmp/always_test\necho "always.sh ran on $(hostname)"\n' >$R/exec/always.sh
cp $R/exec/always.sh $R/exec/always2.sh
chmod +x $R/exec/always*.sh
cat >$WORK/always.synclist <<EOF2
$R/exec/always.sh -> (cn1) /tmp/exec/renamed.sh
$R/exec/always2.sh -> (cn2) /tmp/exec/always2.sh
EXECUTEALWAYS:
$R/exec/always.sh
$R/exec/always2.sh
EOF2
reset_nodes
xdcp cn1,cn2 -F $WORK/always.synclist
xdcp cn1,cn2 -F $WORK/always.synclist
check "EXECUTEALWAYS runs every time, each script once per node, only where synced" eval \
  'rc_is 0 && [ "$(grep -c "cn1: always.sh ran on cn1" $WORK/out)" = 1 ] && [ "$(on cn1 cat /tmp/always_test | wc -l)" = 2 ] && [ "$(on cn2 cat /tmp/always_test | wc -l)" = 2 ]'

# APPEND: idempotent, local edits survive, the target must exist.
echo "line2 appended" >$R/app/append2
echo other >$R/app/other
cat >$WORK/append.synclist <<EOF2
$R/app/other -> /tmp/app/other
APPEND:
$R/app/append2 -> /tmp/app/target
EOF2
reset_nodes
on cn1 sh -c 'mkdir -p /tmp/app && echo line1 > /tmp/app/target'
for i in 1 2 3; do xdcp cn1 -F $WORK/append.synclist; done
check "APPEND three times: the content appears once" eval \
  'rc_is 0 && [ "$(on cn1 grep -c "line2 appended" /tmp/app/target)" = 1 ] && [ "$(on cn1 head -1 /tmp/app/target)" = line1 ]'
on cn1 sh -c 'echo local-edit >> /tmp/app/target'
echo "line2 v2" >$R/app/append2
xdcp cn1 -F $WORK/append.synclist
check "APPEND of new content replaces its block; local edits survive" eval \
  'rc_is 0 && on cn1 grep -q local-edit /tmp/app/target && on cn1 grep -q "line2 v2" /tmp/app/target && ! on cn1 grep -q "line2 appended" /tmp/app/target'
xdcp cn2 -F $WORK/append.synclist
check "APPEND to a target missing on the node fails that node, naming it" eval \
  'rc_is 1 && err_has "Error: cn2: transfer: no such file or directory in APPEND $R/app/append2: fetch /tmp/app/target"'

# MERGE with the xCAT test data (each host's /etc is its own overlay).
printf 'bogususer1:x:1001:19998::/home/bogususer1:/bin/bash\n' >$R/merge/passwd
printf 'bogusgroup:x:29999:\nbogusgroup1:x:19998:\n' >$R/merge/group
printf 'MERGE:\n%s -> /etc/passwd\n%s -> /etc/group\n' $R/merge/passwd $R/merge/group >$WORK/merge.synclist
xdcp cn3 -F $WORK/merge.synclist
xdcp cn3 -F $WORK/merge.synclist
check "MERGE: passwd gains bogususer1 exactly once, group entries replaced or added" eval \
  'rc_is 0 && [ "$(on cn3 grep -c "^bogususer1:x:1001:19998::/home/bogususer1:/bin/bash$" /etc/passwd)" = 1 ] && [ "$(on cn3 grep -c "^bogusgroup:" /etc/group)" = 1 ] && on cn3 grep -q "^bogusgroup:x:29999:" /etc/group && on cn3 grep -q "^bogusgroup1:x:19998:" /etc/group'
check "... on that node only: mn's and cn4's /etc/passwd are untouched" eval \
  '! grep -q "^bogususer1:" /etc/passwd && ! on cn4 grep -q "^bogususer1:" /etc/passwd'
printf 'MERGE:\n%s -> /etc/hosts\n' $R/merge/passwd >$WORK/badmerge.synclist
xdcp cn3 -F $WORK/badmerge.synclist
check "MERGE into /etc/hosts is a parse error with file and line, exit 2" eval \
  'rc_is 2 && err_has "$WORK/badmerge.synclist:2: MERGE supports only"'

# Errors are found before anything is transferred.
cat >$WORK/missing.synclist <<EOF2
$R/hosts.txt -> /tmp/sl/first
/tmp/non-existent -> /etc/motd
EOF2
reset_nodes
xdcp cn1 -F $WORK/missing.synclist
check "a missing source is an error with FILE:LINE, exit 2, nothing sent" eval \
  'rc_is 2 && err_has "$WORK/missing.synclist:2: source not found: '"'"'/tmp/non-existent'"'"'" && absent cn1 /tmp/sl/first'
printf '%s\n' "$R/hosts.txt /tmp/x" >$WORK/noarrow.synclist
xdcp cn1 -F $WORK/noarrow.synclist
check "a line that matches no form is an error, exit 2" eval 'rc_is 2 && err_has "$WORK/noarrow.synclist:1:"'
printf '%s -> /tmp/sl/x\n%s -> /tmp/sl/x\n' $R/hosts.txt $R/flat/test1.txt >$WORK/conflict.synclist
xdcp cn1 -F $WORK/conflict.synclist
check "two sources to one destination are a conflict, exit 2" eval 'rc_is 2 && err_has "conflict on cn1"'
xdcp cn1 -F $WORK/nosuch.synclist
check "a missing synclist is an error, exit 2" eval 'rc_is 2 && err_has "does not exist"'

# A3: a failing transfer fails the node every time, and is named.
on cn1 sh -c 'rm -rf /tmp/blocker; echo x > /tmp/blocker'
cat >$WORK/a3.synclist <<EOF2
$R/hosts.txt -> /tmp/blocker/sub/h
$R/flat/test1.txt -> /tmp/a3/d2/
$R/flat/test2.txt -> /tmp/a3/d3/
EOF2
ok3=0
for i in 1 2 3; do
  xdcp cn1 -F $WORK/a3.synclist
  rc_is 1 && err_has "copy to /tmp/blocker/sub/" && ok3=$((ok3 + 1))
done
check "a transfer that fails fails the node every run and is named (A3)" [ $ok3 = 3 ]

# xCAT's updatenode syncfiles scenarios: the node has a directory where a
# file goes, and the other way round (rsync replaces either).
mkdir -p $WORK/files && for f in foo bar baz; do echo $f >$WORK/files/$f; done
printf '%s/files/* -> /etc/files/\n' "$WORK" >$WORK/files.synclist
on cn1 sh -c 'rm -rf /etc/files; mkdir -p /etc/files/bar'
xdcp cn1 -F $WORK/files.synclist
check "syncfiles 2: a directory on the node where a file goes is replaced" eval \
  'rc_is 0 && for f in foo bar baz; do [ "$(on cn1 cat /etc/files/$f)" = $f ] || exit 1; done'
rm $WORK/files/bar && mkdir $WORK/files/bar && echo inner >$WORK/files/bar/inner
xdcp cn1 -F $WORK/files.synclist
check "syncfiles 4: a file on the node where a directory goes is replaced" eval \
  'rc_is 0 && [ "$(on cn1 cat /etc/files/bar/inner)" = inner ]'
on cn1 rm -rf /etc/files

# -i: into a local image; noderange lines are skipped with a count.
rm -rf $WORK/img && mkdir $WORK/img
xdcp -i $WORK/img -F $WORK/nr.synclist
check "-i copies the lines without a noderange into the image" eval \
  'rc_is 0 && [ "$(cat $WORK/img/tmp/nr/everyone)" = hosts ] && [ ! -e $WORK/img/tmp/nr/a ] && err_has "skipped 5 lines with a noderange"'
rm -f /etc/xcat/nodelist.xml
check "nothing is left running" no_leftovers
finish
