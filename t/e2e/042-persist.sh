#!/bin/bash
# User story: an admin who runs xdcp again and again reuses the nodes' ssh connections (--persist).
# --persist: a node's ssh connection outlives the run, and the next run
# within that time uses it (no new ssh login on the node); its sockets
# live in a checked private directory; --close-connections ends them.
. "$(dirname "$0")/lib.sh"

: "${XDCP_LOCK_DIR:?}"
SOCKDIR=$XDCP_LOCK_DIR/ssh
S=$WORK/src
mkdir -p $S
# The script reports the TCP connection its session came over: a new
# login is a new connection, with another client port.
printf '#!/bin/sh\necho "conn $SSH_CONNECTION"\n' >$S/conn.sh
chmod +x $S/conn.sh
cat >$WORK/p.synclist <<EOF2
$S/conn.sh -> /tmp/persist/
EXECUTEALWAYS:
$S/conn.sh
EOF2
port() { sed -n "s/^$1: conn [^ ]* \([0-9]*\) .*/\1/p" "$WORK/out"; }
master_up() { ssh -o ControlPath="$SOCKDIR/%C" -O check "$1" 2>/dev/null; }
# A master told to exit answers first and goes a moment later: wait for it.
master_gone() { wait_for "$1's ssh master to go" 30 eval "! master_up $1"; }

xdcp --close-connections cn1,cn2
check "--close-connections with no connection open: exit 0" rc_is 0

xdcp cn1,cn2 --persist 60 -F $WORK/p.synclist
p1=$(port cn1)
check "run 1 with --persist: exit 0, the connection stays open" eval \
  'rc_is 0 && [ -n "$p1" ] && master_up cn1 && master_up cn2'
check "the socket directory is private: 0700, ours, not a link" eval \
  '[ "$(stat -c %a:%u "$SOCKDIR")" = "700:$(id -u)" ] && [ ! -L "$SOCKDIR" ]'

XDCP_PERSIST=60 xdcp cn1,cn2 -F $WORK/p.synclist
p2=$(port cn1)
check "run 2 (XDCP_PERSIST) reuses it: no new ssh session on the node" eval \
  'rc_is 0 && [ "$p2" = "$p1" ]'

xdcp --close-connections cn1
check "--close-connections closes that node's connection only" eval \
  'rc_is 0 && master_gone cn1 && master_up cn2'
xdcp cn1 -F $WORK/p.synclist
p3=$(port cn1)
check "without --persist: a new session, closed at the end of the run" eval \
  'rc_is 0 && [ -n "$p3" ] && [ "$p3" != "$p1" ] && master_gone cn1'
xdcp --close-connections cn2
check "and the last one closed" eval 'rc_is 0 && master_gone cn2'

# The socket directory must be ours alone.
mv "$SOCKDIR" "$SOCKDIR.real"
ln -s "$SOCKDIR.real" "$SOCKDIR"
xdcp cn1 --persist 60 -F $WORK/p.synclist
check "a symbolic link for the socket directory is refused: exit 2" eval \
  'rc_is 2 && err_has "connection directory $SOCKDIR: is a symbolic link" && ! master_up cn1'
rm "$SOCKDIR" && mv "$SOCKDIR.real" "$SOCKDIR"
chmod 0777 "$SOCKDIR"
xdcp cn1 --persist 60 -F $WORK/p.synclist
check "a socket directory others may write is refused: exit 2" eval \
  'rc_is 2 && err_has "mode 0777 lets others write in it"'
chmod 0700 "$SOCKDIR"
xdcp cn1 --persist -5 -F $WORK/p.synclist
check "a negative --persist is a usage error" eval 'rc_is 2 && err_has "--persist must not be negative"'
check "nothing is left running" no_leftovers
finish
