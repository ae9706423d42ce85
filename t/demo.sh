#!/bin/bash
# Installs dependencies, builds xdcp, starts a small local test cluster
# (real sshd hosts on 127.77.0.x, each with a private /tmp, /install, ...),
# runs a demo push and pull against it, and stops the cluster again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/t/relocate.sh" demo.sh "$@"
build=${XDCP_BUILD_DIR:-$top/build}
"$top/.ci/deps"
cmake -S "$top" -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
cluster=$build/demo-cluster
trap '"$top/t/cluster/cluster.sh" down "$cluster"' EXIT
"$top/t/cluster/cluster.sh" up "$cluster" mn cn1 cn2 cn3
on() { "$top/t/cluster/cluster.sh" on "$cluster" "$@"; }
run() {
  echo
  echo "mn# $*"
  on mn "$@" || echo "(exit status $?)"
}
xdcp=$build/xdcp
on mn sh -c 'mkdir -p /tmp/demo/conf && echo "hello from the management node" > /tmp/demo/motd && echo "a=1" > /tmp/demo/conf/app.conf'
run "$xdcp" --expand 'cn[1-3]'
run "$xdcp" 'cn[1-3]' /tmp/demo/motd /tmp/motd
run "$xdcp" cn1,cn2 -R /tmp/demo/conf /tmp
for n in cn1 cn2 cn3; do on "$n" sh -c "echo '$n was here' > /tmp/whoami"; done
on mn mkdir -p /tmp/pulled
run "$xdcp" 'cn[1-3]' -P /tmp/whoami /tmp/pulled
run sh -c 'head /tmp/pulled/*'
echo
echo "Stopping cn3's sshd to show a failure:"
"$top/t/cluster/cluster.sh" stop-sshd "$cluster" cn3
run "$xdcp" 'cn[1-3]' /tmp/demo/motd /tmp/motd
