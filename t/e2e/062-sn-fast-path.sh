#!/bin/bash
# User story: mirroring service nodes that are up to date costs almost nothing; any drift is repaired.
# The --sn fast path: a service node whose tree digest equals the
# management node's gets no rsync run; any drift on it (size, deletion,
# link target, mode, owner; same-size same-mtime content only with
# --checksum) makes rsync run and repair it; an excluded path never does.
# After every run the SN's tree is compared exactly with a full rsync of
# the same tree (sn2, plain rsync -aH --delete with the same exclusions).
. "$(dirname "$0")/lib.sh"
export XDCP_DATADIR=$XDCP_SOURCE_DIR XDCP_REMOTE_XDCP=$XDCP

rm -rf /install/*
for s in sn1 sn2; do on $s sh -c 'rm -rf /install/*'; done
mkdir -p /install/postscripts /install/img/rootimg/etc /install/scratch /install/empty
echo 'echo hi' >/install/postscripts/hello
ln /install/postscripts/hello /install/postscripts/hello.hardlink
ln /install/postscripts/hello /install/img/rootimg/etc/hello.third
echo motd >/install/img/rootimg/etc/motd
echo secret >/install/img/rootimg/etc/shadow
chmod 0600 /install/img/rootimg/etc/shadow
echo owned >/install/postscripts/owned
chown nobody:nogroup /install/postscripts/owned 2>/dev/null || chown nobody /install/postscripts/owned
echo numeric >/install/postscripts/numeric
chown 4242:4242 /install/postscripts/numeric
ln -s motd /install/img/rootimg/etc/issue
ln -s /.statelite/tmpfs/etc/fstab /install/img/rootimg/etc/fstab
echo log >/install/postscripts/run.log
echo scratch >/install/scratch/s
for i in $(seq 1 20); do echo "file $i" >/install/img/rootimg/etc/f$i; done
find /install -exec touch -h -d '2024-01-02 03:04:05' {} +
printf '*.log\n/install/scratch\n' >"$WORK/x.exclude"
MIRROR=(--sn sn1 --no-default-excludes -X "$WORK/x.exclude" --delete -T /install)

# The reference: what a full rsync leaves on sn2.
reference() {
  rsync -aH --delete --exclude='*.log' --exclude=/scratch /install/ sn2:/install/
}
# exact: sn1's tree equals the full rsync result, file contents included
# (the excluded paths aside, which sn1 may keep of its own).
SKIP='-path ./scratch -prune -o ! -name *.log'
exact() {
  reference || return 1
  [ "$(tree_listing sn1 "$SKIP")" = "$(tree_listing sn2 "$SKIP")" ] ||
    { diff <(tree_listing sn1 "$SKIP") <(tree_listing sn2 "$SKIP"); return 1; }
}
rsync_ran() { grep -q "^TRACE: sn1: /usr/bin/rsync" "$WORK/out"; }
changed_count() { grep "^TRACE: sn1: changed: " "$WORK/out" | grep -vc "tree digest of"; }

xdcp "${MIRROR[@]}"
check "cold: the SN has no tree, rsync runs; -T says the digest differed" eval \
  'rc_is 0 && rsync_ran && out_has "TRACE: sn1: changed: '"'tree digest of /install'"'" && err_has "xdcp: fast path: sn1: /install: rsync runs only if"'
check "... every directory differs: a plain rsync run of the whole tree" \
  out_has "all of /install to send (6 directories): every directory differs on sn1"
check "... and the tree is exactly a full rsync's (files, links, dangling links, hard links, modes, owners, mtimes)" exact
check "... excluded paths stayed home" eval 'absent sn1 /install/scratch && absent sn1 /install/postscripts/run.log'

xdcp "${MIRROR[@]}"
check "warm, nothing changed: no rsync run, one ok result with nothing changed" eval \
  'rc_is 0 && ! rsync_ran && ! out_has "tree digest of /install'"'"'" && err_has "xdcp: 1 node: 1 ok" && err_has "rsync runs only if sn1'"'"'s tree digest differs"'

echo "changed on mn" >>/install/img/rootimg/etc/f7
xdcp "${MIRROR[@]}"
check "a one-file change on the management node: rsync runs and sends that file only" eval \
  'rc_is 0 && rsync_ran && [ "$(changed_count)" = 1 ] && out_has "TRACE: sn1: changed: /install/img/rootimg/etc/f7"'
# etc (25 entries) differs; it is narrowed down to the bucket of f7 (a
# few entries, and every hard link of those), not all of etc.
check "... rsync gets only the changed file's bucket of its directory" eval \
  'grep -qE "0 of 6 directories and [1-9] entries of /install to send: img/rootimg/etc.\$" "$WORK/out" && out_has "--files-from="'
check "... exact" exact

on sn1 sh -c 'echo drift >>/install/img/rootimg/etc/f3'
xdcp "${MIRROR[@]}"
check "a file changed on the SN (other size) is found and repaired" eval \
  'rc_is 0 && rsync_ran && same_file /install/img/rootimg/etc/f3 sn1 /install/img/rootimg/etc/f3'

# Same size, same mtime, other content: rsync's quick check cannot see it,
# and neither can the digest; --checksum can.
on sn1 sh -c 'printf "FILE 5\n" >/install/img/rootimg/etc/f5 && touch -d "2024-01-02 03:04:05" /install/img/rootimg/etc/f5'
xdcp "${MIRROR[@]}"
check "same size and mtime, other content: the quick check (and the digest) miss it" eval \
  'rc_is 0 && ! rsync_ran && ! same_file /install/img/rootimg/etc/f5 sn1 /install/img/rootimg/etc/f5'
xdcp "${MIRROR[@]}" --checksum
check "... --checksum finds and repairs it" eval \
  'rc_is 0 && rsync_ran && same_file /install/img/rootimg/etc/f5 sn1 /install/img/rootimg/etc/f5 && out_has "--tree-digest /install --checksum"'
xdcp "${MIRROR[@]}" --checksum
check "... and a second --checksum run skips rsync" eval 'rc_is 0 && ! rsync_ran'

on sn1 rm /install/img/rootimg/etc/f9
xdcp "${MIRROR[@]}"
check "a file deleted on the SN is put back" eval \
  'rc_is 0 && rsync_ran && same_file /install/img/rootimg/etc/f9 sn1 /install/img/rootimg/etc/f9'

on sn1 sh -c 'ln -sfn shadow /install/img/rootimg/etc/issue && touch -h -d "2024-01-02 03:04:05" /install/img/rootimg/etc/issue'
xdcp "${MIRROR[@]}"
check "a link retargeted on the SN (same mtime) is put back" eval \
  'rc_is 0 && rsync_ran && [ "$(on sn1 readlink /install/img/rootimg/etc/issue)" = motd ]'

on sn1 chmod 0644 /install/img/rootimg/etc/shadow
xdcp "${MIRROR[@]}"
check "a mode changed on the SN is put back" eval \
  'rc_is 0 && rsync_ran && [ "$(on sn1 stat -c %a /install/img/rootimg/etc/shadow)" = 600 ]'

on sn1 chown 4243 /install/postscripts/numeric
xdcp "${MIRROR[@]}"
check "an owner changed on the SN is put back" eval \
  'rc_is 0 && rsync_ran && [ "$(on sn1 stat -c %u /install/postscripts/numeric)" = 4242 ]'

on sn1 sh -c 'rm /install/postscripts/hello.hardlink && cp -p /install/postscripts/hello /install/postscripts/hello.hardlink'
xdcp "${MIRROR[@]}"
check "a hard link broken on the SN is a difference: rsync runs" eval 'rc_is 0 && rsync_ran'
check "... exact after all the repairs" exact

on sn1 sh -c 'echo local-log >/install/postscripts/run.log && mkdir -p /install/scratch && echo x >/install/scratch/s && touch -d "2024-01-02 03:04:05" /install/postscripts /install'
# (the directory times are put back as they were: a new entry in a
# directory changes its time, which rsync would put back too)
xdcp "${MIRROR[@]}"
check "excluded paths changed on the SN do not make rsync run, and are kept" eval \
  'rc_is 0 && ! rsync_ran && [ "$(on sn1 cat /install/postscripts/run.log)" = local-log ]'

on sn1 sh -c 'echo extra >/install/img/extra && touch -d "2024-01-02 03:04:05" /install/img'
xdcp "${MIRROR[@]}"
check "an extra file on the SN: rsync runs, --delete removes it" eval \
  'rc_is 0 && rsync_ran && absent sn1 /install/img/extra && out_has "1 of 6 directories of /install to send"'
check "... exact" exact

xdcp "${MIRROR[@]}" -o --bwlimit=100000
check "-o (rsync options of the admin's own): no fast path, -T says why" eval \
  'rc_is 0 && rsync_ran && err_has "xdcp: fast path: sn1: /install: off: -o gives rsync options of its own"'
printf '**/deep\n' >"$WORK/deep.exclude"
xdcp --sn sn1 --no-default-excludes -X "$WORK/deep.exclude" -T /install
check "a pattern xdcp cannot match itself: no fast path, -T says which" eval \
  'rc_is 0 && rsync_ran && err_has "off: exclusion '"'**/deep'"' has '"'**'"'"'

# --persist: the SN's connection outlives the run; the next run's probe
# goes over it (the same master, no new login), and only the probe runs.
master() { ssh -o ControlPath="$XDCP_LOCK_DIR/ssh/%C" -O check sn1 2>&1 | sed -n 's/.*(pid=\([0-9]*\)).*/\1/p'; }
xdcp "${MIRROR[@]}" --persist 60
m1=$(master)
check "--sn --persist: the SN's connection stays open after the run" eval 'rc_is 0 && [ -n "$m1" ]'
xdcp "${MIRROR[@]}" --persist 60
check "... the next run uses it (same master), warm: no rsync" eval \
  'rc_is 0 && [ -n "$m1" ] && [ "$(master)" = "$m1" ] && ! rsync_ran'
xdcp --close-connections sn1
# (a master told to exit answers first and goes a moment later)
master_gone() { [ -z "$(master)" ]; }
check "... --close-connections ends it" eval \
  'rc_is 0 && wait_for "the ssh master of sn1 to go" 30 master_gone'

XDCP_REMOTE_XDCP=/nonexistent/xdcp xdcp "${MIRROR[@]}"
check "an SN without this xdcp gets every directory and is fine" eval \
  'rc_is 0 && rsync_ran && out_has "all of /install to send (6 directories): no usable list from sn1" && exact'
check "nothing is left running" no_leftovers
rm -rf /install/*
finish
