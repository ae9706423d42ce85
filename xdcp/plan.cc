#include "plan.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "paths.h"
#include "text.h"

namespace xdcp {
namespace {

// A local path starting with '-' would be read as an option.
std::string SafeLocal(const std::string& path) {
  return !path.empty() && path[0] == '-' ? "./" + path : path;
}

Step VerifyStep(const Options& o, const RunContext& run, const std::string& node) {
  Step s = RemoteCommandStep(o, run, node, "true", "verify ssh to " + node);
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

Step RemoteCommandStep(const Options& o, const RunContext& run, const std::string& node,
                       const std::string& command, const std::string& what) {
  Step s;
  s.kind = StepKind::kRemote;
  s.argv = SshCommand(o, run);
  if (!o.user.empty()) s.argv.insert(s.argv.end(), {"-l", o.user});
  s.argv.insert(s.argv.end(), {"--", node, command});
  s.what = what;
  return s;
}

void UnshareConnection(const Options& o, const RunContext& run, Step* step) {
  RunContext alone = run;
  alone.control_dir.clear();
  const std::vector<std::string> shared = SshCommand(o, run), own = SshCommand(o, alone);
  const std::string shared_line = SshCommandLine(o, run), own_line = SshCommandLine(o, alone);
  auto& argv = step->argv;
  if (argv.size() >= shared.size() && std::equal(shared.begin(), shared.end(), argv.begin())) {
    argv.erase(argv.begin(), argv.begin() + shared.size());
    argv.insert(argv.begin(), own.begin(), own.end());
  }
  for (auto& a : argv) {
    if (a == shared_line) a = own_line;  // rsync's -e
  }
}

Step CloseSharedConnectionStep(const Options& o, const RunContext& run,
                               const std::string& node) {
  Step s;
  s.kind = StepKind::kRemote;
  s.argv = {"ssh", "-o", "ControlPath=" + run.control_dir + "/%C", "-O", "exit"};
  // The socket's name (%C) depends on the user.
  if (!o.user.empty()) s.argv.insert(s.argv.end(), {"-l", o.user});
  s.argv.insert(s.argv.end(), {"--", node});
  s.what = "close the shared connection to " + node;
  s.may_fail = true;
  s.quiet = true;
  s.cleanup = true;
  return s;
}

Plan MakePushPlan(const Options& o, const RunContext& run,
                  const std::vector<std::string>& nodes,
                  const std::vector<LocalSource>& sources,
                  const std::string& target) {
  Plan plan = NewPlan(o);
  // Named symbolic links go in a run of their own with -L (delivered as
  // their target's content, as scp would); every other source keeps the
  // links found inside it as links, so a link that dangles here is no error.
  plan.jobs.reserve(nodes.size());
  std::vector<std::string> plain, linked;
  for (const auto& s : sources) {
    (s.symlink && IsRsync(o.rcp) ? linked : plain).push_back(SafeLocal(s.path));
  }
  for (const auto& node : nodes) {
    NodeJob job{node, {}};
    if (o.verify) job.steps.push_back(VerifyStep(o, run, node));
    for (const auto* group : {&plain, &linked}) {
      if (group->empty()) continue;
      Step s;
      CopyDetails d;
      d.follow_links = group == &linked;
      s.argv = CopyArgv(CopyPurpose::kPush, o, run, d);
      s.argv.insert(s.argv.end(), group->begin(), group->end());
      s.argv.push_back(RemotePath(o, node, target));
      s.what = "copy " + Join(*group, " ") + " -> " + target;
      job.steps.push_back(std::move(s));
    }
    plan.jobs.push_back(std::move(job));
  }
  return plan;
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

Plan MakePullPlan(const Options& o, const RunContext& run,
                  const std::vector<std::string>& nodes,
                  const std::string& source, const std::string& dir) {
  Plan plan = NewPlan(o);
  std::string name = LastComponent(source);
  for (const auto& node : nodes) {
    NodeJob job{node, {}};
    if (o.verify) job.steps.push_back(VerifyStep(o, run, node));
    Step s;
    std::string local =
        WithTrailingSlash(dir) + name + "._" + node;
    // -R pulls a directory's contents into NAME._NODE with no extra level,
    // whatever the transport, and a second run updates it in place: rsync
    // needs "SRC/" and "DIR/", scp (SFTP) needs "SRC/.".
    bool tree = o.recursive;
    s.argv = CopyArgv(CopyPurpose::kPull, o, run);
    std::string remote = source;
    if (tree) {
      remote = WithoutTrailingSlashes(remote);
      remote += IsRsync(o.rcp) ? "/" : "/.";
      if (IsRsync(o.rcp)) local += '/';
    }
    s.argv.push_back(RemotePath(o, node, remote));
    s.argv.push_back(SafeLocal(local));
    s.what = "pull " + source + " -> " + local;
    job.steps.push_back(std::move(s));
    if (!IsRsync(o.rcp)) job.steps.push_back(ClearSetIdStep(local));
    plan.jobs.push_back(std::move(job));
  }
  return plan;
}

}  // namespace xdcp
