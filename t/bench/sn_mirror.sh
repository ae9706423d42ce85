#!/usr/bin/env bash
# t/bench/sn_mirror.sh - service-node mirror benchmark for `xdcp --sn`.
#
# Starts its own loopback cluster (t/cluster/cluster.sh: mn + sn1..snN),
# builds a synthetic /install in mn (many small files, some 1-10 MB files,
# a netboot rootimg tree with symlinks and hard links), and mirrors it to
# every SN with each runner, three times per runner:
#   cold  SNs' /install emptied first
#   warm  nothing changed
#   1%    1% of the files touched and modified (appended to) on mn
# (SCENARIOS picks some of them). xdcp's warm and 1% runs take the fast
# path: one scan on mn, a digest compared with each SN's, rsync only where
# they differ, and then only on the directories that differ (see xdcp(1),
# SERVICE NODES). The SNs run the same xdcp binary (XDCP_REMOTE_XDCP: the
# build tree is shared by all hosts), as an SN with xdcp installed would.
# Runners (all from mn's view, all rsync -a -H over ssh, fan-out 64):
#   xdcp      xdcp --sn sn1,...,snN --no-default-excludes /install
#   xdcpp     the same with --persist 3599: the SNs' ssh connections stay
#             open between its runs (opened by an untimed run first)
#   xdcpr     the same with --relay: a cold SN gets the tree from another
#             SN (the management node sends to two, each SN to two more)
#   rsync&    plain rsync -aH per SN, all started at once (& + wait)
#   rsync-seq plain rsync -aH per SN, one after another
#   parx      rsync& with xdcp's own rsync options (RUNNERS must name it)
#   prsync    parallel-rsync -h HOSTS -p 64 -a -X -H   (pssh; -H there is a host)
#   clush     clush -w sn[1-N] -f 64 -R exec rsync -aH /install/ %h:/install/
# Every ssh started in mn goes through a PATH wrapper that counts it, so the
# table shows the management node's ssh connections per run.
# Per run it also records: the management node's CPU (t/bench/cpuwall.py,
# a child subreaper, so daemonized ssh masters count; for xdcpp the CPU
# its kept masters spent during the run is added), the SNs' CPU (every
# SN's sshd and its sessions: t/bench/treecpu.py, the difference of two
# readings) and, with nft(8) installed, the bytes the management node
# sent to the SNs' port 22 (an nftables counter, headers included).
#
#   t/bench/sn_mirror.sh
#   MB=200 FILES=20000 SNS=8 t/bench/sn_mirror.sh
#
# Env: MB (approx. total size, default 500), FILES (approx. file count,
# default 20000), SNS (default 8), XDCP_TEST_NET (default 127.80.0),
# STATEDIR (default build/snbench-cluster), OUT (markdown table file),
# WARM_RUNS (extra rounds of warm runs, default 0, see below),
# SN_TMPFS=1 (each SN's /install on a tmpfs: cold runs then measure the
# tools and not the disk's writeback, which varies widely on a VM).
# PROFILE=1: see below (needs perf).
# Timings never make it fail; it exits non-zero only if a command fails
# or a mirror is not identical to mn's /install after a run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XDCP=${XDCP:-$top/build/xdcp}
MB=${MB:-500}
FILES=${FILES:-20000}
SNS=${SNS:-8}
export XDCP_TEST_NET=${XDCP_TEST_NET:-127.80.0}
S=${STATEDIR:-$top/build/snbench-cluster}
OUT=${OUT:-$top/build/sn_mirror.md}
C=$top/t/cluster/cluster.sh

die() { echo "sn_mirror.sh: $*" >&2; exit 1; }
[[ -x $XDCP ]] || die "no $XDCP"
need=(rsync python3 /usr/bin/time bc)
[[ " ${RUNNERS:-prsync clush} " == *" prsync "* ]] && need+=(parallel-rsync)
[[ " ${RUNNERS:-prsync clush} " == *" clush "* ]] && need+=(clush)
for b in "${need[@]}"; do
    command -v $b >/dev/null || die "no $b (apt-get install -y rsync pssh clustershell python3 time)"
done
unset XDCP_NODELIST DSH_FANOUT DSH_TIMEOUT DCP_NODE_RCP DSH_NODE_RCP \
      DCP_NODE_OPTS DSH_NODE_OPTS

sns=(); for ((i = 1; i <= SNS; i++)); do sns+=("sn$i"); done
snlist=$(IFS=,; echo "${sns[*]}")

cleanup() {
    nft delete table ip xdcp_snbench 2>/dev/null || true
    "$C" down "$S" || true
}
trap cleanup EXIT
"$C" up "$S" mn "${sns[@]}" >/dev/null
on() { "$C" on "$S" "$@"; }
snpids=(); for h in "${sns[@]}"; do snpids+=("$("$C" sshd-pid "$S" "$h")"); done
sncpu() { python3 "$top/t/bench/treecpu.py" "${snpids[@]}"; }
# Kept masters of xdcpp: a master names itself "ssh: CONTROLPATH [mux]",
# and xdcp --persist keeps its control sockets in /run/xdcp/ssh.
mastercpu() {
    local m; m=$(pgrep -f -- '^ssh: /run/xdcp/ssh/.* \[mux\]' | tr '\n' ' ')
    if [[ -n $m ]]; then python3 "$top/t/bench/treecpu.py" $m; else echo 0; fi
}
BYTES=0
if command -v nft >/dev/null; then
    BYTES=1
    nft add table ip xdcp_snbench
    nft add chain ip xdcp_snbench out '{ type filter hook output priority 0; }'
    nft add rule ip xdcp_snbench out ip saddr "$("$C" addr "$S" mn)" tcp dport 22 counter
fi
sentbytes() {
    ((BYTES)) || { echo 0; return; }
    nft list table ip xdcp_snbench | sed -n 's/.*counter packets [0-9]* bytes \([0-9]*\).*/\1/p'
}
if [[ ${SN_TMPFS:-} == 1 ]]; then
    # In the SN's own mount namespace: gone when the cluster goes down.
    # 3x the bytes, and a 4 KB block or two per file (small files).
    for h in "${sns[@]}"; do on "$h" mount -t tmpfs -o size=$((MB * 3 + FILES * 8 / 1024))m xdcp-bench /install; done
fi
MNI=$S/hosts/mn/install

# ---------------------------------------------------------- ssh counter --
# Lives in the build tree (shared by all hosts); mn's PATH gets it first.
W=$S/wrap
mkdir -p "$W"
cat >"$W/ssh" <<EOF
#!/bin/sh
echo x >>"$S/ssh.count"
exec /usr/bin/ssh "\$@"
EOF
chmod +x "$W/ssh"
export PATH="$W:$PATH"
hash -r

# --------------------------------------------------------- synthetic tree --
# Written from outside into STATEDIR/hosts/mn/install (= mn's /install).
gen() {
python3 - "$MNI" "$MB" "$FILES" <<'EOF'
import os, random, sys
root, mb, nfiles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
total = mb * 1024 * 1024
blob = os.urandom(12 * 1024 * 1024)          # random (incompressible) content
def put(p, n):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    off = rnd.randrange(0, len(blob) - n)
    with open(p, 'wb') as f: f.write(blob[off:off + n])
    return n
used = 0; count = 0
# ~45% of the bytes in 1-10 MB files (ISO-ish content, kernels, initrds)
big = 0
while used < total * 0.45:
    used += put(f"{root}/post/otherpkgs/rhels8/x86_64/big{big:03d}.rpm",
                rnd.randrange(1 << 20, 10 << 20)); big += 1; count += 1
# rootimg tree: 25% of the files, ~25% of the bytes, plus symlinks + hard links
img = f"{root}/netboot/rhels8/x86_64/compute/rootimg"
nimg = nfiles // 4
per = int(total * 0.25 / nimg)
for i in range(nimg):
    d = f"{img}/usr/{['lib','lib64','bin','share/doc','share/locale'][i % 5]}/d{i // 50:03d}"
    used += put(f"{d}/f{i:05d}", max(1, int(rnd.expovariate(1 / per)))); count += 1
    if i % 10 == 0:
        os.symlink(f"f{i:05d}", f"{d}/l{i:05d}")
    if i % 100 == 0:
        os.link(f"{d}/f{i:05d}", f"{d}/h{i:05d}")
os.symlink("usr/lib", f"{img}/lib"); os.symlink("usr/lib64", f"{img}/lib64")
os.symlink("usr/bin", f"{img}/bin")
# many small files: the rest of the count and bytes (repos, postscripts, ...)
nsmall = max(1, nfiles - count)
per = max(1, int((total - used) / nsmall))
for i in range(nsmall):
    d = f"{root}/{['rhels8/x86_64/Packages','postscripts','custom/install','kits/repo'][i % 4]}/d{i // 200:03d}"
    used += put(f"{d}/s{i:05d}", max(1, int(rnd.expovariate(1 / per)))); count += 1
print(f"generated {count} files, {used / 1048576:.0f} MB")
EOF
}

# Touch and modify 1% of the regular files (not hard links' second names).
change1() {
python3 - "$MNI" "$1" <<'EOF'
import os, random, sys, time
root, seed = sys.argv[1], int(sys.argv[2])
files = []
for dp, dn, fn in os.walk(root):
    for f in fn:
        p = os.path.join(dp, f)
        if not os.path.islink(p): files.append(p)
files.sort()
pick = random.Random(seed).sample(files, max(1, len(files) // 100))
for p in pick:
    with open(p, 'ab') as f: f.write(b"changed %d\n" % seed)
print(f"changed {len(pick)} of {len(files)} files")
EOF
}

# ------------------------------------------------------------- runners --
printf '%s\n' "${sns[@]}" >"$S/hosts/mn/tmp/sns"       # mn's /tmp/sns
# onmn CMD...: CMD in mn; its wall time, user and sys CPU (with every
# process it started, also those that left it: the management node's whole
# share of the work) noted in mn's /tmp/runner.cw.
# PROFILER: a command put before it (PROFILE=1: perf record of the whole
# process tree).
PROFILER=()
onmn() {
    rm -f "$S/hosts/mn/tmp/runner.cw"
    "${PROFILER[@]}" "$C" on "$S" mn env CPUWALL_OUT=/tmp/runner.cw LINGER=${LINGER:-2} \
        python3 "$top/t/bench/cpuwall.py" "$@"
}
run_xdcp() {
    XDCP_RUSAGE_FILE=/tmp/xdcp.rusage XDCP_DATADIR=$top XDCP_REMOTE_XDCP=$XDCP onmn "$XDCP" --sn "$snlist" --no-default-excludes /install \
        >"$S/last.out" 2>&1
}
run_xdcpp() {
    XDCP_RUSAGE_FILE=/tmp/xdcp.rusage XDCP_DATADIR=$top XDCP_REMOTE_XDCP=$XDCP LINGER=0.2 onmn "$XDCP" --sn "$snlist" --no-default-excludes \
        --persist 3599 /install >"$S/last.out" 2>&1
}
run_xdcpr() {
    XDCP_RUSAGE_FILE=/tmp/xdcp.rusage XDCP_DATADIR=$top XDCP_REMOTE_XDCP=$XDCP onmn "$XDCP" --sn "$snlist" --no-default-excludes \
        --relay /install >"$S/last.out" 2>&1
}
run_par() {
    onmn bash -c 'for h in $(cat /tmp/sns); do rsync -aH /install/ "$h":/install/ & done
                   r=0; for j in $(jobs -p); do wait $j || r=1; done; exit $r' \
        >"$S/last.out" 2>&1
}
# parx: all at once with xdcp's exact rsync options (output to /dev/null):
# what xdcp's own work costs, apart from what its rsync options cost.
run_parx() {
    onmn bash -c 'for h in $(cat /tmp/sns); do
                     rsync -a -H --protect-args -e "ssh -o BatchMode=yes -o ConnectTimeout=10" \
                       "--out-format=xdcp-changed: %i %l %n" "--rsync-path=mkdir -p -- /install && rsync" \
                       /install/ "$h":/install/ >/dev/null &
                   done
                   r=0; for j in $(jobs -p); do wait $j || r=1; done; exit $r' \
        >"$S/last.out" 2>&1
}
run_seq() {
    onmn bash -c 'for h in $(cat /tmp/sns); do rsync -aH /install/ "$h":/install/ || exit 1; done' \
        >"$S/last.out" 2>&1
}
run_prsync() {
    onmn parallel-rsync -h /tmp/sns -p 64 -t 0 -a -X -H /install/ /install/ \
        >"$S/last.out" 2>&1
}
run_clush() {
    onmn clush -S -w "sn[1-$SNS]" -f 64 -R exec rsync -aH /install/ %h:/install/ \
        >"$S/last.out" 2>&1
}

reset_sns() {
    for h in "${sns[@]}"; do on "$h" sh -c 'rm -rf /install/* /install/.[!.]* 2>/dev/null; true'; done
}
# Mirrors must equal mn's /install (content, symlinks, hard links).
verify() {
    local h d
    d=$(cd "$MNI" && find . -type d -printf '%p d %n\n' -o -printf '%p %y %s %l %n\n' | LC_ALL=C sort | md5sum)
    for h in "${sns[@]}"; do
        [[ $(on "$h" sh -c "cd /install && find . -type d -printf '%p d %n\n' -o -printf '%p %y %s %l %n\n' | LC_ALL=C sort | md5sum") == "$d" ]] \
            || die "$1: $h's /install differs from mn's"
    done
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# timed NAME PHASE: runs run_NAME, records wall time and ssh count.
declare -A T N ALL CPU MNCPU SNCPU SENT
timed() {
    local s0 s1 m0 m1 b0 b1
    : >"$S/ssh.count"
    sync   # flush the previous run's writeback; page cache stays warm
    s0=$(sncpu) m0=0 m1=0 b0=$(sentbytes)
    [[ $1 != xdcpp ]] || m0=$(mastercpu)
    "run_$1" || { cat "$S/last.out" >&2; die "$1 $2 failed"; }
    b1=$(sentbytes)
    [[ $1 != xdcpp ]] || m1=$(mastercpu)
    # the SNs' sessions of a closed connection end just after the run
    sleep 0.5; s1=$(sncpu)
    local took wall user sys
    read -r wall user sys <"$S/hosts/mn/tmp/runner.cw"
    took=$(printf '%.2f' "$wall")
    # A runner listed more than once (RUNNERS below) gets one sample per
    # listing; the table shows the median.
    ALL[$1,$2]="${ALL[$1,$2]:-}${ALL[$1,$2]:+ }$took"
    T[$1,$2]=$(median ${ALL[$1,$2]})
    N[$1,$2]=$(wc -l <"$S/ssh.count")
    MNCPU[$1,$2]="${MNCPU[$1,$2]:-}${MNCPU[$1,$2]:+ }$(echo "$user + $sys + $m1 - $m0" | bc -l | xargs printf '%.2f')"
    SNCPU[$1,$2]="${SNCPU[$1,$2]:-}${SNCPU[$1,$2]:+ }$(echo "$s1 - $s0" | bc -l | xargs printf '%.2f')"
    SENT[$1,$2]="${SENT[$1,$2]:-}${SENT[$1,$2]:+ }$(echo "($b1 - $b0) / 1048576" | bc -l | xargs printf '%.1f')"
    if [[ $1 == xdcp ]]; then  # xdcp's own CPU (user + sys), children excluded
        CPU[$2]="${CPU[$2]:-}${CPU[$2]:+ }$(awk '{ printf "%.2f", $1 + $2 }' "$S/hosts/mn/tmp/xdcp.rusage")"
    fi
    verify "$1 $2"
    printf '%-10s %-5s %7.2f s  %3d ssh\n' "$1" "$2" "$took" "${N[$1,$2]}" >&2
}

# ---------------------------------------------------------------- main --
load0=$(cut -d" " -f1-3 /proc/loadavg)
echo "generating ${MB} MB / ${FILES} files in mn:/install ..." >&2
gen >&2
read -r nf sz < <(cd "$MNI" && echo "$(find . -type f | wc -l) $(du -sm . | cut -f1)")
echo "tree: $nf files, $sz MB on disk, $(find "$MNI" -type l | wc -l) symlinks" >&2

# RUNNERS="xdcp par xdcp par" alternates runners; each listing is a sample.
read -r -a RUNNERS <<<"${RUNNERS:-par xdcp prsync clush seq}"
# SCENARIOS="warm" (or "warm 1pct"): no timed cold runs; the SNs are
# filled once by all-at-once rsync first (untimed).
read -r -a SCEN <<<"${SCENARIOS:-cold warm 1pct}"
has() { [[ " ${SCEN[*]} " == *" $1 "* ]]; }
if ! has cold; then
    reset_sns
    run_par || { cat "$S/last.out" >&2; die "filling the SNs failed"; }
fi
if [[ " ${RUNNERS[*]} " == *" xdcpp "* ]]; then  # open xdcpp's connections
    run_xdcpp || { cat "$S/last.out" >&2; die "xdcp --persist failed"; }
fi
seed=1
if [[ -n ${PROFILE:-} ]]; then
    # PROFILE=1: instead of the tables, per runner one run under perf (the
    # runner's process tree on the management node only), then one under
    # perf of the whole machine (the SNs' share is the difference), each
    # with its CPU seconds per command name. PROFILE_SCENARIO: 1pct (the
    # default: 1% of the files changed before each run) or warm.
    command -v perf >/dev/null || die "no perf (apt-get install -y linux-perf)"
    has cold && { reset_sns; run_par || die "filling the SNs failed"; }
    report() {
        perf report -q -i "$1" --sort comm --stdio -F sample,comm 2>/dev/null |
            awk 'NF >= 2 { tot += $1; line[$2] += $1 }
                 END { for (c in line) printf "  %-16s %7.3f s %6.1f%%\n", c, line[c] / 1000, 100 * line[c] / tot
                       printf "  %-16s %7.3f s\n", "total", tot / 1000 }' | sort -k2,2nr
    }
    scen=${PROFILE_SCENARIO:-1pct}
    for r in "${RUNNERS[@]}"; do
        for where in mn all; do
            [[ $scen == warm ]] || change1 $((seed++)) >&2
            PROFILER=(perf record -q -e cpu-clock -F 1000 -o "$S/perf.$r.$where")
            [[ $where == all ]] && PROFILER+=(-a)
            PROFILER+=(--)
            "run_$r" || { cat "$S/last.out" >&2; die "$r failed"; }
            PROFILER=()
            verify "profile $r"
            read -r wall user sys <"$S/hosts/mn/tmp/runner.cw"
            echo "-- $r, $scen, perf of $([[ $where == mn ]] && echo "the runner's process tree" || echo "the whole machine"): wall $wall s; CPU s per command (1 ms samples):"
            report "$S/perf.$r.$where"
        done
    done
    exit 0
fi
for r in "${RUNNERS[@]}"; do
    if has cold; then reset_sns; timed "$r" cold; fi
    if has warm; then timed "$r" warm; fi
    if has 1pct; then
        # the same 1% for xdcp and the rsync run after it: each change is
        # mirrored by the runner that follows it
        change1 $((seed++)) >&2
        timed "$r" 1pct
    fi
done
# WARM_RUNS=N: N more rounds of warm runs, every runner once per round in
# the order first listed (the SNs are current after the loop above, so no
# cold run is needed): warm runs are short, and more samples of them
# separate the runners from the machine's noise.
declare -A seen=()
for ((k = 0; k < ${WARM_RUNS:-0}; k++)); do
    for r in "${RUNNERS[@]}"; do
        [[ -z ${seen[$k,$r]:-} ]] || continue
        seen[$k,$r]=1
        timed "$r" warm
    done
done
# xdcp's -T argv, for the record
XDCP_DATADIR=$top on mn "$XDCP" --sn sn1 --no-default-excludes -T /install 2>&1 \
    | grep -m1 'TRACE: sn1: ' >"$S/xdcp.argv" || true

# --------------------------------------------------------------- table --
declare -A NAME=([xdcp]="xdcp --sn" [xdcpp]="xdcp --sn --persist" [xdcpr]="xdcp --sn --relay" [par]="rsync -aH, all at once (&/wait)"
    [parx]="rsync with xdcp's options, all at once"
    [seq]="rsync -aH, one after another" [prsync]="parallel-rsync (pssh)"
    [clush]="clush -R exec rsync")
# The runners that ran, in the tables' order.
ran() { local r; for r in xdcp xdcpp xdcpr par parx seq prsync clush; do [[ -z ${T[$r,warm]:-}${T[$r,cold]:-} ]] || echo "$r"; done; }
for r in xdcp xdcpp xdcpr par parx seq prsync clush; do for p in cold warm 1pct; do
    [[ -n ${T[$r,warm]:-}${T[$r,cold]:-} && -z ${T[$r,$p]:-} ]] && T[$r,$p]=0 && N[$r,$p]=0 && MNCPU[$r,$p]=0 && SNCPU[$r,$p]=0 && SENT[$r,$p]=0 && ALL[$r,$p]=-
done; done
ratio() { [[ ${T[par,$2]} == 0 ]] && { echo -; return; }; echo "scale=2; ${T[$1,$2]} / ${T[par,$2]}" | bc -l | sed 's/^\./0./'; }
cpuratio() {
    local a b; a=$(median ${MNCPU[$1,$2]}); b=$(median ${MNCPU[par,$2]})
    [[ $b == 0 ]] && { echo -; return; }
    echo "scale=3; $a / $b" | bc -l | sed 's/^\./0./'
}
{
    where="on disk"; [[ ${SN_TMPFS:-} == 1 ]] && where="on a tmpfs"
    echo "Tree: $nf files, $sz MB (du), mirrored to $SNS SNs (their /install $where); median of the runs listed below;"
    echo "page cache warm, sync before each run. loadavg at start: $load0, at end: $(cut -d" " -f1-3 /proc/loadavg)"
    echo
    echo "| runner | cold s | warm s | 1% s | cold x | warm x | 1% x | ssh (cold/warm/1%) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    for r in $(ran); do
        printf '| %s | %.2f | %.2f | %.2f | %s | %s | %s | %s/%s/%s |\n' "${NAME[$r]}" \
            "${T[$r,cold]}" "${T[$r,warm]}" "${T[$r,1pct]}" \
            "$(ratio $r cold)" "$(ratio $r warm)" "$(ratio $r 1pct)" \
            "${N[$r,cold]}" "${N[$r,warm]}" "${N[$r,1pct]}"
    done
    echo
    echo "x = wall time / all-at-once rsync's. Targets (informational):"
    for p in cold warm; do
        [[ ${T[par,$p]} == 0 ]] && continue
        lim=$(echo "${T[par,$p]} * 1.05" | bc -l)
        v1=MISS; (( $(echo "${T[xdcp,$p]} <= $lim" | bc) )) && v1=PASS
        if [[ -n ${T[prsync,$p]:-} && -n ${T[clush,$p]:-} ]]; then
            v2=MISS; (( $(echo "${T[xdcp,$p]} < ${T[prsync,$p]} && ${T[xdcp,$p]} < ${T[clush,$p]}" | bc) )) && v2=PASS
        else
            v2="not run"
        fi
        echo "- $p: xdcp ≤ 1.05x all-at-once rsync: **$v1**; ahead of prsync and clush: **$v2**"
    done
    echo
    echo "Every run, in order (cold / warm / 1%):"
    for r in $(ran); do
        echo "- ${NAME[$r]}: ${ALL[$r,cold]} / ${ALL[$r,warm]} / ${ALL[$r,1pct]}"
    done
    echo
    echo "The management node's CPU s (user + sys of the runner and every process it waited for), median (cold / warm / 1%):"
    for r in $(ran); do
        echo "- ${NAME[$r]}: $(median ${MNCPU[$r,cold]}) / $(median ${MNCPU[$r,warm]}) / $(median ${MNCPU[$r,1pct]})  (every run: ${MNCPU[$r,cold]} / ${MNCPU[$r,warm]} / ${MNCPU[$r,1pct]})"
    done
    echo "- xdcp's own CPU s (user + sys, its rsync and ssh excluded): ${CPU[cold]:-} / ${CPU[warm]:-} / ${CPU[1pct]:-}"
    echo
    echo "The SNs' CPU s (all SNs' sshd and sessions), median (cold / warm / 1%):"
    for r in $(ran); do
        echo "- ${NAME[$r]}: $(median ${SNCPU[$r,cold]}) / $(median ${SNCPU[$r,warm]}) / $(median ${SNCPU[$r,1pct]})  (every run: ${SNCPU[$r,cold]} / ${SNCPU[$r,warm]} / ${SNCPU[$r,1pct]})"
    done
    if ((BYTES)); then
        echo
        echo "MB the management node sent to the SNs (nftables counter), median (cold / warm / 1%):"
        for r in $(ran); do
            echo "- ${NAME[$r]}: $(median ${SENT[$r,cold]}) / $(median ${SENT[$r,warm]}) / $(median ${SENT[$r,1pct]})"
        done
    fi
    echo
    for x in xdcp xdcpp xdcpr; do
        [[ -n ${T[$x,warm]:-}${T[$x,cold]:-} ]] || continue
        echo "${NAME[$x]} against all-at-once rsync (medians), wall x / MN CPU x: cold $(ratio $x cold) / $(cpuratio $x cold), warm $(ratio $x warm) / $(cpuratio $x warm), 1% $(ratio $x 1pct) / $(cpuratio $x 1pct)"
    done
    echo
    echo "xdcp's first command (-T, warm): \`$(sed 's/^TRACE: sn1: //' "$S/xdcp.argv")\`"
} >"$OUT"
cat "$OUT"
[[ " ${RUNNERS[*]} " != *" xdcpp "* ]] || on mn "$XDCP" --close-connections "$snlist" >/dev/null 2>&1 || true
