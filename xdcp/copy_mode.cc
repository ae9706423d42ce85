// Plain copy: `xdcp NODES SOURCE... TARGET` pushes the sources to every
// node, `xdcp NODES -P SOURCE DIR` pulls SOURCE from every node into
// DIR/NAME._NODE. Nodes behind a service node are reached through it
// (hierarchy.cc); the others directly.
#include <sys/stat.h>

#include "mode.h"
#include "service_nodes.h"
#include "sources.h"

namespace xdcp {
namespace {

int PullFiles(const Options& o, const RunContext& run, const ClusterDb& db,
              const std::vector<std::string>& nodes) {
  std::string target = o.operands.back();
  std::string sndir = SnSyncFileDir(db);
  struct stat st;
  if (stat(target.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Fail(kExitNodeFailed, "cannot copy to target " + target +
                                     ": directory does not exist");
  }
  // From nodes behind an SN: the SN pulls, the management node brings
  // the files back (PullThroughSteps).
  const std::string& source = o.operands.front();
  std::map<std::string, std::vector<std::string>> groups;
  if (int sig = GroupByServiceNode(o, run, db, nodes, &groups)) return StoppedBeforeStart(sig);
  return RunThroughServiceNodes(
      o, run, MakePullPlan(o, run, groups[""], source, target), groups,
      /*sn_must_succeed=*/true,
      [&](const Options& so, const RunContext& srun, const std::string& sn,
          const std::vector<std::string>& cns, const std::string&, std::vector<Step>* steps,
          std::string*) {
        for (auto& s : PullThroughSteps(so, srun, sn, cns, sndir, source, target))
          steps->push_back(std::move(s));
        return true;
      });
}

int PushFiles(const Options& o, const RunContext& run, const ClusterDb& db,
              const std::vector<std::string>& nodes) {
  std::string target = o.operands.back();
  std::string sndir = SnSyncFileDir(db);
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
  if (int sig = GroupByServiceNode(o, run, db, nodes, &groups)) return StoppedBeforeStart(sig);
  return RunThroughServiceNodes(
      o, run, MakePushPlan(o, run, groups[""], sources, target), groups,
      /*sn_must_succeed=*/false,
      [&](const Options& so, const RunContext& srun, const std::string& sn,
          const std::vector<std::string>& cns, const std::string& workdir,
          std::vector<Step>* steps, std::string* err) {
        if (!StagingSteps(so, srun, sn, sndir, staged, workdir + "/stage." + sn, steps, err))
          return false;
        steps->push_back(CopyDeliveryStep(so, srun, sn, cns, sndir, paths, target));
        return true;
      });
}

}  // namespace

int CopyFiles(const Options& o, const RunContext& run, const ClusterDb& db,
              const std::vector<std::string>& nodes) {
  return o.pull ? PullFiles(o, run, db, nodes) : PushFiles(o, run, db, nodes);
}

}  // namespace xdcp
