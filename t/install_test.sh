#!/bin/bash
# cmake --install puts the binary, the man pages, the filelists and the
# example nodelist in place, and `man xdcp` works from there.
set -euo pipefail
build=$1
prefix=$(mktemp -d "/tmp/xdcp_test.${XDCP_TEST_TAG:-untagged}.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
"$prefix/bin/xdcp" -V | grep -q "Version"
for page in man1/xdcp.1 man5/xdcp-nodelist.5 man5/xdcp-synclist.5; do
  test -f "$prefix/share/man/$page"
done
MANPATH=$prefix/share/man man -P cat xdcp 2>/dev/null | grep -q "NODERANGE"
test -f "$prefix/share/xdcp/nodelist/example.xml"
test -d "$prefix/share/xdcp/filelists"
echo "1 passed, 0 failed"
