#!/bin/bash
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

finish
