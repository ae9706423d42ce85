#include "service_nodes.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <set>
#include <sstream>

#include "noderange.h"
#include "paths.h"
#include "plan.h"
#include "sources.h"
#include "sync_scope.h"
#include "work_dir.h"

namespace xdcp {

std::map<std::string, std::vector<std::string>> NodesByServiceNode(
    const ClusterDb& db, const std::vector<std::string>& nodes,
    const std::set<std::string>& down) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& name : nodes) {
    const Node* n = db.FindNode(name);
    std::string sn;
    if (n && !n->servicenodes.empty()) {
      sn = n->servicenodes[0];  // if the whole pool is down, its first
      for (const auto& member : n->servicenodes) {
        if (!down.count(member)) {
          sn = member;
          break;
        }
      }
    }
    if (sn == db.site.master) sn.clear();  // served by the management node
    groups[sn].push_back(name);
  }
  return groups;
}

std::vector<std::string> PooledServiceNodes(const ClusterDb& db,
                                            const std::vector<std::string>& nodes) {
  std::set<std::string> out;
  for (const auto& name : nodes) {
    const Node* n = db.FindNode(name);
    if (n && n->servicenodes.size() > 1) out.insert(n->servicenodes.begin(), n->servicenodes.end());
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> NodesServedBy(const ClusterDb& db, const std::string& sn) {
  std::vector<std::string> out;
  for (const auto& n : db.nodes) {
    if (std::find(n.servicenodes.begin(), n.servicenodes.end(), sn) != n.servicenodes.end())
      out.push_back(n.name);
  }
  return out;
}

bool FilesToStage(const ClusterDb& db, const NodeRangeEnv& env,
                  const std::vector<std::string>& nodes,
                  const std::vector<const SyncList*>& lists,
                  std::vector<std::string>* files, std::string* error) {
  std::set<std::string> out;
  for (const SyncList* list : lists) {
    out.insert(list->path);
    for (const auto* clause : {&list->execute, &list->execute_always,
                               &list->append, &list->merge}) {
      for (const auto& e : *clause) out.insert(e.path);
    }
    SyncScope scope;
    if (!scope.Init(*list, db, env, error)) return false;
    for (const auto& node : nodes) {
      if (!SourcesForNode(*list, scope, db, node, &out, error)) return false;
    }
  }
  files->assign(out.begin(), out.end());
  return true;
}

namespace {

bool StageRun(const Options& o, const RunContext& run, const std::string& sn,
              const std::string& dir,
              const std::vector<std::string>& files, const std::string& list_file,
              bool follow_links, Step* step, std::string* error) {
  std::string list;
  for (const auto& f : files) list += f.substr(1) + '\0';  // relative to "/"
  if (!WritePrivateFile(list_file, list)) {
    *error = "cannot write " + list_file + ": " + strerror(errno);
    return false;
  }
  step->kind = StepKind::kCopy;
  CopyDetails d;
  d.files_from = list_file;
  d.remote_dirs = {dir};
  d.follow_links = follow_links;
  step->argv = CopyArgv(CopyPurpose::kStage, o, run, d);
  step->argv.insert(step->argv.end(), {"/", RemotePath(o, sn, dir + "/")});
  step->what = "stage " + std::to_string(files.size()) + " files in " + sn + ":" + dir;
  return true;
}

}  // namespace

bool StagingStep(const Options& o, const RunContext& run, const std::string& sn,
                 const std::string& dir,
                 const std::vector<std::string>& files,
                 const std::string& list_file, Step* step, std::string* error) {
  return StageRun(o, run, sn, dir, files, list_file, false, step, error);
}

bool StagingSteps(const Options& o, const RunContext& run, const std::string& sn,
                  const std::string& dir,
                  const std::vector<std::string>& files, const std::string& list_file,
                  std::vector<Step>* steps, std::string* error) {
  // A source that is itself a symlink is delivered as what it points to
  // (as a flat push does): staged as a link, the SN would resolve it
  // against its own file system.
  std::vector<std::string> plain, links;
  for (const auto& f : files) {
    struct stat st;
    (lstat(f.c_str(), &st) == 0 && S_ISLNK(st.st_mode) ? links : plain).push_back(f);
  }
  Step step;
  if (!plain.empty() || links.empty()) {
    if (!StagingStep(o, run, sn, dir, plain, list_file, &step, error)) return false;
    steps->push_back(step);
  }
  if (!links.empty()) {
    if (!StageRun(o, run, sn, dir, links, list_file + ".links", true, &step, error)) return false;
    step.what = "stage " + std::to_string(links.size()) + " named links as files in " + sn +
                ":" + dir;
    steps->push_back(step);
  }
  return true;
}

std::map<std::string, std::vector<std::string>> ServiceNodesFor(
    const ClusterDb& db, const std::vector<std::string>& nodes,
    std::vector<std::string>* direct) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& name : nodes) {
    const Node* n = db.FindNode(name);
    bool served = false;
    for (const auto& sn : n ? n->servicenodes : std::vector<std::string>{}) {
      if (sn == db.site.master || sn == name) continue;
      out[sn].push_back(name);
      served = true;
    }
    if (!served) direct->push_back(name);
  }
  return out;
}

Step VersionStep(const Options& o, const RunContext& run, const std::string& sn) {
  return RemoteCommandStep(o, run, sn,
                           ShellQuote(o.remote_xdcp) + " --require-version " XDCP_VERSION,
                           "check xdcp " XDCP_VERSION " on " + sn);
}

namespace {

// `xdcp OPTIONS MODE -- NODERANGE OPERANDS` on `sn` for `cns`: the options
// of this run that hold on the SN too, then `mode` (what to do); each word
// quoted for the SN's shell. The nodes go as one folded noderange, which
// stays short for thousands of nodes.
Step RemoteXdcpStep(const Options& o, const RunContext& run, const std::string& sn,
                    const std::vector<std::string>& cns, const std::string& sndir,
                    const std::string& nodelist, const std::vector<std::string>& mode,
                    const std::vector<std::string>& operands, const std::string& what,
                    const std::string& prelude = "") {
  std::vector<std::string> cmd{o.remote_xdcp, "--source-prefix", sndir, "--report-results",
                               "-f", std::to_string(o.fanout), "-r", o.rcp,
                               "--connect-timeout", std::to_string(o.connect_timeout)};
  if (!nodelist.empty()) cmd.insert(cmd.end(), {"--nodelist", sndir + nodelist});
  if (o.timeout > 0) cmd.insert(cmd.end(), {"-t", std::to_string(o.timeout)});
  if (o.io_timeout > 0) cmd.insert(cmd.end(), {"--io-timeout", std::to_string(o.io_timeout)});
  if (!o.user.empty()) cmd.insert(cmd.end(), {"-l", o.user});
  if (!o.node_opts.empty()) cmd.insert(cmd.end(), {"-o", o.node_opts});
  if (o.verify) cmd.push_back("-v");
  if (o.trace) cmd.push_back("-T");
  cmd.insert(cmd.end(), mode.begin(), mode.end());
  cmd.push_back("--");
  cmd.push_back(FoldNodeRange(cns));
  cmd.insert(cmd.end(), operands.begin(), operands.end());
  std::string line = prelude;
  for (const auto& c : cmd) line += (line.empty() ? "" : " ") + ShellQuote(c);
  // A connection of its own, not the shared one: when it is lost, ssh says
  // so (a client of a shared connection dies silently), and the remote
  // xdcp's stdin is this ssh's own channel.
  RunContext own = run;
  own.control_dir.clear();
  Step s = RemoteCommandStep(o, own, sn, line, what + " from " + sn + " to " + FoldNodeRange(cns));
  s.relays_results = true;
  // The remote xdcp reads EOF on its stdin when this xdcp or its ssh goes
  // away (Ctrl-C, -t, SIGKILL), and stops its own children then.
  s.stdin_held = true;
  return s;
}

// -X for the SN's xdcp: the lists are staged with the sources (absolute
// paths: the command line made them so).
std::vector<std::string> StagedExclusions(const Options& o, const std::string& sndir) {
  std::vector<std::string> out;
  for (const auto& list : o.exclude_from) out.insert(out.end(), {"-X", sndir + list});
  return out;
}

}  // namespace

int ServiceNodeJobTimeout(const Options& o, size_t nodes) {
  if (o.timeout <= 0) return 0;
  size_t fanout = o.fanout > 0 ? static_cast<size_t>(o.fanout) : 1;
  long waves = static_cast<long>((nodes + fanout - 1) / fanout);
  long budget = (waves + 1) * (static_cast<long>(o.timeout) + kServiceNodeSlack);
  return budget > INT_MAX ? INT_MAX : static_cast<int>(budget);
}

Step DeliveryStep(const Options& o, const RunContext& run, const std::string& sn,
                  const std::vector<std::string>& cns, const std::string& sndir,
                  const std::string& synclist, const std::string& nodelist) {
  std::vector<std::string> mode = StagedExclusions(o, sndir);
  mode.insert(mode.end(), {"-F", sndir + synclist});
  return RemoteXdcpStep(o, run, sn, cns, sndir, nodelist, mode, {}, "deliver");
}

Step CopyDeliveryStep(const Options& o, const RunContext& run, const std::string& sn,
                      const std::vector<std::string>& cns, const std::string& sndir,
                      const std::vector<std::string>& sources, const std::string& target) {
  std::vector<std::string> mode = StagedExclusions(o, sndir);
  if (o.recursive) mode.push_back("-R");
  if (o.preserve) mode.push_back("-p");
  std::vector<std::string> operands = sources;
  operands.push_back(target);
  return RemoteXdcpStep(o, run, sn, cns, sndir, "", mode, operands, "deliver");
}

std::vector<Step> PullThroughSteps(const Options& o, const RunContext& run,
                                   const std::string& sn, const std::vector<std::string>& cns,
                                   const std::string& sndir, const std::string& source,
                                   const std::string& dir) {
  // The SN's pull lands in a directory of its own under the root-only
  // SNsyncfiledir. Runs on one SN never overlap (the SN's lock), so what
  // an interrupted run left there is removed first.
  std::string work = sndir + "/.xdcp-pull";
  std::string prelude = "umask 077 && rm -rf -- " + ShellQuote(work) + " && mkdir -p -- " +
                        ShellQuote(work) + " &&";
  std::vector<std::string> mode{"-P"};
  if (o.recursive) mode.push_back("-R");
  if (o.preserve) mode.push_back("-p");
  Step pull = RemoteXdcpStep(o, run, sn, cns, sndir, "", mode, {source, work}, "pull", prelude);
  // Some nodes may fail while others are pulled: their results say so,
  // and what the others sent still comes back.
  pull.may_fail = true;
  // Back to the management node: every NAME._NODE the SN pulled, with the
  // same rules as a rsync pull from a node.
  Step back;
  back.argv = CopyArgv(CopyPurpose::kBringBack, o, run);
  back.argv.push_back(RemotePath(o, sn, work + "/"));
  back.argv.push_back(WithTrailingSlash(dir));
  back.what = "bring back from " + sn + " what it pulled";
  Step clean = RemoteCommandStep(o, run, sn, "rm -rf -- " + ShellQuote(work),
                                 "remove the pulled files on " + sn);
  return {pull, back, clean};
}

std::string ResultRecord(const NodeResult& r) {
  std::ostringstream s;
  s << kResultMarker << r.node << " " << static_cast<int>(r.state) << " "
    << static_cast<int>(r.failure) << " " << r.exit_code << " " << r.files_changed
    << " " << r.reason;
  return s.str();
}

bool ParseResultRecord(const std::string& line, NodeResult* r) {
  static const size_t kLen = sizeof(kResultMarker) - 1;
  if (line.compare(0, kLen, kResultMarker) != 0) return false;
  std::istringstream in(line.substr(kLen));
  int state = 0, failure = 0;
  if (!(in >> r->node >> state >> failure >> r->exit_code >> r->files_changed)) return false;
  if (state < 0 || state > 2 || !IsFailureClass(failure) || !IsValidNodeName(r->node))
    return false;
  r->state = static_cast<NodeState>(state);
  r->failure = static_cast<FailureClass>(failure);
  std::getline(in >> std::ws, r->reason);
  return true;
}

std::vector<NodeResult> ResultsBehind(const std::string& sn, const NodeResult& sn_result,
                                      const std::vector<std::string>& cns,
                                      const std::vector<NodeResult>& relayed,
                                      bool sn_must_succeed) {
  std::map<std::string, const NodeResult*> reported;
  bool failed = sn_result.state == NodeState::kFailed;
  if (sn_result.failure != FailureClass::kInterrupted && !(sn_must_succeed && failed)) {
    for (const auto& r : relayed) {
      if (r.service_node == sn) reported.emplace(r.node, &r);  // the first counts
    }
  }
  std::vector<NodeResult> out;
  for (const auto& cn : cns) {
    NodeResult r;
    auto it = reported.find(cn);
    if (it != reported.end()) {
      r = *it->second;
    } else {
      r.node = cn;
      r.state = NodeState::kFailed;
      r.failure = FailureClass::kBlocked;
      r.reason = sn_result.state == NodeState::kFailed
                     ? sn + ": " + ClassName(sn_result.failure) + ": " + sn_result.reason
                     : sn + ": no result for this node";
      r.exit_code = -1;
    }
    r.service_node = sn;
    out.push_back(std::move(r));
  }
  return out;
}

ClusterDb DatabaseForServiceNode(const ClusterDb& db, const std::vector<std::string>& cns) {
  ClusterDb out;
  out.loaded = db.loaded;
  out.path = db.path;
  out.site = db.site;
  out.site.attrs.clear();
  std::set<std::string> own(cns.begin(), cns.end());
  for (const Node& n : db.nodes) {
    Node copy;
    copy.name = n.name;
    copy.groups = n.groups;  // noderanges in synclists expand as on the MN
    if (own.count(n.name)) {
      copy.servicenodes = n.servicenodes;
      copy.xcatmaster = n.xcatmaster;
      copy.provmethod = n.provmethod;
      if (const OsImage* img = db.FindOsImage(n.provmethod)) {
        OsImage image = *img;
        image.attrs.clear();
        out.osimages[image.name] = image;
      }
    }
    out.nodes.push_back(std::move(copy));
  }
  for (const Group& g : db.groups) out.groups.push_back({g.name, "", g.line});
  return out;
}

}  // namespace xdcp
