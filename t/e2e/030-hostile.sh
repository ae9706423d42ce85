#!/bin/bash
# User story: files and nodes with odd names (spaces, quotes, $(...)) are copied as they are; nothing is run.
# File and node names with spaces, quotes and shell metacharacters are
# delivered byte-exact and nothing is ever executed, on any host.
. "$(dirname "$0")/lib.sh"

hosts="mn cn1 cn2"
# A command that ran would leave pwned* in /tmp, in the remote shell's
# working directory (/root) or in ours.
clear_markers() {
  for h in $hosts; do on $h sh -c 'rm -f /tmp/pwned* /root/pwned*'; done
  rm -f ./pwned*
}
no_markers() {
  for h in $hosts; do
    if on $h sh -c 'ls /tmp/pwned* /root/pwned* 2>/dev/null | grep -q .'; then
      return 1
    fi
  done
  ! ls ./pwned* >/dev/null 2>&1
}

names=(
  'a b'
  'semi;touch pwned1'
  '$(touch pwned2)'
  '`touch pwned3`'
  "it's \"quoted\""
  '-dash'
  'back\slash & pipe | star *'
  $'new\nline'
)
mkdir -p "$WORK/src"
i=0
for n in "${names[@]}"; do
  i=$((i + 1))
  printf 'content %s\n' "$i" >"$WORK/src/$n"
done
clear_markers

for rcp in /usr/bin/rsync /usr/bin/scp; do
  t=$(basename $rcp)
  dest="/tmp/dest \$(touch /tmp/pwned4); \`touch /tmp/pwned5\` 'x'"
  on cn1 rm -rf /tmp/dest*
  on cn1 mkdir -p "$dest"
  for n in "${names[@]}"; do
    xdcp cn1 -r $rcp "$WORK/src/$n" "$dest/"
    check "$t: push of $(printf %q "$n") arrives byte-exact" eval \
      'rc_is 0 && same_file "$WORK/src/$n" cn1 "$dest/$n"'
  done
  xdcp cn1 -r $rcp -R "$WORK/src" "$dest"
  check "$t: -R of a tree of hostile names" eval \
    'rc_is 0 && [ "$(on cn1 ls -A "$dest/src" | wc -l)" -ge 8 ]'
  rm -rf "$WORK/pull" && mkdir "$WORK/pull"
  xdcp cn1 -r $rcp -P "$dest/semi;touch pwned1" "$WORK/pull"
  check "$t: pull of a hostile name" eval \
    'rc_is 0 && cmp -s "$WORK/src/semi;touch pwned1" "$WORK/pull/semi;touch pwned1._cn1"'
  check "$t: nothing was executed on any host" no_markers
done

xdcp 'cn1;touch /tmp/pwned6' "$WORK/src/a b" /tmp/x
check "a node name with ';' is refused before anything runs" eval 'rc_is 2'
xdcp '-oProxyCommand=touch /tmp/pwned7' "$WORK/src/a b" /tmp/x
check "a node name that looks like an ssh option is refused" eval '[ "$RC" -ne 0 ]'
xdcp '$(touch /tmp/pwned8)' "$WORK/src/a b" /tmp/x
check "a node name with \$() is refused" rc_is 2
check "still nothing executed anywhere" no_markers
finish
