// -F SYNCLIST: each node gets what the synclist says (sync_plan.h). Nodes
// reached directly get their plan from here; for the nodes behind a
// service node, the SN is given the files they need, the synclist and
// its part of the database, and its own xdcp delivers (service_nodes.h).
// With -s the files are only staged on the SNs.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mode.h"
#include "service_nodes.h"
#include "sync_plan.h"
#include "work_dir.h"

namespace xdcp {
namespace {

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
  bool ok = WritePrivateFile(path, xml);
  if (!ok) *error = "cannot write " + path + ": " + strerror(errno);
  *staged = path;
  return ok;
}

// Per service node: check its xdcp, stage what its nodes need, deliver
// from it (or only stage, with -s). See service_nodes.h.
bool AddServiceNodeJobs(const Options& o, const RunContext& run, const ClusterDb& db,
                        const NodeRangeEnv& env, const SyncList& list,
                        const std::map<std::string, std::vector<std::string>>& groups,
                        const std::string& workdir, Plan* plan, std::string* error) {
  // An SN can also be a target of its own in the same run: its two jobs
  // must not share (and close) one connection.
  RunContext sn_run = run;
  sn_run.control_dir = workdir + "/sn";
  mkdir(sn_run.control_dir.c_str(), 0700);
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
    if (!o.stage_only) job.steps.push_back(VersionStep(o, sn_run, sn));
    if (!StagingSteps(o, sn_run, sn, sndir, files, workdir + "/stage." + sn, &job.steps, error))
      return false;
    if (!o.stage_only) {
      job.steps.push_back(DeliveryStep(o, sn_run, sn, cns, sndir, list.path,
                                       db.loaded ? db.path : ""));
      job.timeout = ServiceNodeJobTimeout(o, cns.size());
    }
    job.steps.push_back(CloseSharedConnectionStep(o, sn_run, sn));
    if (!o.stage_only) job.behind = cns.size();
    plan->jobs.push_back(std::move(job));
  }
  return true;
}

}  // namespace

int SyncFiles(const Options& o, const RunContext& run, const ClusterDb& db,
              const NodeRangeEnv& env, const std::vector<std::string>& nodes) {
  SyncList list;
  std::string error;
  if (!LoadSyncList(o.synclist, &list, &error)) return Fail(kExitUsage, error);
  PrefixSources(o.source_prefix, &list);
  std::map<std::string, std::vector<std::string>> groups;
  if (int sig = GroupByServiceNode(o, run, db, nodes, &groups)) return StoppedBeforeStart(sig);
  if (o.stage_only && groups[""].size() > 0) {
    fprintf(stderr, "Warning: -s: %s have no service node; nothing is staged for them\n",
            FoldNodeRange(groups[""]).c_str());
  }
  WorkDir work;
  if (work.path().empty()) return Fail(kExitUsage, "cannot make a work directory in /tmp");
  // The nodes reached directly share one connection each, kept after the
  // run with --persist.
  RunContext direct = run;
  if (direct.control_dir.empty()) direct.control_dir = work.path();
  SyncPlanInput in;
  in.options = &o;
  in.run = direct;
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
  if (o.persist == 0) CloseSharedConnections(o, direct, &plan);
  size_t first_sn_job = plan.jobs.size();
  if (!AddServiceNodeJobs(o, run, db, env, list, groups, work.path(), &plan, &error))
    return Fail(kExitUsage, error);
  ShowWarnings(warnings);
  if (o.stage_only) return Execute(o, std::move(plan));
  return ExecuteHierarchy(o, std::move(plan), first_sn_job, groups);
}

}  // namespace xdcp
