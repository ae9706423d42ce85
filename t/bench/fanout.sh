#!/usr/bin/env bash
# t/bench/fanout.sh - fan-out benchmark: xdcp against N targets with a no-op
# copy command, next to two baselines that spawn the same no-op N times:
#   pdsh   pdsh -R exec -f 64 -w 'n[1-N]' STUB ARGS  (pdsh runs it locally per host)
#   plain  a minimal C loop: posix_spawn + waitpid, at most 64 at once; the
#          floor for process creation on this machine
# and prints a markdown table with PASS/MISS against the issue's targets.
#
#   t/bench/fanout.sh [N ...]        default: 1000 10000
#   RUNS=3 PDSH_RUNS=1 FANOUT=64 XDCP=build/xdcp t/bench/fanout.sh
#
# No cluster, no ssh, no root needed: the "rsync" xdcp runs is a stub that
# returns 0. Timings never make it fail; it exits non-zero only when a
# command failed (non-zero exit, wrong summary, no exit within the limit).
# See t/bench/README.md.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XDCP=${XDCP:-$top/build/xdcp}
RUNS=${RUNS:-3}
FANOUT=${FANOUT:-64}
SIZES=("$@")
(( ${#SIZES[@]} )) || SIZES=(1000 10000)
DB=/etc/xcat/nodelist.xml

die() { echo "fanout.sh: $*" >&2; exit 1; }
[[ -x $XDCP ]] || die "no $XDCP (build first: cmake --build $top/build -j2)"
command -v cc >/dev/null || die "no C compiler (apt-get install -y gcc)"
command -v pdsh >/dev/null || die "no pdsh (apt-get install -y pdsh)"
# Without a cluster database, noderange names are host names. The default
# database must be absent; a named one (XDCP_NODELIST) would be an error.
[[ ! -e $DB ]] || die "$DB exists; this benchmark needs a machine without one"
unset XDCP_NODELIST DSH_FANOUT DSH_TIMEOUT DCP_NODE_RCP DSH_NODE_RCP \
      DCP_NODE_OPTS DSH_NODE_OPTS XCAT_NODE_PREFIX XCAT_NODE_SUFFIX

tmp=$(mktemp -d /tmp/xdcp-fanout.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
# xdcp's per-node lock files go to $tmp/lock, not /run/xdcp, so that
# nothing is left behind; same code either way. (xdcp refuses to run
# without a root-only lock directory.)
LOCKS=${XDCP_LOCK_DIR:-$tmp/lock}

# ------------------------------------------------------------ helpers --
# The no-op copy command. xdcp accepts only a basename of rsync or scp.
echo 'int main(void) { return 0; }' >"$tmp/stub.c"
cc -O2 -o "$tmp/bin/rsync" "$tmp/stub.c"
STUB=$tmp/bin/rsync

# measure LIMIT_S OUT CMD...: runs CMD in a process group of its own and
# writes "status wall_s user_s sys_s maxrss_kb" to OUT. CPU and maxrss come
# from wait4(): CMD plus every child it reaped. status is the exit code,
# 128+signal, or "timeout" (the group was SIGKILLed after LIMIT_S).
cat >"$tmp/measure.c" <<'EOF'
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double Since(const struct timespec* t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: measure LIMIT_S OUT CMD [ARG...]\n");
    return 2;
  }
  double limit = atof(argv[1]);
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) return perror("fork"), 2;
  if (pid == 0) {
    setpgid(0, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(argv[3], argv + 3);
    perror(argv[3]);
    _exit(127);
  }
  setpgid(pid, pid);
  int status = 0, timed_out = 0;
  struct rusage ru;
  for (;;) {
    if (wait4(pid, &status, WNOHANG, &ru) == pid) break;
    double left = limit - Since(&t0);
    if (left <= 0) {
      timed_out = 1;
      kill(-pid, SIGKILL);
      wait4(pid, &status, 0, &ru);
      break;
    }
    struct timespec ts = {(time_t)left, (long)((left - (time_t)left) * 1e9)};
    sigtimedwait(&chld, NULL, &ts);
  }
  double wall = Since(&t0);
  FILE* f = fopen(argv[2], "w");
  if (!f) return perror(argv[2]), 2;
  char st[16];
  if (timed_out) snprintf(st, sizeof st, "timeout");
  else if (WIFSIGNALED(status)) snprintf(st, sizeof st, "%d", 128 + WTERMSIG(status));
  else snprintf(st, sizeof st, "%d", WEXITSTATUS(status));
  fprintf(f, "%s %.6f %ld.%06ld %ld.%06ld %ld\n", st, wall,
          (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
          (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, ru.ru_maxrss);
  fclose(f);
  return 0;
}
EOF
cc -O2 -o "$tmp/measure" "$tmp/measure.c"

# spawnloop N FANOUT CMD [ARG...]: runs CMD N times, at most FANOUT at once;
# "%h" in an argument becomes nK for run K. Exits 1 if any run failed.
cat >"$tmp/spawnloop.c" <<'EOF'
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: spawnloop N FANOUT CMD [ARG...]\n");
    return 2;
  }
  long n = atol(argv[1]), fanout = atol(argv[2]);
  int nargs = argc - 3;
  char** args = calloc(nargs + 1, sizeof *args);
  char** bufs = calloc(nargs, sizeof *bufs);
  for (int i = 0; i < nargs; ++i) {
    args[i] = argv[3 + i];
    if (strstr(args[i], "%h")) bufs[i] = malloc(strlen(args[i]) + 32);
  }
  long running = 0, failed = 0;
  for (long k = 1; k <= n || running > 0;) {
    if (k <= n && running < fanout) {
      for (int i = 0; i < nargs; ++i) {
        if (!bufs[i]) continue;
        const char* at = strstr(argv[3 + i], "%h");
        sprintf(bufs[i], "%.*sn%ld%s", (int)(at - argv[3 + i]), argv[3 + i],
                k, at + 2);
        args[i] = bufs[i];
      }
      pid_t pid;
      int err = posix_spawn(&pid, args[0], NULL, NULL, args, environ);
      if (err) {
        fprintf(stderr, "spawnloop: %s: %s\n", args[0], strerror(err));
        return 1;
      }
      ++running, ++k;
      continue;
    }
    int status;
    if (wait(&status) < 0) return perror("wait"), 1;
    --running;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  if (failed) fprintf(stderr, "spawnloop: %ld runs failed\n", failed);
  return failed ? 1 : 0;
}
EOF
cc -O2 -o "$tmp/spawnloop" "$tmp/spawnloop.c"

# Every runner gets the argv xdcp gives its copy command (see xdcp -T).
ARGS=(-l --protect-args -e 'ssh -o BatchMode=yes -o ConnectTimeout=10'
      /etc/hostname '%h:/tmp/x')

# pdsh's exec module runs the command locally, once per host.
[[ $(pdsh -R exec -w 'n[1-2]' echo %h 2>&1 | sort) == $'n1: n1\nn2: n2' ]] ||
    die "pdsh -R exec does not work here: $(pdsh -R exec -w 'n[1-2]' echo %h 2>&1)"

# A rebuild while this runs must not mix binaries: run a copy.
cp "$XDCP" "$tmp/xdcp"
xdcp_id="$(sha256sum "$XDCP" | cut -c1-12), built $(date -u -r "$XDCP" '+%Y-%m-%d %H:%M UTC')"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    xdcp_id+=", tree $(git -C "$top" rev-parse --short HEAD)"
    [[ -z $(git -C "$top" status --porcelain -- xdcp CMakeLists.txt) ]] ||
        xdcp_id+=" + uncommitted changes in xdcp/"
fi

# ------------------------------------------------------------- running --
FAILED=()
fail() { FAILED+=("$*"); echo "FAILED: $*" >&2; }

# run1 RUNNER N RUN LIMIT: one timed run; leaves $tmp/m.RUNNER.N.RUN
# ("status wall user sys maxrss") and, for xdcp, $tmp/ru.N.RUN.
run1() {
    local r=$1 n=$2 i=$3 limit=$4 m=$tmp/m.$1.$2.$3 o=$tmp/out.$1 e=$tmp/err.$1
    local args=("${ARGS[@]}")
    case $r in
    plain) "$tmp/measure" "$limit" "$m" "$tmp/spawnloop" "$n" "$FANOUT" "$STUB" "${args[@]}" ;;
    pdsh)  "$tmp/measure" "$limit" "$m" pdsh -R exec -f "$FANOUT" -w "n[1-$n]" "$STUB" "${args[@]}" ;;
    xdcp)  rm -f "$tmp/ru.$n.$i"
           XDCP_RUSAGE_FILE=$tmp/ru.$n.$i XDCP_LOCK_DIR=$LOCKS "$tmp/measure" "$limit" "$m" \
               "$tmp/xdcp" "n[1-$n]" -f "$FANOUT" -r "$STUB" /etc/hostname /tmp/x ;;
    esac >"$o" 2>"$e" </dev/null
    local status wall
    read -r status wall _ <"$m"
    if [[ $status == timeout ]]; then
        fail "$r N=$n run $i: no exit within ${limit}s (killed)"
    elif [[ $status != 0 ]]; then
        fail "$r N=$n run $i: exit status $status: $(tail -3 "$e")"
    elif [[ $r == xdcp ]]; then
        grep -qE "^xdcp: $n nodes: $n ok(,|$)" "$e" ||
            fail "xdcp N=$n run $i: summary is not '$n nodes: $n ok': $(head -3 "$e")"
        [[ ! -s $o ]] || fail "xdcp N=$n run $i: unexpected output: $(head -3 "$o")"
        [[ -s $tmp/ru.$n.$i ]] || fail "xdcp N=$n run $i: no XDCP_RUSAGE_FILE written"
    elif [[ -s $o || -s $e ]]; then
        fail "$r N=$n run $i: unexpected output: $(head -3 "$o" "$e")"
    fi
    printf ' %s %.3fs' "$r" "$wall"
}

# agg FILES... FIELD FN: min, median or max of one field over the files
# of the successful runs (status 0).
agg() {
    local fn=${*: -1} field=${*: -2:1}
    awk -v f="$field" -v fn="$fn" '$1 == "0" || FILENAME ~ /\/ru\./ { v[n++] = $f }
        END {
            if (!n) { print "n/a"; exit }
            for (i = 0; i < n; i++) for (j = i + 1; j < n; j++)
                if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            if (fn == "min") print v[0]; else if (fn == "max") print v[n-1];
            else print (n % 2 ? v[int(n/2)] : (v[n/2-1] + v[n/2]) / 2)
        }' "${@:1:$#-2}"
}
cpu_of() {  # FILES...: median user+sys
    awk '$1 == "0" || FILENAME ~ /\/ru\./ { print (FILENAME ~ /\/ru\./ ? $1 + $2 : $3 + $4) }' "$@" |
        sort -g | awk '{ v[n++] = $1 } END { if (!n) print "n/a"; else print (n % 2 ? v[int(n/2)] : (v[n/2-1] + v[n/2]) / 2) }'
}
calc() { awk "BEGIN { x = $1; printf \"$2\", x }"; }
# cpu_now: CPU seconds spent so far by the whole machine (all but idle).
cpu_now() {
    awk -v hz="$(getconf CLK_TCK)" 'NR == 1 { print ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}
pm() { [[ $(awk "BEGIN { print (($1) ? 1 : 0) }") == 1 ]] && echo PASS || echo MISS; }

echo "xdcp: $XDCP ($xdcp_id)"
echo "machine: nproc $(nproc), $(lscpu | sed -n 's/^Model name: *//p'), kernel $(uname -r)"
echo "xdcp lock dir: ${XDCP_LOCK_DIR:-a temporary directory}"
echo "$DB: absent; runs per size: $RUNS (pdsh: ${PDSH_RUNS:-$RUNS, 1 above 1,000 targets}); fanout: $FANOUT"

ROWS=() TARGETS=() OTHERS=()
for n in "${SIZES[@]}"; do
    cpu0=$(cpu_now) t0=$(date +%s.%N)
    limit=$(( 60 + n / 50 ))   # until the first plain loop tells us more
    # pdsh takes ~10x as long as the others: above 1,000 targets it runs
    # once, unless PDSH_RUNS says otherwise.
    pdsh_runs=${PDSH_RUNS:-$(( n <= 1000 ? RUNS : 1 ))}
    for i in $(seq 1 "$RUNS"); do
        printf 'N=%d run %d/%d:' "$n" "$i" "$RUNS"
        # Interleaved, so that a burst of load elsewhere hits all of them.
        run1 plain "$n" "$i" "$limit"
        if (( i == 1 )); then   # generous: they are there to catch hangs
            p1=$(cut -d' ' -f2 "$tmp/m.plain.$n.1")
            limit=$(calc "(a = 20 * $p1) > 30 ? a : 30" '%d')
            pdsh_limit=$(calc "(a = 100 * $p1) > 60 ? a : 60" '%d')
        fi
        (( i > pdsh_runs )) || run1 pdsh "$n" "$i" "$pdsh_limit"
        run1 xdcp "$n" "$i" "$limit"
        echo
    done
    # What the rest of the machine used meanwhile: all CPU time minus ours.
    ours=$(cat "$tmp"/m.*.$n.* | awk '{ s += $3 + $4 } END { print s }')
    OTHERS+=("N=$n: $(calc "(a = $(cpu_now) - $cpu0 - $ours) > 0 ? a : 0" '%.1f') CPU s in $(calc "$(date +%s.%N) - $t0" '%.1f') s")
    plain_wall=$(agg "$tmp"/m.plain.$n.* 2 min)
    plain_cpu=$(cpu_of "$tmp"/m.plain.$n.*)
    rss_limit=$(( n <= 1000 ? 10 : 20 ))
    for r in xdcp pdsh plain; do
        files=("$tmp"/m.$r.$n.*)
        wall=$(agg "${files[@]}" 2 min)
        runs=$(for f in "${files[@]}"; do read -r s w _ <"$f"; [[ $s == 0 ]] && printf '%.2f ' "$w" || printf '%s ' "$s"; done)
        cpu=$(cpu_of "${files[@]}")
        if [[ $wall == n/a || $plain_wall == n/a ]]; then ratio=n/a extra=n/a
        else
            ratio=$(calc "$wall / $plain_wall" '%.2f')
            extra=$(calc "($cpu - $plain_cpu) * 1000 / $n" '%.2f')
        fi
        [[ $wall == n/a ]] || wall=$(calc "$wall" '%.2f')
        [[ $cpu == n/a ]] || cpu=$(calc "$cpu" '%.2f')
        own=- rss=$(agg "${files[@]}" 5 max)
        [[ $rss == n/a ]] || rss=$(calc "$rss / 1024" '%.1f')
        if [[ $r == xdcp ]]; then
            own=n/a rss=n/a
            if compgen -G "$tmp/ru.$n.*" >/dev/null; then
                own=$(cpu_of "$tmp"/ru.$n.*)
                own=$(calc "$own * 1000 / $n" '%.3f')
                rss=$(calc "$(agg "$tmp"/ru.$n.* 3 max) / 1024" '%.1f')
                own+=" $(pm "$own < 1")" rss+=" $(pm "$rss < $rss_limit")"
                TARGETS+=("N=$n own CPU ${own% *} ms/target (< 1): ${own#* }"
                          "N=$n peak RSS ${rss% *} MB (< $rss_limit): ${rss#* }")
            fi
            if [[ $ratio != n/a ]]; then
                TARGETS+=("N=$n wall ${ratio}x the plain loop (<= 1.2): $(pm "$ratio <= 1.2")")
                ratio+="x $(pm "$ratio <= 1.2")"
            fi
        fi
        [[ $r == xdcp || $ratio == n/a ]] || ratio+=x
        [[ $r != plain ]] || extra=0
        name=$r
        case $r in
        pdsh)  name="pdsh -R exec" ;;
        plain) name="plain posix_spawn loop" ;;
        esac
        ROWS+=("| $name | $n | $wall | $ratio | $cpu | $own | $rss | $extra | $runs|")
    done
done

echo
echo "| runner | N | wall s (min) | wall vs plain loop | total CPU s (median) | xdcp own CPU ms/target | peak RSS MB | CPU beyond plain loop ms/target | wall s, every run |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Targets (informational; timings never fail this script):"
printf -- '- %s\n' "${TARGETS[@]}"
echo
echo "Other processes on this machine used, while each size ran: ${OTHERS[*]/%/;} (nproc $(nproc))"
if (( ${#FAILED[@]} )); then
    echo
    echo "${#FAILED[@]} command(s) failed:"
    printf -- '- %s\n' "${FAILED[@]}"
    exit 1
fi
