#include "cli.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <fstream>
#include <sstream>

#include "cluster_db.h"
#include "executor.h"
#include "filelist.h"
#include "noderange.h"
#include "options.h"
#include "plan.h"
#include "printable.h"
#include "private_dir.h"
#include "report.h"
#include "service_nodes.h"
#include "sources.h"
#include "ssh_cipher.h"
#include "sync_plan.h"
#include "synclist.h"
#include "tree_digest.h"

namespace xdcp {
namespace {

// Messages quote files, lines and names the admin may not have written:
// never a raw control character, never kilobytes of it.
constexpr size_t kMessageMax = 1024;

int Fail(int code, const std::string& message) {
  fprintf(stderr, "Error: %s\n", Printable(message, kMessageMax).c_str());
  return code;
}

std::string Basename(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int UsageError(const std::string& message) {
  fprintf(stderr, "Error: %s\nRun 'xdcp -h' for usage.\n",
          Printable(message, kMessageMax).c_str());
  return kExitUsage;
}


// The database is optional unless named: a missing default file means
// "names are host names", a missing file the admin named is an error.
bool LoadDb(const Options& o, ClusterDb* db, std::string* error) {
  struct stat st;
  if (!o.nodelist_named && stat(o.nodelist.c_str(), &st) != 0) return true;
  return LoadClusterDb(o.nodelist, db, error);
}

bool IsExecutable(const std::string& cmd, const std::string& path_env) {
  if (cmd.find('/') != std::string::npos) {
    struct stat st;
    return stat(cmd.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           access(cmd.c_str(), X_OK) == 0;
  }
  std::istringstream dirs(path_env);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (IsExecutable((dir.empty() ? "." : dir) + "/" + cmd, "")) return true;
  }
  return false;
}

std::string Get(const std::map<std::string, std::string>& env, const char* k) {
  auto it = env.find(k);
  return it == env.end() ? "" : it->second;
}

// Raises the open-file limit as far as allowed and caps the fan-out to
// what it permits: each running copy holds one pipe here, plus a few
// while it starts.
int FanoutWithinFileLimit(int fanout) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return fanout;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  long cap = (static_cast<long>(rl.rlim_cur) - 64) / 4;
  if (cap < 1) cap = 1;
  if (fanout <= cap) return fanout;
  fprintf(stderr, "Warning: fan-out %d needs more open files than allowed (%ld); using %ld\n",
          fanout, static_cast<long>(rl.rlim_cur), cap);
  return static_cast<int>(cap);
}

// On a service node, xdcp's stdin is the management node's ssh channel,
// which the management node holds open (Step::stdin_held): its EOF means
// the management node or its ssh is gone.
bool StdinIsPipe() {
  struct stat st;
  return fstat(0, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

// Turns what ran into the results the user sees; hierarchical runs replace
// service-node jobs by the results of the nodes behind them.
using Finalize =
    std::function<std::vector<NodeResult>(const RunOutcome&, Reporter*)>;

int Execute(const Options& o, Plan plan, const Finalize& finalize = nullptr,
            bool show_plan_only = true) {
  ReportStyle style;
  style.trace = o.trace || o.dry_run;
  style.silent = o.silent;
  style.nodestatus = o.nodestatus;
  style.records = o.report_results;
  // JSON on standard output replaces the NODE: lines there (they are in
  // each object's last_lines); JSON to a file comes in addition.
  style.no_output = o.json == "-";
  LineReporter lines(style, stdout, stderr);
  Reporter* chain = &lines;
  FoldingReporter folding(chain, stdout);
  if (o.fold && !o.report_results) chain = &folding;
  FILE* json_out = nullptr;
  if (!o.json.empty()) {
    // Close-on-exec: the children must not hold it open (nor write to
    // it); 0600: the records name nodes and carry their output.
    int fd = o.json == "-" ? -1
                           : open(o.json.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    json_out = o.json == "-" ? stdout : fd < 0 ? nullptr : fdopen(fd, "w");
    if (!json_out) return Fail(kExitUsage, o.json + ": " + strerror(errno));
  }
  JsonReporter json(chain, json_out);
  if (json_out) chain = &json;
  Reporter& reporter = *chain;
  struct Closer {
    FILE* f;
    ~Closer() {
      if (f && f != stdout) fclose(f);
    }
  } closer{json_out};
  if (o.dry_run && show_plan_only) {  // the same plan, shown instead of run
    for (const auto& job : plan.jobs) {
      for (const auto& step : job.steps) {
        bool local = step.kind == StepKind::kLocal;
        reporter.Trace(job.node, local ? std::vector<std::string>{"(local)", step.what} : step.argv);
      }
    }
    return kExitOk;
  }
  plan.fanout = FanoutWithinFileLimit(plan.fanout);
  std::string error;
  plan.lock_dir = o.lock_dir;
  plan.lock_dir_fd = OpenPrivateDir(o.lock_dir, &error);
  if (plan.lock_dir_fd < 0) return Fail(kExitUsage, error);
  plan.watch_stdin = o.report_results && StdinIsPipe();
  RunOutcome outcome = RunPlan(plan, &reporter);
  close(plan.lock_dir_fd);
  std::vector<NodeResult> results =
      finalize ? finalize(outcome, &reporter) : outcome.results;
  reporter.Finish(results);
  if (outcome.interrupted_by) return 128 + outcome.interrupted_by;
  return ExitCodeFor(results);
}

// A private directory for MERGE and APPEND work files, removed at the end.
class WorkDir {
 public:
  WorkDir() {
    char tmpl[] = "/tmp/xdcp.XXXXXX";
    if (mkdtemp(tmpl)) path_ = tmpl;
  }
  ~WorkDir() {
    if (!path_.empty()) Remove(path_);
  }
  const std::string& path() const { return path_; }

 private:
  // The directory holds files and at most one level of directories.
  static void Remove(const std::string& dir) {
    if (DIR* d = opendir(dir.c_str())) {
      while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string path = dir + "/" + name;
        if (unlink(path.c_str()) != 0) Remove(path);
      }
      closedir(d);
    }
    rmdir(dir.c_str());
  }
  std::string path_;
};

bool LoadSyncList(const std::string& path, SyncList* list, std::string* error) {
  std::string text;
  if (!ReadWholeFile(path, &text)) {
    *error = "File:" + path + " does not exist.";
    return false;
  }
  return ParseSyncList(path, text, list, error);
}

int ShowWarnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    fprintf(stderr, "Warning: %s\n", Printable(w, kMessageMax).c_str());
  }
  return 0;
}

// On a service node: every local path of the list is under the staging
// directory the management node filled.
void PrefixSources(const std::string& prefix, SyncList* list) {
  if (prefix.empty()) return;
  for (auto& line : list->lines) {
    for (auto& s : line.sources) s = prefix + s;
  }
  for (auto* clause : {&list->execute, &list->execute_always, &list->append,
                       &list->merge}) {
    for (auto& e : *clause) e.path = prefix + e.path;
  }
}

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
int UnreachablePoolMembers(const Options& o, const ClusterDb& db,
                           const std::vector<std::string>& nodes, std::set<std::string>* down) {
  std::vector<std::string> members = PooledServiceNodes(db, nodes);
  if (members.empty()) return 0;
  Options verify = o;
  verify.verify = true;
  Plan plan = MakePushPlan(verify, members, {}, "");
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

// A run stopped by a signal before anything was sent.
int StoppedBeforeStart(int sig) {
  return Fail(128 + sig, std::string("stopped by ") + strsignal(sig) +
                             " while checking the service node pools; nothing was sent");
}

std::string SnSyncFileDir(const ClusterDb& db) {
  std::string sndir = db.site.sn_sync_file_dir;
  while (sndir.size() > 1 && sndir.back() == '/') sndir.pop_back();
  return sndir;
}

// Writes what `sn`'s nodes need of the database (DatabaseForServiceNode),
// 0600, to ROOT/./DB_PATH and returns that path in `staged`: staging sends
// it as DB_PATH (rsync -R starts the name at "/./").
bool WriteServiceNodeDb(const ClusterDb& db, const std::vector<std::string>& cns,
                        const std::string& root, std::string* staged, std::string* error) {
  std::string path = root + "/.";
  mkdir(root.c_str(), 0700);
  for (size_t slash = 0; (slash = db.path.find('/', slash + 1)) != std::string::npos;) {
    mkdir((path + db.path.substr(0, slash)).c_str(), 0700);
  }
  path += db.path;
  std::string xml = ClusterDbToXml(DatabaseForServiceNode(db, cns));
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write(fd, xml.data(), xml.size()) == static_cast<ssize_t>(xml.size());
  if (fd >= 0 && close(fd) != 0) ok = false;
  if (!ok) *error = "cannot write " + path + ": " + strerror(errno);
  *staged = path;
  return ok;
}

// Per service node: check its xdcp, stage what its nodes need, deliver
// from it (or only stage, with -s). See service_nodes.h.
bool AddServiceNodeJobs(const Options& flat, const ClusterDb& db, const NodeRangeEnv& env,
                        const SyncList& list,
                        const std::map<std::string, std::vector<std::string>>& groups,
                        const std::string& workdir, Plan* plan, std::string* error) {
  // An SN can also be a target of its own in the same run: its two jobs
  // must not share (and close) one connection.
  Options o = flat;
  o.control_dir = workdir + "/sn";
  mkdir(o.control_dir.c_str(), 0700);
  std::string sndir = SnSyncFileDir(db);
  for (const auto& [sn, cns] : groups) {
    if (sn.empty()) continue;
    std::vector<std::string> files;
    if (!FilesToStage(db, env, cns, {&list}, &files, error)) return false;
    if (db.loaded) {
      std::string staged;
      if (!WriteServiceNodeDb(db, cns, workdir + "/db." + sn, &staged, error)) return false;
      files.push_back(staged);
    }
    files.insert(files.end(), o.exclude_from.begin(), o.exclude_from.end());
    NodeJob job{sn, {}};
    if (!o.stage_only) job.steps.push_back(VersionStep(o, sn));
    if (!StagingSteps(o, sn, sndir, files, workdir + "/stage." + sn, &job.steps, error))
      return false;
    if (!o.stage_only) {
      job.steps.push_back(DeliveryStep(o, sn, cns, sndir, list.path,
                                       db.loaded ? db.path : ""));
      job.timeout = ServiceNodeJobTimeout(o, cns.size());
    }
    job.steps.push_back(CloseSharedConnectionStep(o, sn));
    if (!o.stage_only) job.behind = cns.size();
    plan->jobs.push_back(std::move(job));
  }
  return true;
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

// Every job that talks to a node more than once ends by closing its
// shared connection. A job with one command (a synclist without scripts,
// APPEND or MERGE: one rsync) shares nothing: it runs without a master,
// as a plain `rsync -e ssh` would, and needs no closing command.
void CloseSharedConnections(const Options& o, Plan* plan) {
  for (auto& job : plan->jobs) {
    Step* only = nullptr;
    int commands = 0;
    for (auto& step : job.steps) {
      if (!step.argv.empty() && ++commands == 1) only = &step;
    }
    if (commands == 1) {
      UnshareConnection(o, only);
    } else if (commands > 1) {
      job.steps.push_back(CloseSharedConnectionStep(o, job.node));
    }
  }
}

// --persist and --close-connections: the nodes' ssh control sockets live
// in LOCK_DIR/ssh, a directory only this user can write, checked like the
// lock directory (ssh follows ControlPath as a path: every component of
// it is ours).
bool UsePersistentConnections(Options* o, std::string* error) {
  if (o->persist == 0 && o->close_connections.empty()) return true;
  int parent = OpenPrivateDir(o->lock_dir, error);
  if (parent < 0) return false;
  close(parent);
  std::string dir = o->lock_dir + "/ssh";
  int fd = OpenPrivateDir(dir, error, "connection directory");
  if (fd < 0) return false;
  close(fd);
  o->control_dir = dir;
  return true;
}

// --close-connections: ends the persistent connection of each node (ssh
// -O exit); a node without one is no failure.
int CloseConnections(const Options& o, const std::vector<std::string>& nodes) {
  Plan plan;
  plan.fanout = o.fanout;
  plan.node_timeout = o.timeout;
  for (const auto& node : nodes) plan.jobs.push_back({node, {CloseSharedConnectionStep(o, node)}});
  return Execute(o, std::move(plan));
}

// `nodes` by the SN that serves them; "" holds the nodes reached
// directly: all of them on a service node itself (--source-prefix) or
// without a database.
// Returns the signal that stopped the pool check, or 0.
int GroupByServiceNode(const Options& o, const ClusterDb& db,
                       const std::vector<std::string>& nodes,
                       std::map<std::string, std::vector<std::string>>* groups) {
  if (db.loaded && o.source_prefix.empty()) {
    std::set<std::string> down;
    if (int sig = UnreachablePoolMembers(o, db, nodes, &down)) return sig;
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
                     bool sn_must_succeed = false) {
  std::vector<std::string> job_nodes;
  for (const auto& job : plan.jobs) job_nodes.push_back(job.node);
  return Execute(o, std::move(plan), [&](const RunOutcome& outcome, Reporter* reporter) {
    return HierarchyResults(outcome, job_nodes, first_sn_job, groups, sn_must_succeed,
                            reporter);
  });
}

int SyncFiles(const Options& options, const ClusterDb& db, const NodeRangeEnv& env,
              const std::vector<std::string>& nodes) {
  Options o = options;
  SyncList list;
  std::string error;
  if (!LoadSyncList(o.synclist, &list, &error)) return Fail(kExitUsage, error);
  PrefixSources(o.source_prefix, &list);
  std::map<std::string, std::vector<std::string>> groups;
  if (int sig = GroupByServiceNode(o, db, nodes, &groups)) return StoppedBeforeStart(sig);
  if (o.stage_only && groups[""].size() > 0) {
    fprintf(stderr, "Warning: -s: %s have no service node; nothing is staged for them\n",
            FoldNodeRange(groups[""]).c_str());
  }
  WorkDir work;
  if (work.path().empty()) return Fail(kExitUsage, "cannot make a work directory in /tmp");
  if (o.control_dir.empty()) o.control_dir = work.path();
  SyncPlanInput in;
  in.options = &o;
  in.db = &db;
  in.list = &list;
  in.nodes = o.stage_only ? std::vector<std::string>() : groups[""];
  in.noderange_env = env;
  in.workdir = work.path();
  Plan plan;
  std::vector<std::string> warnings;
  if (!MakeSyncPlan(in, &plan, &warnings, &error)) return Fail(kExitUsage, error);
  if (o.stage_only) {
    for (const auto& n : groups[""]) plan.jobs.push_back({n, {}});  // skipped
  }
  if (o.persist == 0) CloseSharedConnections(o, &plan);
  size_t first_sn_job = plan.jobs.size();
  if (!AddServiceNodeJobs(o, db, env, list, groups, work.path(), &plan, &error))
    return Fail(kExitUsage, error);
  ShowWarnings(warnings);
  if (o.stage_only) return Execute(o, std::move(plan));
  return ExecuteHierarchy(o, std::move(plan), first_sn_job, groups);
}

int SyncImage(const Options& o) {
  SyncList list;
  std::string error;
  if (!LoadSyncList(o.synclist, &list, &error)) return Fail(kExitUsage, error);
  struct stat st;
  if (stat(o.rootimg.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Fail(kExitUsage, "image directory " + o.rootimg + " does not exist");
  }
  Plan plan;
  std::vector<std::string> warnings;
  if (!MakeImagePlan(o, list, o.rootimg, &plan, &warnings, &error)) {
    return Fail(kExitUsage, error);
  }
  ShowWarnings(warnings);
  return Execute(o, std::move(plan));
}

std::string Absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  return getcwd(cwd, sizeof cwd) ? std::string(cwd) + "/" + path : path;
}

// The steps of an SN's job between the version check and closing its
// shared connection; `workdir` is private to the run.
using ServiceNodeSteps = std::function<bool(
    const Options& o, const std::string& sn, const std::vector<std::string>& cns,
    const std::string& workdir, std::vector<Step>* steps, std::string* error)>;

// Runs `plan` (the nodes reached directly) and one job per SN of `groups`,
// made of the version check, `sn_steps` and the closing of the SN's shared
// connection, with one result per node behind each SN (ResultsBehind).
int RunThroughServiceNodes(const Options& flat, Plan plan,
                           const std::map<std::string, std::vector<std::string>>& groups,
                           bool sn_must_succeed, const ServiceNodeSteps& sn_steps) {
  if (groups.size() == 1 && groups.count("")) return Execute(flat, std::move(plan));
  size_t first_sn_job = plan.jobs.size();
  WorkDir work;
  if (work.path().empty()) return Fail(kExitUsage, "cannot make a work directory in /tmp");
  Options o = flat;
  o.control_dir = work.path() + "/sn";
  mkdir(o.control_dir.c_str(), 0700);
  std::string error;
  for (const auto& [sn, cns] : groups) {
    if (sn.empty()) continue;
    NodeJob job{sn, {VersionStep(o, sn)}};
    if (!sn_steps(o, sn, cns, work.path(), &job.steps, &error)) return Fail(kExitUsage, error);
    job.timeout = ServiceNodeJobTimeout(o, cns.size());
    job.steps.push_back(CloseSharedConnectionStep(o, sn));
    job.behind = cns.size();
    plan.jobs.push_back(std::move(job));
  }
  return ExecuteHierarchy(o, std::move(plan), first_sn_job, groups, sn_must_succeed);
}

int CopyFiles(const Options& o, const ClusterDb& db, const std::vector<std::string>& nodes) {
  std::string target = o.operands.back();
  std::string sndir = SnSyncFileDir(db);
  if (o.pull) {
    struct stat st;
    if (stat(target.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Fail(kExitNodeFailed, "cannot copy to target " + target +
                                       ": directory does not exist");
    }
    // From nodes behind an SN: the SN pulls, the management node brings
    // the files back (PullThroughSteps).
    const std::string& source = o.operands.front();
    std::map<std::string, std::vector<std::string>> groups;
    if (int sig = GroupByServiceNode(o, db, nodes, &groups)) return StoppedBeforeStart(sig);
    return RunThroughServiceNodes(
        o, MakePullPlan(o, groups[""], source, target), groups, /*sn_must_succeed=*/true,
        [&](const Options& so, const std::string& sn, const std::vector<std::string>& cns,
            const std::string&, std::vector<Step>* steps, std::string*) {
          for (auto& s : PullThroughSteps(so, sn, cns, sndir, source, target))
            steps->push_back(std::move(s));
          return true;
        });
  }
  std::vector<std::string> operands(o.operands.begin(), o.operands.end() - 1);
  // On a service node, the sources are the staged copies.
  for (auto& op : operands) op = o.source_prefix + op;
  std::vector<LocalSource> sources;
  std::string error;
  if (!ExpandSources(operands, o.recursive, &sources, &error)) {
    return Fail(kExitNodeFailed, error);
  }
  // To nodes behind an SN: the sources (and -X lists) are staged once
  // under SNsyncfiledir, and the SN's xdcp pushes them.
  std::vector<std::string> paths;
  for (const auto& s : sources) paths.push_back(Absolute(s.path));
  std::vector<std::string> staged = paths;
  staged.insert(staged.end(), o.exclude_from.begin(), o.exclude_from.end());
  std::map<std::string, std::vector<std::string>> groups;
  if (int sig = GroupByServiceNode(o, db, nodes, &groups)) return StoppedBeforeStart(sig);
  return RunThroughServiceNodes(
      o, MakePushPlan(o, groups[""], sources, target), groups, /*sn_must_succeed=*/false,
      [&](const Options& so, const std::string& sn, const std::vector<std::string>& cns,
          const std::string& workdir, std::vector<Step>* steps, std::string* err) {
        if (!StagingSteps(so, sn, sndir, staged, workdir + "/stage." + sn, steps, err))
          return false;
        steps->push_back(CopyDeliveryStep(so, sn, cns, sndir, paths, target));
        return true;
      });
}

int CheckVersion(const std::string& wanted) {
  if (wanted == XDCP_VERSION) return kExitOk;
  return Fail(kExitNodeFailed, std::string("this node runs xdcp ") + XDCP_VERSION +
                                   ", the management node runs " + wanted);
}

// --tree-digest DIR (run by the management node's --sn on an SN): this
// node's digest of DIR for the exclusions on stdin (NUL-separated).
int PrintTreeDigest(const Options& o) {
  std::string text, error;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, stdin)) > 0;) text.append(buf, n);
  std::vector<std::string> patterns;
  for (size_t at = 0, nul; at < text.size(); at = nul + 1) {
    nul = text.find('\0', at);
    if (nul == std::string::npos) nul = text.size();
    patterns.push_back(text.substr(at, nul - at));
  }
  std::string why;
  if (!PatternsMatchable(patterns, &why)) return Fail(kExitUsage, why);
  TreeScan scan;
  if (!ScanTree(o.tree_digest, o.checksum, &scan, &error)) return Fail(kExitNodeFailed, error);
  printf("%s\n", TreeDigest(scan, patterns).c_str());
  return kExitOk;
}

// The shipped exclusion lists: XDCP_DATADIR/filelists, where cmake
// --install puts them (the variable overrides it, for running from a
// build tree).
std::string ShippedList(const std::map<std::string, std::string>& env,
                        const std::string& name) {
  std::string dir = Get(env, "XDCP_DATADIR");
  if (dir.empty()) dir = XDCP_DATADIR;
  return dir + "/filelists/" + name;
}

bool ReadExcludeLists(const std::vector<std::string>& files,
                      std::vector<ExclusionRule>* lists, std::string* error) {
  for (const auto& f : files) {
    std::string text;
    if (!ReadWholeFile(f, &text)) {
      *error = f + ": cannot read exclusion list";
      return false;
    }
    ExclusionRule list{"from " + f, {}};
    if (!ParseExcludeList(f, text, &list.patterns, error)) return false;
    lists->push_back(std::move(list));
  }
  return true;
}

// The SNs to bring up to date, each with the nodes it is brought up to
// date for: with --for, the SNs serving those nodes (within --sn if given);
// else every node of each SN of --sn.
bool MirrorTargets(const Options& o, const ClusterDb& db, const NodeRangeEnv& env,
                   std::map<std::string, std::vector<std::string>>* nodes_of,
                   std::string* error) {
  std::vector<std::string> sns;
  if (!o.sn_range.empty() && !ExpandNodeRange(o.sn_range, db, env, &sns, error)) return false;
  if (o.for_range.empty()) {
    for (const auto& sn : sns) (*nodes_of)[sn] = NodesServedBy(db, sn);
    if (sns.empty()) *error = "no service nodes in '" + o.sn_range + "'";
    return !sns.empty();
  }
  if (!db.loaded) return *error = "--for needs the cluster database: " + o.nodelist, false;
  std::vector<std::string> nodes, direct;
  if (!ExpandNodeRange(o.for_range, db, env, &nodes, error)) return false;
  *nodes_of = ServiceNodesFor(db, nodes, &direct);
  if (!o.sn_range.empty()) {
    std::set<std::string> wanted(sns.begin(), sns.end());
    for (auto it = nodes_of->begin(); it != nodes_of->end();)
      it = wanted.count(it->first) ? std::next(it) : nodes_of->erase(it);
  }
  if (!direct.empty() && (o.trace || o.dry_run)) {
    fprintf(stderr, "xdcp: --for: no service node serves %s\n",
            FoldNodeRange(direct).c_str());
  }
  if (nodes_of->empty()) *error = "no service node serves '" + o.for_range + "'";
  return !nodes_of->empty();
}

// --sn: mirror paths to service nodes, and in the same pass stage the
// synclist files of the nodes each one serves.
int MirrorToServiceNodes(const Options& options, const ClusterDb& db,
                         const NodeRangeEnv& env,
                         const std::map<std::string, std::string>& environment) {
  std::string error;
  Options o = options;
  struct passwd* pw = getpwuid(getuid());  // ssh reads this home's config
  o.ssh_ciphers = PreferredCiphers(pw && pw->pw_dir ? pw->pw_dir : "");
  MirrorInput in;
  in.options = &o;
  in.db = &db;
  if (!MirrorTargets(o, db, env, &in.nodes_of, &error)) return Fail(kExitUsage, error);
  in.paths = o.operands;
  if (in.paths.empty()) in.paths.push_back(db.site.installdir);
  for (auto& p : in.paths) {
    p = Absolute(p);
    struct stat st;
    if (stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return Fail(kExitUsage, p + ": not a directory");
  }
  std::vector<std::string> lists = o.exclude_from;
  in.default_excludes = o.default_excludes;
  if (o.default_excludes) lists.insert(lists.begin(), ShippedList(environment, "install.exclude"));
  if (!ReadExcludeLists(lists, &in.lists, &error)) return Fail(kExitUsage, error);
  if (o.default_excludes && !db.loaded && !o.silent) {
    fprintf(stderr,
            "Warning: no cluster database (%s): every netboot image is mirrored; "
            "leaving out the images a service node's nodes do not use needs the database\n",
            Printable(o.nodelist).c_str());
  }
  WorkDir work;
  if (work.path().empty()) return Fail(kExitUsage, "cannot make a work directory in /tmp");
  // One ssh connection per SN for its digest probes, rsync runs and staging.
  o.control_dir = work.path() + "/sn";
  mkdir(o.control_dir.c_str(), 0700);
  in.workdir = work.path();
  if (o.dry_run) in.fast_path_off = "--dry-run shows what rsync would do";
  else if (!o.node_opts.empty()) in.fast_path_off = "-o gives rsync options of its own";
  else if (Basename(o.rcp) != "rsync") in.fast_path_off = "the copy program is not rsync";
  // One scan of each path, whatever the number of SNs (tree_digest.h).
  std::map<std::string, TreeScan> scans;
  for (const auto& p : in.paths) {
    if (!in.fast_path_off.empty() && !(o.delete_extra && !o.force)) break;
    if (!ScanTree(p, o.checksum, &scans[p], &error)) return Fail(kExitUsage, error);
    in.scans[p] = &scans[p];
  }
  std::map<std::string, SyncList> synclists;
  std::vector<std::string> notes;
  Plan plan = MakeMirrorPlan(in, &notes);
  std::string sndir = SnSyncFileDir(db);
  for (auto& job : plan.jobs) {
    std::vector<const SyncList*> needed;
    const std::vector<std::string>& cns = in.nodes_of.at(job.node);
    std::set<std::string> names;
    for (const auto& cn : cns) {
      const Node* n = db.FindNode(cn);
      const OsImage* img = n ? db.FindOsImage(n->provmethod) : nullptr;
      for (const auto& path : img ? img->synclists : std::vector<std::string>{}) {
        if (!names.insert(path).second) continue;
        if (!synclists.count(path) && !LoadSyncList(path, &synclists[path], &error))
          return Fail(kExitUsage, error);
        needed.push_back(&synclists[path]);
      }
    }
    if (needed.empty() || o.dry_run) continue;
    std::vector<std::string> files;
    if (!FilesToStage(db, env, cns, needed, &files, &error) ||
        !StagingSteps(o, job.node, sndir, files, work.path() + "/stage." + job.node,
                      &job.steps, &error)) {
      return Fail(kExitUsage, error);
    }
  }
  CloseSharedConnections(o, &plan);
  if (o.trace || o.dry_run) {
    for (const auto& n : notes) {
      bool fast = n.compare(0, 11, "fast path: ") == 0;
      fprintf(stderr, "xdcp: %s%s\n", fast ? "" : "exclusions: ", Printable(n).c_str());
    }
  }
  return Execute(o, std::move(plan), nullptr, /*show_plan_only=*/false);
}

}  // namespace

int RunCli(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env) {
  ParsedCommandLine parsed = ParseCommandLine(args, env);
  if (!parsed.ok) return UsageError(parsed.error);
  Options o = parsed.options;
  if (o.help) return fputs(UsageText().c_str(), stdout), kExitOk;
  if (o.version) return printf("xdcp Version %s\n", XDCP_VERSION), kExitOk;
  if (o.show_config) return fputs(ShowConfig(o).c_str(), stdout), kExitOk;
  if (!o.require_version.empty()) {
    int rc = CheckVersion(o.require_version);
    if (rc != kExitOk || o.tree_digest.empty()) return rc;
    return PrintTreeDigest(o);
  }

  ClusterDb db;
  std::string error;
  if (!LoadDb(o, &db, &error)) return Fail(kExitUsage, error);
  if (o.export_xml) {
    if (!db.loaded) return Fail(kExitUsage, "--export-xml: no cluster database: " + o.nodelist);
    // The database is site data: a file the shell has just made for it
    // (regular, empty, ours) becomes 0600 before anything is written.
    struct stat st;
    if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
        st.st_uid == geteuid()) {
      fchmod(STDOUT_FILENO, st.st_mode & 0600);
    }
    return fputs(ClusterDbToXml(db).c_str(), stdout), kExitOk;
  }
  if (!o.synclist.empty()) o.synclist = Absolute(o.synclist);
  for (auto& list : o.exclude_from) list = Absolute(list);
  if (db.loaded) db.path = Absolute(db.path);
  NodeRangeEnv nr_env;
  nr_env.prefix = o.node_prefix;
  nr_env.suffix = o.node_suffix;
  nr_env.read_file = ReadWholeFile;
  if (!IsExecutable(o.rcp, Get(env, "PATH"))) {
    return Fail(kExitUsage, "remote copy command " + o.rcp +
                                " does not exist or is not executable");
  }
  if (!o.sn_range.empty() || !o.for_range.empty())
    return MirrorToServiceNodes(o, db, nr_env, env);
  if (!o.rootimg.empty()) return SyncImage(o);
  std::vector<std::string> nodes;
  if (!ExpandNodeRange(o.noderange, db, nr_env, &nodes, &error)) {
    return Fail(kExitUsage, error);
  }
  if (o.expand) {
    for (const auto& n : nodes) printf("%s\n", n.c_str());
    return kExitOk;
  }
  if (!UsePersistentConnections(&o, &error)) return Fail(kExitUsage, error);
  if (!o.close_connections.empty()) return CloseConnections(o, nodes);
  if (!o.synclist.empty()) return SyncFiles(o, db, nr_env, nodes);
  return CopyFiles(o, db, nodes);
}

}  // namespace xdcp
