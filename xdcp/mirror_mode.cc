// --sn SNS [PATH...] and --for NODES: bring service nodes' copies of the
// install tree (or PATHs) up to date with rsync, leaving out what their
// nodes do not need; a path whose tree digest already matches is skipped
// (the fast path, tree_digest.h). The synclist files of the nodes each SN
// serves are staged in the same pass.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <set>

#include "filelist.h"
#include "mirror_plan.h"
#include "mode.h"
#include "printable.h"
#include "rsync_command.h"
#include "service_nodes.h"
#include "ssh_cipher.h"
#include "text.h"
#include "tree_digest.h"
#include "work_dir.h"

namespace xdcp {
namespace {

// The shipped exclusion lists: XDCP_DATADIR/filelists, where cmake
// --install puts them (the variable overrides it, for running from a
// build tree).
std::string ShippedList(const std::map<std::string, std::string>& env,
                        const std::string& name) {
  auto it = env.find("XDCP_DATADIR");
  std::string dir = it == env.end() || it->second.empty() ? XDCP_DATADIR : it->second;
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

}  // namespace

// --sn: mirror paths to service nodes, and in the same pass stage the
// synclist files of the nodes each one serves.
int MirrorToServiceNodes(const Options& o, const ClusterDb& db,
                         const NodeRangeEnv& env,
                         const std::map<std::string, std::string>& environment) {
  std::string error;
  RunContext run;
  struct passwd* pw = getpwuid(getuid());  // ssh reads this home's config
  run.ssh_ciphers = PreferredCiphers(pw && pw->pw_dir ? pw->pw_dir : "");
  if (o.persist > 0 && !UsePersistentConnections(o, &run, &error)) return Fail(kExitUsage, error);
  MirrorInput in;
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
  // One ssh connection per SN for its digest probes, rsync runs and
  // staging; kept after the run with --persist.
  if (run.control_dir.empty()) {
    run.control_dir = work.path() + "/sn";
    mkdir(run.control_dir.c_str(), 0700);
  }
  in.options = &o;
  in.run = run;
  in.workdir = work.path();
  if (o.dry_run) in.fast_path_off = "--dry-run shows what rsync would do";
  else if (!o.node_opts.empty()) in.fast_path_off = "-o gives rsync options of its own";
  else if (!IsRsync(o.rcp)) in.fast_path_off = "the copy program is not rsync";
  // Relaying needs the probes: they say which SNs are cold, and what a
  // relayed tree still lacks.
  in.relay = o.relay && in.fast_path_off.empty();
  if (o.relay && !in.relay && !o.silent)
    fprintf(stderr, "xdcp: --relay: off: %s\n", in.fast_path_off.c_str());
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
        !StagingSteps(o, run, job.node, sndir, files, work.path() + "/stage." + job.node,
                      &job.steps, &error)) {
      return Fail(kExitUsage, error);
    }
  }
  if (o.persist == 0) CloseSharedConnections(o, run, &plan);
  if (o.trace || o.dry_run) {
    for (const auto& n : notes) {
      bool own = n.compare(0, 11, "fast path: ") == 0 || n.compare(0, 7, "relay: ") == 0;
      fprintf(stderr, "xdcp: %s%s\n", own ? "" : "exclusions: ", Printable(n).c_str());
    }
  }
  return Execute(o, std::move(plan), nullptr, /*show_plan_only=*/false);
}

}  // namespace xdcp
