// Delivery through service nodes, shared by the copy, pull and synclist
// modes.
//
// Theory of operation. The nodes of a run are grouped by the SN that
// serves them (GroupByServiceNode): for a pool of SNs, one ssh login to
// each member first tells which are down, and the first member that is up
// serves. Nodes without an SN (all of them without a database, or on an
// SN itself) form the group "" and are reached directly. The plan of the
// direct nodes is followed by one job per SN: check that the SN runs this
// same xdcp, the mode's steps (stage, then run xdcp on the SN for its
// nodes with --report-results), close the SN's shared connection. Each job
// of an SN counts the nodes behind it; when the run ends, its result is
// replaced by one result per node behind it, from the records the SN
// printed (ResultsBehind), so that the user sees nodes, never SNs.
#include <sys/stat.h>

#include <cstdio>
#include <set>

#include "mode.h"
#include "printable.h"
#include "service_nodes.h"
#include "work_dir.h"

namespace xdcp {
namespace {

// A reporter that says nothing: for the reachability check of pools.
class QuietReporter : public Reporter {
 public:
  void Trace(const std::string&, const std::vector<std::string>&) override {}
  void Output(const std::string&, const std::string&) override {}
  void NodeDone(const NodeResult&) override {}
  void Finish(const std::vector<NodeResult>&) override {}
};

// For nodes with a pool of service nodes, the first reachable member
// delivers: one ssh login to each member tells which are down. Returns
// the signal that stopped the check (then nothing is down), or 0.
int UnreachablePoolMembers(const Options& o, const RunContext& run, const ClusterDb& db,
                           const std::vector<std::string>& nodes, std::set<std::string>* down) {
  std::vector<std::string> members = PooledServiceNodes(db, nodes);
  if (members.empty()) return 0;
  Options verify = o;
  verify.verify = true;
  Plan plan = MakePushPlan(verify, run, members, {}, "");
  QuietReporter quiet;
  RunOutcome outcome = RunPlan(plan, &quiet);
  if (outcome.interrupted_by) return outcome.interrupted_by;
  for (const auto& r : outcome.results) {
    if (r.state != NodeState::kFailed) continue;
    down->insert(r.node);
    fprintf(stderr, "Warning: service node %s is not reachable (%s); its pools use the next member\n",
            r.node.c_str(), Printable(r.reason, kMessageMax).c_str());
  }
  return 0;
}

// The results of the nodes behind service nodes: what their SN reported
// (see ResultsBehind). Jobs from `first_sn_job` on are service-node jobs.
std::vector<NodeResult> HierarchyResults(
    const RunOutcome& outcome, const std::vector<std::string>& job_nodes, size_t first_sn_job,
    const std::map<std::string, std::vector<std::string>>& groups, bool sn_must_succeed,
    Reporter* reporter) {
  std::vector<NodeResult> results;
  for (size_t i = 0; i < job_nodes.size(); ++i) {
    auto group = groups.find(job_nodes[i]);
    if (i < first_sn_job || group == groups.end() || group->first.empty()) {
      results.push_back(outcome.results[i]);
      continue;
    }
    for (auto& r : ResultsBehind(group->first, outcome.results[i], group->second,
                                 outcome.relayed, sn_must_succeed)) {
      reporter->NodeDone(r);
      results.push_back(std::move(r));
    }
  }
  return results;
}

}  // namespace

// `nodes` by the SN that serves them; "" holds the nodes reached
// directly: all of them on a service node itself (--source-prefix) or
// without a database.
// Returns the signal that stopped the pool check, or 0.
int GroupByServiceNode(const Options& o, const RunContext& run, const ClusterDb& db,
                       const std::vector<std::string>& nodes,
                       std::map<std::string, std::vector<std::string>>* groups) {
  if (db.loaded && o.source_prefix.empty()) {
    std::set<std::string> down;
    if (int sig = UnreachablePoolMembers(o, run, db, nodes, &down)) return sig;
    *groups = NodesByServiceNode(db, nodes, down);
  } else {
    (*groups)[""] = nodes;
  }
  return 0;
}

// Runs `plan`, whose jobs from `first_sn_job` on are SN jobs in `groups`
// order, with one result per node behind them (see ResultsBehind).
int ExecuteHierarchy(const Options& o, Plan plan, size_t first_sn_job,
                     const std::map<std::string, std::vector<std::string>>& groups,
                     bool sn_must_succeed) {
  std::vector<std::string> job_nodes;
  for (const auto& job : plan.jobs) job_nodes.push_back(job.node);
  return Execute(o, std::move(plan), [&](const RunOutcome& outcome, Reporter* reporter) {
    return HierarchyResults(outcome, job_nodes, first_sn_job, groups, sn_must_succeed,
                            reporter);
  });
}

// Runs `plan` (the nodes reached directly) and one job per SN of `groups`,
// made of the version check, `sn_steps` and the closing of the SN's shared
// connection, with one result per node behind each SN (ResultsBehind).
int RunThroughServiceNodes(const Options& o, const RunContext& run, Plan plan,
                           const std::map<std::string, std::vector<std::string>>& groups,
                           bool sn_must_succeed, const ServiceNodeSteps& sn_steps) {
  if (groups.size() == 1 && groups.count("")) return Execute(o, std::move(plan));
  size_t first_sn_job = plan.jobs.size();
  WorkDir work;
  if (work.path().empty()) return Fail(kExitUsage, "cannot make a work directory in /tmp");
  RunContext sn_run = run;
  sn_run.control_dir = work.path() + "/sn";
  mkdir(sn_run.control_dir.c_str(), 0700);
  std::string error;
  for (const auto& [sn, cns] : groups) {
    if (sn.empty()) continue;
    NodeJob job{sn, {VersionStep(o, sn_run, sn)}};
    if (!sn_steps(o, sn_run, sn, cns, work.path(), &job.steps, &error)) {
      return Fail(kExitUsage, error);
    }
    job.timeout = ServiceNodeJobTimeout(o, cns.size());
    job.steps.push_back(CloseSharedConnectionStep(o, sn_run, sn));
    job.behind = cns.size();
    plan.jobs.push_back(std::move(job));
  }
  return ExecuteHierarchy(o, std::move(plan), first_sn_job, groups, sn_must_succeed);
}

}  // namespace xdcp
