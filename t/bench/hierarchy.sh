#!/usr/bin/env bash
# t/bench/hierarchy.sh - hierarchical delivery benchmark for `xdcp -F` and
# plain pushes.
#
# Starts its own loopback cluster (t/cluster/cluster.sh): mn, sn1..sn4 and
# SNS x CPN compute nodes cnNN:snK (a CN accepts ssh only from its SN, so
# the MN cannot reach CNs directly). mn's /etc/xcat/nodelist.xml gives every
# CN servicenode="snK". A synclist of one 20 MB file, a 500-file directory
# and 3 small files is delivered:
#   hier   xdcp 'cn[01-NN]' -F LIST     (stage once per SN, SN delivers)
#   plain  xdcp 'cn[01-NN]' -R DIR /tmp/hb (the same files as a plain push)
#   sn     xdcp 'sn[1-4]'   -F LIST     (same payload, MN -> 4 SNs only)
# each cold (destinations and SN staging dirs removed) and warm (again,
# nothing changed). Every ssh started in mn's view goes through a PATH
# wrapper that logs it (the SNs' xdcp runs under sshd's PATH, /usr/bin/ssh,
# so it is not counted). Stage steps are counted from `-T` output.
# Afterwards every CN's copy is compared (md5) with mn's sources, and each
# SN's staged copy is checked to be there once.
#
#   t/bench/hierarchy.sh            # 4 SNs x 16 CNs
#   CPN=8 t/bench/hierarchy.sh      # 4 SNs x 8 CNs
#
# Env: SNS (default 4), CPN (CNs per SN, default 16), XDCP_TEST_NET
# (default 127.81.0), STATEDIR (default build/hier-cluster),
# OUT (markdown table, default build/hierarchy.md).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XDCP=${XDCP:-$top/build/xdcp}
SNS=${SNS:-4}
CPN=${CPN:-16}
export XDCP_TEST_NET=${XDCP_TEST_NET:-127.81.0}
S=${STATEDIR:-$top/build/hier-cluster}
OUT=${OUT:-$top/build/hierarchy.md}
C=$top/t/cluster/cluster.sh
export XDCP_LOCK_DIR=$S/locks
export XDCP_REMOTE_XDCP=$XDCP
unset XDCP_NODELIST DSH_FANOUT DSH_TIMEOUT DCP_NODE_RCP DSH_NODE_RCP \
      DCP_NODE_OPTS DSH_NODE_OPTS

die() { echo "hierarchy.sh: $*" >&2; exit 1; }
[[ -x $XDCP ]] || die "no $XDCP"

NCN=$((SNS * CPN))
sns=(); cns=(); hosts=()
for ((k = 1; k <= SNS; k++)); do sns+=("sn$k"); done
for ((i = 1; i <= NCN; i++)); do
    n=$(printf 'cn%02d' "$i"); k=$(( (i - 1) / CPN + 1 ))
    cns+=("$n"); hosts+=("$n:sn$k")
done
cnrange=$(printf 'cn[01-%02d]' "$NCN")
snrange="sn[1-$SNS]"

trap '"$C" down "$S" || true' EXIT
t0=$(date +%s.%N)
"$C" up "$S" mn "${sns[@]}" "${hosts[@]}" >/dev/null
echo "up: $((${#hosts[@]} + SNS + 1)) hosts in $(echo "$(date +%s.%N) - $t0" | bc) s"
mkdir -p -m 700 "$XDCP_LOCK_DIR"
on() { "$C" on "$S" "$@"; }

# ---------------------------------------------------------- ssh counter --
W=$S/wrap
mkdir -p "$W"
cat >"$W/ssh" <<EOF
#!/bin/sh
echo "\$*" >>"$S/ssh.log"
exec /usr/bin/ssh "\$@"
EOF
chmod +x "$W/ssh"
onmn() { PATH="$W:$PATH" "$C" on "$S" mn "$@"; }

# ---------------------------------------------------------- payload --
M=$S/hosts/mn/tmp/hb                     # = mn's /tmp/hb
mkdir -p "$M/src/tree"
head -c $((20 << 20)) /dev/urandom >"$M/src/big.bin"
for ((i = 0; i < 500; i++)); do
    head -c $((512 + RANDOM % 4096)) /dev/urandom >"$M/src/tree/f$(printf %03d $i)"
done
for x in a b c; do echo "small $x $RANDOM" >"$M/src/$x.conf"; done
# The same files laid out as the synclist delivers them, for a plain push
# of one directory (hard links: no second copy on the MN).
mkdir -p "$M/plain/dst/etc"
cp -al "$M/src/tree" "$M/plain/dst/tree"
ln "$M/src/big.bin" "$M/plain/dst/big.bin"
for x in a b c; do ln "$M/src/$x.conf" "$M/plain/dst/etc/$x.conf"; done
cat >"$M/sync.list" <<'EOF'
/tmp/hb/src/big.bin -> /tmp/hb/dst/big.bin
/tmp/hb/src/tree/ -> /tmp/hb/dst/tree/
/tmp/hb/src/a.conf /tmp/hb/src/b.conf /tmp/hb/src/c.conf -> /tmp/hb/dst/etc/
EOF
PAYLOAD=$(du -sb "$M/src" | cut -f1)
echo "payload: $PAYLOAD bytes, $(find "$M/src" -type f | wc -l) files"
# expected checksums, as the destination layout
want=$( (cd "$M/src" && { md5sum big.bin; (cd tree && md5sum f*) | sed 's|  |  tree/|';
         md5sum a.conf b.conf c.conf | sed 's|  |  etc/|'; }) | awk '{print $2, $1}' | sort | md5sum)

# ---------------------------------------------------------- cluster db --
{
    echo '<cluster>'
    echo '  <site master="mn" SNsyncfiledir="/var/xcat/syncfiles"/>'
    echo '  <node name="mn"/>'
    for s in "${sns[@]}"; do echo "  <node name=\"$s\" groups=\"service\"/>"; done
    for h in "${hosts[@]}"; do
        echo "  <node name=\"${h%%:*}\" groups=\"compute\" servicenode=\"${h#*:}\"/>"
    done
    echo '</cluster>'
} >"$S/hosts/mn/etc-xcat/nodelist.xml"

# ---------------------------------------------------------- runs --
declare -A wall conns hostsn cnhits stages
run() {   # run NAME cold|warm RANGE [XDCP ARGS...] (default: -F the list)
    local name=$1 mode=$2 range=$3 t1 t2 rc=0
    local args=("${@:4}")
    (( ${#args[@]} )) || args=(-F /tmp/hb/sync.list)
    if [[ $mode == cold ]]; then
        for h in "${sns[@]}" "${cns[@]}"; do
            rm -rf "$S/hosts/$h/tmp/hb" "$S/hosts/$h/var-xcat/syncfiles"
        done
    fi
    : >"$S/ssh.log"
    t1=$(date +%s.%N)
    onmn "$XDCP" "$range" "${args[@]}" -T >"$S/$name.$mode.out" 2>&1 || rc=$?
    t2=$(date +%s.%N)
    (( rc == 0 )) || { tail -20 "$S/$name.$mode.out"; die "$name $mode: exit $rc"; }
    wall[$name.$mode]=$(printf %.2f "$(echo "$t2 - $t1" | bc)")
    # ssh processes started in mn, and the distinct hosts they went to
    # (xdcp shares one ControlMaster login per host: logins = hosts)
    conns[$name.$mode]=$(wc -l <"$S/ssh.log")
    hostsn[$name.$mode]=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(sn|cn)[0-9]+$/) {print $i; break}}' \
                          "$S/ssh.log" | sort -u | wc -l)
    cnhits[$name.$mode]=$(grep -cE '(^| )cn[0-9]+( |$)' "$S/ssh.log" || true)
    # staging = the MN's rsync --files-from=.../stage.SN runs, one per SN
    stages[$name.$mode]=$(grep -cE '^TRACE: sn[0-9]+: .*rsync .*--files-from=[^ ]*/stage\.sn' "$S/$name.$mode.out" || true)
    cp "$S/ssh.log" "$S/$name.$mode.ssh.log"
    echo "$name $mode: ${wall[$name.$mode]} s, MN ssh runs ${conns[$name.$mode]} to ${hostsn[$name.$mode]} hosts (CN lines ${cnhits[$name.$mode]}), staging runs ${stages[$name.$mode]}, files changed on CNs $(grep -c '^TRACE: cn[0-9]*: changed: ' "$S/$name.$mode.out" || true)"
}

digest() {   # digest HOST DIR -> md5 of "path md5" lines
    on "$1" sh -c "cd '$2' && find . -type f | sed 's|^\./||' | sort | xargs md5sum | awk '{print \$2, \$1}' | sort | md5sum"
}
verify_cns() {   # verify_cns [N]: the first N CNs (default all)
    local bad=0 n
    for n in "${cns[@]:0:${1:-$NCN}}"; do
        [[ $(digest "$n" /tmp/hb/dst) == "$want" ]] || { echo "MISMATCH on $n" >&2; bad=1; }
    done
    (( bad == 0 )) || die "some CNs did not get every file"
    echo "verified: all ${1:-$NCN} CNs have every file (md5)"
}
verify_staged() {   # verify_staged [DIR staged] (default /tmp/hb/src)
    local s sz dir=${1:-/tmp/hb/src} want_sz
    want_sz=$(du -sb "$S/hosts/mn$dir" | cut -f1)
    for s in "${sns[@]}"; do
        sz=$(on "$s" du -sb "/var/xcat/syncfiles$dir" | cut -f1)
        [[ $sz == "$want_sz" ]] || die "$s: staged $sz bytes, expected $want_sz"
        # exactly one copy of the big file anywhere in the staging dir
        [[ $(on "$s" find /var/xcat/syncfiles -name big.bin | wc -l) == 1 ]] || die "$s: big.bin staged more than once"
    done
    echo "verified: each SN holds the staged payload once ($PAYLOAD bytes)"
}

run hier cold "$cnrange"; verify_cns; verify_staged
run hier warm "$cnrange"; verify_cns
run plain cold "$cnrange" -R /tmp/hb/plain/dst /tmp/hb; verify_cns; verify_staged /tmp/hb/plain/dst
run plain warm "$cnrange" -R /tmp/hb/plain/dst /tmp/hb; verify_cns
run sn cold "$snrange"
for s in "${sns[@]}"; do
    [[ $(digest "$s" /tmp/hb/dst) == "$want" ]] || die "$s: mismatch"
done
run sn warm "$snrange"
# half the SNs' CNs: MN-side cost should halve (grows with SNs, not CNs)
half=$(printf 'cn[01-%02d]' $((NCN / 2)))
run hhalf cold "$half"; verify_cns $((NCN / 2))
run hhalf warm "$half"

# ---------------------------------------------------------- table --
row() {   # row LABEL KEY
    echo "| $1 | ${wall[$2.cold]} | ${wall[$2.warm]} | ${conns[$2.cold]} to ${hostsn[$2.cold]} hosts, ${conns[$2.warm]} to ${hostsn[$2.warm]} hosts | ${stages[$2.cold]}, ${stages[$2.warm]} |"
}
{
    echo "| runner | wall s cold | wall s warm | MN ssh connections: ssh runs to distinct hosts (cold, warm) | staging runs (cold, warm) |"
    echo "|---|---:|---:|---|---|"
    row "hierarchical: \`xdcp '$cnrange' -F LIST\` ($NCN CNs via $SNS SNs)" hier
    row "hierarchical, half: \`xdcp '$half' -F LIST\` ($((NCN / 2)) CNs via $((SNS / 2)) SNs)" hhalf
    row "hierarchical plain push: \`xdcp '$cnrange' -R DIR /tmp/hb\` ($NCN CNs via $SNS SNs)" plain
    row "MN -> SNs only: \`xdcp '$snrange' -F LIST\` (no hierarchy)" sn
} | tee "$OUT"
echo "payload: $PAYLOAD bytes; staged per SN: $PAYLOAD bytes (checked); MN -> SN payload per cold hierarchical run = $SNS x $PAYLOAD"
