#include "sync_plan.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "image_path.h"
#include "merge.h"
#include "paths.h"
#include "sources.h"
#include "sync_scope.h"
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

std::string At(const SyncList& list, int line) {
  return list.path + ":" + std::to_string(line) + ": ";
}

bool IsSymlink(const std::string& path) {
  struct stat st;
  std::string p = WithoutTrailingSlashes(path);
  return p == path && lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

// scp: one run per destination directory (rsync: see TreeSteps).
Step CopyStep(const Options& o, const std::string& node, const Transfer& t) {
  Step s;
  std::string dest = t.rename.empty() ? t.dest_dir + "/" : t.dest_dir + "/" + t.rename;
  s.argv = CopyArgv(CopyPurpose::kSync, o);
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

// An EXECUTE or EXECUTEALWAYS script: copied from the management node on
// stdin into a private temporary file on the node (mktemp: 0600, a name
// nobody can guess), run, removed. Nodes often mount /tmp noexec, so a
// script is run by its #! interpreter, or by sh without one, the file as
// its argument; only a program (ELF) is executed itself.
Step ScriptStep(const Options& o, const std::string& node,
                const std::string& script, const std::string& clause) {
  Step s = RemoteCommandStep(
      o, node,
      "t=$(mktemp) && cat >\"$t\" && chmod 700 \"$t\" && { IFS= read -r l <\"$t\"; "
      "case $l in '#!'*) set -f; set -- ${l#??}; set +f; \"$@\" \"$t\";; "
      "\"$(printf '\\177ELF')\"*) \"$t\";; *) sh \"$t\";; esac; }; rc=$?; "
      "rm -f \"$t\"; exit $rc",
      clause + " " + script);
  s.stdin_path = script;
  return s;
}

// Reads a work file that rsync fetched from a node. Nothing a node sent is
// ever resolved here: a symbolic link, a directory or a device is refused
// (O_NOFOLLOW, then fstat on what was opened). rsync without -l, -r or -D
// fetches nothing for such a target, so "missing" means the same.
std::string ReadFetched(const std::string& path, const std::string& target,
                        std::string* content) {
  std::string irregular = target + " is not a regular file on the node "
                          "(MERGE and APPEND edit regular files only)";
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT || errno == ELOOP ? irregular : "cannot read " + path;
  struct stat st;
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  content->clear();
  char buf[65536];
  ssize_t n = 0;
  while (regular && (n = read(fd, buf, sizeof buf)) > 0) content->append(buf, n);
  close(fd);
  if (!regular) return irregular;
  return n < 0 ? "cannot read " + path : "";
}

// Writes a new private file (0600) in the work directory.
std::string WriteWork(const std::string& path, const std::string& content) {
  unlink(path.c_str());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write " + path;
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) break;
    done += n;
  }
  bool ok = done == content.size() && close(fd) == 0;
  if (done != content.size()) close(fd);
  return ok ? "" : "cannot write " + path;
}

// The node's side of a MERGE or APPEND (POSIX sh and GNU coreutils on the
// node). Its standard input is a header, then the new content. The header
// "unchanged" ends it at once: the target keeps its inode and its times.
// Otherwise the first header line is what `cksum` said of the file xdcp
// edited; a target that is no longer a regular file or no longer has that
// checksum (someone changed it meanwhile) is left alone. The new content
// goes into a temporary file beside the target, which takes every
// attribute of the live target (owner, group, mode, ACLs, xattrs, SELinux
// label: cp --attributes-only --preserve=all), a fresh mtime, and is
// renamed over it: readers see the old file or the new one, never a mix.
// The second header line is the new content's cksum: content cut short
// (xdcp killed, the connection lost) is never renamed over the target.
std::string CommitCommand(const std::string& target) {
  return "f=" + ShellQuote(target) +
         "; IFS= read -r h || exit 1; [ \"$h\" = unchanged ] && exit 0; "
         "if [ ! -f \"$f\" ] || [ -h \"$f\" ]; then "
         "echo \"xdcp: $f is not a regular file on the node\" >&2; exit 1; fi; "
         "if [ \"$(cksum <\"$f\")\" != \"$h\" ]; then "
         "echo \"xdcp: $f changed on the node during the edit; nothing written\" >&2; "
         "exit 1; fi; "
         "IFS= read -r n || exit 1; "
         "t=$(mktemp \"$f.xdcp.XXXXXX\") || exit 1; "
         "trap 'rm -f -- \"$t\"' 0 1 2 13 15; "
         "cat >\"$t\" || exit 1; "
         "if [ \"$(cksum <\"$t\")\" != \"$n\" ]; then "
         "echo \"xdcp: $f: the new content arrived incomplete; nothing written\" >&2; "
         "exit 1; fi; "
         "cp --attributes-only --preserve=all -- \"$f\" \"$t\" && "
         "touch -- \"$t\" && mv -f -T -- \"$t\" \"$f\"";
}

// Fetches the node's TARGET into the work directory, edits it here with
// `edit`, and commits the result on the node (see CommitCommand).
void EditSteps(const Options& o, const std::string& node,
               const std::string& workfile, const std::string& target,
               const std::string& what,
               std::function<std::string(const std::string&, std::string*)> edit,
               std::vector<Step>* steps) {
  Step fetch;
  fetch.argv = CopyArgv(CopyPurpose::kEditFetch, o);
  fetch.argv.push_back(RemotePath(o, node, target));
  fetch.argv.push_back(workfile);
  fetch.what = what + ": fetch " + target + " (it must exist on the node)";
  steps->push_back(fetch);
  Step local;
  local.kind = StepKind::kLocal;
  local.what = what + ": edit " + target;
  std::string commit_input = workfile + ".new";
  local.local = [workfile, target, commit_input, edit]() -> std::string {
    std::string current, result;
    std::string error = ReadFetched(workfile, target, &current);
    if (error.empty()) error = edit(current, &result);
    if (!error.empty()) return error;
    // The node checks the new content's cksum before it renames: a commit
    // cut short (xdcp killed, connection lost) sends EOF early, and must
    // write nothing.
    std::string header = result == current
                             ? "unchanged\n"
                             : Cksum(current) + "\n" + Cksum(result) + "\n";
    return WriteWork(commit_input, header + (result == current ? "" : result));
  };
  steps->push_back(local);
  Step commit = RemoteCommandStep(o, node, CommitCommand(target),
                                  what + ": write " + target);
  commit.kind = StepKind::kCopy;  // its failures are the transfer's
  commit.stdin_path = commit_input;
  steps->push_back(commit);
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
  // Reads every clause file once, here: what is checked is what is sent,
  // and a bad MERGE file stops the run before anything is sent.
  bool CheckClauses(std::string* error) {
    for (const auto* clause : {&list_.execute, &list_.execute_always,
                               &list_.append, &list_.merge}) {
      for (const auto& e : *clause) {
        if (access(e.path.c_str(), R_OK) != 0 ||
            (clause != &list_.execute && clause != &list_.execute_always &&
             !ReadWholeFile(e.path, &contents_[e.path]))) {
          *error = At(list_, e.line) + "cannot read: '" + e.path + "'";
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
      for (const auto& t : transfers) steps->push_back(CopyStep(o_, node, t));
    }
    std::vector<TransferTree> trees;
    for (const auto& e : entries_) AddToTrees(e, &trees);
    for (const auto& tree : trees) TreeSteps(node, tree, steps);
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
        list += " " + ShellQuote(dest);
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
      if (dirs.insert(t.dest_dir).second) command += " " + ShellQuote(t.dest_dir);
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
          *error = At(list_, line.line) + "conflict on " + node + ": '" + target +
                   "' is also delivered from '" + it->second.first + "' by line " +
                   std::to_string(it->second.second);
          return false;
        }
        if (!fresh) continue;
        bool follow = IsSymlink(path);
        std::string local = WithoutTrailingSlashes(path);
        roots_.push_back({local, path.back() == '/' ? dest_dir : target});
        bool rename = !into_dir && LastComponent(path) != name;
        if (!IsRsync(o_.rcp)) {
          AddTransfer(path, dest_dir, rename ? name : "", follow, transfers);
          continue;
        }
        TreeEntry entry = EntryFor(path, dest_dir, rename ? name : "");
        if (!TreeRelative(entry.rel, &entry.rel)) {
          *error = At(list_, line.line) + "destination has a '..' component for " + node +
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
    if (IsSymlink(path)) {
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
    s.argv = CopyArgv(CopyPurpose::kSync, o_, d);
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

  void ClauseSteps(const std::string& node, const std::set<std::string>& synced,
                   std::vector<Step>* steps) {
    int n = 0;
    for (const auto& e : list_.merge) {
      std::string merge_file = e.path, merge = contents_[e.path];
      EditSteps(o_, node, Work(node, "merge", ++n), e.target, "MERGE " + e.path,
                [merge_file, merge](const std::string& cur, std::string* out) {
                  std::string error;
                  if (!MergeRecords(cur, merge, out, nullptr, &error))
                    return merge_file + ": " + error;
                  return std::string();
                },
                steps);
    }
    for (const auto& e : list_.append) {
      // The markers name the source as on the management node, so that a
      // node delivered once directly and once through its SN (whose copy
      // is under --source-prefix) keeps one block.
      std::string src = e.path, content = contents_[e.path];
      const std::string& prefix = o_.source_prefix;
      if (!prefix.empty() && src.compare(0, prefix.size(), prefix) == 0)
        src = src.substr(prefix.size());
      EditSteps(o_, node, Work(node, "append", ++n), e.target, "APPEND " + src,
                [src, content](const std::string& cur, std::string* out) {
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
    // The destination as the image's own root sees it: its links lead
    // inside the image, never to the management node's paths.
    std::string want = line.dest, inside, why;
    if (line.sources.size() > 1) want = WithTrailingSlash(want);
    if (!ResolveInImage(image, want, &inside, &why)) {
      *error = At(list, line.line) + why;
      return false;
    }
    std::string dest = image + inside;
    std::string dir = inside.back() == '/' ? inside : Dirname(inside);
    Step mkdirs;
    mkdirs.kind = StepKind::kLocal;
    mkdirs.what = "make " + image + dir;
    mkdirs.local = [image, dir]() { return MakeImageDirs(image, dir); };
    job.steps.push_back(mkdirs);
    for (const auto& written : line.sources) {
      std::vector<std::string> paths;
      if (!GlobExisting(written, &paths)) {
        *error = At(list, line.line) + "source not found: '" + written + "'";
        return false;
      }
      for (const auto& path : paths) {
        CopyDetails d;
        d.follow_links = IsSymlink(path);
        Step s;
        s.argv = CopyArgv(CopyPurpose::kImage, o, d);
        s.argv.insert(s.argv.end(), {path, dest});
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
