#!/bin/bash
# User story: sshd drops connections, a disk fills, a key is refused: exact cause, honest exit, no partial file.
# Faults: sshd dropping connections beyond MaxStartups (retries), a full
# disk on the target, a refused key. Exact class, honest exit status, no
# process left, no partial file visible.
. "$(dirname "$0")/lib.sh"
STATE=$XDCP_CLUSTER/hosts

# SIGKILL every rsync and ssh this test started (they carry its marker):
# what a killed xdcp leaves behind, and an admin would kill.
kill_marked_children() {
  local f pid
  for f in /proc/[0-9]*/environ; do
    if { tr '\0' '\n' <"$f"; } 2>/dev/null | grep -qx "XDCP_E2E_MARK=$WORK"; then
      pid=${f#/proc/}; pid=${pid%/environ}
      grep -qE '^(rsync|ssh)' /proc/$pid/comm 2>/dev/null && kill -9 $pid 2>/dev/null
    fi
  done
}

# kill_run PID: SIGKILL to xdcp (PID) and, at the same moment, to the
# process group of each of its children (the rsync and its ssh), so that
# nothing it started goes on for a moment longer.
kill_run() {
  local kids k
  kids=$(pgrep -P "$1")
  exec 3>&2 2>/dev/null  # no "Killed" notice from the shell
  kill -9 "$1"
  for k in $kids; do kill -9 -- "-$k"; done
  wait "$1"
  exec 2>&3 3>&-
}

echo payload >"$WORK/file"
# 20 names for cn1, whose sshd accepts 2 unauthenticated connections.
addr=$("$CLUSTER" addr "$XDCP_CLUSTER" cn1)
cp /etc/hosts "$WORK/hosts.orig"
echo "$addr $(for i in $(seq 1 20); do printf 'alias%s ' $i; done)" >>/etc/hosts
cfg=$STATE/cn1/etc/sshd_config
cp "$cfg" "$WORK/sshd_config.orig"
sed -i 's/^MaxStartups.*/MaxStartups 2:100:2/' "$cfg"
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" cn1 && "$CLUSTER" start-sshd "$XDCP_CLUSTER" cn1
xdcp 'alias[1-20]' -f 32 -T "$WORK/file" /tmp/retried
check "MaxStartups 2 with fan-out 32 over 20 names: all succeed through retries" eval \
  'rc_is 0 && err_has "xdcp: 20 nodes: 20 ok"'
check "... and the retries are visible with -T" eval 'grep -q "^TRACE: alias[0-9]*: retry 1 of 4" $WORK/out'

# -t running out while nodes wait to retry: cn1's one unauthenticated slot
# is held by a connection that never speaks, so sshd drops every login.
# Each node is timed out when its -t is up (a hang here is the bug).
sed -i 's/^MaxStartups.*/MaxStartups 1:100:1/' "$cfg"
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" cn1 && "$CLUSTER" start-sshd "$XDCP_CLUSTER" cn1
exec 5<>"/dev/tcp/$addr/22"
for i in $(seq 1 100); do
  ssh cn1 true 2>&1 | grep -q kex_exchange_identification && break
  sleep 0.05
done
start=$(date +%s%N)
timeout -s KILL 60 "$XDCP" 'alias[1-4]' -t 2 -T "$WORK/file" /tmp/deadline >"$WORK/out" 2>"$WORK/err"
RC=$?
took_ms=$((($(date +%s%N) - start) / 1000000))
exec 5>&-
check "every login dropped under -t 2: each node timed out, no hang (${took_ms} ms)" eval \
  'rc_is 1 && err_has "xdcp: failed (timeout: timed out): alias[1-4]" && [ $took_ms -lt 6000 ]'
check "... while retrying" eval 'grep -q "^TRACE: alias[0-9]*: retry 2 of 4" $WORK/out'
cp "$WORK/sshd_config.orig" "$cfg"
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" cn1 && "$CLUSTER" start-sshd "$XDCP_CLUSTER" cn1
cp "$WORK/hosts.orig" /etc/hosts

# Only failures before login are retried: a script that ran and then lost
# its connection (it kills its own sshd session, after a line that holds
# "Connection reset by") is never run again.
cat >"$WORK/once.sh" <<'EOF'
#!/bin/sh
echo run >>/tmp/once.count
echo "curl: (56) Recv failure: Connection reset by peer"
sleep 0.5
kill -9 "$(awk '{print $4}' /proc/$PPID/stat)"
sleep 5
EOF
chmod +x "$WORK/once.sh"
printf '%s -> /tmp/once.sh\nEXECUTEALWAYS:\n%s\n' "$WORK/once.sh" "$WORK/once.sh" >"$WORK/once.synclist"
on cn3 rm -f /tmp/once.count
xdcp cn3 -F "$WORK/once.synclist"
check "an EXECUTE script that drops its connection after it started runs exactly once" eval \
  'rc_is 1 && err_has "Error: cn3: " && [ "$(on cn3 cat /tmp/once.count)" = run ]'
on cn3 rm -f /tmp/once.count /tmp/once.sh

# sshd killed in the middle of a transfer, and a node frozen after it
# authenticated: that node fails (timed out for the frozen one), the other
# finishes, and no partial file is ever visible at the target's name.
# The copy is slowed (12 MB at 3 MB/s) and the test acts only once rsync's
# temporary file exists on cn2, i.e. while the transfer is under way.
head -c 12000000 /dev/urandom >"$WORK/large"
slow=--bwlimit=3000
clean_large() { for n in cn2 cn3; do on $n sh -c 'rm -f /tmp/large /tmp/.large.*'; done; }
in_flight() { wait_for "rsync's temporary file on $1 (its copy under way)" 60 host_has $1 "$2"; }
clean_large
"$XDCP" cn2,cn3 -o $slow "$WORK/large" /tmp/large >"$WORK/out" 2>"$WORK/err" &
copy=$!
# (pkill in cn2's pid namespace sees only cn2's processes)
in_flight cn2 '/tmp/.large.*' && on cn2 pkill -9 sshd
wait $copy
RC=$?
"$CLUSTER" start-sshd "$XDCP_CLUSTER" cn2
check "sshd killed mid-transfer: that node fails, exit 1, the other is whole" eval \
  'rc_is 1 && err_has "Error: cn2: transfer: connection closed by remote host after login" && same_file "$WORK/large" cn3 /tmp/large'
check "... and nothing half-written sits at the target's name" absent cn2 /tmp/large
clean_large
"$XDCP" cn2,cn3 -t 10 -o $slow "$WORK/large" /tmp/large >"$WORK/out" 2>"$WORK/err" &
copy=$!
if in_flight cn2 '/tmp/.large.*'; then
  "$CLUSTER" freeze "$XDCP_CLUSTER" cn2
  check "(cn2 froze in the middle of its copy)" eval '! [ -e "$STATE/cn2/tmp/large" ] && host_has cn2 "/tmp/.large.*"'
fi
wait $copy
RC=$?
"$CLUSTER" thaw "$XDCP_CLUSTER" cn2
check "frozen after authentication under -t 10: timed out, the other is whole" eval \
  'rc_is 1 && err_has "Error: cn2: timeout: timed out" && same_file "$WORK/large" cn3 /tmp/large'
check "... no partial file at the target's name, nothing left running" eval \
  'absent cn2 /tmp/large && no_leftovers'
clean_large

# A full disk: a 1 MB file system on cn2.
on cn2 sh -c 'mkdir -p /tmp/full && mount -t tmpfs -o size=64k tmpfs /tmp/full'
head -c 1000000 /dev/urandom >"$WORK/big"
xdcp cn2,cn3 "$WORK/big" /tmp/full/big
# rsync usually says "No space left on device"; when its receiver's last
# message is lost, its exit code 11 still tells a file I/O error.
check "a full disk fails that node as transfer: disk full" eval \
  'rc_is 1 && { err_has "Error: cn2: transfer: disk full" || err_has "Error: cn2: transfer: file I/O error on the node"; }'
check "... no partial file is visible" eval '! on cn2 sh -c "ls -A /tmp/full | grep -q ."'
on cn2 umount -l /tmp/full

# rsync missing on the node: what a login shell says when it is not there.
on cn3 sh -c 'printf "#!/bin/sh\necho \"sh: 1: rsync: not found\" >&2\nexit 127\n" >/tmp/no-rsync; chmod +x /tmp/no-rsync; mount --bind /tmp/no-rsync /usr/bin/rsync'
xdcp cn3,cn4 "$WORK/file" /tmp/norsync
on cn3 umount /usr/bin/rsync
check "rsync missing on the node: class transfer, that exact reason" eval \
  'rc_is 1 && err_has "Error: cn3: transfer: remote rsync not found" && same_file "$WORK/file" cn4 /tmp/norsync'

# A host key that does not match what the management node knows.
ssh-keygen -q -t ed25519 -N '' -f "$WORK/otherkey"
echo "cn4 $(cut -d' ' -f1,2 "$WORK/otherkey.pub")" >"$WORK/known_hosts"
cp /root/.ssh/config "$WORK/ssh_config.orig"
{ printf 'Host cn4\n    StrictHostKeyChecking yes\n    UserKnownHostsFile %s\n' "$WORK/known_hosts"
  cat "$WORK/ssh_config.orig"; } >/root/.ssh/config
xdcp cn3,cn4 "$WORK/file" /tmp/hostkey
cp "$WORK/ssh_config.orig" /root/.ssh/config
check "a host key mismatch is class auth: host key mismatch; the other node is fine" eval \
  'rc_is 1 && err_has "Error: cn4: auth: host key mismatch" && same_file "$WORK/file" cn3 /tmp/hostkey'

# A refused key.
keys=$STATE/cn4/root/.ssh/authorized_keys
mv "$keys" "$WORK/keys"
xdcp cn4 "$WORK/file" /tmp/x
mv "$WORK/keys" "$keys"
check "a refused key is class auth, exit 1" eval 'rc_is 1 && err_has "Error: cn4: auth: authentication refused"'

# A node frozen before it sends its ssh banner: the connect timeout, not -t.
"$CLUSTER" freeze "$XDCP_CLUSTER" cn4
xdcp cn3,cn4 --connect-timeout 2 "$WORK/file" /tmp/ctimeout
"$CLUSTER" thaw "$XDCP_CLUSTER" cn4
check "frozen before the banner: unreachable: connect timeout; the other node is fine" eval \
  'rc_is 1 && err_has "Error: cn4: unreachable: connect timeout" && same_file "$WORK/file" cn3 /tmp/ctimeout'

# A login that may not write the target: xtest exists only in cn4's own
# /etc and logs in with the cluster's key from its home.
# The directory is root's, mode 755: xtest may enter it, not write in it
# (rsync then says so and finishes the session, exit 23).
on cn4 sh -c 'echo "xtest:x:4242:4242::/tmp/xtest:/bin/sh" >>/etc/passwd && mkdir -p /tmp/xtest/.ssh /tmp/rootsdir && chmod 755 /tmp/rootsdir && cp /root/.ssh/authorized_keys /tmp/xtest/.ssh/ && chown -R 4242:4242 /tmp/xtest'
xdcp cn3,cn4 -l xtest "$WORK/file" /tmp/rootsdir/denied
check "a target the login may not write: transfer: permission denied" eval \
  'rc_is 1 && err_has "Error: cn4: transfer: permission denied" && absent cn4 /tmp/rootsdir/denied'
check "... and cn3, which has no such user, is refused: auth" err_has "Error: cn3: auth: authentication refused"

# The local rsync of one node killed by a signal: that node says so, the
# other node finishes.
"$XDCP" cn2,cn3 -o $slow "$WORK/large" /tmp/large >"$WORK/out" 2>"$WORK/err" &
copy=$!
if in_flight cn2 '/tmp/.large.*'; then
  pid=$(children_of $copy '^/usr/bin/rsync .* cn2:/tmp/')
  check "(xdcp's rsync for cn2 is running, its copy under way)" [ -n "$pid" ]
  kill -9 $pid
fi
wait $copy
RC=$?
check "a node's rsync killed by SIGKILL: transfer: killed by signal 9, the other is whole" eval \
  'rc_is 1 && err_has "Error: cn2: transfer: killed by signal 9" && same_file "$WORK/large" cn3 /tmp/large && absent cn2 /tmp/large'
clean_large

# Two runs on one node at once: the second says so instead of interleaving.
# The first run's script holds cn3 while /tmp/slow.hold exists there (at
# most 60 s), so the second run starts while the first certainly runs.
printf '#!/bin/sh\ntouch /tmp/slow.started\ni=0\nwhile [ -e /tmp/slow.hold ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done\n' >"$WORK/slow.sh"
chmod +x "$WORK/slow.sh"
printf '%s -> /tmp/slow.sh\nEXECUTEALWAYS:\n%s\n' "$WORK/slow.sh" "$WORK/slow.sh" >"$WORK/slow.synclist"
on cn4 rm -f /tmp/slow.hold
on cn3 sh -c 'rm -f /tmp/slow.started; touch /tmp/slow.hold'
"$XDCP" cn3 -F "$WORK/slow.synclist" >"$WORK/first.out" 2>&1 &
first=$!
wait_for "the first run's EXECUTEALWAYS script running on cn3" 60 on cn3 test -e /tmp/slow.started
xdcp cn3,cn4 -F "$WORK/slow.synclist"
on cn3 rm -f /tmp/slow.hold
wait $first
first_rc=$?
check "a second run on a busy node: 'sync already in progress', exit 1" eval \
  'rc_is 1 && err_has "Error: cn3: transfer: sync already in progress for cn3" && err_has "xdcp: ok: cn4"'
check "... and the first run is not disturbed" [ "$first_rc" = 0 ]
# SIGKILL to xdcp and its rsync in the middle of a --sn mirror: the file on
# the SN is at every moment the old or the new version (a watcher reads its
# size all along); a second run converges. The mirror's rsync is slowed
# (-r takes any program named rsync: one that adds --bwlimit), and the kill
# comes while its temporary file exists on sn1 and the watcher reads.
export XDCP_DATADIR=$XDCP_SOURCE_DIR
rm -rf /install/* && mkdir -p /install/big
head -c 5000000 /dev/urandom >/install/big/file
on sn1 sh -c 'rm -rf /install/* /tmp/watch.stop'
"$XDCP" --sn sn1 /install >/dev/null 2>&1
head -c 20000000 /dev/urandom >/install/big/file
mkdir -p "$WORK/slow"
printf '#!/bin/sh\nexec /usr/bin/rsync %s "$@"\n' $slow >"$WORK/slow/rsync"
chmod +x "$WORK/slow/rsync"
on sn1 sh -c 'while [ ! -e /tmp/watch.stop ]; do stat -c %s /install/big/file 2>/dev/null || echo missing; done' >"$WORK/sizes" &
watcher=$!
"$XDCP" --sn sn1 -r "$WORK/slow/rsync" /install >/dev/null 2>&1 &
victim=$!
# reads_since FILE N: the watcher wrote at least two lines more than N.
reads_since() { [ "$(wc -l <"$1")" -ge $(($2 + 2)) ]; }
if in_flight sn1 '/install/big/.file.*'; then
  n=$(wc -l <"$WORK/sizes")
  wait_for "the watcher reading the SN's file during the mirror" 30 reads_since "$WORK/sizes" $n
  check "(the mirror was still under way when it was killed)" host_has sn1 '/install/big/.file.*'
fi
kill_run $victim
kill_marked_children
on sn1 touch /tmp/watch.stop
wait $watcher
check "killed mid-mirror: the SN's file was never seen half-written" eval \
  '[ "$(sort -u "$WORK/sizes" | tr "\n" " ")" = "20000000 5000000 " ] || [ "$(sort -u "$WORK/sizes" | tr "\n" " ")" = "5000000 " ]'
check "... it is still the complete old version" [ "$(on sn1 stat -c %s /install/big/file)" = 5000000 ]
xdcp --sn sn1 /install
check "... and a second run converges to the new one" eval \
  'rc_is 0 && on sn1 cat /install/big/file | cmp -s /install/big/file -'
rm -rf /install/*

# SIGKILL to xdcp in the middle of a MERGE's write of /etc/passwd (cn3's
# /etc is its own overlay): a watcher on cn3 reads the whole file all
# along and only ever sees the complete old or the complete new version;
# a second run converges.  The MERGE changes the shell of 100,000 users, so
# its commit (a shell on the node writing its stdin to a temporary file
# beside the target, then renaming it) carries the whole file. The commit
# is slowed by an ssh (first in PATH) whose stdin trickles, and the kill
# comes while the temporary file sits next to /etc/passwd and the watcher
# reads.
on cn3 cp /etc/passwd /tmp/passwd.orig
awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "u%d:x:%d:%d::/home/u%d:/bin/sh\n", i, 100000 + i, 100000 + i, i }' >"$WORK/users.sh"
sed 's|/bin/sh$|/bin/bash|' "$WORK/users.sh" >"$WORK/users.bash"
on cn3 sh -c 'cat >>/etc/passwd' <"$WORK/users.sh"
lines=$(on cn3 sh -c 'wc -l </etc/passwd')
printf 'MERGE:\n%s -> /etc/passwd\n' "$WORK/users.bash" >"$WORK/bigmerge.synclist"
on cn3 rm -f /tmp/watch.stop
on cn3 sh -c 'while [ ! -e /tmp/watch.stop ]; do
  awk -F: "/^u[0-9]/ { s[\$7]++ } END { printf \"%d\", NR; for (k in s) printf \" %s=%d\", k, s[k]; print \"\" }" /etc/passwd
done' >"$WORK/reads" &
watcher=$!
mkdir -p "$WORK/slowssh"
cat >"$WORK/slowssh/ssh" <<'SH'
#!/bin/sh
# Only the commit's stdin is a file; rsync's ssh goes on as it is.
[ -f /dev/stdin ] || exec /usr/bin/ssh "$@"
python3 -c '
import os, sys, time
while True:
    b = os.read(0, 32768)
    if not b:
        break
    sys.stdout.buffer.write(b)
    sys.stdout.buffer.flush()
    time.sleep(0.02)
' | /usr/bin/ssh "$@"
SH
chmod +x "$WORK/slowssh/ssh"
PATH=$WORK/slowssh:$PATH "$XDCP" cn3 -F "$WORK/bigmerge.synclist" >/dev/null 2>&1 &
victim=$!
if in_flight cn3 '/etc/passwd.xdcp.*'; then
  n=$(wc -l <"$WORK/reads")
  wait_for "the watcher reading /etc/passwd during the write" 30 reads_since "$WORK/reads" $n
  check "(the write was still under way when xdcp was killed)" host_has cn3 '/etc/passwd.xdcp.*'
fi
kill_run $victim
kill_marked_children
# Its ssh gone, the node's shell ends and its temporary file goes.
wait_for "cn3's temporary file to go after the kill" 30 eval '! host_has cn3 "/etc/passwd.xdcp.*"'
on cn3 touch /tmp/watch.stop
wait $watcher
sort -u "$WORK/reads" >"$WORK/reads.u"
check "killed mid-MERGE: the watcher read /etc/passwd during the write" \
  [ "$(wc -l <"$WORK/reads")" -ge 3 ]
check "... and only ever saw the whole old or the whole new file" eval \
  'grep -qx "$lines /bin/sh=100000" "$WORK/reads.u" && grep -vx -e "$lines /bin/sh=100000" -e "$lines /bin/bash=100000" "$WORK/reads.u" | { ! grep -q .; }'
check "... no temporary file is left next to it" eval '! on cn3 sh -c "ls -a /etc" | grep -q "^\.\{0,1\}passwd\.\(xdcp\.\)\{0,1\}......$"'
xdcp cn3 -F "$WORK/bigmerge.synclist"
check "... and a second run converges to the new one" eval \
  'rc_is 0 && [ "$(on cn3 grep -c ":/bin/bash\$" /etc/passwd)" -ge 100000 ] && ! on cn3 grep -q "^u[0-9]*:.*:/bin/sh\$" /etc/passwd && [ "$(on cn3 sh -c "wc -l </etc/passwd")" = "$lines" ]'
on cn3 cp /tmp/passwd.orig /etc/passwd
check "nothing is left running" no_leftovers
finish
