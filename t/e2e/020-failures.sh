#!/bin/bash
# User story: nodes are down or input is wrong: the admin sees which nodes failed and why; the exit status says so.
# Nodes that are down, frozen, refusing us or unknown; bad input. Every node
# gets one true result, the exit status is honest, nothing is left running.
. "$(dirname "$0")/lib.sh"

echo payload >"$WORK/file"
for n in cn1 cn2 cn3 cn4; do on $n rm -f /tmp/down /tmp/frozen /tmp/v; done

"$CLUSTER" stop-sshd "$XDCP_CLUSTER" cn4
xdcp 'cn[1-4]' "$WORK/file" /tmp/down
check "a node that is down fails the run with exit 1" rc_is 1
check "... and is classed unreachable: connection refused" \
  err_has "Error: cn4: unreachable: connection refused"
check "... its ssh error is shown with its name" out_has "cn4: ssh: connect to host cn4 port 22: Connection refused"
check "... the other nodes got the file" eval \
  'for n in cn1 cn2 cn3; do same_file "$WORK/file" $n /tmp/down || exit 1; done'
check "... the summary counts 3 ok, 1 failed" err_has "xdcp: 4 nodes: 3 ok, 1 failed, 0 skipped"
check "... and folds the ok nodes" err_has "xdcp: ok: cn[1-3]"
xdcp 'cn[1-4]' -v "$WORK/file" /tmp/v
check "-v reports the down node as unreachable, before any copy" eval \
  'rc_is 1 && err_has "Error: cn4: unreachable: connection refused in verify ssh to cn4"'
"$CLUSTER" start-sshd "$XDCP_CLUSTER" cn4

"$CLUSTER" freeze "$XDCP_CLUSTER" cn2
start=$(date +%s)
xdcp 'cn[1-4]' -t 3 "$WORK/file" /tmp/frozen
took=$(($(date +%s) - start))
"$CLUSTER" thaw "$XDCP_CLUSTER" cn2
check "a frozen node under -t 3 is timed out" eval \
  'rc_is 1 && err_has "Error: cn2: timeout: timed out"'
check "... within the timeout plus the kill grace ($took s)" [ "$took" -le 8 ]
check "... the others finished" eval \
  'for n in cn1 cn3 cn4; do same_file "$WORK/file" $n /tmp/frozen || exit 1; done'
check "... and no rsync or ssh is left running" no_leftovers

# Ctrl-C in the middle of a run: every child stops, every node is reported.
# (Job control on: a background job of a script otherwise ignores SIGINT,
# and xdcp keeps an ignored SIGINT ignored.)
"$CLUSTER" freeze "$XDCP_CLUSTER" cn3
set -m
"$XDCP" 'cn[1-4]' -f 2 "$WORK/file" /tmp/int >"$WORK/out" 2>"$WORK/err" &
pid=$!
set +m
# cn1 and cn2 go first (-f 2); SIGINT once the frozen cn3's copy has begun.
wait_for "xdcp's rsync to the frozen cn3" 60 children_of $pid 'cn3:/tmp/int'
kill -INT $pid
wait $pid
RC=$?
"$CLUSTER" thaw "$XDCP_CLUSTER" cn3
check "SIGINT stops the run with exit 130" rc_is 130
check "... every node has a result in the summary" err_has "xdcp: 4 nodes:"
check "... the frozen node is reported interrupted" err_has "Error: cn3: interrupted"
check "... and nothing is left running" no_leftovers

# nohup: a SIGHUP ignored when xdcp starts stays ignored (the logout of
# the admin who ran `nohup xdcp ...`); the run finishes.
head -c 8000000 /dev/urandom >"$WORK/slow"
nohup "$XDCP" cn1 -o --bwlimit=1000 "$WORK/slow" /tmp/nohup >"$WORK/out" 2>"$WORK/err" &
pid=$!
wait_for "rsync's temporary file on cn1 (the copy under way)" 60 host_has cn1 "/tmp/.nohup.*"
kill -HUP $pid
check "nohup xdcp: the SIGHUP comes while the copy is under way" kill -0 $pid
wait $pid
RC=$?
check "nohup xdcp: SIGHUP during the copy is ignored, the copy completes, exit 0" eval \
  'rc_is 0 && same_file "$WORK/slow" cn1 /tmp/nohup'
on cn1 rm -f /tmp/nohup

xdcp cn1 /nonexistent/file "$WORK/file" /tmp/missing
check "a source that does not exist is an error naming it, exit 1" eval \
  'rc_is 1 && err_has "Error: /nonexistent/file: No such file or directory"'
check "... and nothing was transferred" absent cn1 /tmp/missing

xdcp cn1 -P /tmp/x "$WORK/no-such-dir"
check "pull into a missing directory is an error, exit 1" eval \
  'rc_is 1 && err_has "directory does not exist"'

xdcp cn5 "$WORK/file" /tmp/direct
check "a node that only accepts its service node refuses us: auth" eval \
  'rc_is 1 && err_has "Error: cn5: auth: authentication refused"'

xdcp nosuchhost "$WORK/file" /tmp/x
check "a name that does not resolve is classed as such" eval \
  'rc_is 1 && err_has "Error: nosuchhost: unreachable: name does not resolve"'

cat >/etc/xcat/nodelist.xml <<'XML'
<cluster>
  <node name="cn1" groups="compute,all"/>
  <node name="cn2" groups="compute,all"/>
</cluster>
XML
xdcp 'cn1,nosuch1,nosuch2' "$WORK/file" /tmp/unknown
check "unknown nodes are an error naming them all, exit 2" eval \
  'rc_is 2 && err_has "unknown nodes or groups in noderange: nosuch1,nosuch2"'
check "... and nothing was sent to the known node" absent cn1 /tmp/unknown
xdcp compute "$WORK/file" /tmp/group
check "a group from the database expands" eval \
  'rc_is 0 && same_file "$WORK/file" cn1 /tmp/group && same_file "$WORK/file" cn2 /tmp/group'
printf '<cluster>\n  <node name="cn1">\n</cluster>\n' >/etc/xcat/nodelist.xml
xdcp cn1 "$WORK/file" /tmp/badxml
check "bad XML is an error with file and line, exit 2" eval \
  'rc_is 2 && err_has "/etc/xcat/nodelist.xml:3:"'
rm -f /etc/xcat/nodelist.xml

xdcp cn1 --nosuchoption "$WORK/file" /tmp/x
check "a usage error exits 2 with one clear line" eval \
  'rc_is 2 && err_has "Error: unrecognised option '"'"'--nosuchoption'"'"'"'
xdcp cn1 -r /bin/cp "$WORK/file" /tmp/x
check "a copy command other than rsync or scp is refused, exit 2" rc_is 2
check "nothing is left running" no_leftovers
finish
