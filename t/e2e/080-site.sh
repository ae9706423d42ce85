#!/bin/bash
# User story: a site's scripts read the results as JSON (--json); people read folded output (--fold).
# Fitting a site: machine-readable results (--json) from a real run, and
# folded output (--fold).
. "$(dirname "$0")/lib.sh"

echo payload >"$WORK/file"
"$CLUSTER" stop-sshd "$XDCP_CLUSTER" cn4
xdcp 'cn[1-4]' --json "$WORK/file" /tmp/json
"$CLUSTER" start-sshd "$XDCP_CLUSTER" cn4
check "--json: exit status unchanged (1)" rc_is 1
cat >"$WORK/check.py" <<'PY'
import json, sys
objs = [json.loads(line) for line in open(sys.argv[1])]
nodes = {o["node"]: o for o in objs if o["type"] == "node"}
summary = [o for o in objs if o["type"] == "summary"]
assert sorted(nodes) == ["cn1", "cn2", "cn3", "cn4"], nodes
keys = {"node", "state", "class", "reason", "failed_step", "exit_code", "service_node",
        "commands", "files_changed", "bytes", "duration", "last_lines"}
for o in nodes.values():
    assert keys <= set(o), o
    assert isinstance(o["duration"], float) and isinstance(o["last_lines"], list)
assert nodes["cn4"]["state"] == "failed" and nodes["cn4"]["class"] == "unreachable"
assert any("Connection refused" in l for l in nodes["cn4"]["last_lines"])
assert all(nodes[n]["state"] == "ok" and nodes[n]["class"] is None for n in ["cn1", "cn2", "cn3"])
assert summary == [{"type": "summary", "nodes": 4, "ok": 3, "failed": 1, "skipped": 0,
                    "exit_code": 1}], summary
PY
check "--json: one valid object per node and a summary, per the schema" python3 "$WORK/check.py" "$WORK/out"
check "--json on stdout replaces the NODE: lines there" eval '! grep -q "^cn4: " $WORK/out'

xdcp 'cn[1-3]' --json="$WORK/results.json" "$WORK/file" /tmp/json
check "--json=FILE writes the file and keeps the classic output" eval \
  'rc_is 0 && [ "$(grep -c "\"type\":\"node\"" $WORK/results.json)" = 3 ]'

printf '#!/bin/sh\necho "same on every node"\n' >"$WORK/same.sh"
chmod +x "$WORK/same.sh"
printf '%s -> /tmp/same.sh\nEXECUTEALWAYS:\n%s\n' "$WORK/same.sh" "$WORK/same.sh" >"$WORK/fold.synclist"
xdcp 'cn[1-4]' --fold -F "$WORK/fold.synclist"
check "--fold shows identical output of several nodes once, as a noderange" eval \
  'rc_is 0 && [ "$(cat $WORK/out)" = "cn[1-4]: same on every node" ]'
check "nothing is left running" no_leftovers
finish
