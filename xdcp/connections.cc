// The nodes' shared ssh connections: closed at the end of a job, kept
// for the next run (--persist), or closed on request (--close-connections).
#include <unistd.h>

#include "mode.h"
#include "private_dir.h"

namespace xdcp {

// Every job that talks to a node more than once ends by closing its
// shared connection. A job with one command (a synclist without scripts,
// APPEND or MERGE: one rsync) shares nothing: it runs without a master,
// as a plain `rsync -e ssh` would, and needs no closing command.
void CloseSharedConnections(const Options& o, const RunContext& run, Plan* plan) {
  for (auto& job : plan->jobs) {
    Step* only = nullptr;
    int commands = 0;
    for (auto& step : job.steps) {
      if (!step.argv.empty() && ++commands == 1) only = &step;
    }
    if (commands == 1) {
      UnshareConnection(o, run, only);
    } else if (commands > 1) {
      job.steps.push_back(CloseSharedConnectionStep(o, run, job.node));
    }
  }
}

// --persist and --close-connections: the nodes' ssh control sockets live
// in LOCK_DIR/ssh, a directory only this user can write, checked like the
// lock directory (ssh follows ControlPath as a path: every component of
// it is ours).
bool UsePersistentConnections(const Options& o, RunContext* run, std::string* error) {
  if (o.persist == 0 && o.close_connections.empty()) return true;
  int parent = OpenPrivateDir(o.lock_dir, error);
  if (parent < 0) return false;
  close(parent);
  std::string dir = o.lock_dir + "/ssh";
  int fd = OpenPrivateDir(dir, error, "connection directory");
  if (fd < 0) return false;
  close(fd);
  run->control_dir = dir;
  return true;
}

// --close-connections: ends the persistent connection of each node (ssh
// -O exit); a node without one is no failure.
int CloseConnections(const Options& o, const RunContext& run,
                     const std::vector<std::string>& nodes) {
  Plan plan;
  plan.fanout = o.fanout;
  plan.node_timeout = o.timeout;
  for (const auto& node : nodes) {
    plan.jobs.push_back({node, {CloseSharedConnectionStep(o, run, node)}});
  }
  return Execute(o, std::move(plan));
}

}  // namespace xdcp
