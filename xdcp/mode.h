// The modes of the command and what they share. RunCli (cli.cc) parses the
// command line and chooses one mode; each mode, in a file of its own,
// loads its inputs, plans, executes and reports:
//
//   copy_mode.cc      plain copy (push) and pull (-P)
//   synclist_mode.cc  -F SYNCLIST, to nodes and through service nodes
//   image_mode.cc     -i IMAGE: a synclist into an image directory
//   mirror_mode.cc    --sn / --for: service-node mirror
//   hierarchy.cc      delivery through service nodes (copy, pull, -F)
//   connections.cc    --persist, --close-connections, shared connections
//   remote_checks.cc  --require-version, --tree-digest (asked by the MN)
//   execute.cc        running a plan and reporting its results
//   mode.cc           messages and small loaders the modes share
//
// A mode is given the user's Options, which nothing changes, and the
// RunContext of what xdcp decided for the run (run_context.h).
// Internal to the command: only cli.cc and the mode files include it.
#ifndef XDCP_MODE_H_
#define XDCP_MODE_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli.h"
#include "cluster_db.h"
#include "executor.h"
#include "noderange.h"
#include "options.h"
#include "plan.h"
#include "report.h"
#include "run_context.h"
#include "synclist.h"

namespace xdcp {

// Messages quote files, lines and names the admin may not have written:
// never a raw control character, never kilobytes of it.
constexpr size_t kMessageMax = 1024;

// Prints "Error: MESSAGE" and returns `code`.
int Fail(int code, const std::string& message);

// Prints each of `warnings` as "Warning: ..."; returns 0.
int ShowWarnings(const std::vector<std::string>& warnings);

// A run stopped by signal `sig` while checking the service node pools,
// before anything was sent: says so, returns 128 + sig.
int StoppedBeforeStart(int sig);

// `path` made absolute against the current directory.
std::string Absolute(const std::string& path);

// Reads and parses the synclist `path`.
bool LoadSyncList(const std::string& path, SyncList* list, std::string* error);

// The site's SNsyncfiledir without trailing slashes.
std::string SnSyncFileDir(const ClusterDb& db);

// Turns what ran into the results the user sees; hierarchical runs replace
// service-node jobs by the results of the nodes behind them.
using Finalize =
    std::function<std::vector<NodeResult>(const RunOutcome&, Reporter*)>;

// Runs `plan` and reports it in the styles `o` asks for (-T, -Q, --json,
// --fold, ...); with --dry-run and `show_plan_only` the plan is shown
// instead. Returns the exit code.
int Execute(const Options& o, Plan plan, const Finalize& finalize = nullptr,
            bool show_plan_only = true);

// Every job that talks to a node more than once ends by closing its shared
// connection; a job with one command shares none (connections.cc).
void CloseSharedConnections(const Options& o, const RunContext& run, Plan* plan);

// --persist and --close-connections: sets run->control_dir to
// LOCK_DIR/ssh, checked root-only; with neither, changes nothing.
bool UsePersistentConnections(const Options& o, RunContext* run, std::string* error);

// --close-connections: ends each node's persistent connection.
int CloseConnections(const Options& o, const RunContext& run,
                     const std::vector<std::string>& nodes);

// `nodes` by the SN that serves them; "" holds the nodes reached directly.
// Returns the signal that stopped the pool check, or 0 (hierarchy.cc).
int GroupByServiceNode(const Options& o, const RunContext& run, const ClusterDb& db,
                       const std::vector<std::string>& nodes,
                       std::map<std::string, std::vector<std::string>>* groups);

// Runs `plan`, whose jobs from `first_sn_job` on are SN jobs in `groups`
// order, with one result per node behind them (see ResultsBehind).
int ExecuteHierarchy(const Options& o, Plan plan, size_t first_sn_job,
                     const std::map<std::string, std::vector<std::string>>& groups,
                     bool sn_must_succeed = false);

// The steps of an SN's job between the version check and closing its
// shared connection; `workdir` is private to the run, `run` the facts of
// the SN jobs (their own control directory).
using ServiceNodeSteps = std::function<bool(
    const Options& o, const RunContext& run, const std::string& sn,
    const std::vector<std::string>& cns, const std::string& workdir, std::vector<Step>* steps,
    std::string* error)>;

// Runs `plan` (the nodes reached directly) and one job per SN of `groups`,
// made of the version check, `sn_steps` and the closing of the SN's shared
// connection, with one result per node behind each SN (ResultsBehind).
int RunThroughServiceNodes(const Options& o, const RunContext& run, Plan plan,
                           const std::map<std::string, std::vector<std::string>>& groups,
                           bool sn_must_succeed, const ServiceNodeSteps& sn_steps);

// The modes.
int CopyFiles(const Options& o, const RunContext& run, const ClusterDb& db,
              const std::vector<std::string>& nodes);
int SyncFiles(const Options& o, const RunContext& run, const ClusterDb& db,
              const NodeRangeEnv& env, const std::vector<std::string>& nodes);
int SyncImage(const Options& o);
int MirrorToServiceNodes(const Options& o, const ClusterDb& db,
                         const NodeRangeEnv& env,
                         const std::map<std::string, std::string>& environment);
int CheckVersion(const std::string& wanted);
int PrintTreeDigest(const Options& o);

}  // namespace xdcp

#endif  // XDCP_MODE_H_
