#!/bin/bash
# The .deb and .rpm that cpack makes: builds xdcp for /usr in a build dir of
# its own (Release, no tests), runs cpack, and checks both packages: names,
# version, dependencies, the file layout (the .deb unpacked with dpkg -x
# into a private root), and that the unpacked binary, man page and bash
# completion work. The host is left alone unless XDCP_PACKAGE_INSTALL=1 (CI
# sets it): then the .deb is installed with dpkg -i, tried, and removed.
# Usage: t/package_test.sh [BUILD_DIR, unused]
# XDCP_SOURCE_DIR: the source tree (default: this script's ..).
# XDCP_PACKAGE_BUILD_DIR: build there and keep it (default: a temp dir).
set -uo pipefail
src=${XDCP_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$src/t/tally.sh"
# logged COMMAND...: runs COMMAND with its output in the dpkg log.
logged() { "$@" >>"$tmp/dpkg.log" 2>&1; }

tmp=$(mktemp -d "/tmp/xdcp_test.${XDCP_TEST_TAG:-untagged}.XXXXXX")
installed=
cleanup() {
  if [ -n "$installed" ]; then dpkg -r xdcp >/dev/null 2>&1; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
build=${XDCP_PACKAGE_BUILD_DIR:-$tmp/build-pkg}
version=$(sed -n 's/^project(xdcp VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || { fail "no version in project() of $src/CMakeLists.txt"; finish; }

# Build the packages.
for tool in cmake cpack dpkg-deb rpm rpmbuild; do
  command -v $tool >/dev/null || { fail "$tool not installed (see .ci/deps)"; finish; }
done
start=$SECONDS
if ! { cmake -S "$src" -B "$build" -DCMAKE_INSTALL_PREFIX=/usr \
         -DCMAKE_BUILD_TYPE=Release -DXDCP_TESTS=OFF &&
       cmake --build "$build" -j"$(nproc)" &&
       rm -f "$build"/xdcp[-_]*.deb "$build"/xdcp-*.rpm &&
       (cd "$build" && cpack); } >"$tmp/build.log" 2>&1; then
  tail -40 "$tmp/build.log"
  fail "build and cpack"
  finish
fi
echo "built and packaged in $((SECONDS - start))s"
debs=("$build"/xdcp_*.deb)
rpms=("$build"/xdcp-*.rpm)
check "one .deb in $build" test ${#debs[@]} -eq 1 -a -f "${debs[0]}"
check "one .rpm in $build" test ${#rpms[@]} -eq 1 -a -f "${rpms[0]}"
deb=${debs[0]}
rpm=${rpms[0]}
if [ ! -f "$deb" ] || [ ! -f "$rpm" ]; then finish; fi

# The files every package must hold, from the source tree.
expected=(/usr/bin/xdcp /usr/share/bash-completion/completions/xdcp)
for f in "$src"/man/*.1; do expected+=("/usr/share/man/man1/${f##*/}"); done
for f in "$src"/man/*.5; do expected+=("/usr/share/man/man5/${f##*/}"); done
for d in filelists nodelist; do
  while IFS= read -r f; do
    expected+=("/usr/share/xdcp/$d/${f#"$src/$d/"}")
  done < <(find "$src/$d" -type f | sort)
done

# .deb: control fields.
field() { dpkg-deb -f "$deb" "$1"; }
check "deb Package is xdcp" test "$(field Package)" = xdcp
check "deb Version is $version" test "$(field Version)" = "$version"
check "deb has a Maintainer" test -n "$(field Maintainer)"
check "deb has a Description" test -n "$(field Description)"
depends=$(field Depends)
for dep in rsync openssh-client libboost-program-options1.74.0 libpugixml1v5 libre2-9; do
  check "deb Depends on $dep: $depends" grep -qE "(^|, )$dep( |,|$)" <<<"$depends"
done

# .deb: the layout, unpacked into a private root.
root=$tmp/root
mkdir "$root"
check "dpkg -x" dpkg -x "$deb" "$root"
for f in "${expected[@]}"; do
  check "deb holds $f" test -f "$root$f"
done
check "deb /usr/bin/xdcp is executable" test -x "$root/usr/bin/xdcp"
outside=$(cd "$root" && find . ! -type d | grep -v '^\./usr/\(bin\|share\)/')
check "deb holds only /usr/bin and /usr/share: $outside" test -z "$outside"
check "deb holds nothing under /usr/local" test ! -e "$root/usr/local"

# The unpacked binary, man page and completion.
check "unpacked xdcp -V prints $version" \
  grep -qx "xdcp Version $version" <<<"$("$root/usr/bin/xdcp" -V 2>&1)"
check "no /usr/local in the binary" \
  bash -c '! grep -qa /usr/local/share/xdcp "$1"' - "$root/usr/bin/xdcp"
check "man xdcp from the package shows NODERANGE" \
  bash -c 'MANPATH=$1 man -P cat xdcp 2>/dev/null | grep -q NODERANGE' - \
  "$root/usr/share/man"
check "bash -n on the packaged completion" \
  bash -n "$root/usr/share/bash-completion/completions/xdcp"

# mirror_runs XDCP [ENV...]: xdcp --sn finds the shipped install.exclude:
# the run fails on the unresolvable service node (1), not on the list (2).
cat >"$tmp/nodelist.xml" <<'EOF'
<cluster><node name="sn.invalid"/></cluster>
EOF
mkdir "$tmp/mirror"
mirror_runs() {
  local xdcp=$1 out rc
  shift
  out=$(env "$@" timeout 60 "$xdcp" --nodelist "$tmp/nodelist.xml" \
          --sn sn.invalid --dry-run "$tmp/mirror" 2>&1)
  rc=$?
  if [ "$rc" -ne 1 ] || grep -q 'exclusion list' <<<"$out"; then
    echo "exit $rc: $out"
    return 1
  fi
}
check "unpacked xdcp --sn reads the packaged install.exclude" \
  mirror_runs "$root/usr/bin/xdcp" XDCP_DATADIR="$root/usr/share/xdcp"
# Without XDCP_DATADIR the binary looks in /usr/share/xdcp: it reads the
# lists there if the package is installed, else it names the file it
# missed. (Not a grep of the binary for the string: a path that fits in
# std::string's small buffer is built from immediates, not stored.)
lists_from_usr_share() {
  local out
  if [ -e /usr/share/xdcp/filelists/install.exclude ]; then
    mirror_runs "$root/usr/bin/xdcp" XDCP_DATADIR=
    return
  fi
  out=$(env XDCP_DATADIR= timeout 60 "$root/usr/bin/xdcp" --nodelist "$tmp/nodelist.xml" \
          --sn sn.invalid --dry-run "$tmp/mirror" 2>&1)
  grep -qF "/usr/share/xdcp/filelists/install.exclude: cannot read exclusion list" <<<"$out" ||
    { echo "$out"; return 1; }
}
check "xdcp reads its lists from /usr/share/xdcp" lists_from_usr_share

# .rpm: name, version, files, dependencies.
check "rpm is xdcp $version" \
  test "$(rpm -qp --qf '%{NAME} %{VERSION}' "$rpm" 2>/dev/null)" = "xdcp $version"
rpm_files=$(rpm -qlp "$rpm" 2>/dev/null)
for f in "${expected[@]}"; do
  check "rpm holds $f" grep -qxF "$f" <<<"$rpm_files"
done
# Directories that the filesystem package owns must not be in the .rpm.
for d in /usr /usr/bin /usr/share /usr/share/man /usr/share/man/man1 \
         /usr/share/man/man5 /usr/share/bash-completion/completions; do
  check "rpm does not own $d" bash -c '! grep -qxF "$1" <<<"$2"' - "$d" "$rpm_files"
done
requires=$(rpm -qpR "$rpm" 2>/dev/null)
for dep in rsync openssh-clients boost-program-options pugixml re2; do
  check "rpm Requires $dep" grep -qE "^$dep( |$)" <<<"$requires"
done
check "rpm has a summary" test -n "$(rpm -qp --qf '%{SUMMARY}' "$rpm" 2>/dev/null)"

# A real install, only when asked for.
if [ "${XDCP_PACKAGE_INSTALL:-}" = 1 ]; then
  if dpkg-query -W -f='${Status}' xdcp 2>/dev/null | grep -q installed; then
    fail "package xdcp is installed already; not touching it"
  elif check "dpkg -i" logged dpkg -i "$deb"; then
    installed=1
    check "installed xdcp -V prints $version" \
      grep -qx "xdcp Version $version" <<<"$(/usr/bin/xdcp -V 2>&1)"
    check "man xdcp shows NODERANGE" \
      bash -c 'man -P cat xdcp 2>/dev/null | grep -q NODERANGE'
    check "man 5 xdcp-nodelist" \
      bash -c 'man -P cat 5 xdcp-nodelist 2>/dev/null | grep -q nodelist.xml'
    check "installed xdcp --sn reads /usr/share/xdcp/filelists" \
      mirror_runs /usr/bin/xdcp XDCP_DATADIR=
    check "the example nodelist expands" \
      grep -qx cn08 <<<"$(/usr/bin/xdcp --nodelist \
        /usr/share/xdcp/nodelist/example.xml --expand rack1 2>&1)"
    check "dpkg -r" logged dpkg -r xdcp && installed=
    check "dpkg -r removed /usr/bin/xdcp" test ! -e /usr/bin/xdcp
  else
    cat "$tmp/dpkg.log"
  fi
else
  echo "skipped dpkg -i (set XDCP_PACKAGE_INSTALL=1 to install for real)"
fi
finish
