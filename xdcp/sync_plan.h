// Turns a parsed synclist into one plan per node (xdcp -F), or into local
// copies inside an image directory (xdcp -i). Not pure: the planner reads
// the file system, so that every input error is found before anything
// runs. It globs the sources and stats them (named links, files or
// directories, the size and time of EXECUTE triggers), reads the APPEND
// and MERGE files and checks the EXECUTE scripts are readable; -i also
// reads the image's links. It writes nothing: the transfer trees and the
// MERGE and APPEND work files are made by local steps when they run.
#ifndef XDCP_SYNC_PLAN_H_
#define XDCP_SYNC_PLAN_H_

#include <string>
#include <vector>

#include "cluster_db.h"
#include "noderange.h"
#include "options.h"
#include "plan.h"
#include "run_context.h"
#include "synclist.h"

namespace xdcp {

struct SyncPlanInput {
  const Options* options = nullptr;
  RunContext run;  // the ssh control directory and ciphers of this run
  const ClusterDb* db = nullptr;
  const SyncList* list = nullptr;
  std::vector<std::string> nodes;
  NodeRangeEnv noderange_env;
  // A private directory (mode 0700) for MERGE and APPEND work files.
  std::string workdir;
};

// On success fills `plan` and appends notes for the user to `warnings`
// ("FILE:LINE: ..."); on an input error returns false with `error`.
bool MakeSyncPlan(const SyncPlanInput& in, Plan* plan,
                  std::vector<std::string>* warnings, std::string* error);

}  // namespace xdcp

#endif  // XDCP_SYNC_PLAN_H_
