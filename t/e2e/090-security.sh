#!/bin/bash
# User story: xdcp as root leaks nothing: root-only files, nothing inherited, no raw node text on the terminal.
# What xdcp writes is root-only and closed to its children; node- and
# file-supplied text never reaches the terminal raw.
. "$(dirname "$0")/lib.sh"

# --json FILE: created 0600, and no child inherits it. The copy command
# here is a stand-in named rsync that lists its own open files.
cat >"$WORK/rsync" <<EOF2
#!/bin/sh
ls -l /proc/\$\$/fd >"$WORK/child-fds"
EOF2
chmod 700 "$WORK/rsync"
xdcp cn1 -r "$WORK/rsync" --json="$WORK/out.json" /etc/hostname /tmp/x
check "--json FILE: the run reports" eval 'rc_is 0 && grep -q "\"node\":\"cn1\"" "$WORK/out.json"'
check "--json FILE is created 0600" [ "$(stat -c %a "$WORK/out.json")" = 600 ]
check "--json FILE is not open in the copy command" eval \
  '[ -s "$WORK/child-fds" ] && ! grep -q "out.json" "$WORK/child-fds"'

# Text from files and nodes never reaches the terminal raw.
no_raw_escapes() { ! grep -q $'\x1b' "$WORK/out" "$WORK/err"; }
printf '/etc/hostname\033]0;owned\007 -> /tmp/a b\033[2J\n' >"$WORK/esc.synclist"
xdcp cn1 -F "$WORK/esc.synclist"
check "a synclist line with terminal escapes: error, escaped" eval \
  'rc_is 2 && no_raw_escapes && err_has "destination has white space: quote it: '"'"'/tmp/a b\x1b[2J'"'"'"'
head -c 1400 /bin/ls | tr -d '\000\n' >"$WORK/binary.synclist"
xdcp cn1 -F "$WORK/binary.synclist"
check "a binary file as synclist: a short error line, escaped" eval \
  '[ "$RC" != 0 ] && [ "$(wc -c <"$WORK/err")" -lt 400 ] && err_has "binary.synclist:1:" && ! grep -q "[[:cntrl:]]" <(tr -d "\n" <"$WORK/err")'
printf '#!/bin/sh\nprintf "\\033]0;owned\\007\\033[2Jdone\\r\\n"\n' >"$WORK/script.post"
chmod 755 "$WORK/script.post"
printf '%s -> /tmp/script.post\nEXECUTEALWAYS:\n%s\n' "$WORK/script.post" "$WORK/script.post" \
  >"$WORK/script.synclist"
xdcp cn1 -F "$WORK/script.synclist" --json="$WORK/script.json"
check "a node's output with terminal escapes is printed escaped" eval \
  'rc_is 0 && no_raw_escapes && out_has "cn1: \x1b]0;owned\x07\x1b[2Jdone"'
check "... and stays valid, escaped JSON" eval \
  '! grep -q $'"'"'\x1b'"'"' "$WORK/script.json" && python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$WORK/script.json"'

# The lock directory: root-only, or xdcp refuses to run.
echo lockme >"$WORK/lockme"
on cn1 rm -f /tmp/lockme
mkdir -m 777 "$WORK/wide" && chmod 777 "$WORK/wide"
XDCP_LOCK_DIR=$WORK/wide xdcp cn1 "$WORK/lockme" /tmp/lockme
check "a world-writable lock directory is refused, exit 2, nothing copied" eval \
  'rc_is 2 && err_has "Error: lock directory $WORK/wide: mode 0777 lets others write in it" && absent cn1 /tmp/lockme'
ln -s /etc "$WORK/link"
XDCP_LOCK_DIR=$WORK/link xdcp cn1 "$WORK/lockme" /tmp/lockme
check "a lock directory that is a symbolic link is refused, nothing made where it points" eval \
  'rc_is 2 && err_has "Error: lock directory $WORK/link: is a symbolic link" && [ ! -e /etc/cn1.lock ] && absent cn1 /tmp/lockme'
mkdir -m 700 "$WORK/other" && chown 65534 "$WORK/other"
XDCP_LOCK_DIR=$WORK/other xdcp cn1 "$WORK/lockme" /tmp/lockme
check "a lock directory owned by another user is refused" eval \
  'rc_is 2 && err_has "Error: lock directory $WORK/other: owned by uid 65534, not 0"'
# The default, /run/xdcp (each test host has its own).
rm -rf /run/xdcp/*
XDCP_LOCK_DIR= xdcp cn1 "$WORK/lockme" /tmp/lockme  # empty: the default
check "by default locks are in /run/xdcp, 0700, lock files 0600" eval \
  'rc_is 0 && [ "$(stat -c %a /run/xdcp)" = 700 ] && [ "$(stat -c %a /run/xdcp/cn1.lock)" = 600 ]'
chmod 775 /run/xdcp
XDCP_LOCK_DIR= xdcp cn1 "$WORK/lockme" /tmp/lockme  # empty: the default
chmod 700 /run/xdcp
check "... and a /run/xdcp others could write in is refused" eval \
  'rc_is 2 && err_has "Error: lock directory /run/xdcp: mode 0775 lets others write in it"'

# EXECUTE scripts run on a node whose /tmp is mounted noexec: by their #!
# interpreter, or by sh without one.
printf '#!/bin/sh\necho "with #!: $(basename "$0" | cut -c1-4)"\n' >"$WORK/bang.post"
printf 'echo "without #!"\n' >"$WORK/plain.post"
printf '%s -> /root/bang.post\n%s -> /root/plain.post\nEXECUTEALWAYS:\n%s\n%s\n' \
  "$WORK/bang.post" "$WORK/plain.post" "$WORK/bang.post" "$WORK/plain.post" >"$WORK/noexec.synclist"
on cn1 mount -o remount,bind,noexec /tmp
if on cn1 findmnt -no OPTIONS /tmp | grep -qw noexec; then
  xdcp cn1 -F "$WORK/noexec.synclist"
  on cn1 mount -o remount,bind,exec /tmp
  check "EXECUTEALWAYS scripts run although the node's /tmp is noexec" eval \
    'rc_is 0 && out_has "cn1: with #!: tmp." && out_has "cn1: without #!"'
else
  echo "ok - # SKIP: cannot mount cn1's /tmp noexec"
fi

# Service nodes: SNsyncfiledir is 0700 on every run, and an SN is staged
# only what its own nodes need of the database.
export XDCP_REMOTE_XDCP=$XDCP
SNDIR=/var/xcat/syncfiles
for h in sn1 sn2; do on $h rm -rf "$SNDIR"; done
cat >/etc/xcat/nodelist.xml <<EOF2
<cluster>
  <site master="mn" SNsyncfiledir="$SNDIR" sitesecret="s3cret"/>
  <osimage name="img-a" environvar="WHO=image-a"/>
  <osimage name="img-b" environvar="WHO=image-b"/>
  <osdistro name="rhels9-x86_64" dirpaths="/install/rhels9/x86_64"/>
  <node name="sn1" groups="service"/>
  <node name="sn2" groups="service"/>
  <node name="cn5" groups="compute" servicenode="sn1" provmethod="img-a" bmcpassword="hunter2"/>
  <node name="cn7" groups="compute" servicenode="sn2" provmethod="img-b"/>
  <node name="cn1" groups="compute"/>
</cluster>
EOF2
echo staged >"$WORK/staged"
printf '%s -> (cn1,cn5,cn7) /tmp/staged.$WHO\n' "$WORK/staged" >"$WORK/sn.synclist"
on cn5 rm -f /tmp/staged.image-a
xdcp cn1,cn5,cn7 -F "$WORK/sn.synclist"
check "-F through two SNs, a synclist noderange naming nodes of other SNs: ok" eval \
  'rc_is 0 && err_has "xdcp: 3 nodes: 3 ok" && [ "$(on cn5 cat /tmp/staged.image-a)" = staged ]'
check "SNsyncfiledir is 0700 on the SN" [ "$(on sn1 stat -c %a $SNDIR)" = 700 ]
staged_db() { on sn1 cat "$SNDIR/etc/xcat/nodelist.xml"; }
check "sn1's copy of the database is 0600" [ "$(on sn1 stat -c %a $SNDIR/etc/xcat/nodelist.xml)" = 600 ]
check "... has its node's image, and every node's name" eval \
  'staged_db | grep -q "WHO=image-a" && staged_db | grep -q "name=\"cn7\""'
check "... but not the other SN's image, other attributes, osdistros or site extras" eval \
  '! staged_db | grep -qE "image-b|hunter2|s3cret|rhels9"'
on sn1 chmod 755 "$SNDIR"
xdcp cn5 -F "$WORK/sn.synclist"
check "a SNsyncfiledir made 0755 meanwhile is 0700 again after the next run" eval \
  'rc_is 0 && [ "$(on sn1 stat -c %a $SNDIR)" = 700 ]'
rm -f "$WORK/export.xml"
"$XDCP" --export-xml >"$WORK/export.xml"
check "--export-xml into a new file: the file is 0600" eval \
  '[ "$(stat -c %a "$WORK/export.xml")" = 600 ] && grep -q hunter2 "$WORK/export.xml"'
rm -f /etc/xcat/nodelist.xml

finish
