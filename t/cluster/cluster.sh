#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2015  # quoted scripts run in the hosts; A && B || C is meant
# cluster.sh - a throw-away xCAT-like test cluster on loopback addresses.
#
# Each host is a mount+uts+pid namespace whose /install, /var/xcat, /tmp,
# /root, /etc/hosts, /etc/xcat and /run/xdcp are private bind mounts of directories under
# STATEDIR/hosts/NAME, and whose /etc is a copy-on-write overlay of the
# machine's (writes land in STATEDIR/hosts/NAME/etc-upper); everything else
# (/usr, the build tree) is shared.
# Every host but mn runs a real sshd on its own 127.x address. See README.md.
set -euo pipefail

usage() {
    cat >&2 <<'EOF'
usage: cluster.sh up STATEDIR mn HOST...      HOST is NAME or NAME:GATEWAY
       cluster.sh down STATEDIR
       cluster.sh status STATEDIR
       cluster.sh on STATEDIR NAME CMD [ARGS...]
       cluster.sh addr STATEDIR NAME
       cluster.sh sshd-pid STATEDIR NAME     (its listening sshd, as this machine numbers it)
       cluster.sh freeze|thaw|stop-sshd|start-sshd STATEDIR NAME
EOF
    exit 2
}

die() { echo "cluster.sh: $*" >&2; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NET=${XDCP_TEST_NET:-127.77.0}
PORT=${XDCP_TEST_PORT:-22}
# per-host source directory (under STATEDIR/hosts/NAME) : mount point
BINDS=(install:/install var-xcat:/var/xcat etc-xcat:/etc/xcat root:/root hosts:/etc/hosts tmp:/tmp
       run-xdcp:/run/xdcp)

# ---------------------------------------------------------------- state --
# STATEDIR/cluster.conf has one "NAME ADDR GATEWAY|-" line per host, in order.
load_conf() {
    NAMES=(); declare -gA ADDR=() GW=()
    [[ -r $S/cluster.conf ]] || die "no cluster in $S (run up first)"
    local n a g
    while read -r n a g; do
        NAMES+=("$n"); ADDR[$n]=$a; GW[$n]=${g#-}
    done <"$S/cluster.conf"
}

need_host() { [[ -n ${ADDR[$1]:-} ]] || die "no host '$1' in $S"; }

# owned_pid FILE: print the pid stored in FILE if that process is alive and
# its command line mentions STATEDIR.  The check guards every kill we send
# against pids that were reused since the file was written.
owned_pid() {
    local pid args
    [[ -s $1 ]] && read -r pid <"$1" && [[ $pid =~ ^[0-9]+$ ]] || return 1
    { mapfile -d "" -t args <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
    [[ "${args[*]}" == *"$S/"* ]] || return 1
    echo "$pid"
}

host_init() { owned_pid "$S/hosts/$1/init.pid"; }

# proc_state PID: set REPLY to the one-letter state (R, S, T, Z, ...).
proc_state() {
    local l
    { read -r l <"/proc/$1/stat"; } 2>/dev/null || return 1
    l=${l##*) }; REPLY=${l%% *}
}

# ns_members NSFILE...: pids (root-namespace numbering) of all processes that
# share any of the given namespaces, /proc/PID/ns/KIND paths or open ns fds.
# A single stat(1) keeps this fast even with hundreds of processes.
ns_members() {
    local -A want=()
    local ino name
    for ino in $(stat -L -c %i "$@"); do want[$ino]=1; done
    while read -r name ino; do
        [[ -n ${want[$ino]:-} ]] || continue
        name=${name#/proc/}; name=${name%%/*}
        [[ $name != "$$" && $name != "$BASHPID" ]] && echo "$name"
    done < <(stat -L -c '%n %i' /proc/[0-9]*/ns/pid /proc/[0-9]*/ns/mnt 2>/dev/null || true) | sort -un
}

# run_on NAME CMD...: run CMD in NAME's mount and uts namespaces, in the
# caller's directory if it exists there. On mn, not in its pid namespace
# (nsenter would then have to fork, and signals sent to us would no longer
# reach CMD; tests signal xdcp there). Other hosts mount their own /proc,
# which names only their processes: CMD must join their pid namespace for
# /proc/self (mount, umount, ps) to work.
# With ON_EXEC=exec, CMD replaces this script (so it gets our signals).
run_on() {
    local init pidns=
    init=$(host_init "$1") || { echo "cluster.sh: host $1 is not running" >&2; return 125; }
    [[ $1 == mn ]] || pidns=-p
    shift
    ${ON_EXEC:-} nsenter -t "$init" -m -u $pidns -- \
        /bin/sh -c 'cd "$1" 2>/dev/null || cd /; shift; exec "$@"' sh "$PWD" "$@"
}

# -------------------------------------------------------------- sshd -----
# launch_sshd NAME: start NAME's sshd; wait_sshd NAME: wait until it listens.
# Split so that up can start every sshd before waiting for the first.
declare -A LOGOFF=()
launch_sshd() {
    local hd=$S/hosts/$1 init
    init=$(host_init "$1") || die "host $1 is not running"
    [[ -f $hd/etc/sshd_config ]] || die "$1 has no sshd (it is the management node)"
    sshd_gpid "$1" >/dev/null && return 0
    rm -f "$hd/sshd.pid"
    touch "$hd/sshd.log"; LOGOFF[$1]=$(stat -c %s "$hd/sshd.log")
    # sshd needs /run/sshd (privsep chroot) in its view; /run is shared.
    # The shell backgrounds sshd and exits, so sshd is re-parented to the
    # host's hostinit; setsid keeps it out of the caller's process group.
    nsenter -t "$init" -m -u -p -- /bin/sh -c \
        'mkdir -p /run/sshd; setsid /usr/sbin/sshd -D -e -f "$1" </dev/null >/dev/null 2>>"$2" &' \
        sh "$hd/etc/sshd_config" "$hd/sshd.log"
}

wait_sshd() {
    local hd=$S/hosts/$1 i
    # sshd writes its PidFile only once it is listening.
    for ((i = 0; i < 100; i++)); do
        [[ -s $hd/sshd.pid ]] && return 0
        [[ -n ${LOGOFF[$1]:-} ]] || return 0 # already running, not launched by us
        tail -c +$((LOGOFF[$1] + 1)) "$hd/sshd.log" | grep -qiE 'fatal|cannot|error' && break
        sleep 0.05
    done
    echo "cluster.sh: sshd on $1 (${ADDR[$1]}:$PORT) did not start; $hd/sshd.log says:" >&2
    tail -n 20 "$hd/sshd.log" >&2
    exit 1
}

# sshd_gpid NAME: global pid of NAME's listening sshd.  Its PidFile holds the
# pid as seen inside the host's pid namespace; NSpid maps it back.
sshd_gpid() {
    local hd=$S/hosts/$1 init nspid p line
    init=$(host_init "$1") && [[ -s $hd/sshd.pid ]] || return 1
    read -r nspid <"$hd/sshd.pid"
    for p in $(ns_members "/proc/$init/ns/pid"); do
        { line=$(grep '^NSpid:' "/proc/$p/status"); } 2>/dev/null || continue
        [[ ${line##*[[:space:]]} == "$nspid" && ${line#*[[:space:]]} != "$nspid" ]] || continue
        echo "$p"; return 0
    done
    return 1
}

stop_sshd() {
    local pid i
    pid=$(sshd_gpid "$1") || { rm -f "$S/hosts/$1/sshd.pid"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    # A frozen sshd would only act on SIGTERM after a thaw.
    proc_state "$pid" && [[ $REPLY == [Tt] ]] && kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        proc_state "$pid" && [[ $REPLY != Z ]] || break
        ((i == 40)) && kill -KILL "$pid" 2>/dev/null
        sleep 0.05
    done
    rm -f "$S/hosts/$1/sshd.pid"
}

# ------------------------------------------------------- freeze / thaw --
freeze() {
    local init i p again
    init=$(host_init "$1") || die "host $1 is not running"
    # Repeat until a full scan finds nothing runnable: a process may fork
    # between our scan and its SIGSTOP.
    for ((i = 0; i < 200; i++)); do
        again=0
        for p in $(ns_members "/proc/$init/ns/pid"); do
            proc_state "$p" || continue
            [[ $REPLY == [TtZX] ]] && continue
            kill -STOP "$p" 2>/dev/null || true; again=1
        done
        ((again)) || return 0
        sleep 0.01
    done
    die "could not freeze $1"
}

thaw() {
    local init
    init=$(host_init "$1") || die "host $1 is not running"
    # shellcheck disable=SC2046
    kill -CONT $(ns_members "/proc/$init/ns/pid") 2>/dev/null || true
}

# ----------------------------------------------------------------- down --
cmd_down() {
    [[ -d $S/hosts ]] || return 0
    local hd init fd fds=() pids start now sig
    # Hold each host's namespaces open by fd: processes that were started in
    # a host's mount namespace from outside (cluster.sh on) are not in its pid
    # namespace and outlive hostinit, so we must find them after it is gone.
    for hd in "$S"/hosts/*/; do
        init=$(owned_pid "$hd/init.pid") || continue
        exec {fd}<"/proc/$init/ns/pid"; fds+=("/proc/$$/fd/$fd")
        exec {fd}<"/proc/$init/ns/mnt"; fds+=("/proc/$$/fd/$fd")
    done
    start=${EPOCHREALTIME/./}
    while :; do
        pids=()
        ((${#fds[@]})) && mapfile -t pids < <(ns_members "${fds[@]}")
        for hd in "$S"/hosts/*/; do
            init=$(owned_pid "$hd/unshare.pid") && pids+=("$init")
        done
        ((${#pids[@]})) || break
        now=${EPOCHREALTIME/./}
        if ((now - start > 10000000)); then
            die "processes survived SIGKILL: ${pids[*]}"
        elif ((now - start > 2000000)); then sig=KILL
        else sig=TERM; fi
        # Frozen processes act on SIGTERM only after SIGCONT.
        kill -CONT "${pids[@]}" 2>/dev/null || true
        kill -"$sig" "${pids[@]}" 2>/dev/null || true
        sleep 0.05
    done
    rm -f "$S"/hosts/*/{init,unshare,sshd}.pid
}

# ------------------------------------------------------------------- up --
build_hostinit() {
    local src=$HERE/hostinit.c bin=$S/bin/hostinit
    [[ -x $bin && $bin -nt $src ]] && return 0
    mkdir -p "$S/bin"
    cc -O2 -Wall -Wextra -o "$bin.tmp" "$src" && mv "$bin.tmp" "$bin"
}

# Runs as PID 1 of the new namespaces before exec'ing hostinit: once
# hostinit writes its pidfile, the host's private mounts are in place.
# --propagation private (given to unshare) keeps them out of the root
# namespace; they vanish with the namespace.
# /etc is an overlay so that tests may edit /etc/passwd and friends (MERGE)
# on a host without touching the machine's; it goes first, the binds of
# /etc/hosts and /etc/xcat land on top of it.
BOOT='set -e; hd=$1 name=$2; shift 2
mount -t overlay xdcp-test-etc -o "lowerdir=/etc,upperdir=$hd/etc-upper,workdir=$hd/etc-work" /etc
for b in '"${BINDS[*]}"'; do mount --bind "$hd/${b%%:*}" "${b#*:}"; done
hostname "$name"
exec "$@"'

prepare_host() {
    local n=$1 hd=$S/hosts/$1 a=${ADDR[$1]} g=${GW[$1]} b from=
    for b in "${BINDS[@]}"; do [[ ${b%%:*} == hosts ]] || mkdir -p "$hd/${b%%:*}"; done
    mkdir -p "$hd/etc" "$hd/etc-upper" "$hd/etc-work" "$hd/root/.ssh"
    chmod 1777 "$hd/tmp"; chmod 700 "$hd/root" "$hd/run-xdcp"
    cp "$S/etc-hosts" "$hd/hosts"
    echo "$n" >"$hd/root/$n.marker"
    cp "$S/keys/id_ed25519" "$S/keys/id_ed25519.pub" "$hd/root/.ssh/"
    # A gateway-declared host admits only its gateway's source address; the
    # BindAddress below makes that address identify the connecting host.
    [[ -n $g ]] && from="from=\"${ADDR[$g]}\" "
    echo "$from$(cat "$S/keys/id_ed25519.pub")" >"$hd/root/.ssh/authorized_keys"
    # KexAlgorithms: the default post-quantum hybrid KEX costs ~0.1 s of CPU
    # per connection on these 2-core machines, half of a login; fanout tests
    # open hundreds of connections.
    {
        echo "Host *"
        printf '    %s\n' "User root" "IdentityFile /root/.ssh/id_ed25519" "IdentitiesOnly yes" \
            "StrictHostKeyChecking no" "UserKnownHostsFile /dev/null" "LogLevel ERROR" \
            "BatchMode yes" "ConnectTimeout 5" "BindAddress $a" "KexAlgorithms curve25519-sha256"
        [[ $PORT == 22 ]] || echo "    Port $PORT"
    } >"$hd/root/.ssh/config"
    chmod 600 "$hd/root/.ssh/"*
    [[ $n == mn ]] && return 0
    ssh-keygen -q -t ed25519 -N '' -C "$n" -f "$hd/etc/ssh_host_ed25519_key"
    cat >"$hd/etc/sshd_config" <<EOF
ListenAddress $a:$PORT
HostKey $hd/etc/ssh_host_ed25519_key
PidFile $hd/sshd.pid
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UseDNS no
# The default 10:30:100 starts dropping connections at fanout 64.
MaxStartups 1000:30:1000
MaxSessions 100
# A test may add a user (in the host's own /etc) with keys in its home.
AuthorizedKeysFile /root/.ssh/authorized_keys .ssh/authorized_keys
Subsystem sftp internal-sftp
PrintMotd no
LogLevel ERROR
EOF
}

cmd_up() {
    (($# >= 1)) && [[ $1 == mn ]] || die "the first host must be mn"
    # Any 127/8 address is local on lo already, so no interface setup.
    [[ $NET =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "XDCP_TEST_NET must look like 127.X.Y"
    [[ $PORT =~ ^[0-9]+$ ]] || die "XDCP_TEST_PORT must be a number"
    (($# <= 245)) || die "at most 245 hosts"
    local spec n g i=0 hd
    NAMES=(); declare -gA ADDR=() GW=()
    for spec; do
        n=${spec%%:*}; g=; [[ $spec == *:* ]] && g=${spec#*:}
        [[ $n =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "bad host name '$n'"
        [[ -z ${ADDR[$n]:-} ]] || die "host $n given twice"
        NAMES+=("$n"); ADDR[$n]=$NET.$((10 + i++)); GW[$n]=$g
    done
    for n in "${NAMES[@]}"; do
        g=${GW[$n]}
        [[ -z $g || ( -n ${ADDR[$g]:-} && $g != "$n" ) ]] || die "bad gateway '$g' for $n"
        [[ $n != mn || -z $g ]] || die "mn cannot have a gateway"
    done

    cmd_down
    rm -rf "$S/hosts" "$S/keys" "$S/cluster.conf" "$S/etc-hosts" "$S/locks"
    mkdir -p "$S/hosts" "$S/keys"
    build_hostinit
    # Mount points must exist in the root namespace for the binds.
    mkdir -p /install /var/xcat /etc/xcat
    mkdir -p -m 700 /run/xdcp
    ssh-keygen -q -t ed25519 -N '' -C xdcp-test -f "$S/keys/id_ed25519"
    {
        echo "127.0.0.1 localhost"
        for n in "${NAMES[@]}"; do echo "${ADDR[$n]} $n"; done
    } >"$S/etc-hosts"
    for n in "${NAMES[@]}"; do prepare_host "$n"; done
    for n in "${NAMES[@]}"; do echo "$n ${ADDR[$n]} ${GW[$n]:--}"; done >"$S/cluster.conf"

    # Start all hosts at once, then wait for each hostinit's pidfile.
    # setsid: detach hosts from the caller's terminal and process group;
    # -w keeps $! alive as long as the host even if setsid has to fork.
    local -A upid=()
    for n in "${NAMES[@]}"; do
        hd=$S/hosts/$n
        # A host sees its own processes in /proc (programs that inspect
        # themselves there, such as LeakSanitizer, need that); mn keeps the
        # machine's /proc, because commands run with `on mn` live outside
        # its pid namespace and tests look for them there.
        local holder=(sleep infinity)
        [[ $n == mn ]] || holder=(/bin/sh -c 'mount -t proc proc /proc && exec sleep infinity')
        setsid -w unshare --mount --uts --pid --fork --propagation private -- \
            /bin/bash -c "$BOOT" boot "$hd" "$n" "$S/bin/hostinit" -p "$hd/init.pid" -- "${holder[@]}" \
            </dev/null >"$hd/init.log" 2>&1 &
        upid[$n]=$!; echo $! >"$hd/unshare.pid"
    done
    for n in "${NAMES[@]}"; do
        hd=$S/hosts/$n
        for ((i = 0; i < 200; i++)); do
            [[ -s $hd/init.pid ]] && break
            # Our own child: its pid cannot be reused before we wait for it.
            proc_state "${upid[$n]}" && [[ $REPLY != Z ]] || break
            sleep 0.025
        done
        host_init "$n" >/dev/null || { cat "$hd/init.log" >&2; die "host $n did not start; run: $0 down $S"; }
    done
    for n in "${NAMES[@]:1}"; do launch_sshd "$n"; done
    for n in "${NAMES[@]:1}"; do wait_sshd "$n"; done

    # A listening sshd is not yet proof of a working login: check one real
    # ssh per host (all at once), from its gateway if it only admits that.
    local -A job=()
    for n in "${NAMES[@]:1}"; do check_login "$n" & job[$n]=$!; done
    for n in "${NAMES[@]:1}"; do
        wait "${job[$n]}" && continue
        cat "$S/hosts/$n/login.err" "$S/hosts/$n/sshd.log" >&2
        die "ssh ${GW[$n]:-mn} -> $n does not work; run: $0 down $S"
    done
}

check_login() {
    local end=$((SECONDS + 10))
    until run_on "${GW[$1]:-mn}" ssh -o ConnectTimeout=2 "$1" true 2>"$S/hosts/$1/login.err"; do
        ((SECONDS < end)) || return 1
        sleep 0.1
    done
}

cmd_status() {
    local n pid state
    for n in "${NAMES[@]}"; do
        if pid=$(host_init "$n"); then
            state=running
            proc_state "$pid" && [[ $REPLY == [Tt] ]] && state=frozen
        else pid=- state=down; fi
        printf '%-10s %-15s %-8s %s\n' "$n" "${ADDR[$n]}" "$pid" "$state"
    done
}

# ----------------------------------------------------------------- main --
(($# >= 2)) || usage
CMD=$1 S=$2; shift 2
[[ $S == /* ]] || die "STATEDIR must be an absolute path"
S=$(realpath -m "$S")
# The binds would hide a STATEDIR below them from the hosts themselves.
for b in "${BINDS[@]}"; do
    [[ $S/ != "${b#*:}"/* ]] || die "STATEDIR must not be under ${b#*:}"
done

case $CMD in
up) mkdir -p "$S"; cmd_up "$@" ;;
down) (($# == 0)) || usage; cmd_down ;;
status) load_conf; cmd_status ;;
on)
    (($# >= 2)) || usage
    load_conf; need_host "$1"
    ON_EXEC="exec" run_on "$@" ;;
addr) (($# == 1)) || usage; load_conf; need_host "$1"; echo "${ADDR[$1]}" ;;
sshd-pid) (($# == 1)) || usage; load_conf; need_host "$1"; sshd_gpid "$1" || die "$1: no sshd" ;;
freeze | thaw | stop-sshd | start-sshd)
    (($# == 1)) || usage; load_conf; need_host "$1"
    case $CMD in
    freeze) freeze "$1" ;; thaw) thaw "$1" ;;
    stop-sshd) stop_sshd "$1" ;; start-sshd) launch_sshd "$1"; wait_sshd "$1" ;;
    esac ;;
*) usage ;;
esac
