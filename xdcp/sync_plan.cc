#include "sync_plan.h"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "merge.h"
#include "sources.h"
#include "sync_scope.h"

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

std::string Basename(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Dirname(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::string At(const SyncList& list, int line) {
  return list.path + ":" + std::to_string(line) + ": ";
}

bool IsRsync(const Options& o) { return Basename(o.rcp) == "rsync"; }

bool IsSymlink(const std::string& path) {
  struct stat st;
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p == path && lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

std::vector<std::string> RsyncHead(const Options& o, bool follow) {
  std::vector<std::string> argv{o.rcp, "-r", follow ? "-L" : "-l", "-p", "-t",
                                "-o", "-g", "--protect-args"};
  for (const auto& f : o.exclude_from) argv.push_back("--exclude-from=" + f);
  if (o.io_timeout > 0) argv.push_back("--timeout=" + std::to_string(o.io_timeout));
  argv.insert(argv.end(), {"-e", SshCommandLine(o)});
  std::istringstream extra(o.node_opts);
  for (std::string t; extra >> t;) argv.push_back(t);
  return argv;
}

std::string SingleQuote(const std::string& s) { return ShellQuote({s}); }

std::vector<ChangeRoot> ChangeRoots(const Transfer& t) {
  std::vector<ChangeRoot> roots;
  for (const auto& s : t.sources) {
    bool slash = !s.empty() && s.back() == '/';
    std::string local = s;
    while (local.size() > 1 && local.back() == '/') local.pop_back();
    roots.push_back({slash ? "" : Basename(s), local, !t.rename.empty()});
  }
  return roots;
}

Step CopyStep(const Options& o, const std::string& node, const Transfer& t) {
  Step s;
  std::string dest = t.rename.empty() ? t.dest_dir + "/" : t.dest_dir + "/" + t.rename;
  if (IsRsync(o)) {
    s.argv = RsyncHead(o, t.follow);
    s.argv.push_back(kChangeFormat);
    // The destination directory is made by the remote shell that starts
    // rsync anyway: no extra connection, and the path is quoted for it.
    s.argv.push_back("--rsync-path=mkdir -p -- " + SingleQuote(t.dest_dir) +
                     " && rsync");
    s.change_roots = ChangeRoots(t);
  } else {
    s.argv = {o.rcp};
    for (const auto& a : SshCommand(o)) {
      if (a != "ssh") s.argv.push_back(a);
    }
    s.argv.insert(s.argv.end(), {"-p", "-r"});
  }
  for (std::string src : t.sources) {
    // scp (SFTP) copies a directory's contents when given "dir/.".
    if (!IsRsync(o) && src.back() == '/') src += '.';
    s.argv.push_back(src[0] == '-' ? "./" + src : src);
  }
  s.argv.push_back(RemotePath(o, node, dest));
  s.what = "copy to " + dest;
  for (const auto& src : t.sources) s.what += (src == t.sources[0] ? " from " : " ") + src;
  return s;
}

// An EXECUTE or EXECUTEALWAYS script: copied from the management node on
// stdin into a private temporary file on the node, run, removed.
Step ScriptStep(const Options& o, const std::string& node,
                const std::string& script, const std::string& clause) {
  Step s = RemoteCommandStep(
      o, node,
      "t=$(mktemp) && cat >\"$t\" && chmod 700 \"$t\" && \"$t\"; rc=$?; "
      "rm -f \"$t\"; exit $rc",
      clause + " " + script);
  s.stdin_path = script;
  return s;
}

// Fetches the node's TARGET, edits it here with `edit`, writes it back.
// rsync replaces a file through a temporary file and a rename, so the node
// never sees a half-written TARGET; -c leaves an unchanged file alone.
void EditSteps(const Options& o, const std::string& node,
               const std::string& workfile, const std::string& target,
               const std::string& what,
               std::function<std::string(const std::string&, std::string*)> edit,
               std::vector<Step>* steps) {
  Step fetch;
  fetch.argv = RsyncHead(o, false);
  fetch.argv.push_back(RemotePath(o, node, target));
  fetch.argv.push_back(workfile);
  fetch.what = what + ": fetch " + target + " (it must exist on the node)";
  steps->push_back(fetch);
  Step local;
  local.kind = StepKind::kLocal;
  local.what = what + ": edit " + target;
  local.local = [workfile, edit]() -> std::string {
    std::string current, result;
    if (!ReadWholeFile(workfile, &current)) return "cannot read " + workfile;
    std::string error = edit(current, &result);
    if (!error.empty()) return error;
    std::ofstream out(workfile + ".new", std::ios::binary | std::ios::trunc);
    out << result;
    struct stat st;
    if (!out.flush() || stat(workfile.c_str(), &st) != 0) return "cannot write " + workfile;
    chmod((workfile + ".new").c_str(), st.st_mode & 07777);
    return "";
  };
  steps->push_back(local);
  Step push;
  push.argv = RsyncHead(o, false);
  push.argv.push_back("-c");
  push.argv.push_back(workfile + ".new");
  push.argv.push_back(RemotePath(o, node, target));
  push.what = what + ": write " + target;
  steps->push_back(push);
}

std::string Trigger(const std::string& entry) {
  const std::string post = ".post";
  if (entry.size() > post.size() &&
      entry.compare(entry.size() - post.size(), post.size(), post) == 0) {
    return entry.substr(0, entry.size() - post.size());
  }
  return entry;
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
  bool CheckClauses(std::string* error) {
    for (const auto* clause : {&list_.execute, &list_.execute_always,
                               &list_.append, &list_.merge}) {
      for (const auto& e : *clause) {
        if (access(e.path.c_str(), R_OK) != 0) {
          *error = At(list_, e.line) + "cannot read: '" + e.path + "'";
          return false;
        }
      }
    }
    return true;
  }

  std::string Subst(const std::string& text, int line, const std::string& node) {
    std::vector<std::string> unknown;
    std::string out = SubstituteVars(text, NodeVars(*in_.db, node), &unknown);
    for (const auto& name : unknown) {
      std::string w = At(list_, line) + "variable $" + name +
                      " is not defined for " + node + "; left as written";
      if (warned_.insert(w).second) warnings_->push_back(w);
    }
    return out;
  }

  bool NodeSteps(const std::string& node, std::vector<Step>* steps,
                 std::string* error) {
    std::vector<Transfer> transfers;
    roots_.clear();
    std::set<std::string> synced;  // source tokens as written, for EXECUTEALWAYS
    std::map<std::string, std::pair<std::string, int>> delivered;  // dest -> src, line
    for (const auto& line : list_.lines) {
      if (!scope_.Applies(line, node)) continue;
      if (!LineTransfers(line, node, &transfers, &delivered, error)) return false;
      for (const auto& s : line.sources) synced.insert(Subst(s, line.line, node));
    }
    if (!IsRsync(o_) && !transfers.empty()) {
      if (!list_.execute.empty()) steps->push_back(ProbeStep(node));
      steps->push_back(MkdirStep(transfers, node));
    }
    for (const auto& t : transfers) steps->push_back(CopyStep(o_, node, t));
    if (steps->empty() && list_.merge.empty() && list_.append.empty()) return true;
    ClauseSteps(node, synced, steps);
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
        list += " " + SingleQuote(dest);
        break;
      }
    }
    std::string command = "for f in" + (list.empty() ? " /dev/null/none" : list) +
                          "; do stat -c '%s %Y' -- \"$f\" 2>/dev/null || echo missing; done";
    Step probe = RemoteCommandStep(o_, node, command, "look at the EXECUTE triggers");
    probe.kind = StepKind::kCopy;
    probe.probes = s.probes;
    return probe;
  }

  // scp cannot make the destination directories itself.
  Step MkdirStep(const std::vector<Transfer>& transfers, const std::string& node) {
    std::string command = "mkdir -p --";
    std::set<std::string> dirs;
    for (const auto& t : transfers) {
      if (dirs.insert(t.dest_dir).second) command += " " + SingleQuote(t.dest_dir);
    }
    Step s = RemoteCommandStep(o_, node, command, "make destination directories");
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
      *error = At(list_, line.line) + "destination is not an absolute path for " + node +
               " after substitution: '" + dest + "'";
      return false;
    }
    bool into_dir = dest.back() == '/' || line.sources.size() > 1;
    std::string dest_dir = into_dir ? dest : Dirname(dest);
    while (dest_dir.size() > 1 && dest_dir.back() == '/') dest_dir.pop_back();
    for (const auto& written : line.sources) {
      std::vector<std::string> paths;
      std::string pattern = Subst(written, line.line, node);
      if (!SourcePaths(list_, line, pattern, node, &paths, error)) return false;
      for (const auto& path : paths) {
        std::string name = into_dir ? Basename(path) : Basename(dest);
        std::string target = (dest_dir == "/" ? "" : dest_dir) + "/" + name;
        auto [it, fresh] = delivered->emplace(target, std::make_pair(path, line.line));
        if (!fresh && it->second.first != path) {
          *error = At(list_, line.line) + "conflict on " + node + ": '" + target +
                   "' is also delivered from '" + it->second.first + "' by line " +
                   std::to_string(it->second.second);
          return false;
        }
        if (!fresh) continue;
        bool follow = IsSymlink(path);
        std::string local = path;
        while (local.size() > 1 && local.back() == '/') local.pop_back();
        roots_.push_back({local, path.back() == '/' ? dest_dir : target});
        bool rename = !into_dir && Basename(path) != name;
        AddTransfer(path, dest_dir, rename ? name : "", follow, transfers);
      }
    }
    return true;
  }

  // Sources with the same destination directory share one run.
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

  void ClauseSteps(const std::string& node, const std::set<std::string>& synced,
                   std::vector<Step>* steps) {
    int n = 0;
    for (const auto& e : list_.merge) {
      std::string merge_file = e.path;
      EditSteps(o_, node, Work(node, "merge", ++n), e.target, "MERGE " + e.path,
                [merge_file](const std::string& cur, std::string* out) {
                  std::string merge, error;
                  if (!ReadWholeFile(merge_file, &merge)) return "cannot read " + merge_file;
                  MergeCounts counts;
                  if (!MergeRecords(cur, merge, out, &counts, &error))
                    return merge_file + ": " + error;
                  return std::string();
                },
                steps);
    }
    for (const auto& e : list_.append) {
      std::string src = e.path;
      EditSteps(o_, node, Work(node, "append", ++n), e.target, "APPEND " + e.path,
                [src](const std::string& cur, std::string* out) {
                  std::string content;
                  if (!ReadWholeFile(src, &content)) return "cannot read " + src;
                  *out = AppendBlock(cur, src, content);
                  return std::string();
                },
                steps);
    }
    for (const auto& e : list_.execute) {
      Step s = ScriptStep(o_, node, e.path, "EXECUTE");
      s.run_if_changed = {Trigger(e.path)};
      steps->push_back(s);
    }
    for (const auto& e : list_.execute_always) {
      if (synced.count(e.path)) steps->push_back(ScriptStep(o_, node, e.path, "EXECUTEALWAYS"));
    }
  }

  std::string Work(const std::string& node, const char* kind, int n) {
    return in_.workdir + "/" + node + "." + kind + "." + std::to_string(n);
  }

  const SyncPlanInput& in_;
  const Options& o_;
  const SyncList& list_;
  std::vector<std::string>* warnings_;
  SyncScope scope_;  // which lines apply to which node
  // This node's transfers: local source -> its path on the node.
  std::vector<std::pair<std::string, std::string>> roots_;
  std::set<std::string> warned_;
};

}  // namespace

bool MakeSyncPlan(const SyncPlanInput& in, Plan* plan,
                  std::vector<std::string>* warnings, std::string* error) {
  Planner planner(in, warnings);
  return planner.Make(plan, error);
}

bool MakeImagePlan(const Options& o, const SyncList& list,
                   const std::string& image, Plan* plan,
                   std::vector<std::string>* warnings, std::string* error) {
  plan->fanout = 1;
  plan->node_timeout = o.timeout;
  NodeJob job{image, {}};
  int skipped = 0;
  for (const auto& line : list.lines) {
    if (!line.noderange.empty()) {
      ++skipped;
      continue;
    }
    std::string dest = image + line.dest;
    if (line.sources.size() > 1 && dest.back() != '/') dest += '/';
    for (const auto& written : line.sources) {
      std::vector<std::string> paths;
      if (!GlobExisting(written, &paths)) {
        *error = At(list, line.line) + "source not found: '" + written + "'";
        return false;
      }
      for (const auto& path : paths) {
        Step s;
        s.argv = {o.rcp, "-r", IsSymlink(path) ? "-L" : "-l", "-p", "-t", "-o",
                  "-g", "--mkpath", path, dest};
        s.what = "copy " + path + " -> " + dest;
        job.steps.push_back(s);
      }
    }
  }
  if (skipped > 0) {
    warnings->push_back(list.path + ": skipped " + std::to_string(skipped) +
                        " lines with a noderange (apply them to the nodes with -F)");
  }
  if (!list.execute.empty() || !list.execute_always.empty() ||
      !list.append.empty() || !list.merge.empty()) {
    warnings->push_back(list.path +
                        ": EXECUTE, EXECUTEALWAYS, APPEND and MERGE are not applied "
                        "to an image");
  }
  plan->jobs.push_back(std::move(job));
  return true;
}

}  // namespace xdcp
