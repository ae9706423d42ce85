#!/bin/bash
# t/demo.sh - what xdcp is for, in six short steps, on a local test cluster.
#
# Installs what is needed (.ci/deps), builds xdcp, starts a cluster of real
# sshd hosts on loopback addresses ($XDCP_TEST_NET.x, default 127.77.0.x;
# see t/cluster/README.md): a management node mn, two service nodes
# sn01 and sn02, node01-node03 reached directly, node04-node05 reachable
# only from sn01 and node06-node07 only from sn02. Then it shows, with every
# command echoed before it runs:
#   1. the cluster database and its noderanges;
#   2. a synclist with a (noderange) line, an EXECUTE script and an APPEND,
#      run twice: the second time the script runs only where its trigger
#      changed;
#   3. xdcp --sn: /install mirrored to both service nodes with an exclusion
#      list, --dry-run first, then for real with its progress line;
#   4. -F to the nodes behind the service nodes, delivered through them;
#   5. a node and a service node that are down, and the folded summary;
#   6. --json.
# The cluster is stopped and its directory removed at the end, also when a
# step fails; a step that does not end as it should makes the demo exit 1.
# Takes about 30 s once xdcp is built, 12 s of it the slowed --sn mirror.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/t/relocate.sh" demo.sh "$@"
build=${XDCP_BUILD_DIR:-$top/build}
"$top/.ci/deps"
cmake -S "$top" -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" --target xdcp >/dev/null

cluster=$build/demo-cluster
c=$top/t/cluster/cluster.sh
trap '"$c" down "$cluster"; rm -rf "$cluster"' EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
export XDCP_TEST_NET=${XDCP_TEST_NET:-127.77.0}
# Not the e2e tests' names (sn1, cn1, ...): a service node's xdcp keeps its
# per-node locks in /run/lock/xdcp, which every test cluster on the machine
# shares.
"$c" up "$cluster" mn sn01 sn02 node01 node02 node03 \
  node04:sn01 node05:sn01 node06:sn02 node07:sn02
H=$cluster/hosts   # H/NAME/install is NAME's /install, and so on

# The hosts share the machine's /usr and the build tree, so mn and the
# service nodes all run this build's xdcp.
env_mn=(PATH="$build:$PATH" XDCP_DATADIR="$top" XDCP_REMOTE_XDCP="$build/xdcp"
        XDCP_LOCK_DIR="$cluster/locks")
log=$cluster/last.out

say() { printf '\n'; printf '%s\n' "$@"; }
if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
die() { echo "demo: $*" >&2; exit 1; }

# shown ARGS...: the words as a shell would need them.
shown() {
  local a out=
  for a; do
    [[ $a =~ ^[A-Za-z0-9_./=:,@%+-]+$ ]] || a="'$a'"
    out+="${out:+ }$a"
  done
  printf '%s' "$out"
}

# run RC CMD...: echo CMD, run it on mn, show its output, and fail the demo
# unless it exits with RC. The output (standard output and error, so not a
# terminal) is kept in $log for checks.
run() {
  local want=$1 rc
  shift
  printf '\nmn# %s\n' "$(shown "$@")"
  "$c" on "$cluster" mn env "${env_mn[@]}" "$@" 2>&1 | tee "$log" &&
    rc=${PIPESTATUS[0]} || rc=${PIPESTATUS[0]}
  [[ $rc == "$want" ]] || die "'$(shown "$@")' exited $rc, not $want"
}

# on [-f] HOST SCRIPT: echo and run a shell command on HOST; its output goes
# to $log too. It must succeed, unless -f: it is meant to fail.
on() {
  local may_fail=
  [[ $1 == -f ]] && may_fail=1 && shift
  printf '\n%s# %s\n' "$1" "$2"
  "$c" on "$cluster" "$1" sh -c "$2" 2>&1 | tee "$log" || [[ $may_fail ]]
}

# expect TEXT WHY: the last command's output has TEXT.
expect() { grep -qF -- "$1" "$log" || die "missing in the output above: $1 ($2)"; }
expect_not() { ! grep -qF -- "$1" "$log" || die "unexpected in the output above: $1 ($2)"; }

# ------------------------------------------------------------ the site --
# The management node's files: a cluster database, /install with
# postscripts, a synclist and the files it names, netboot images and a
# copycds tree, and a site exclusion list.
M=$H/mn
cat >"$M/etc-xcat/nodelist.xml" <<'EOF'
<cluster>
  <site master="mn" installdir="/install" SNsyncfiledir="/var/xcat/syncfiles"/>
  <osimage name="rhels9-compute" rootimgdir="/install/netboot/rhels9/x86_64/compute"
           synclists="/install/custom/compute.synclist"/>
  <osimage name="rhels9-gpu" rootimgdir="/install/netboot/rhels9/x86_64/gpu"
           synclists="/install/custom/compute.synclist"/>
  <osdistro name="rhels9-x86_64" dirpaths="/install/rhels9/x86_64"/>
  <node name="sn01" groups="service"/>
  <node name="sn02" groups="service"/>
  <node name="node01" groups="compute,rack1" provmethod="rhels9-compute"/>
  <node name="node02" groups="compute,rack1" provmethod="rhels9-compute"/>
  <node name="node03" groups="compute,rack1,gpu" provmethod="rhels9-gpu"/>
  <node name="node04" groups="compute,rack2" servicenode="sn01" provmethod="rhels9-compute"/>
  <node name="node05" groups="compute,rack2" servicenode="sn01" provmethod="rhels9-compute"/>
  <node name="node06" groups="compute,rack3" servicenode="sn02" provmethod="rhels9-compute"/>
  <node name="node07" groups="compute,rack3,gpu" servicenode="sn02" provmethod="rhels9-gpu"/>
</cluster>
EOF
I=$M/install
mkdir -p "$I/postscripts" "$I/custom/files" "$I/isos" "$I/rhels9/x86_64/Packages"
for img in compute gpu test; do mkdir -p "$I/netboot/rhels9/x86_64/$img"; done
# shellcheck disable=SC2016  # $NODE is for the node's shell
printf '#!/bin/sh\nlogger "node $NODE configured"\n' >"$I/postscripts/confignode"
printf '#!/bin/sh\nsystemctl enable --now slurmd\n' >"$I/postscripts/setupslurm"
chmod 755 "$I"/postscripts/*
head -c 3M /dev/zero >"$I/postscripts/hpc-tools.tar.gz"
head -c 3M /dev/zero >"$I/netboot/rhels9/x86_64/compute/rootimg.cpio.gz"
head -c 3M /dev/zero >"$I/netboot/rhels9/x86_64/gpu/rootimg.cpio.gz"
head -c 3M /dev/zero >"$I/netboot/rhels9/x86_64/test/rootimg.cpio.gz"
head -c 4M /dev/zero >"$I/isos/RHEL-9.4-x86_64-dvd.iso"
touch "$I/rhels9/x86_64/.treeinfo" "$I/rhels9/x86_64/Packages/kernel-5.14.0.rpm"
cp "$I/postscripts/confignode" "$I/postscripts/confignode.bak"
F=/install/custom/files
cat >"$I/custom/compute.synclist" <<EOF
# /install/custom/compute.synclist
$F/motd -> /etc/motd
$F/chrony.conf -> /etc/chrony.conf
$F/nvidia.conf -> (gpu) /etc/modprobe.d/nvidia.conf
EXECUTE:
$F/chrony.conf.post
APPEND:
$F/environment -> /etc/environment
EOF
echo "Welcome to the demo cluster. Jobs go through slurm." >"$I/custom/files/motd"
printf 'server ntp1.site iburst\nserver ntp2.site iburst\n' >"$I/custom/files/chrony.conf"
printf '#!/bin/sh\necho "chrony.conf changed: restarting chronyd"\n' >"$I/custom/files/chrony.conf.post"
chmod 755 "$I/custom/files/chrony.conf.post"
echo "options nvidia NVreg_EnableGpuFirmware=0" >"$I/custom/files/nvidia.conf"
echo "http_proxy=http://proxy.site:3128" >"$I/custom/files/environment"
printf '# files that stay on the management node\n/install/isos\n*.bak\n' >"$M/root/site.exclude"

echo
echo "A test cluster runs on $XDCP_TEST_NET.x: mn (the management node, where"
echo "xdcp runs), sn01 and sn02 (service nodes), node01-node03 (reached directly),"
echo "node04-node05 (reachable only from sn01) and node06-node07 (only from sn02)."
echo "xdcp runs from the build tree, with: $(shown "${env_mn[@]:1}")"

# ---------------------------------------------------------------- 1 --
step "1. The cluster database: noderanges, groups, service nodes"
on mn 'grep -E "<node|<osimage" /etc/xcat/nodelist.xml'
run 0 xdcp --expand 'compute,-rack3'
run 0 xdcp --expand 'gpu'

# ---------------------------------------------------------------- 2 --
step "2. A synclist: a (noderange) line, EXECUTE, APPEND"
on mn 'cat /install/custom/compute.synclist'
say "The nvidia.conf line applies only to the nodes of group gpu. chrony.conf.post" \
  "runs on a node only if chrony.conf changed there; --fold prints identical" \
  "output of several nodes once."
run 0 xdcp 'node[01-03]' -F /install/custom/compute.synclist --fold
expect 'node[01-03]: chrony.conf changed: restarting chronyd' "EXECUTE on every node"
expect 'xdcp: 3 nodes: 3 ok' "all ok"
on node03 'cat /etc/modprobe.d/nvidia.conf'
on -f node01 'cat /etc/modprobe.d/nvidia.conf'
expect 'No such file' "a (gpu) line only for gpu nodes"
on node01 'tail -n 3 /etc/environment'
say "Someone edits chrony.conf by hand on node02; the next sync puts it back, and" \
  "chrony.conf.post runs there only. The APPEND block is replaced, not added again."
on node02 'echo "server 10.0.0.1" >> /etc/chrony.conf'
run 0 xdcp 'node[01-03]' -F /install/custom/compute.synclist --fold
expect 'node02: chrony.conf changed: restarting chronyd' "EXECUTE where the trigger changed"
expect_not 'node01: chrony' "no EXECUTE where nothing changed"
expect_not 'node03: chrony' "no EXECUTE where nothing changed"
on node02 'grep -c "xdcp APPEND begin" /etc/environment'
[[ $(cat "$log") == 1 ]] || die "APPEND is not idempotent"

# ---------------------------------------------------------------- 3 --
step "3. xdcp --sn: /install to the service nodes"
on mn 'cat /root/site.exclude; cd /install && find . -type f | sort'
say "Each service node gets /install without the site's exclusions (-X), the shipped" \
  "ones, the copycds tree (rhels9/x86_64) and the netboot images none of its nodes" \
  "use. --dry-run first: what would be sent."
run 0 xdcp --sn service -X /root/site.exclude --dry-run
expect 'TRACE: sn01: changed: /install/netboot/rhels9/x86_64/compute/rootimg.cpio.gz' "sn01's image"
expect_not 'TRACE: sn01: changed: /install/netboot/rhels9/x86_64/gpu' "no image sn01 does not need"
expect_not 'isos/' "the -X list"
say "Now for real, slowed to 500 KB/s per service node (-o --bwlimit=500, passed to" \
  "rsync) so that it lasts long enough to show progress: every 10 s, one line for" \
  "the run (on a terminal, one status line kept up to date)." \
  "The same pass stages the synclist files of each service node's nodes under" \
  "/var/xcat/syncfiles."
run 0 xdcp --sn service -X /root/site.exclude -o --bwlimit=500
expect 'xdcp: progress: ' "a progress line"
expect 'xdcp: 2 nodes: 2 ok' "both service nodes ok"
on sn01 'cd /install && find . -type f | sort'
expect './netboot/rhels9/x86_64/compute/rootimg.cpio.gz' "the image sn01's nodes use"
for x in gpu/ test/ isos/ .bak .treeinfo; do expect_not "$x" "left out on sn01"; done
on sn02 'cd /install && find . -type f | sort; find /var/xcat/syncfiles -type f | sort'
expect './netboot/rhels9/x86_64/gpu/rootimg.cpio.gz' "the image node07 uses"
expect '/var/xcat/syncfiles/install/custom/files/chrony.conf' "staged synclist files"

# ---------------------------------------------------------------- 4 --
step "4. -F to nodes that only their service node can reach"
say "node04-node07 accept ssh only from their service node:"
on -f mn 'ssh node04 true'
expect 'Permission denied' "node04 refuses the management node"
say "xdcp sends the synclist's files once to each service node, whose own xdcp" \
  "delivers them to its nodes and sends each node's result back."
run 0 xdcp 'node[04-07]' -F /install/custom/compute.synclist --fold
expect 'node[04-07]: chrony.conf changed: restarting chronyd' "EXECUTE behind the SNs"
expect 'xdcp: 4 nodes: 4 ok' "all ok"
on node07 'cat /etc/modprobe.d/nvidia.conf'
expect 'options nvidia' "the (gpu) line behind a service node"

# ---------------------------------------------------------------- 5 --
step "5. Nodes that are down"
say "node03's sshd and sn02's sshd are stopped. Every node still gets exactly one" \
  "result; the summary folds the nodes of each result into a noderange."
"$c" stop-sshd "$cluster" node03
"$c" stop-sshd "$cluster" sn02
say "chrony.conf gets a third server, for every node:"
on mn 'echo "server ntp3.site iburst" >> /install/custom/files/chrony.conf'
run 1 xdcp compute -F /install/custom/compute.synclist --fold
expect 'xdcp: ok: node[01-02,04-05]' "folded ok nodes"
expect 'xdcp: failed (unreachable: connection refused): node03' "a node that is down"
expect 'xdcp: failed (blocked by SN: sn02: unreachable: connection refused): node[06-07]' \
  "nodes behind a down service node"

# ---------------------------------------------------------------- 6 --
step "6. --json: one object per node and a summary, for scripts"
say "(--json=FILE writes them to FILE instead of standard output.)"
run 1 xdcp 'node[01-03]' -F /install/custom/compute.synclist --json
expect '"type":"node","node":"node03","state":"failed","class":"unreachable"' "node03 in JSON"

step "Done. Stopping and removing the demo cluster."
