#!/bin/bash
# The bash completion of contrib/bash-completion/xdcp: runs its completion
# function on scripted command lines, as bash would for a <TAB> at the end
# of the line, and checks COMPREPLY. Usage: t/completion_test.sh
set -uo pipefail
src=${XDCP_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
script=$src/contrib/bash-completion/xdcp
bash_completion=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
. "$src/t/tally.sh"

if bash -n "$script"; then pass; else fail "bash -n $script"; fi
if [ ! -r "$bash_completion" ]; then
  fail "no $bash_completion (install the bash-completion package)"
  finish
fi

tmp=$(mktemp -d "/tmp/xdcp_test.${XDCP_TEST_TAG:-untagged}.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/nodelist.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- <node name="commented" groups="hidden"/> -->
<cluster>
  <site master="mn" installdir="/install"/>
  <osimage name="not-a-node" provmethod="netboot"/>
  <group name="rack1" members="cn[01-02]"/>
  <group
      name='rack2' members="cn10"/>
  <node name="mn" groups="mgmt"/>
  <node name="sn1" groups="service, all"/>
  <node name="sn2" groups="service,all"/>
  <node name="cn01" hostname="not-this" groups="compute,all" servicenode="sn1"/>
  <node name="cn02" groups="compute,all" servicenode="sn1"/>
  <node
      groups="compute"
      name="cn10"/>
  <!--
  <node name="cn99"/>
  -->
</cluster>
EOF
cat >"$tmp/other.xml" <<'EOF'
<cluster><node name="other1"/><node name="other2" groups="others"/></cluster>
EOF
mkdir "$tmp/work" "$tmp/work/syncdir"
touch "$tmp/work/synclist" "$tmp/work/exclude.list"

# bash-completion finds it by the command's name where the package puts it.
mkdir -p "$tmp/share/bash-completion/completions"
cp "$script" "$tmp/share/bash-completion/completions/xdcp"
if XDG_DATA_DIRS=$tmp/share bash -c 'source "$1" && __load_completion xdcp &&
     complete -p xdcp' - "$bash_completion" 2>&1 | grep -qx 'complete -F _xdcp xdcp'; then
  pass
else
  fail "bash-completion does not load share/bash-completion/completions/xdcp"
fi

# The completion runs in this shell, as it would in an interactive one.
# shellcheck disable=SC1090
source "$bash_completion"
# shellcheck disable=SC1090
source "$script"
export XDCP_NODELIST=$tmp/nodelist.xml

# complete LINE: sets COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT as
# bash does for a <TAB> at the end of LINE (words split at blanks and at the
# characters of COMP_WORDBREAKS), runs _xdcp, and prints COMPREPLY sorted,
# one a line.
complete_line() {
  local line=$1 breaks=${COMP_WORDBREAKS//[\"\' $'\t\n']/}
  local words=() tok='' cls prevcls='' ch i
  for ((i = 0; i < ${#line}; i++)); do
    ch=${line:i:1}
    if [[ $ch == ' ' ]]; then
      [[ $tok ]] && words+=("$tok")
      tok=
      prevcls=
      continue
    fi
    if [[ $breaks == *"$ch"* ]]; then cls=sep; else cls=word; fi
    if [[ $tok && $cls != "$prevcls" ]]; then
      words+=("$tok")
      tok=
    fi
    tok+=$ch
    prevcls=$cls
  done
  words+=("$tok")
  COMP_WORDS=("${words[@]}")
  COMP_CWORD=$((${#words[@]} - 1))
  COMP_LINE=$line
  COMP_POINT=${#line}
  COMPREPLY=()
  _xdcp xdcp "${words[COMP_CWORD]}" "${words[COMP_CWORD - 1]}" 2>"$tmp/stderr"
  if [ -s "$tmp/stderr" ]; then
    echo "stderr completing '$line':" >&2
    cat "$tmp/stderr" >&2
  fi
  [ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort -u
}

# expect LINE WORD...: the completions of LINE are exactly WORD...
expect() {
  local line=$1 got want
  shift
  got=$(complete_line "$line")
  want=$([ $# -eq 0 ] || printf '%s\n' "$@" | sort -u)
  if [ "$got" = "$want" ]; then
    pass
  else
    fail "'$line<TAB>': got [${got//$'\n'/ }], want [${want//$'\n'/ }]"
  fi
}

# expect_has LINE WORD...: the completions of LINE include every WORD
expect_has() {
  local line=$1 got w missing=
  shift
  got=$(complete_line "$line")
  for w in "$@"; do
    grep -qxF -- "$w" <<<"$got" || missing+=" $w"
  done
  if [ -z "$missing" ]; then
    pass
  else
    fail "'$line<TAB>': missing$missing in [${got//$'\n'/ }]"
  fi
}

# Options: every long and short name of xdcp's option table.
table=$(sed -n '/^po::options_description OptionTable/,/^}/p' "$src/xdcp/options.cc")
mapfile -t longs < <(grep -o '("[A-Za-z][A-Za-z-]*' <<<"$table" | tr -d '("' |
  grep -vx -e operands -e c-alias | sed 's/^/--/')
mapfile -t shorts < <(grep -o '("[A-Za-z-]*,[A-Za-z]' <<<"$table" |
  sed 's/.*,/-/')
if [ ${#longs[@]} -gt 30 ] && [ ${#shorts[@]} -gt 18 ]; then
  pass
else
  fail "read ${#longs[@]} long and ${#shorts[@]} short options from options.cc"
fi
expect_has "xdcp -" "${longs[@]}" "${shorts[@]}"
expect_has "xdcp cn01 -" -F -X --nodelist --sn
# The options that take a value (the next word) as xdcp/options.cc has them:
# the word after the value is the noderange (-i and --sn change the mode:
# see below).
shortval=$(sed -n 's/.*kShortWithValue = "\([A-Za-z]*\)".*/\1/p' "$src/xdcp/options.cc")
mapfile -t longval < <(sed -n '/kLongWithValue\[\] = {/,/};/p' "$src/xdcp/options.cc" |
  grep -o '"--[A-Za-z-]*"' | tr -d '"')
if [ ${#shortval} -gt 5 ] && [ ${#longval[@]} -gt 10 ]; then
  pass
else
  fail "read '$shortval' and ${#longval[@]} long options with values from options.cc"
fi
for ((i = 0; i < ${#shortval}; i++)); do
  [ "${shortval:i:1}" = i ] || expect "xdcp -${shortval:i:1} value com" compute
done
for o in "${longval[@]}"; do
  case $o in
    --rootimg | --sn | --servicenodes | --for) ;;
    --nodelist) expect "xdcp $o $tmp/nodelist.xml com" compute ;;
    *) expect "xdcp $o value com" compute ;;
  esac
done
expect "xdcp -i /img com"  # -i takes no operands
expect "xdcp --rootimg /img -F $tmp/work/sy" "$tmp/work/synclist" "$tmp/work/syncdir"
expect "xdcp --no" --no-default-excludes --node-options --node-rcp \
  --nodelist --nodestatus
expect "xdcp --sil" --silent
# after --, no options: a noderange that starts with an exclusion
expect "xdcp -- -c" -cn01 -cn02 -cn10 -compute

# Node and group names of $XDCP_NODELIST for the noderange.
expect "xdcp " mn sn1 sn2 cn01 cn02 cn10 rack1 rack2 mgmt service all compute
expect "xdcp c" cn01 cn02 cn10 compute
expect "xdcp cn0" cn01 cn02
expect "xdcp -p -f 8 cn0" cn01 cn02
expect "xdcp -pRf 8 cn0" cn01 cn02
expect "xdcp -o -t cn0" cn01 cn02 # -t is the value of -o
expect "xdcp com" compute
expect "xdcp cn01,c" cn01,cn01 cn01,cn02 cn01,cn10 cn01,compute
expect "xdcp rack1,cn10,s" rack1,cn10,service rack1,cn10,sn1 rack1,cn10,sn2
expect "xdcp cn01,-cn0" cn01,-cn01 cn01,-cn02
expect "xdcp compute@ra" compute@rack1 compute@rack2
expect "xdcp cn01:cn0" cn01 cn02 # colons are word breaks: bash keeps cn01:
expect "xdcp commented"
expect "xdcp cn9"
expect "xdcp not"
expect "xdcp hid"
expect "xdcp --nodelist $tmp/other.xml o" other1 other2 others
expect "xdcp --nodelist=$tmp/other.xml o" other1 other2 others
expect "xdcp --NODELIST $tmp/other.xml o" other1 other2 others
if grep -qw localhost /etc/hosts; then # no database: host names
  XDCP_NODELIST=$tmp/none.xml expect_has "xdcp cn01,localh" cn01,localhost
fi
expect "xdcp --sn s" service sn1 sn2
expect "xdcp --servicenodes=sn" sn1 sn2

# Option values.
expect_has "xdcp cn01 -r " rsync scp
expect_has "xdcp cn01 -r /" "$(type -P rsync)" "$(type -P scp)"
expect "xdcp cn01 -r rs" rsync
expect "xdcp cn01 --node-rcp=s" scp
expect "xdcp cn01 -c r" rsync
expect "xdcp cn01 -f "
expect "xdcp cn01 -t "
expect_has "xdcp cn01 -l ro" root
expect_has "xdcp cn01 --user " root
cd "$tmp/work" || exit 1
expect "xdcp cn01 -F sy" synclist syncdir
expect "xdcp cn01 --file=sy" synclist syncdir
expect "xdcp cn01 -X ex" exclude.list
expect "xdcp cn01 -i sy" syncdir
expect "xdcp -pi sy" syncdir
expect "xdcp --nodelist sy" synclist syncdir
expect "xdcp cn01 --json=sy" synclist syncdir

# Paths for the other operands, and in --sn mode.
expect "xdcp cn01 sy" synclist syncdir
expect "xdcp cn01 synclist sy" synclist syncdir
expect "xdcp --sn sn1 sy" synclist syncdir
expect "xdcp cn01 -- sy" synclist syncdir

finish
