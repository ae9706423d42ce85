#!/usr/bin/env bash
# t/bench/synclist.sh - synclist benchmark of issue 14: 20 source files of
# 78 bytes in two layouts, xCAT's (each file into its own directory, every
# second one renamed) and flat (all into one directory), to N test hosts,
# cold and warm, with and without --persist, alternating in each round with
# the floors: `ssh NODE true` and one all-at-once rsync per node of the same
# 20 files, both with xdcp's fan-out (64). Wall time and management-node
# CPU (user + system of every process the run started, ssh masters that
# daemonize included: t/bench/cpuwall.py) per run. Every cold run is checked
# on every node. Writes its section for t/bench/RESULTS.md to OUT (default
# build/synclist.md).
#
#   XDCP_TEST_NET=127.88.0 [STATEDIR=DIR] [RUNS=2] t/bench/synclist.sh [N...]
#   N: numbers of test hosts (default: 8 64 200); RUNS: rounds, median kept
#   NO_RECORD=1 ...  only print the section
#   PROFILE=1 ...    instead: per N, one cold run of each layout under
#                    `perf record -a -e cpu-clock` (the whole machine: mn
#                    and the nodes' sshd, shells and rsync), and the CPU
#                    seconds per command name (needs perf)
#
# Needs root (t/cluster). XDCP_TEST_NET is the cluster's network (required:
# never one another cluster on the machine uses); STATEDIR its state directory (default
# build/bench-cluster). Timings never make it fail.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XDCP=$top/build/xdcp
CL=$top/t/cluster/cluster.sh
: "${XDCP_TEST_NET:?set XDCP_TEST_NET to your test network, e.g. 127.88.0}"
export XDCP_TEST_NET
S=${STATEDIR:-$top/build/bench-cluster}
OUT=${OUT:-$top/build/synclist.md}
RUNS=${RUNS:-2}
SIZES=("$@")
((${#SIZES[@]})) || SIZES=(8 64 200)
FANOUT=64
PERSIST=300

[[ -x $XDCP ]] || { echo "no $XDCP (build first)" >&2; exit 1; }
trap '"$CL" down "$S" >/dev/null 2>&1 || true' EXIT
on() { "$CL" on "$S" "$@"; }
M=$S/hosts/mn/tmp/bench   # mn's /tmp/bench, seen from outside

setup_sources() {
    rm -rf "$M"; mkdir -p "$M/src"
    local i
    for i in $(seq -w 1 20); do printf '%077d\n' "$((10#$i))" >"$M/src/f$i"; done  # 78 bytes
    cp "$top/t/bench/cpuwall.py" "$M/cpuwall.py"
    : >"$M/ref.list"; : >"$M/flat.list"
    for i in $(seq -w 1 20); do
        if ((10#$i % 2)); then echo "/tmp/bench/src/f$i -> /tmp/bench/dst/d$i/"
        else echo "/tmp/bench/src/f$i -> /tmp/bench/dst/d$i/r$i"; fi >>"$M/ref.list"
        echo "/tmp/bench/src/f$i -> /tmp/bench/dst/flat/" >>"$M/flat.list"
    done
}

# Runners, as mn runs them; $NODES is the folded noderange, $M/nodes one
# name a line.
SSH=(ssh -o BatchMode=yes -o ConnectTimeout=10)
run_ssh()   { on mn xargs -a /tmp/bench/nodes -P $FANOUT -I{} "${SSH[@]}" {} true; }
run_rsync() {
    on mn xargs -a /tmp/bench/nodes -P $FANOUT -I{} rsync -rlptgo --protect-args \
        -e "${SSH[*]}" "--rsync-path=mkdir -p /tmp/bench/dst/flat && rsync" \
        /tmp/bench/src/ {}:/tmp/bench/dst/flat/
}
run_xdcp()  { on mn "$XDCP" "$NODES" -f $FANOUT -F "/tmp/bench/$1.list" "${@:2}"; }

clean() { local n; for n in "${HOSTS[@]}"; do rm -rf "$S/hosts/$n/tmp/bench"; done; }
closeall() { on mn "$XDCP" --close-connections "$NODES" >/dev/null 2>&1 || true; }
check_dst() {   # LAYOUT: every node has the 20 files
    local n got
    for n in "${HOSTS[@]}"; do
        got=$(find "$S/hosts/$n/tmp/bench/dst" -type f 2>/dev/null | wc -l)
        [[ $got == 20 ]] || { echo "$1: $n has $got files, want 20" >&2; exit 1; }
    done
}

# measure KEY CMD...: one timed run; appends "wall cpu stderr_lines" to
# $M/KEY.times.
measure() {
    local key=$1; shift
    rm -f "$M/cw"
    if ! CPUWALL_OUT=/tmp/bench/cw "$@" >"$M/$key.out" 2>"$M/$key.err"; then
        cat "$M/$key.out" "$M/$key.err" >&2; echo "$key failed" >&2; exit 1
    fi
    read -r wall user sys <"$M/cw"
    echo "$wall $(echo "$user + $sys" | bc) $(wc -l <"$M/$key.err")" >>"$M/$key.times"
    printf '  %-16s %7.2f s wall %7.2f s cpu\n' "$key" "$wall" "$(echo "$user + $sys" | bc)"
}
cw() { on mn env CPUWALL_OUT=/tmp/bench/cw /usr/bin/python3 /tmp/bench/cpuwall.py "$@"; }
m_ssh()   { measure "$1" cw xargs -a /tmp/bench/nodes -P $FANOUT -I{} "${SSH[@]}" {} true; }
m_rsync() {
    measure "$1" cw xargs -a /tmp/bench/nodes -P $FANOUT -I{} rsync -rlptgo --protect-args \
        -e "${SSH[*]}" "--rsync-path=mkdir -p /tmp/bench/dst/flat && rsync" \
        /tmp/bench/src/ {}:/tmp/bench/dst/flat/
}
m_xdcp()  { local key=$1 list=$2; shift 2; measure "$key" cw "$XDCP" "$NODES" -f $FANOUT -F "/tmp/bench/$list.list" "$@"; }
# The floor of a kept connection: the same rsync per node over an ssh
# master that outlives the run (ssh's ControlPersist, as --persist uses).
KEEP=(-o ControlMaster=auto -o "ControlPath=/tmp/bench/cm-%C" -o ControlPersist=$PERSIST)
m_rsyncp() {
    measure "$1" cw xargs -a /tmp/bench/nodes -P $FANOUT -I{} rsync -rlptgo --protect-args \
        -e "${SSH[*]} ${KEEP[*]}" "--rsync-path=mkdir -p /tmp/bench/dst/flat && rsync" \
        /tmp/bench/src/ {}:/tmp/bench/dst/flat/
}
closekept() { on mn xargs -a /tmp/bench/nodes -P $FANOUT -I{} ssh "${KEEP[@]}" -O exit {} >/dev/null 2>&1 || true; }

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
col() { awk -v c="$2" '{print $c}' "$M/$1.times" | median; }

declare -A RES   # N:key:wall|cpu|err
rsync_per_node=()
for N in "${SIZES[@]}"; do
    HOSTS=(); for i in $(seq 1 "$N"); do HOSTS+=("cn$i"); done
    NODES="cn[1-$N]"
    "$CL" down "$S" >/dev/null 2>&1 || true
    echo "== $N hosts: cluster up"
    "$CL" up "$S" mn "${HOSTS[@]}" >/dev/null
    setup_sources
    printf '%s\n' "${HOSTS[@]}" >"$M/nodes"
    for layout in ref flat; do
        run_xdcp $layout --dry-run >"$M/dry.$layout" 2>&1
        RES[$N:$layout:rsyncs]=$(grep -c "^TRACE: cn1: [^ ]*rsync " "$M/dry.$layout")
    done
    if [[ -n ${PROFILE:-} ]]; then
        # profile NAME WHAT XDCP-ARGS...: one xdcp run under perf, then the
        # CPU seconds per command name, largest first.
        profile() {
            local name=$1 what=$2; shift 2
            perf record -q -a -e cpu-clock -F 1000 -o "$M/perf.$name" -- \
                "$CL" on "$S" mn "$XDCP" "$NODES" -f $FANOUT "$@" >/dev/null 2>&1
            echo "-- $N hosts, $what: CPU s per command (1 ms samples)"
            perf report -q -i "$M/perf.$name" --sort comm --stdio -F sample,comm 2>/dev/null |
                awk 'NF >= 2 { tot += $1; line[$2] += $1 }
                     END { for (c in line) printf "  %-16s %7.3f s %6.1f%%\n", c, line[c] / 1000, 100 * line[c] / tot
                           printf "  %-16s %7.3f s\n", "total", tot / 1000 }' | sort -k2,2nr
        }
        for layout in ref flat; do
            clean
            profile $layout "$layout layout, one cold run" -F "/tmp/bench/$layout.list"
            check_dst "profile $layout"
            profile $layout.warm "$layout layout, warm (nothing changed)" -F "/tmp/bench/$layout.list"
            closeall
            clean
            run_xdcp $layout --persist $PERSIST >/dev/null 2>&1  # opens the connections
            profile $layout.pwarm "$layout layout, warm with --persist (connections open)" \
                -F "/tmp/bench/$layout.list" --persist $PERSIST
            closeall
        done
        continue
    fi
    for r in $(seq 1 "$RUNS"); do
        echo "round $r of $RUNS, $N hosts"
        for layout in ref flat; do
            m_ssh ssh_true
            clean; m_xdcp xdcp_$layout.cold $layout; check_dst "xdcp $layout cold"
            m_xdcp xdcp_$layout.warm $layout
            clean; m_rsync rsync_all.cold; check_dst "rsync cold"
            m_rsync rsync_all.warm
            if [[ $layout == flat ]]; then
                closekept; clean
                m_rsyncp rsync_keep.cold; check_dst "rsync kept cold"
                m_rsyncp rsync_keep.warm
                closekept
            fi
            closeall; clean
            m_xdcp xdcp_$layout.pcold $layout --persist $PERSIST; check_dst "xdcp $layout --persist cold"
            m_xdcp xdcp_$layout.pwarm $layout --persist $PERSIST
            closeall
        done
    done
    for f in "$M"/*.times; do
        k=$(basename "$f" .times)
        RES[$N:$k:wall]=$(col "$k" 1); RES[$N:$k:cpu]=$(col "$k" 2); RES[$N:$k:err]=$(col "$k" 3)
    done
    rm -f "$M"/*.times
done

[[ -z ${PROFILE:-} ]] || exit 0
# ---------------------------------------------------------------- report --
r2() { printf '%.2f' "$(echo "scale=4; $1 / $2" | bc)"; }
ms() { printf '%.1f' "$(echo "scale=4; $1 * 1000 / $2" | bc)"; }   # per node, ms
table=$(
    echo '| hosts | runner | wall s (cold / warm) | MN CPU ms per node (cold / warm) |'
    echo '|---:|---|---:|---:|'
    for N in "${SIZES[@]}"; do
        for k in ssh_true rsync_all rsync_keep xdcp_ref xdcp_flat xdcp_ref.p xdcp_flat.p; do
            case $k in
                ssh_true) w="${RES[$N:ssh_true:wall]}"; c=$(ms "${RES[$N:ssh_true:cpu]}" "$N")
                          echo "| $N | \`ssh NODE true\`, fan-out $FANOUT | $w | $c |"; continue ;;
                *.p) b=${k%.p}; cold=$b.pcold; warm=$b.pwarm; name="\`xdcp -F\` ${b#xdcp_} --persist" ;;
                rsync_all) cold=rsync_all.cold; warm=rsync_all.warm; name="one rsync per node (flat files), fan-out $FANOUT" ;;
                rsync_keep) cold=rsync_keep.cold; warm=rsync_keep.warm; name="the same, ssh connections kept (ControlPersist)" ;;
                *) cold=$k.cold; warm=$k.warm; name="\`xdcp -F\` ${k#xdcp_}" ;;
            esac
            echo "| $N | $name | ${RES[$N:$cold:wall]} / ${RES[$N:$warm:wall]} | $(ms "${RES[$N:$cold:cpu]}" "$N") / $(ms "${RES[$N:$warm:cpu]}" "$N") |"
        done
    done
)
targets=$(
    echo '| measure | target | '"$(printf '%s hosts | ' "${SIZES[@]}")"
    echo '|---|---|'"$(printf -- '---:|%.0s' "${SIZES[@]}")"
    printf '| xCAT-layout wall / flat-layout wall (cold) | <= 1.15 |'
    for N in "${SIZES[@]}"; do printf ' %s |' "$(r2 "${RES[$N:xdcp_ref.cold:wall]}" "${RES[$N:xdcp_flat.cold:wall]}")"; done; echo
    printf '| rsync processes per node, 20-line synclist (`-T`), ref / flat | 1 |'
    for N in "${SIZES[@]}"; do printf ' %s / %s |' "${RES[$N:ref:rsyncs]}" "${RES[$N:flat:rsyncs]}"; done; echo
    printf '| xdcp flat wall / one rsync per node (cold) | <= 1.1 |'
    for N in "${SIZES[@]}"; do printf ' %s |' "$(r2 "${RES[$N:xdcp_flat.cold:wall]}" "${RES[$N:rsync_all.cold:wall]}")"; done; echo
    printf '| xdcp flat wall / one rsync per node (warm) | <= 1.1 |'
    for N in "${SIZES[@]}"; do printf ' %s |' "$(r2 "${RES[$N:xdcp_flat.warm:wall]}" "${RES[$N:rsync_all.warm:wall]}")"; done; echo
    printf '| warm run with --persist / cold, ref layout | <= 0.35 |'
    for N in "${SIZES[@]}"; do printf ' %s |' "$(r2 "${RES[$N:xdcp_ref.pwarm:wall]}" "${RES[$N:xdcp_ref.cold:wall]}")"; done; echo
    printf '| warm run with --persist / cold, flat layout | <= 0.35 |'
    for N in "${SIZES[@]}"; do printf ' %s |' "$(r2 "${RES[$N:xdcp_flat.pwarm:wall]}" "${RES[$N:xdcp_flat.cold:wall]}")"; done; echo
    printf '| floor: one rsync per node, connection kept, warm / cold without | (floor) |'
    for N in "${SIZES[@]}"; do printf ' %s |' "$(r2 "${RES[$N:rsync_keep.warm:wall]}" "${RES[$N:rsync_all.cold:wall]}")"; done; echo
    printf '| xdcp flat cold wall / `ssh NODE true` | (floor) |'
    for N in "${SIZES[@]}"; do printf ' %s |' "$(r2 "${RES[$N:xdcp_flat.cold:wall]}" "${RES[$N:ssh_true:wall]}")"; done; echo
    printf '| stderr lines of an xdcp run (max of cold runs) | <= 10 |'
    for N in "${SIZES[@]}"; do printf ' %s |' "$(printf '%s\n' "${RES[$N:xdcp_ref.cold:err]}" "${RES[$N:xdcp_flat.cold:err]}" | sort -n | tail -1)"; done; echo
)
echo; echo "$targets"; echo; echo "$table"

section=$(cat <<EOF2

## Synclist: \`synclist.sh\`

20 source files of 78 bytes. Layouts: **ref** is xCAT's test layout (20
lines, each file into its own directory \`/tmp/bench/dst/dNN/\`, every
second one renamed); **flat** is 20 lines into \`/tmp/bench/dst/flat/\`.
Targets cn1..cnN of a \`t/cluster\` loopback cluster (real sshd), run in mn
with fan-out $FANOUT. Each round alternates, per layout: \`ssh NODE true\` for
every node (xargs -P $FANOUT), xdcp cold (destinations removed) and warm
(nothing changed), one rsync per node of the 20 files into one directory
(xargs -P $FANOUT) cold and warm (on the flat round also over ssh
connections kept by ControlPersist, as --persist keeps them: the floor of
a warm run with a kept connection), then xdcp \`--persist $PERSIST\` cold
(no connection open) and warm (the connections of the cold run reused).
Medians of $RUNS rounds. MN CPU: user + system time of every process the
run started on the management node (\`t/bench/cpuwall.py\`, a child
subreaper, so daemonized ssh masters count; a --persist master still open
after the run does not), per node. Nothing else ran on the machine.

- machine: nproc $(nproc), kernel $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')
- command: \`XDCP_TEST_NET=... RUNS=$RUNS t/bench/synclist.sh ${SIZES[*]}\`

$targets

$table
EOF2
)
if [[ -n ${NO_RECORD:-} ]]; then echo "$section"; exit 0; fi
printf '%s\n' "$section" >"$OUT"
echo; echo "written to $OUT: it replaces the synclist section of t/bench/RESULTS.md"
