#include "sync_plan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <set>

#include "clause_steps.h"
#include "merge.h"
#include "paths.h"
#include "sources.h"
#include "sync_scope.h"
#include "text.h"
#include "transfer_tree.h"

namespace xdcp {
namespace {

// One rsync (or scp) run for a node: sources into a directory, or one
// source under a new name.
struct Transfer {
  std::vector<std::string> sources;
  std::string dest_dir;
  std::string rename;  // empty: keep the sources' names
  bool follow = false;  // named symbolic links: deliver their targets
};

// scp: one run per destination directory (rsync: see TreeSteps).
Step CopyStep(const Options& o, const RunContext& run, const std::string& node,
              const Transfer& t) {
  Step s;
  std::string dest = t.rename.empty() ? t.dest_dir + "/" : t.dest_dir + "/" + t.rename;
  s.argv = CopyArgv(CopyPurpose::kSync, o, run);
  for (std::string src : t.sources) {
    // scp (SFTP) copies a directory's contents when given "dir/.".
    if (src.back() == '/') src += '.';
    s.argv.push_back(src[0] == '-' ? "./" + src : src);
  }
  s.argv.push_back(RemotePath(o, node, dest));
  s.what = "copy to " + dest;
  for (const auto& src : t.sources) s.what += (src == t.sources[0] ? " from " : " ") + src;
  return s;
}

class Planner {
 public:
  Planner(const SyncPlanInput& in, std::vector<std::string>* warnings)
      : in_(in), o_(*in.options), list_(*in.list), warnings_(warnings) {}

  bool Make(Plan* plan, std::string* error) {
    if (!CheckClauses(error) || !scope_.Init(list_, *in_.db, in_.noderange_env, error)) return false;
    plan->fanout = o_.fanout;
    plan->node_timeout = o_.timeout;
    for (const auto& node : in_.nodes) {
      NodeJob job{node, {}};
      if (!NodeSteps(node, &job.steps, error)) return false;
      plan->jobs.push_back(std::move(job));
    }
    return true;
  }

 private:
  // Reads every clause file once, here: what is checked is what is sent,
  // and a bad MERGE file stops the run before anything is sent.
  bool CheckClauses(std::string* error) {
    for (const auto* clause : {&list_.execute, &list_.execute_always,
                               &list_.append, &list_.merge}) {
      for (const auto& e : *clause) {
        if (access(e.path.c_str(), R_OK) != 0 ||
            (clause != &list_.execute && clause != &list_.execute_always &&
             !ReadWholeFile(e.path, &contents_[e.path]))) {
          *error = LineRef(list_, e.line) + "cannot read: '" + e.path + "'";
          return false;
        }
      }
    }
    for (const auto& e : list_.merge) {
      int line = 0;
      std::string why;
      if (!CheckMergeInput(e.target, contents_[e.path], &line, &why)) {
        *error = e.path + ":" + std::to_string(line) + ": " + why;
        return false;
      }
    }
    return true;
  }

  std::string Subst(const std::string& text, int line, const std::string& node) {
    std::vector<std::string> unknown;
    std::string out = SubstituteVars(text, NodeVars(*in_.db, node), &unknown);
    for (const auto& name : unknown) {
      std::string w = LineRef(list_, line) + "variable $" + name +
                      " is not defined for " + node + "; left as written";
      if (warned_.insert(w).second) warnings_->push_back(w);
    }
    return out;
  }

  bool NodeSteps(const std::string& node, std::vector<Step>* steps,
                 std::string* error) {
    std::vector<Transfer> transfers;
    roots_.clear();
    entries_.clear();
    std::set<std::string> synced;  // source tokens as written, for EXECUTEALWAYS
    std::map<std::string, std::pair<std::string, int>> delivered;  // dest -> src, line
    for (const auto& line : list_.lines) {
      if (!scope_.Applies(line, node)) continue;
      if (!LineTransfers(line, node, &transfers, &delivered, error)) return false;
      for (const auto& s : line.sources) synced.insert(Subst(s, line.line, node));
    }
    if (!IsRsync(o_.rcp) && !transfers.empty()) {
      if (!list_.execute.empty()) steps->push_back(ProbeStep(node));
      steps->push_back(MkdirStep(transfers, node));
      for (const auto& t : transfers) steps->push_back(CopyStep(o_, in_.run, node, t));
    }
    std::vector<TransferTree> trees;
    for (const auto& e : entries_) AddToTrees(e, &trees);
    for (const auto& tree : trees) TreeSteps(node, tree, steps);
    if (steps->empty() && list_.merge.empty() && list_.append.empty()) return true;
    ClauseSteps(o_, in_.run, list_, contents_, in_.workdir, node, synced, steps);
    return true;
  }

  // scp leaves no record of what it changed: before copying, ask the node
  // for the size and time of each EXECUTE trigger's destination (scp -p
  // keeps times, so an unchanged file matches the local one).
  Step ProbeStep(const std::string& node) {
    std::string list;
    Step s;
    for (const auto& e : list_.execute) {
      std::string trigger = Trigger(e.path);
      for (const auto& [local, remote] : roots_) {
        std::string dest;
        if (trigger == local) {
          dest = remote;
        } else if (trigger.compare(0, local.size() + 1, local + "/") == 0) {
          dest = remote + trigger.substr(local.size());
        } else {
          continue;
        }
        struct stat st;
        if (stat(trigger.c_str(), &st) != 0) break;
        s.probes.push_back({trigger, static_cast<long long>(st.st_size),
                            static_cast<long long>(st.st_mtime)});
        list += " " + ShellQuote(dest);
        break;
      }
    }
    std::string command = "for f in" + (list.empty() ? " /dev/null/none" : list) +
                          "; do stat -c '%s %Y' -- \"$f\" 2>/dev/null || echo missing; done";
    Step probe = RemoteCommandStep(o_, in_.run, node, command, "look at the EXECUTE triggers");
    probe.kind = StepKind::kCopy;
    probe.probes = s.probes;
    return probe;
  }

  // scp cannot make the destination directories itself.
  Step MkdirStep(const std::vector<Transfer>& transfers, const std::string& node) {
    std::string command = "mkdir -p --";
    std::set<std::string> dirs;
    for (const auto& t : transfers) {
      if (dirs.insert(t.dest_dir).second) command += " " + ShellQuote(t.dest_dir);
    }
    Step s = RemoteCommandStep(o_, in_.run, node, command, "make destination directories");
    s.kind = StepKind::kCopy;
    return s;
  }

  bool LineTransfers(const SyncLine& line, const std::string& node,
                     std::vector<Transfer>* transfers,
                     std::map<std::string, std::pair<std::string, int>>* delivered,
                     std::string* error) {
    std::string dest = Subst(line.dest, line.line, node);
    // A $VAR may supply the leading slash (the parser lets it through), so
    // the path is checked again once the node's values are in.
    if (dest.empty() || dest[0] != '/') {
      *error = LineRef(list_, line.line) + "destination is not an absolute path for " + node +
               " after substitution: '" + dest + "'";
      return false;
    }
    bool into_dir = dest.back() == '/' || line.sources.size() > 1;
    std::string dest_dir = into_dir ? dest : Dirname(dest);
    dest_dir = WithoutTrailingSlashes(dest_dir);
    for (const auto& written : line.sources) {
      std::vector<std::string> paths;
      std::string pattern = Subst(written, line.line, node);
      if (!SourcePaths(list_, line, pattern, node, &paths, error)) return false;
      for (const auto& path : paths) {
        std::string name = into_dir ? LastComponent(path) : LastComponent(dest);
        std::string target = JoinPath(dest_dir, name);
        auto [it, fresh] = delivered->emplace(target, std::make_pair(path, line.line));
        if (!fresh && it->second.first != path) {
          *error = LineRef(list_, line.line) + "conflict on " + node + ": '" + target +
                   "' is also delivered from '" + it->second.first + "' by line " +
                   std::to_string(it->second.second);
          return false;
        }
        if (!fresh) continue;
        bool follow = IsNamedSymlink(path);
        std::string local = WithoutTrailingSlashes(path);
        roots_.push_back({local, path.back() == '/' ? dest_dir : target});
        bool rename = !into_dir && LastComponent(path) != name;
        if (!IsRsync(o_.rcp)) {
          AddTransfer(path, dest_dir, rename ? name : "", follow, transfers);
          continue;
        }
        TreeEntry entry = EntryFor(path, dest_dir, rename ? name : "");
        if (!TreeRelative(entry.rel, &entry.rel)) {
          *error = LineRef(list_, line.line) + "destination has a '..' component for " + node +
                   ": '" + dest + "'";
          return false;
        }
        entries_.push_back(entry);
      }
    }
    return true;
  }

  // What the transfer tree holds for local `path` (as globbed) sent into
  // `dir` on the node, under the name `rename` if set: where rsync would
  // have put it with `rsync PATH NODE:DIR/[RENAME]` (see transfer_tree.h).
  static TreeEntry EntryFor(const std::string& path, const std::string& dir,
                            const std::string& rename) {
    TreeEntry e;
    bool slash = path.back() == '/';
    e.source = WithoutTrailingSlashes(path);
    std::string into = rename.empty() ? dir : JoinPath(dir, rename);
    struct stat st, lst;
    bool exists = stat(path.c_str(), &st) == 0;
    bool is_dir = exists && S_ISDIR(st.st_mode);
    if (IsNamedSymlink(path)) {
      e.kind = exists && S_ISREG(st.st_mode) ? TreeEntryKind::kFile : TreeEntryKind::kFollow;
    } else if (lstat(e.source.c_str(), &lst) == 0 && S_ISREG(lst.st_mode)) {
      e.kind = TreeEntryKind::kFile;
    } else {
      e.kind = is_dir ? TreeEntryKind::kDir : TreeEntryKind::kFollow;
    }
    if (is_dir) {  // rsync puts a directory inside its destination
      e.rel = slash ? into : JoinPath(into, LastComponent(path));
    } else {
      e.rel = rename.empty() ? JoinPath(dir, LastComponent(path)) : into;
    }
    return e;
  }

  // One rsync run for a transfer tree, after the step that makes the tree
  // (once for all the nodes that share it).
  void TreeSteps(const std::string& node, const TransferTree& tree,
                 std::vector<Step>* steps) {
    auto& shared = trees_[TreeKey(tree)];
    if (!shared) {
      shared = std::make_shared<SharedTree>();
      shared->dir = in_.workdir + "/tree." + std::to_string(trees_.size());
    }
    bool needs_dir = false;
    for (const auto& e : tree.entries) needs_dir |= !e.rel.empty();
    if (needs_dir) {
      Step make;
      make.kind = StepKind::kLocal;
      make.what = "make the transfer tree " + shared->dir;
      make.local = [shared, tree]() {
        if (!shared->made) shared->error = BuildTransferTree(shared->dir, tree);
        shared->made = true;
        return shared->error;
      };
      steps->push_back(std::move(make));
    }
    CopyDetails d;
    d.follow_links = tree.follow;
    std::set<std::string> dirs;
    for (const auto& e : tree.entries) {
      std::string parent = Dirname("/" + e.rel);
      if (parent != "/" && dirs.insert(parent).second) d.remote_dirs.push_back(parent);
    }
    Step s;
    s.argv = CopyArgv(CopyPurpose::kSync, o_, in_.run, d);
    for (const auto& operand : TreeOperands(shared->dir, tree)) s.argv.push_back(operand);
    s.argv.push_back(RemotePath(o_, node, "/"));
    s.what = "copy to";
    size_t shown = 0;
    for (const auto& e : tree.entries) {
      s.change_roots.push_back({e.rel, e.source, false});
      if (++shown <= 5) s.what += (shown > 1 ? ", /" : " /") + e.rel;
    }
    if (shown > 5) s.what += " and " + std::to_string(shown - 5) + " more";
    steps->push_back(std::move(s));
  }

  // scp: sources with the same destination directory share one run.
  static void AddTransfer(const std::string& path, const std::string& dir,
                          const std::string& rename, bool follow,
                          std::vector<Transfer>* transfers) {
    if (rename.empty()) {
      for (auto& t : *transfers) {
        if (t.rename.empty() && t.dest_dir == dir && t.follow == follow) {
          t.sources.push_back(path);
          return;
        }
      }
    }
    transfers->push_back({{path}, dir, rename, follow});
  }

  const SyncPlanInput& in_;
  const Options& o_;
  const SyncList& list_;
  std::vector<std::string>* warnings_;
  SyncScope scope_;  // which lines apply to which node
  // This node's transfers: local source -> its path on the node.
  std::vector<std::pair<std::string, std::string>> roots_;
  std::vector<TreeEntry> entries_;  // this node's destinations (rsync)
  struct SharedTree {
    std::string dir;
    bool made = false;
    std::string error;
  };
  std::map<std::string, std::shared_ptr<SharedTree>> trees_;  // by TreeKey
  std::set<std::string> warned_;
  std::map<std::string, std::string> contents_;  // APPEND and MERGE files
};

}  // namespace

bool MakeSyncPlan(const SyncPlanInput& in, Plan* plan,
                  std::vector<std::string>* warnings, std::string* error) {
  Planner planner(in, warnings);
  return planner.Make(plan, error);
}

}  // namespace xdcp
