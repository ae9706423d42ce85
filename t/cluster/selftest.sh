#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2015,SC2001  # quoted scripts are meant; A && B || C too
# selftest.sh STATEDIR - checks that cluster.sh builds the cluster the e2e
# tests rely on: logins, the gateway access rule, private per-host mounts,
# the fault controls, and a clean teardown. Prints "N passed, N failed".
set -euo pipefail
(($# == 1)) && [[ $1 == /* ]] || { echo "usage: selftest.sh /ABSOLUTE/STATEDIR" >&2; exit 2; }
S=$1
C=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cluster.sh
NET=${XDCP_TEST_NET:-127.77.0}
pass=0 fail=0

# check DESC CMD...: CMD must succeed; its output is shown only on failure.
check() {
    local desc=$1 out; shift
    if out=$("$@" 2>&1); then
        pass=$((pass + 1)); echo "ok   $desc"
    else
        fail=$((fail + 1)); echo "FAIL $desc"; sed 's/^/     | /' <<<"$out"
    fi
}

on() { "$C" on "$S" "$@"; }
mounts() { findmnt -rn -o TARGET,SOURCE | sort; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# Processes whose command line mentions DIR, other than this script, its
# ancestors and its own subshells: the scan runs in a fresh bash that gets
# DIR through the environment, so its own command line does not match.
leftovers() {
    DIR=$1 bash -c '
        anc=" "; q=$$
        while ((q > 1)); do anc+="$q "; read -r _ _ _ q _ </proc/$q/stat || break; done
        for p in /proc/[0-9]*; do
            p=${p#/proc/}
            [[ $anc == *" $p "* ]] && continue
            mapfile -d "" -t a <"/proc/$p/cmdline" 2>/dev/null || continue
            [[ "${a[*]}" == *"$DIR"* ]] && echo "$p ${a[*]}"
        done; true'
}

# wait_for DESC CMD...: polls CMD until it succeeds; after 30 s it fails
# with DESC (tests wait on states, never for a fixed time).
wait_for() {
    local desc=$1 end=$((SECONDS + 30)); shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < end)) || { echo "waited 30 s for: $desc" >&2; return 1; }
        sleep 0.05
    done
}

# Processes that carry this run's mark in their environment (the strays
# below), never anyone else's.
marked() {
    local f e x
    for f in /proc/[0-9]*/environ; do
        { mapfile -d "" -t e <"$f"; } 2>/dev/null || continue
        for x in "${e[@]}"; do
            [[ $x == "SELFTEST_MARK=$S" ]] && { echo "${f//[!0-9]/}"; break; }
        done
    done; true
}
three_strays() {
    local p n=0
    for p in $(marked); do [[ $(cat "/proc/$p/comm" 2>/dev/null) == sleep ]] && n=$((n + 1)); done
    ((n >= 3))
}

# Children of a host's hostinit that are zombies (would mean no reaping).
zombies_of() {
    local init
    init=$(<"$S/hosts/$1/init.pid")
    ps -o pid=,stat= --ppid "$init" | awk '$2 ~ /^Z/'
}

trap '"$C" down "$S" >/dev/null 2>&1 || true; "$C" down "$S/conflict" >/dev/null 2>&1 || true' EXIT

before=$(mounts)
check "up mn sn1 cn1 cn2 cn3:sn1" "$C" up "$S" mn sn1 cn1 cn2 cn3:sn1
old_init=$(<"$S/hosts/cn1/init.pid")
check "up again replaces the running cluster" "$C" up "$S" mn sn1 cn1 cn2 cn3:sn1
check "old cluster's processes are gone" test ! -e "/proc/$old_init"
check "binds are invisible in the root mount namespace" test "$before" == "$(mounts)"
check "addr cn3 is $NET.14" test "$("$C" addr "$S" cn3)" == "$NET.14"
check "status lists 5 running hosts" test "$("$C" status "$S" | grep -c ' running$')" == 5

check "mn -> cn1 ssh login" test "$(on mn ssh cn1 cat /root/cn1.marker)" == cn1
check "mn -> sn1 ssh login" test "$(on mn ssh sn1 cat /root/sn1.marker)" == sn1
check "mn -> cn3 is refused (cn3 admits only sn1)" bash -c '! "$0" on "$1" mn ssh cn3 true' "$C" "$S"
check "sn1 -> cn3 works" test "$(on sn1 ssh cn3 cat /root/cn3.marker)" == cn3
check "mn -> sn1 -> cn3 two hops" test "$(on mn ssh sn1 ssh cn3 hostname)" == cn3
check "every host sees the same /etc/hosts" \
    bash -c 'for h in mn sn1 cn3; do "$0" on "$1" "$h" cat /etc/hosts; done | sort | uniq -c | grep -q "^ *3 $2.14 cn3$"' \
    "$C" "$S" "$NET"
check "/tmp is private and mode 1777" test "$(on cn2 stat -c %a /tmp)" == 1777

check "rsync mn:/tmp/xfer -> cn1:/tmp" on mn sh -c 'echo payload >/tmp/xfer.txt && rsync -a /tmp/xfer.txt cn1:/tmp/'
check "file arrived in cn1's /tmp" test "$(on cn1 cat /tmp/xfer.txt)" == payload
check "file is not in cn2's /tmp" on cn2 test ! -e /tmp/xfer.txt
check "file is not in the real /tmp" test ! -e /tmp/xfer.txt

check "on: exit status passes through" bash -c '"$0" on "$1" mn sh -c "exit 7"; test $? == 7' "$C" "$S"
check "on: cwd and environment pass through" \
    bash -c 'cd /usr/share && test "$(XT=42 "$0" on "$1" cn1 sh -c "echo \$PWD \$XT")" == "/usr/share 42"' "$C" "$S"
check "on: unknown host fails" bash -c '! "$0" on "$1" nosuch true 2>/dev/null' "$C" "$S"

# An orphan for cn2's hostinit: it notes its pid (in cn2's pid namespace)
# and exits once /tmp/orphan.go exists there.
on cn2 rm -f /tmp/orphan.pid /tmp/orphan.go
on cn1 ssh cn2 'sh -c "echo \$\$ >/tmp/orphan.pid; while [ ! -e /tmp/orphan.go ]; do sleep 0.05; done" >/dev/null 2>&1 &'
check "the orphan runs" wait_for "the orphan's pid file on cn2" on cn2 test -s /tmp/orphan.pid
on cn2 touch /tmp/orphan.go
check "hostinit reaps orphans" wait_for "cn2's orphan to be reaped (gone from cn2's /proc)" \
    on cn2 sh -c '! test -e /proc/$(cat /tmp/orphan.pid)'
check "... and leaves no zombie" test -z "$(zombies_of cn2)"

check "freeze cn2" "$C" freeze "$S" cn2
check "status says frozen" bash -c '"$0" status "$1" | grep -q "^cn2 .* frozen$"' "$C" "$S"
t0=$(now_us)
check "ssh to frozen cn2 fails" bash -c '! "$0" on "$1" mn ssh -o ConnectTimeout=2 cn2 true' "$C" "$S"
check "... by its ConnectTimeout, not a hang (< 6 s)" test $(($(now_us) - t0)) -lt 6000000
check "thaw cn2" "$C" thaw "$S" cn2
check "ssh to thawed cn2 works" on mn ssh cn2 true

check "stop-sshd cn2" "$C" stop-sshd "$S" cn2
check "ssh to cn2 gets Connection refused" \
    bash -c '"$0" on "$1" mn ssh cn2 true 2>&1 | grep -q "Connection refused"' "$C" "$S"
check "cn2's namespace stays" test "$(on cn2 cat /root/cn2.marker)" == cn2
check "start-sshd cn2" "$C" start-sshd "$S" cn2
check "ssh to cn2 works again" on mn ssh cn2 true

# A second cluster on the same addresses cannot bind sshd: up must fail
# loudly, and down must still clean up what it did start.
check "conflicting up fails with the sshd log" \
    bash -c 'out=$("$0" up "$1/conflict" mn sn1 2>&1) && exit 1; echo "$out"; grep -q "Address already in use" <<<"$out"' \
    "$C" "$S"
check "down after a failed up" "$C" down "$S/conflict"
check "nothing left of the failed up" test -z "$(leftovers "$S/conflict")"

# Stray commands started with "on" that down must also end. The subshell
# keeps bash's "Terminated" notices for them off the output.
export SELFTEST_MARK=$S
(on mn sleep 300 & on cn1 sh -c 'sleep 301 & sleep 302 & wait' & wait) 2>/dev/null &
unset SELFTEST_MARK
check "the strays run" wait_for "sleep 300, 301 and 302 running" three_strays
"$C" freeze "$S" cn3
check "down prints nothing" test -z "$("$C" down "$S" 2>&1)"
wait
check "no process mentions STATEDIR" test -z "$(leftovers "$S")"
check "no sleep 30x strays" test -z "$(marked)"
check "no mounts remain" test "$before" == "$(mounts)"
check "status says down" test "$("$C" status "$S" | grep -c ' down$')" == 5
check "down again is a quiet no-op" test -z "$("$C" down "$S" 2>&1)"

echo "$pass passed, $fail failed"
((fail == 0))
