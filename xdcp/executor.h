// Runs a Plan: one Boost.Asio event loop, at most plan.fanout children at
// once. This is the only code that spawns or reaps processes.
#ifndef XDCP_EXECUTOR_H_
#define XDCP_EXECUTOR_H_

#include <vector>

#include "plan.h"
#include "report.h"
#include "result.h"

namespace xdcp {

struct RunOutcome {
  std::vector<NodeResult> results;  // one per job, in plan order
  int interrupted_by = 0;           // SIGINT, SIGTERM or SIGHUP, or 0
  // Results of nodes behind service nodes, as the SN's job printed them;
  // service_node is the node of the job that printed the record.
  std::vector<NodeResult> relayed;
};

struct ExecutorConfig {
  int kill_grace_ms = 2000;  // SIGTERM to SIGKILL
  int eof_grace_ms = 2000;   // after exit, how long a pipe may stay open
  int retries = 4;           // of a step refused before authentication
  int retry_base_ms = 250;   // first pause; doubles, plus up to as much jitter
};

// Runs every job of `plan`, reporting through `reporter`, and returns when
// every node has its result. SIGINT, SIGTERM and SIGHUP received meanwhile
// stop all children (whole process groups) and end the run early: nodes
// not finished are failed with class "interrupted".
RunOutcome RunPlan(const Plan& plan, Reporter* reporter,
                   const ExecutorConfig& config = ExecutorConfig());

}  // namespace xdcp

#endif  // XDCP_EXECUTOR_H_
