// The steps of a synclist's clauses on one node: EXECUTE and
// EXECUTEALWAYS run a script on the node; APPEND and MERGE fetch the
// node's file, edit it here (merge.h) and commit the result on the node.
#ifndef XDCP_CLAUSE_STEPS_H_
#define XDCP_CLAUSE_STEPS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "options.h"
#include "plan.h"
#include "run_context.h"
#include "synclist.h"

namespace xdcp {

// The steps of `list`'s clauses on `node`, appended to `steps`: MERGE,
// then APPEND (each: fetch, edit, commit; work files under `workdir`,
// named after the node), then EXECUTE (run if its trigger changed on the
// node), then EXECUTEALWAYS for the scripts in `synced` (the source
// tokens this node's lines delivered). `contents` holds each APPEND and
// MERGE file, read once when the plan was made.
void ClauseSteps(const Options& o, const RunContext& run, const SyncList& list,
                 const std::map<std::string, std::string>& contents,
                 const std::string& workdir, const std::string& node,
                 const std::set<std::string>& synced, std::vector<Step>* steps);

// The local source whose change triggers an EXECUTE script: the script's
// path without ".post".
std::string Trigger(const std::string& entry);

}  // namespace xdcp

#endif  // XDCP_CLAUSE_STEPS_H_
