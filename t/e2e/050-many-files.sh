#!/bin/bash
# User story: re-syncing a big tree sends only what changed; EXECUTE runs only where its file changed.
# A directory of 10,000 small files synced to 8 nodes; then one change on
# one node, then one change on the management node: only those node-file
# pairs transfer, and EXECUTE fires only where its trigger changed.
. "$(dirname "$0")/lib.sh"

nodes="sn1 sn2 cn1 cn2 cn3 cn4 cn9 cn10"
range=sn1,sn2,cn1,cn2,cn3,cn4,cn9,cn10
mkdir -p "$WORK/big"
(cd "$WORK/big" && for i in $(seq -w 1 10000); do echo "file $i" >"f$i"; done)
printf '#!/bin/sh\necho "f05000 changed here"\n' >"$WORK/big/f05000.post"
chmod +x "$WORK/big/f05000.post"
printf '%s/big/ -> /tmp/big/\nEXECUTE:\n%s/big/f05000.post\n' "$WORK" "$WORK" >"$WORK/big.synclist"
for n in $nodes; do on $n rm -rf /tmp/big; done

changed_lines() { grep -c "^TRACE: [^ ]*: changed: " "$WORK/out"; }

xdcp "$range" -T -F "$WORK/big.synclist"
check "cold: exit 0" rc_is 0
check "cold: every node has all 10,001 files" eval \
  'for n in $nodes; do [ "$(on $n sh -c "ls /tmp/big | wc -l")" = 10001 ] || exit 1; done'
check "cold: EXECUTE fired on all 8 nodes" [ "$(grep -c "f05000 changed here" "$WORK/out")" = 8 ]

xdcp "$range" -T -F "$WORK/big.synclist"
check "warm: nothing transferred, nothing executed" eval \
  'rc_is 0 && [ "$(changed_lines)" = 0 ] && ! out_has "f05000 changed here"'

on cn3 sh -c 'echo "local damage" > /tmp/big/f05000'
xdcp "$range" -T -F "$WORK/big.synclist"
check "one file changed on cn3: only that node-file pair transfers" eval \
  'rc_is 0 && [ "$(changed_lines)" = 1 ] && out_has "TRACE: cn3: changed: $WORK/big/f05000"'
check "... and EXECUTE fires on cn3 only" eval \
  '[ "$(grep -c "f05000 changed here" "$WORK/out")" = 1 ] && out_has "cn3: f05000 changed here"'

echo "new content for one" >"$WORK/big/f00001"
xdcp "$range" -T -F "$WORK/big.synclist"
check "one file changed on the management node: one transfer per node" eval \
  'rc_is 0 && [ "$(changed_lines)" = 8 ] && [ "$(grep -c "changed: $WORK/big/f00001" "$WORK/out")" = 8 ]'
check "... and EXECUTE, whose trigger did not change, fires nowhere" eval '! out_has "f05000 changed here"'
for n in $nodes; do on $n rm -rf /tmp/big; done
finish
