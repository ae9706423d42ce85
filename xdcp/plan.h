// A plan is plain data: for each node, the commands to run in order, so
// that -T can print it and tests can compare argv vectors. Planning reads
// no clock and no environment variable and spawns nothing; the planners of
// this file read nothing but their arguments. Others read files, and say
// so where they are declared: the synclist plans glob and stat their
// sources and read the clause files (sync_plan.h); the service-node steps
// stat what they stage and write their file lists into the work directory
// (service_nodes.h); the mirror plan walks the mirrored trees and writes
// its digest probes' exclusion lists there (mirror_plan.h). A local step
// (StepKind::kLocal) does its work when it runs, never when it is planned.
#ifndef XDCP_PLAN_H_
#define XDCP_PLAN_H_

#include <functional>
#include <string>
#include <vector>

#include "options.h"
#include "rsync_command.h"
#include "run_context.h"

namespace xdcp {

enum class StepKind {
  kVerify,  // ssh NODE true: is the node reachable at all (-v)
  kCopy,    // an rsync or scp run
  kRemote,  // a command or script run on the node (EXECUTE, ...)
  kLocal,   // work done inside xdcp between two commands (MERGE, APPEND)
};

// How the names in a copy's change records map back to local sources.
// rsync names what it changed relative to the transfer root: `name` is that
// root's name as rsync reports it ("" when the source had a trailing slash)
// and `local` the local path it stands for; `any` says every record of the
// run is this source (a run that copies one file under a new name).
struct ChangeRoot {
  std::string name;
  std::string local;
  bool any = false;
};

// What a node's file should look like if it is the same as a local source
// (scp has no change records: xdcp compares size and time itself).
struct Probe {
  std::string local;  // the local source it stands for
  long long size = 0;
  long long mtime = 0;
};

struct Step {
  StepKind kind = StepKind::kCopy;
  std::vector<std::string> argv;
  std::string what;        // for messages: "copy /etc/hosts -> /tmp/hosts"
  std::string stdin_path;  // the child's stdin; empty: /dev/null
  // The child's stdin is a pipe that xdcp holds open, writing nothing,
  // until the step ends: a remote xdcp reading it sees EOF the moment this
  // xdcp or its ssh goes away (see "SERVICE NODES" in xdcp(1)).
  bool stdin_held = false;
  std::vector<ChangeRoot> change_roots;  // set: the output has change records
  // Run only if one of these local sources changed on this node in this
  // run (EXECUTE); empty: always.
  std::vector<std::string> run_if_changed;
  // The output carries result records of other nodes (kResultMarker lines,
  // from xdcp --report-results on a service node); other lines are shown
  // as they come, already prefixed with their node's name.
  bool relays_results = false;
  // Output lines are "SIZE MTIME" or "missing", one per probe, in order;
  // a local source whose line differs counts as changed on the node.
  std::vector<Probe> probes;
  bool may_fail = false;  // a failure does not fail the node
  // A may_fail step that failed says so, as a line of its node's output,
  // with this text, then why (nothing if empty).
  std::string failure_note;
  // Waits until job `after_job` of the plan has its result, and is passed
  // over if that job failed (a service node relaying from another, which
  // must be complete first). Plans put that job before this one, so a
  // job that waits never holds back the job it waits for.
  int after_job = -1;
  // Runs also after an earlier step failed or the run was interrupted,
  // before the node gets its result (the first failure's): closing the
  // node's shared connection, which would otherwise outlive xdcp.
  bool cleanup = false;
  bool quiet = false;     // its output is not shown
  // kLocal: the work; returns "" or what went wrong.
  std::function<std::string()> local;
  // kLocal: after the work, what it found, for -T ("": nothing to say),
  // and the names it marks changed on this node (for run_if_changed).
  std::function<std::string()> local_note;
  std::function<std::vector<std::string>()> local_changed;
  // A probe step's output lines after the probes' own, one at a time (the
  // service node's list of differing directories).
  std::function<void(const std::string&)> more_lines;
};

struct NodeJob {
  std::string node;
  std::vector<Step> steps;  // run one after another; the first failure ends
  int timeout = -1;  // seconds for this job; -1: the plan's node_timeout
  // A service node's job: the number of nodes behind it that it reports
  // results for (progress counts those nodes, not the job).
  size_t behind = 0;
};

struct Plan {
  std::vector<NodeJob> jobs;
  int fanout = kDefaultFanout;
  int node_timeout = 0;  // seconds for a node's whole job; 0 = none
  // One xdcp at a time per target on this management node: a job holds
  // LOCK_DIR/NODE.lock while it runs, and a job whose node another run
  // holds fails with "sync already in progress". Empty: no locks.
  // `lock_dir_fd` is that directory, opened and checked root-only by the
  // caller (see OpenPrivateDir); lock files are opened relative to it.
  std::string lock_dir;
  int lock_dir_fd = -1;
  // xdcp runs for another xdcp (on a service node, --report-results): its
  // stdin is held open by that xdcp (Step::stdin_held), and EOF there means
  // it is gone; the run then stops as on SIGHUP.
  bool watch_stdin = false;
};

// A local source operand after glob expansion; `symlink` says whether the
// path itself is a symbolic link (named links are delivered as their
// target's content, as scp does; links inside directories stay links).
struct LocalSource {
  std::string path;
  bool symlink = false;
};

// A command line run by the node's shell over ssh (quote what it holds).
Step RemoteCommandStep(const Options& o, const RunContext& run, const std::string& node,
                       const std::string& command, const std::string& what);

// Makes `step` (built with `run`, whose control_dir is set) use a
// connection of its own: its ssh options lose ControlMaster, ControlPath
// and ControlPersist.
void UnshareConnection(const Options& o, const RunContext& run, Step* step);

// The step that closes a node's shared ssh connection at the end of its
// job (see RunContext::control_dir); it may fail and says nothing.
Step CloseSharedConnectionStep(const Options& o, const RunContext& run,
                               const std::string& node);

// Plain push: copies `sources` to `target` on every node.
Plan MakePushPlan(const Options& o, const RunContext& run,
                  const std::vector<std::string>& nodes,
                  const std::vector<LocalSource>& sources,
                  const std::string& target);

// After an scp pull into `path` (a file or a tree): a local step that
// clears every set-user-ID and set-group-ID bit there, following no link
// (rsync pulls need none: CopyPurpose::kPull has --chmod=ugo-s).
Step ClearSetIdStep(const std::string& path);

// Pull (-P): copies `source` from every node into `dir`/NAME._NODE.
Plan MakePullPlan(const Options& o, const RunContext& run,
                  const std::vector<std::string>& nodes,
                  const std::string& source, const std::string& dir);

}  // namespace xdcp

#endif  // XDCP_PLAN_H_
