#include "plan.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "paths.h"

namespace xdcp {
namespace {

bool IsRsync(const Options& o) {
  return o.rcp.size() >= 5 && o.rcp.compare(o.rcp.size() - 5, 5, "rsync") == 0;
}

// A local path starting with '-' would be read as an option.
std::string SafeLocal(const std::string& path) {
  return !path.empty() && path[0] == '-' ? "./" + path : path;
}

std::string Remote(const Options& o, const std::string& node,
                   const std::string& path) {
  return (o.user.empty() ? "" : o.user + "@") + node + ":" + path;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// The argv of one copy command up to (not including) its operands.
std::vector<std::string> CopyHead(const Options& o, bool follow_links) {
  std::vector<std::string> argv{o.rcp};
  if (IsRsync(o)) {
    if (o.preserve) argv.insert(argv.end(), {"-p", "-t"});
    if (o.recursive) argv.push_back("-r");
    argv.push_back(follow_links ? "-L" : "-l");
    // Remote paths travel inside the rsync protocol, never through the
    // remote shell, so spaces and metacharacters arrive byte-exact.
    argv.push_back("--protect-args");
    for (const auto& f : o.exclude_from) argv.push_back("--exclude-from=" + f);
    if (o.io_timeout > 0) argv.push_back("--timeout=" + std::to_string(o.io_timeout));
    argv.insert(argv.end(), {"-e", SshCommandLine(o)});
  } else {
    for (const auto& t : SshCommand(o)) {
      if (t != "ssh") argv.push_back(t);
    }
    if (o.preserve) argv.push_back("-p");
    if (o.recursive) argv.push_back("-r");
  }
  for (const auto& t : NodeOptionTokens(o)) argv.push_back(t);
  return argv;
}

Step VerifyStep(const Options& o, const std::string& node) {
  Step s = RemoteCommandStep(o, node, "true", "verify ssh to " + node);
  s.kind = StepKind::kVerify;
  return s;
}

Plan NewPlan(const Options& o) {
  Plan plan;
  plan.fanout = o.fanout;
  plan.node_timeout = o.timeout;
  return plan;
}

}  // namespace

// -o is one string of extra copy-command options, split on white space
// (never on ',' or ':', which xCAT mangled).
std::vector<std::string> NodeOptionTokens(const Options& o) {
  std::vector<std::string> tokens;
  std::istringstream in(o.node_opts);
  for (std::string t; in >> t;) tokens.push_back(t);
  return tokens;
}

std::vector<std::string> SshCommand(const Options& o) {
  std::vector<std::string> argv{"ssh", "-o", "BatchMode=yes", "-o",
                                "ConnectTimeout=" + std::to_string(o.connect_timeout)};
  if (!o.ssh_ciphers.empty()) argv.insert(argv.end(), {"-c", o.ssh_ciphers});
  if (!o.control_dir.empty()) {
    // One login per node for all of its rsync runs and scripts: the first
    // command becomes the master, the others share its connection. An idle
    // master goes away by itself, so an interrupted run leaves none behind
    // for long; with --persist it waits that long for the next run.
    argv.insert(argv.end(), {"-o", "ControlMaster=auto", "-o",
                             "ControlPath=" + o.control_dir + "/%C", "-o",
                             "ControlPersist=" + std::to_string(o.persist > 0 ? o.persist : 10)});
  }
  return argv;
}

std::string SshCommandLine(const Options& o) { return Join(SshCommand(o), " "); }

std::string RemotePath(const Options& o, const std::string& node,
                       const std::string& path) {
  return Remote(o, node, path);
}

Step RemoteCommandStep(const Options& o, const std::string& node,
                       const std::string& command, const std::string& what) {
  Step s;
  s.kind = StepKind::kRemote;
  s.argv = SshCommand(o);
  if (!o.user.empty()) s.argv.insert(s.argv.end(), {"-l", o.user});
  s.argv.insert(s.argv.end(), {"--", node, command});
  s.what = what;
  return s;
}

void UnshareConnection(const Options& o, Step* step) {
  Options alone = o;
  alone.control_dir.clear();
  const std::vector<std::string> shared = SshCommand(o), own = SshCommand(alone);
  const std::string shared_line = Join(shared, " "), own_line = Join(own, " ");
  auto& argv = step->argv;
  if (argv.size() >= shared.size() && std::equal(shared.begin(), shared.end(), argv.begin())) {
    argv.erase(argv.begin(), argv.begin() + shared.size());
    argv.insert(argv.begin(), own.begin(), own.end());
  }
  for (auto& a : argv) {
    if (a == shared_line) a = own_line;  // rsync's -e
  }
}

Step CloseSharedConnectionStep(const Options& o, const std::string& node) {
  Step s;
  s.kind = StepKind::kRemote;
  s.argv = {"ssh", "-o", "ControlPath=" + o.control_dir + "/%C", "-O", "exit"};
  // The socket's name (%C) depends on the user.
  if (!o.user.empty()) s.argv.insert(s.argv.end(), {"-l", o.user});
  s.argv.insert(s.argv.end(), {"--", node});
  s.what = "close the shared connection to " + node;
  s.may_fail = true;
  s.quiet = true;
  s.cleanup = true;
  return s;
}

Plan MakePushPlan(const Options& o, const std::vector<std::string>& nodes,
                  const std::vector<LocalSource>& sources,
                  const std::string& target) {
  Plan plan = NewPlan(o);
  // Named symbolic links go in a run of their own with -L (delivered as
  // their target's content, as scp would); every other source keeps the
  // links found inside it as links, so a link that dangles here is no error.
  plan.jobs.reserve(nodes.size());
  std::vector<std::string> plain, linked;
  for (const auto& s : sources) {
    (s.symlink && IsRsync(o) ? linked : plain).push_back(SafeLocal(s.path));
  }
  for (const auto& node : nodes) {
    NodeJob job{node, {}};
    if (o.verify) job.steps.push_back(VerifyStep(o, node));
    for (const auto* group : {&plain, &linked}) {
      if (group->empty()) continue;
      Step s;
      s.argv = CopyHead(o, group == &linked);
      s.argv.insert(s.argv.end(), group->begin(), group->end());
      s.argv.push_back(Remote(o, node, target));
      s.what = "copy " + Join(*group, " ") + " -> " + target;
      job.steps.push_back(std::move(s));
    }
    plan.jobs.push_back(std::move(job));
  }
  return plan;
}

std::vector<std::string> PullHead(const Options& o) {
  std::vector<std::string> argv = CopyHead(o, !o.recursive);
  if (IsRsync(o)) {
    // A node's symbolic links arrive as links that resolve nowhere (rsync
    // prefixes their text with /rsyncd-munged/), and nothing it sends is
    // set-id here, even with -p: root owns every pulled file. Last, so no
    // -o option undoes them. A single file (no -R) is fetched with -L: a
    // link is followed on the node, which sends what it points to.
    argv.insert(argv.end(), {"--munge-links", "--chmod=ugo-s"});
  }
  return argv;
}

// scp has no --chmod, and its legacy protocol (-O) keeps set-id bits with
// -p: after an scp pull, xdcp clears them itself. It never follows a link
// (scp makes none) and opens what it changes with O_NOFOLLOW.
static std::string ClearSetIdBits(const std::string& top) {
  static std::string failed;
  failed.clear();
  auto visit = [](const char* path, const struct stat* st, int type, FTW*) {
    if ((type != FTW_F && type != FTW_D) || !(st->st_mode & (S_ISUID | S_ISGID))) return 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat now;
    if (fd < 0 || fstat(fd, &now) != 0 ||
        fchmod(fd, now.st_mode & 07777 & ~(S_ISUID | S_ISGID)) != 0) {
      failed = path;
    }
    if (fd >= 0) close(fd);
    return 0;
  };
  struct stat st;
  if (lstat(top.c_str(), &st) != 0) return "";  // nothing arrived: scp said why
  nftw(top.c_str(), visit, 16, FTW_PHYS | FTW_MOUNT);
  return failed.empty() ? "" : "cannot clear the set-id bits of " + failed;
}

Step ClearSetIdStep(const std::string& path) {
  Step clear;
  clear.kind = StepKind::kLocal;
  clear.what = "clear set-id bits in " + path;
  clear.local = [path]() { return ClearSetIdBits(path); };
  return clear;
}

Plan MakePullPlan(const Options& o, const std::vector<std::string>& nodes,
                  const std::string& source, const std::string& dir) {
  Plan plan = NewPlan(o);
  std::string name = LastComponent(source);
  for (const auto& node : nodes) {
    NodeJob job{node, {}};
    if (o.verify) job.steps.push_back(VerifyStep(o, node));
    Step s;
    std::string local =
        WithTrailingSlash(dir) + name + "._" + node;
    // -R pulls a directory's contents into NAME._NODE with no extra level,
    // whatever the transport, and a second run updates it in place: rsync
    // needs "SRC/" and "DIR/", scp (SFTP) needs "SRC/.".
    bool tree = o.recursive;
    s.argv = PullHead(o);
    std::string remote = source;
    if (tree) {
      remote = WithoutTrailingSlashes(remote);
      remote += IsRsync(o) ? "/" : "/.";
      if (IsRsync(o)) local += '/';
    }
    s.argv.push_back(Remote(o, node, remote));
    s.argv.push_back(SafeLocal(local));
    s.what = "pull " + source + " -> " + local;
    job.steps.push_back(std::move(s));
    if (!IsRsync(o)) job.steps.push_back(ClearSetIdStep(local));
    plan.jobs.push_back(std::move(job));
  }
  return plan;
}

std::string ShellQuote(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool safe = !a.empty() &&
                a.find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                    "OPQRSTUVWXYZ0123456789@%_-+=:,./") == std::string::npos;
    if (safe) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a)
      out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace xdcp
