#include "cli.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cluster_db.h"
#include "executor.h"
#include "noderange.h"
#include "options.h"
#include "plan.h"
#include "report.h"
#include "sources.h"
#include "sync_plan.h"
#include "synclist.h"

namespace xdcp {
namespace {

int Fail(int code, const std::string& message) {
  fprintf(stderr, "Error: %s\n", message.c_str());
  return code;
}

int UsageError(const std::string& message) {
  fprintf(stderr, "Error: %s\nRun 'xdcp -h' for usage.\n", message.c_str());
  return kExitUsage;
}

bool ReadFile(const std::string& path, std::string* content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *content = s.str();
  return true;
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

int Execute(const Options& o, const Plan& plan) {
  ReportStyle style;
  style.trace = o.trace || o.dry_run;
  style.silent = o.silent;
  style.nodestatus = o.nodestatus;
  LineReporter reporter(style, stdout, stderr);
  if (o.dry_run) {  // the same plan, shown instead of run
    for (const auto& job : plan.jobs) {
      for (const auto& step : job.steps) reporter.Trace(job.node, step.argv);
    }
    return kExitOk;
  }
  RunOutcome outcome = RunPlan(plan, &reporter);
  reporter.Finish(outcome.results);
  if (outcome.interrupted_by) return 128 + outcome.interrupted_by;
  return ExitCodeFor(outcome.results);
}

// A private directory for MERGE and APPEND work files, removed at the end.
class WorkDir {
 public:
  WorkDir() {
    char tmpl[] = "/tmp/xdcp.XXXXXX";
    if (mkdtemp(tmpl)) path_ = tmpl;
  }
  ~WorkDir() {
    if (path_.empty()) return;
    if (DIR* d = opendir(path_.c_str())) {
      while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..") unlink((path_ + "/" + name).c_str());
      }
      closedir(d);
    }
    rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool LoadSyncList(const std::string& path, SyncList* list, std::string* error) {
  std::string text;
  if (!ReadFile(path, &text)) {
    *error = "File:" + path + " does not exist.";
    return false;
  }
  return ParseSyncList(path, text, list, error);
}

int ShowWarnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) fprintf(stderr, "Warning: %s\n", w.c_str());
  return 0;
}

int SyncFiles(const Options& o, const ClusterDb& db, const NodeRangeEnv& env,
              const std::vector<std::string>& nodes) {
  SyncList list;
  std::string error;
  if (!LoadSyncList(o.synclist, &list, &error)) return Fail(kExitUsage, error);
  WorkDir work;
  if (work.path().empty()) return Fail(kExitUsage, "cannot make a work directory in /tmp");
  SyncPlanInput in;
  in.options = &o;
  in.db = &db;
  in.list = &list;
  in.nodes = nodes;
  in.noderange_env = env;
  in.workdir = work.path();
  Plan plan;
  std::vector<std::string> warnings;
  if (!MakeSyncPlan(in, &plan, &warnings, &error)) return Fail(kExitUsage, error);
  ShowWarnings(warnings);
  return Execute(o, plan);
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
  return Execute(o, plan);
}

int CopyFiles(const Options& o, const std::vector<std::string>& nodes) {
  std::string target = o.operands.back();
  if (o.pull) {
    struct stat st;
    if (stat(target.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Fail(kExitNodeFailed, "cannot copy to target " + target +
                                       ": directory does not exist");
    }
    return Execute(o, MakePullPlan(o, nodes, o.operands.front(), target));
  }
  std::vector<std::string> operands(o.operands.begin(), o.operands.end() - 1);
  std::vector<LocalSource> sources;
  std::string error;
  if (!ExpandSources(operands, o.recursive, &sources, &error)) {
    return Fail(kExitNodeFailed, error);
  }
  return Execute(o, MakePushPlan(o, nodes, sources, target));
}

}  // namespace

int RunCli(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env) {
  ParsedCommandLine parsed = ParseCommandLine(args, env);
  if (!parsed.ok) return UsageError(parsed.error);
  const Options& o = parsed.options;
  if (o.help) return fputs(UsageText().c_str(), stdout), kExitOk;
  if (o.version) return printf("xdcp Version %s\n", XDCP_VERSION), kExitOk;
  if (o.show_config) return fputs(ShowConfig(o).c_str(), stdout), kExitOk;

  ClusterDb db;
  std::string error;
  if (!LoadDb(o, &db, &error)) return Fail(kExitUsage, error);

  if (!o.sn_range.empty() || o.stage_only) {
    return UsageError("this mode is not available in this version");
  }
  if (!o.rootimg.empty()) return SyncImage(o);
  NodeRangeEnv nr_env;
  nr_env.prefix = o.node_prefix;
  nr_env.suffix = o.node_suffix;
  nr_env.read_file = ReadFile;
  std::vector<std::string> nodes;
  if (!ExpandNodeRange(o.noderange, db, nr_env, &nodes, &error)) {
    return Fail(kExitUsage, error);
  }
  if (o.expand) {
    for (const auto& n : nodes) printf("%s\n", n.c_str());
    return kExitOk;
  }
  if (!IsExecutable(o.rcp, Get(env, "PATH"))) {
    return Fail(kExitUsage, "remote copy command " + o.rcp +
                                " does not exist or is not executable");
  }
  if (!o.synclist.empty()) return SyncFiles(o, db, nr_env, nodes);
  return CopyFiles(o, nodes);
}

}  // namespace xdcp
