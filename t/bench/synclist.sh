#!/usr/bin/env bash
# t/bench/synclist.sh - synclist benchmark: a 50-line synclist (24 renames,
# one 5,000-file directory, one multi-source line) to 8 test hosts, cold and
# warm, xdcp versus the same rsync commands run (a) node by node and (b) all
# at once. Writes its results as a section for t/bench/RESULTS.md to OUT
# (default build/synclist.md); the section it replaces there goes to
# t/bench/HISTORY.md.
#
#   t/bench/synclist.sh [RUNS]      RUNS = runs per case, best kept (default 2)
#   NO_RECORD=1 t/bench/synclist.sh  only print the section
#
# Needs root (t/cluster). Uses its own cluster on 127.79.0 in
# build/bench-cluster; timings never make it fail.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XDCP=$top/build/xdcp
CL=$top/t/cluster/cluster.sh
S=$top/build/bench-cluster
OUT=${OUT:-$top/build/synclist.md}
RUNS=${1:-2}
NODES=(cn1 cn2 cn3 cn4 cn5 cn6 cn7 cn8)

[[ -x $XDCP ]] || { echo "no $XDCP (build first)" >&2; exit 1; }
trap '"$CL" down "$S"' EXIT
XDCP_TEST_NET=127.79.0 "$CL" up "$S" mn "${NODES[@]}"
on() { "$CL" on "$S" "$@"; }

# ---------------------------------------------------------------- source --
# Built from outside in mn's private /tmp (= $S/hosts/mn/tmp).
M=$S/hosts/mn/tmp/bench
rm -rf "$M"; mkdir -p "$M/src/files" "$M/src/tree" "$M/src/multi"
for i in $(seq -w 1 48); do     # 1..100 KB, mixed
    head -c $(( (10#$i * 37 % 100 + 1) * 1024 )) /dev/urandom >"$M/src/files/f$i"
done
( cd "$M/src/tree" && for i in $(seq 1 5000); do head -c 1024 /dev/urandom >"t$i"; done )
for x in a b c; do head -c 4096 /dev/urandom >"$M/src/multi/$x"; done

L=$M/sync.list                  # paths as mn sees them
{
    for i in $(seq -w 1 48); do
        d=/tmp/bench/dst/d$(( 10#$i % 6 ))
        if (( 10#$i % 2 )); then echo "/tmp/bench/src/files/f$i -> $d/"
        else echo "/tmp/bench/src/files/f$i -> $d/renamed_f$i"; fi
    done
    echo "/tmp/bench/src/tree/ -> /tmp/bench/dst/tree/"
    echo "/tmp/bench/src/multi/a /tmp/bench/src/multi/b /tmp/bench/src/multi/c -> /tmp/bench/dst/multi/"
} >"$L"
lines=$(wc -l <"$L")
echo "synclist: $lines lines, $(find "$M/src" -type f | wc -l) source files, $(du -sh "$M/src" | cut -f1)"

# ------------------------------------------------------- baseline commands --
on mn "$XDCP" 'cn[1-8]' -F /tmp/bench/sync.list --dry-run >"$M/dryrun.out" 2>&1 || {
    cat "$M/dryrun.out" >&2; echo "dry run failed" >&2; exit 1; }
# The baselines are the same rsync commands as an admin's script would run
# them: without xdcp's shared connection per node (ControlMaster), and
# without the step that closes it.
sed -n 's/^TRACE: [^:]*: //p' "$M/dryrun.out" |
  grep -v ' -O exit ' |
  sed -e 's| -o ControlMaster=auto -o ControlPath=[^ ]* -o ControlPersist=10||' >"$M/cmds"
ncmds=$(wc -l <"$M/cmds")
echo "dry run: $ncmds commands ($(( ncmds / ${#NODES[@]} )) per node)"
(( ncmds > 0 )) || { cat "$M/dryrun.out" >&2; echo "no TRACE lines" >&2; exit 1; }
# loop: one after another; all: every line with & then wait
{ echo 'set -e'; cat "$M/cmds"; } >"$M/loop.sh"
{ sed 's/$/ \&/' "$M/cmds"; echo 'rc=0; for j in $(jobs -p); do wait $j || rc=1; done; exit $rc'; } >"$M/all.sh"

run_xdcp() { on mn "$XDCP" 'cn[1-8]' -F /tmp/bench/sync.list; }
run_loop() { on mn bash /tmp/bench/loop.sh; }
run_all()  { on mn bash /tmp/bench/all.sh; }

clean() { local n; for n in "${NODES[@]}"; do on "$n" rm -rf /tmp/bench/dst; done; }

# time1 RUNNER: wall seconds of one run; exits if the runner fails.
time1() {
    local t0 t1
    t0=$(date +%s.%N)
    "run_$1" >"$M/$1.log" 2>&1 || { cat "$M/$1.log" >&2; echo "$1 failed" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
min() { echo "if ($1 < $2) $1 else $2" | bc; }

check_dst() {     # every node got everything
    local n want got
    want=$(( 48 + 5000 + 3 ))
    for n in "${NODES[@]}"; do
        got=$(on "$n" find /tmp/bench/dst -type f | wc -l)
        [[ $got == "$want" ]] || { echo "$1: $n has $got files, want $want" >&2; exit 1; }
    done
}

declare -A COLD WARM
for r in loop all xdcp; do COLD[$r]=999999; WARM[$r]=999999; done
for run in $(seq 1 "$RUNS"); do
    for r in loop all xdcp; do
        clean
        c=$(time1 $r); check_dst "$r cold"
        w=$(time1 $r); check_dst "$r warm"
        printf 'run %d %-5s cold %6.2f s  warm %6.2f s\n' "$run" "$r" "$c" "$w"
        COLD[$r]=$(min "${COLD[$r]}" "$c"); WARM[$r]=$(min "${WARM[$r]}" "$w")
    done
done

# ---------------------------------------------------------------- report --
ratio() { printf '%.2f' "$(echo "scale=4; $1 / $2" | bc)"; }
verdict() { [[ $(echo "$1 <= 1.1" | bc) == 1 ]] && echo PASS || echo MISS; }
row() {   # NAME KEY
    local rc rw
    rc=$(ratio "${COLD[$2]}" "${COLD[all]}"); rw=$(ratio "${WARM[$2]}" "${WARM[all]}")
    if [[ $2 == xdcp ]]; then rc="${rc}x $(verdict "$rc")"; rw="${rw}x $(verdict "$rw")"
    else rc="${rc}x"; rw="${rw}x"; fi
    printf '| %s | %.2f | %.2f | %s, %s |\n' "$1" "${COLD[$2]}" "${WARM[$2]}" "$rc" "$rw"
}
table=$(
    echo '| runner | cold s | warm s | vs all-at-once (cold, warm) |'
    echo '|---|---:|---:|---|'
    row "xdcp 'cn[1-8]' -F LIST (fanout 64)" xdcp
    row "rsync loop, node by node" loop
    row "rsync all at once (& + wait)" all
)
echo; echo "$table"

section=$(cat <<EOF2

## Synclist: \`synclist.sh\`

Synclist of $lines lines: 48 files of 1-100 KB (24 renames, one rsync each;
24 plain lines into 3 directories, one rsync per directory), one 5,000-file directory of 1 KB files
(\`/tmp/bench/src/tree/ -> /tmp/bench/dst/tree/\`) and one 3-source line.
Targets cn1..cn8 of a \`t/cluster\` loopback cluster (real sshd, curve25519 KEX).
xdcp: \`xdcp 'cn[1-8]' -F /tmp/bench/sync.list\`, run in mn. Baselines run
the $ncmds rsync command lines printed by \`--dry-run\`
($(( ncmds / ${#NODES[@]} )) per node): one after another, or all at once.
Cold = destinations removed first; warm = same run again, nothing changed.
Best of $RUNS. Target: xdcp <= 1.1x all-at-once, cold and warm.

- machine: nproc $(nproc), kernel $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')
- command: \`t/bench/synclist.sh $RUNS\`

$table
EOF2
)
if [[ -n ${NO_RECORD:-} ]]; then echo "$section"; exit 0; fi
printf '%s\n' "$section" >"$OUT"
echo; echo "written to $OUT: it replaces the synclist section of t/bench/RESULTS.md"
