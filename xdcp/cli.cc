#include "cli.h"

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

  if (!o.rootimg.empty() || !o.sn_range.empty() || !o.synclist.empty()) {
    return UsageError("this mode is not available in this version");
  }
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
  return CopyFiles(o, nodes);
}

}  // namespace xdcp
