#include "clause_steps.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include "merge.h"
#include "rsync_command.h"
#include "work_dir.h"

namespace xdcp {
namespace {

// An EXECUTE or EXECUTEALWAYS script: copied from the management node on
// stdin into a private temporary file on the node (mktemp: 0600, a name
// nobody can guess), run, removed. Nodes often mount /tmp noexec, so a
// script is run by its #! interpreter, or by sh without one, the file as
// its argument; only a program (ELF) is executed itself.
Step ScriptStep(const Options& o, const RunContext& run, const std::string& node,
                const std::string& script, const std::string& clause) {
  Step s = RemoteCommandStep(
      o, run, node,
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
  return WritePrivateFile(path, content) ? "" : "cannot write " + path;
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
void EditSteps(const Options& o, const RunContext& run, const std::string& node,
               const std::string& workfile, const std::string& target,
               const std::string& what,
               std::function<std::string(const std::string&, std::string*)> edit,
               std::vector<Step>* steps) {
  Step fetch;
  fetch.argv = CopyArgv(CopyPurpose::kEditFetch, o, run);
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
  Step commit = RemoteCommandStep(o, run, node, CommitCommand(target),
                                  what + ": write " + target);
  commit.kind = StepKind::kCopy;  // its failures are the transfer's
  commit.stdin_path = commit_input;
  steps->push_back(commit);
}

}  // namespace

std::string Trigger(const std::string& entry) {
  const std::string post = ".post";
  if (entry.size() > post.size() &&
      entry.compare(entry.size() - post.size(), post.size(), post) == 0) {
    return entry.substr(0, entry.size() - post.size());
  }
  return entry;
}

void ClauseSteps(const Options& o, const RunContext& run, const SyncList& list,
                 const std::map<std::string, std::string>& contents,
                 const std::string& workdir, const std::string& node,
                 const std::set<std::string>& synced, std::vector<Step>* steps) {
  auto work = [&](const char* kind, int n) {
    return workdir + "/" + node + "." + kind + "." + std::to_string(n);
  };
  auto content_of = [&](const std::string& path) {
    auto it = contents.find(path);
    return it == contents.end() ? std::string() : it->second;
  };
  int n = 0;
  for (const auto& e : list.merge) {
    std::string merge_file = e.path, merge = content_of(e.path);
    EditSteps(o, run, node, work("merge", ++n), e.target, "MERGE " + e.path,
              [merge_file, merge](const std::string& cur, std::string* out) {
                std::string error;
                if (!MergeRecords(cur, merge, out, nullptr, &error))
                  return merge_file + ": " + error;
                return std::string();
              },
              steps);
  }
  for (const auto& e : list.append) {
    // The markers name the source as on the management node, so that a
    // node delivered once directly and once through its SN (whose copy
    // is under --source-prefix) keeps one block.
    std::string src = e.path, content = content_of(e.path);
    const std::string& prefix = o.source_prefix;
    if (!prefix.empty() && src.compare(0, prefix.size(), prefix) == 0)
      src = src.substr(prefix.size());
    EditSteps(o, run, node, work("append", ++n), e.target, "APPEND " + src,
              [src, content](const std::string& cur, std::string* out) {
                *out = AppendBlock(cur, src, content);
                return std::string();
              },
              steps);
  }
  for (const auto& e : list.execute) {
    Step s = ScriptStep(o, run, node, e.path, "EXECUTE");
    s.run_if_changed = {Trigger(e.path)};
    steps->push_back(s);
  }
  for (const auto& e : list.execute_always) {
    if (synced.count(e.path)) steps->push_back(ScriptStep(o, run, node, e.path, "EXECUTEALWAYS"));
  }
}

}  // namespace xdcp
