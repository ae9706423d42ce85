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

finish
