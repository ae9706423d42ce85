// Theory of operation
//
// One io_context on one thread drives everything; there are no mutexes.
// Jobs start in plan order, at most plan.fanout at a time, and a new one
// starts the moment another finishes. A job runs its steps one after
// another; each step is one child process, spawned with posix_spawnp (no
// shell) in a process group of its own, stdin on /dev/null, stdout and
// stderr on one pipe so the lines keep their order.
//
// A step is finished only when its child has been reaped AND its pipe has
// reached EOF; otherwise the last lines of rsync's error output can be
// lost. A pipe that stays open after the child exited (a grandchild holding
// it) is given eof_grace_ms, then the whole group is killed.
//
// Children are reaped in one place: the SIGCHLD handler, which loops over
// waitpid(-1, WNOHANG) and hands each status to the step that owns the pid.
//
// Deadlines: -t is a budget for a node's whole job. When it expires the
// step's process group gets SIGTERM, then SIGKILL after kill_grace_ms, and
// the node is reported as timed out; other nodes are not affected.
// SIGINT, SIGTERM and SIGHUP stop every running group the same way, start
// nothing new, and every node without a result is reported interrupted.
#include "executor.h"

#include <fcntl.h>
#include <sys/file.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <random>

#include "classify.h"
#include "service_nodes.h"

extern char** environ;

namespace xdcp {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr size_t kTailLines = 20;
constexpr size_t kMaxLine = 64 * 1024;  // longer lines are cut in pieces
constexpr size_t kReadBuffer = 16 * 1024;
// A transfer of many files writes a change record per file. Reading each
// as it comes would wake the loop once per file (per node): with hundreds
// of nodes that is the management node's CPU. After a read shorter than
// this, the next one waits kReadPause, so records arrive in batches; the
// pipe (64 KiB) holds far more than a pause's worth, and the child's exit
// ends a pause at once, so no step waits for it. While paused, the pipe is
// taken out of the reactor: its edge-triggered registration would still
// wake the loop on every write.
constexpr size_t kShortRead = 4 * 1024;
constexpr auto kReadPause = std::chrono::milliseconds(20);

struct NodeRun {
  explicit NodeRun(asio::io_context& io)
      : pipe(io), deadline(io), grace(io), pause(io) {}
  size_t job = 0;
  size_t step = 0;
  pid_t pid = -1;  // also the process group id
  bool exited = false;
  bool eof = false;
  int wait_status = 0;
  bool timed_out = false;
  bool killing = false;
  asio::posix::stream_descriptor pipe;
  asio::steady_timer deadline;
  asio::steady_timer grace;
  asio::steady_timer pause;  // between two reads, see kShortRead
  bool pausing = false;
  int paused_fd = -1;        // the pipe, out of the reactor while pausing
  std::vector<char> buf;
  std::string partial;
  std::deque<std::string> tail;
  std::set<std::string> changed;  // local sources changed on this node
  bool wants_changes = false;     // some step runs only if a source changed
  int files_changed = 0;
  int attempt = 0;      // retries of the current step so far
  int commands = 0;     // children started
  size_t probe_line = 0;  // next Probe of the current step
  bool waiting = false;  // between two attempts: no child running
  long long bytes = 0;  // sizes of the files sent
  Clock::time_point started;
};

// Maps one change record's name to the local source it stands for.
// Returns the local path a change record's name stands for, or "".
std::string ChangedSource(const std::vector<ChangeRoot>& roots, std::string name) {
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (name == ".") name.clear();
  for (const auto& root : roots) {
    if (root.any || name == root.name) return root.local;
    if (root.name.empty()) return name.empty() ? root.local : root.local + "/" + name;
    if (name.compare(0, root.name.size() + 1, root.name + "/") == 0) {
      return root.local + name.substr(root.name.size());
    }
  }
  return "";
}

bool Intersects(const std::vector<std::string>& wanted,
                const std::set<std::string>& have) {
  for (const auto& w : wanted) {
    if (have.count(w)) return true;
  }
  return false;
}

class Executor {
 public:
  Executor(const Plan& plan, Reporter* reporter, const ExecutorConfig& config)
      : plan_(plan),
        reporter_(reporter),
        config_(config),
        sigchld_(io_, SIGCHLD),
        interrupts_(io_, SIGINT, SIGTERM, SIGHUP),
        results_(plan.jobs.size()),
        ticker_(io_) {}

  RunOutcome Run() {
    if (plan_.jobs.empty()) return {};
    WaitSigchld();
    WaitInterrupt();
    started_ = Clock::now();
    Tick();
    StartMore();
    io_.run();
    return {std::move(results_), interrupted_, std::move(relayed_)};
  }

 private:
  void WaitSigchld() {
    sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      Reap();
      // Reaping may have finished the last node, which cancelled nothing
      // because no wait was pending; waiting again would never end.
      if (!AllDone()) WaitSigchld();
    });
  }

  void WaitInterrupt() {
    interrupts_.async_wait(
        [this](const boost::system::error_code& ec, int sig) {
          if (ec) return;
          Interrupt(sig);
          if (!AllDone()) WaitInterrupt();
        });
  }

  bool AllDone() const { return finished_ == plan_.jobs.size(); }

  void Tick() {
    ticker_.expires_after(std::chrono::seconds(1));
    ticker_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || AllDone()) return;
      reporter_->ShowProgress(Snapshot());
      Tick();
    });
  }

  Progress Snapshot() const {
    Progress p;
    p.total = plan_.jobs.size();
    p.done = finished_;
    p.failed = failed_;
    p.files = files_done_;
    p.bytes = bytes_done_;
    p.elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    for (const auto& [job, run] : active_) {
      double secs = std::chrono::duration<double>(Clock::now() - run->started).count();
      p.running.push_back({plan_.jobs[job].node, secs, run->files_changed, run->bytes});
      p.files += run->files_changed;
      p.bytes += run->bytes;
    }
    return p;
  }

  void StartMore() {
    size_t fanout = plan_.fanout > 0 ? plan_.fanout : 1;
    while (!interrupted_ && active_.size() < fanout &&
           next_job_ < plan_.jobs.size()) {
      StartJob(next_job_++);
    }
    if (finished_ == plan_.jobs.size()) {
      sigchld_.cancel();
      interrupts_.cancel();
      ticker_.cancel();
    }
  }

  void StartJob(size_t job) {
    const NodeJob& j = plan_.jobs[job];
    if (j.steps.empty()) {
      NodeResult r;
      r.node = j.node;
      r.state = NodeState::kSkipped;
      Record(job, std::move(r));
      return;
    }
    if (!Lock(j.node)) {
      NodeResult r;
      r.node = j.node;
      r.state = NodeState::kFailed;
      r.failure = FailureClass::kTransfer;
      r.reason = "sync already in progress for " + j.node;
      r.failed_step = "lock " + plan_.lock_dir + "/" + j.node + ".lock";
      r.exit_code = -1;
      Record(job, std::move(r));
      return;
    }
    auto run = std::make_shared<NodeRun>(io_);
    run->job = job;
    for (const Step& step : j.steps) run->wants_changes |= !step.run_if_changed.empty();
    run->started = Clock::now();
    active_[job] = run;
    if (plan_.node_timeout > 0) {
      run->deadline.expires_after(std::chrono::seconds(plan_.node_timeout));
      run->deadline.async_wait(
          [this, run](const boost::system::error_code& ec) {
            if (ec || active_.count(run->job) == 0) return;
            run->timed_out = true;
            Kill(run);
          });
    }
    SpawnStep(run);
  }

  // Runs the node's current step, first passing over the steps whose
  // condition does not hold and doing the local ones in place.
  void SpawnStep(const std::shared_ptr<NodeRun>& run) {
    const std::vector<Step>& steps = plan_.jobs[run->job].steps;
    for (; run->step < steps.size(); ++run->step) {
      const Step& step = steps[run->step];
      if (!step.run_if_changed.empty() &&
          !Intersects(step.run_if_changed, run->changed)) {
        continue;
      }
      if (step.kind != StepKind::kLocal) break;
      reporter_->Trace(plan_.jobs[run->job].node, {"(local)", step.what});
      std::string error = step.local ? step.local() : "";
      if (!error.empty()) return LocalFailed(run, error);
    }
    if (run->step == steps.size()) return Finish(run, BaseResult(*run));
    const Step& step = plan_.jobs[run->job].steps[run->step];
    reporter_->Trace(plan_.jobs[run->job].node, step.argv);
    run->exited = run->eof = run->killing = false;
    run->probe_line = 0;
    run->tail.clear();
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return SpawnFailed(run, errno);
    pid_t pid = -1;
    int err = Spawn(step.argv, step.stdin_path, fds[1], &pid);
    close(fds[1]);
    if (err != 0) {
      close(fds[0]);
      return SpawnFailed(run, err);
    }
    run->pid = pid;
    ++run->commands;
    by_pid_[pid] = run;
    run->pipe.assign(fds[0]);
    run->buf.resize(kReadBuffer);
    Read(run);
  }

  // posix_spawnp with the child in its own process group, default signal
  // dispositions and an empty mask; returns 0 or an errno value.
  static int Spawn(const std::vector<std::string>& argv,
                   const std::string& stdin_path, int out, pid_t* pid) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(
        &actions, 0, stdin_path.empty() ? "/dev/null" : stdin_path.c_str(),
        O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out, 1);
    posix_spawn_file_actions_adddup2(&actions, out, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD})
      sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                        POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    int err = posix_spawnp(pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return err;
  }

  void LocalFailed(const std::shared_ptr<NodeRun>& run,
                   const std::string& error) {
    NodeResult r = BaseResult(*run);
    r.state = NodeState::kFailed;
    r.failure = FailureClass::kTransfer;
    r.reason = error;
    r.failed_step = plan_.jobs[run->job].steps[run->step].what;
    r.exit_code = 1;
    Finish(run, std::move(r));
  }

  void SpawnFailed(const std::shared_ptr<NodeRun>& run, int err) {
    const Step& step = plan_.jobs[run->job].steps[run->step];
    NodeResult r = BaseResult(*run);
    r.state = NodeState::kFailed;
    r.failure = FailureClass::kTransfer;
    r.reason = "cannot run " + step.argv[0] + ": " + strerror(err);
    r.failed_step = step.what;
    r.exit_code = 127;
    Finish(run, std::move(r));
  }

  void Read(const std::shared_ptr<NodeRun>& run) {
    run->pipe.async_read_some(
        asio::buffer(run->buf),
        [this, run](const boost::system::error_code& ec, size_t n) {
          if (n > 0) Consume(*run, run->buf.data(), n);
          if (!ec && n < kShortRead && !run->exited) return PauseThenRead(run);
          if (!ec) return Read(run);
          run->eof = true;
          if (run->pipe.is_open()) run->pipe.close();
          StepMaybeDone(run);
        });
  }

  void PauseThenRead(const std::shared_ptr<NodeRun>& run) {
    run->paused_fd = run->pipe.release();
    run->pausing = true;
    run->pause.expires_after(kReadPause);
    // Also called when Reap cancels the pause: the child has exited.
    run->pause.async_wait([this, run](const boost::system::error_code&) {
      run->pausing = false;
      run->pipe.assign(run->paused_fd);
      run->paused_fd = -1;
      Read(run);
    });
  }

  void Consume(NodeRun& run, const char* data, size_t n) {
    const char* end = data + n;
    while (data < end) {
      const char* nl = static_cast<const char*>(memchr(data, '\n', end - data));
      size_t take = (nl ? nl : end) - data;
      size_t room = kMaxLine - run.partial.size();
      if (take >= room) {  // cut an overlong line
        run.partial.append(data, room);
        data += room;
      } else {
        run.partial.append(data, take);
        data += take;
        if (!nl) break;
        ++data;  // the newline
      }
      Line(run, std::move(run.partial));
      run.partial.clear();
    }
  }

  void Line(NodeRun& run, std::string line) {
    const Step& step = plan_.jobs[run.job].steps[run.step];
    if (!step.probes.empty()) {
      if (run.probe_line < step.probes.size()) {
        const Probe& p = step.probes[run.probe_line++];
        if (line != std::to_string(p.size) + " " + std::to_string(p.mtime)) {
          run.changed.insert(p.local);
          reporter_->Trace(plan_.jobs[run.job].node, {"changed:", p.local});
        }
      }
      return;
    }
    if (step.relays_results) {
      NodeResult relayed;
      if (ParseResultRecord(line, &relayed)) {
        relayed.service_node = plan_.jobs[run.job].node;  // who said it
        return relayed_.push_back(relayed);
      }
      reporter_->Output("", line);  // already "NODE: text"
      run.tail.push_back(std::move(line));
      if (run.tail.size() > kTailLines) run.tail.pop_front();
      return;
    }
    if (!step.change_roots.empty()) {
      static const size_t kMarker = sizeof(kChangeMarker) - 1;
      // "xdcp-changed: " + 11 itemize characters + ' ' + name
      if (line.compare(0, kMarker, kChangeMarker) == 0) {
        if (line.size() > kMarker + 12) Changed(run, step, line.substr(kMarker));
        return;
      }
      // rsync says so when it makes a missing destination directory.
      if (line.compare(0, 18, "created directory ") == 0) return;
    }
    if (!step.quiet) reporter_->Output(plan_.jobs[run.job].node, line);
    run.tail.push_back(std::move(line));
    if (run.tail.size() > kTailLines) run.tail.pop_front();
  }

  // One change record: "%i %l %n", rsync's itemized flags, the file's
  // length and its name.
  void Changed(NodeRun& run, const Step& step, const std::string& record) {
    size_t space = record.find(' ', 12);
    if (space == std::string::npos) return;
    std::string name = record.substr(space + 1);
    if (record.compare(0, 9, "*deleting") == 0) {
      reporter_->Trace(plan_.jobs[run.job].node,
                       {"deleting:", ChangedSource(step.change_roots, name)});
      return;
    }
    std::string local = ChangedSource(step.change_roots, name);
    if (local.empty()) return;
    if (run.wants_changes) run.changed.insert(local);
    char type = record[1];  // f file, d directory, L link, D device
    if (type == 'd') return;  // a directory's time follows its files
    ++run.files_changed;
    if (record[0] == '<' || record[0] == '>') run.bytes += strtoll(record.c_str() + 12, nullptr, 10);
    if (reporter_->Tracing()) reporter_->Trace(plan_.jobs[run.job].node, {"changed:", local});
  }

  void Reap() {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = by_pid_.find(pid);
      if (it == by_pid_.end()) continue;
      auto run = it->second;
      by_pid_.erase(it);
      run->exited = true;
      run->wait_status = status;
      if (run->pausing) run->pause.cancel();  // read the rest now
      StepMaybeDone(run);
    }
  }

  void StepMaybeDone(const std::shared_ptr<NodeRun>& run) {
    if (run->exited && !run->eof) return AwaitEof(run);
    if (!run->exited || !run->eof) return;
    run->grace.cancel();
    if (!run->partial.empty()) {
      Line(*run, std::move(run->partial));
      run->partial.clear();
    }
    StepOutcome outcome;
    outcome.signaled = WIFSIGNALED(run->wait_status);
    outcome.signal = outcome.signaled ? WTERMSIG(run->wait_status) : 0;
    outcome.exit_code = outcome.signaled ? -1 : WEXITSTATUS(run->wait_status);
    outcome.timed_out = run->timed_out;
    const Step& step = plan_.jobs[run->job].steps[run->step];
    std::vector<std::string> tail(run->tail.begin(), run->tail.end());
    Classified c = ClassifyStep(step.kind, outcome, tail);
    if (step.may_fail && !outcome.timed_out) c = {};
    bool more = run->step + 1 < plan_.jobs[run->job].steps.size();
    // Once interrupted, a node whose work is not complete is interrupted,
    // whatever its last step did; a node that just finished is ok.
    if (interrupted_ && (c.failure != FailureClass::kNone || more)) {
      c = {FailureClass::kInterrupted,
           std::string("stopped by ") + strsignal(interrupted_)};
    }
    if (Transient(c) && run->attempt < config_.retries && !interrupted_) {
      return Retry(run, c.reason);
    }
    if (c.failure == FailureClass::kNone) {
      if (more) {
        ++run->step;
        run->attempt = 0;
        return SpawnStep(run);
      }
      return Finish(run, BaseResult(*run));
    }
    NodeResult r = BaseResult(*run);
    r.state = NodeState::kFailed;
    r.failure = c.failure;
    r.reason = c.reason;
    r.failed_step = step.what;
    r.exit_code = outcome.exit_code;
    r.last_lines = std::move(tail);
    Finish(run, std::move(r));
  }

  // sshd drops connections beyond MaxStartups before authentication; such
  // a refusal says nothing about the node and is worth another try.
  static bool Transient(const Classified& c) {
    return c.failure == FailureClass::kUnreachable &&
           (c.reason == "connection closed by remote host" ||
            c.reason == "connection reset by remote host");
  }

  // Runs the same step again after a jittered, growing pause.
  void Retry(const std::shared_ptr<NodeRun>& run, const std::string& why) {
    ++run->attempt;
    int ms = config_.retry_base_ms * (1 << (run->attempt - 1));
    ms += static_cast<int>(jitter_() % static_cast<unsigned>(ms + 1));
    reporter_->Trace(plan_.jobs[run->job].node,
                     {"retry", std::to_string(run->attempt), "of",
                      std::to_string(config_.retries), "in", std::to_string(ms) + "ms:", why});
    run->waiting = true;
    run->grace.expires_after(std::chrono::milliseconds(ms));
    run->grace.async_wait([this, run](const boost::system::error_code& ec) {
      if (ec || active_.count(run->job) == 0) return;
      run->waiting = false;
      SpawnStep(run);
    });
  }

  void FinishInterrupted(const std::shared_ptr<NodeRun>& run) {
    NodeResult r = BaseResult(*run);
    r.state = NodeState::kFailed;
    r.failure = FailureClass::kInterrupted;
    r.reason = std::string("stopped by ") + strsignal(interrupted_);
    Finish(run, std::move(r));
  }

  // The child is gone but its pipe is still open: a grandchild holds it.
  void AwaitEof(const std::shared_ptr<NodeRun>& run) {
    run->grace.expires_after(std::chrono::milliseconds(config_.eof_grace_ms));
    run->grace.async_wait([run](const boost::system::error_code& ec) {
      if (ec) return;
      kill(-run->pid, SIGKILL);
      if (run->pipe.is_open()) run->pipe.cancel();
    });
  }

  void Kill(const std::shared_ptr<NodeRun>& run) {
    if (run->pid <= 0 || run->killing) return;
    run->killing = true;
    kill(-run->pid, SIGTERM);
    run->grace.expires_after(std::chrono::milliseconds(config_.kill_grace_ms));
    run->grace.async_wait([run](const boost::system::error_code& ec) {
      if (ec) return;
      kill(-run->pid, SIGKILL);
      if (run->exited && run->pipe.is_open()) run->pipe.cancel();
    });
  }

  void Interrupt(int sig) {
    if (!interrupted_) interrupted_ = sig;
    auto active = active_;  // Finish() changes active_
    for (auto& entry : active) {
      if (entry.second->waiting) {
        FinishInterrupted(entry.second);  // no child to stop
      } else {
        Kill(entry.second);
      }
    }
    for (; next_job_ < plan_.jobs.size(); ++next_job_) {
      NodeResult r;
      r.node = plan_.jobs[next_job_].node;
      r.state = NodeState::kFailed;
      r.failure = FailureClass::kInterrupted;
      r.reason = std::string("not started: stopped by ") + strsignal(sig);
      r.exit_code = -1;
      Record(next_job_, std::move(r));
    }
  }

  NodeResult BaseResult(const NodeRun& run) {
    NodeResult r;
    r.node = plan_.jobs[run.job].node;
    r.files_changed = run.files_changed;
    r.bytes = run.bytes;
    r.commands = run.commands;
    r.seconds =
        std::chrono::duration<double>(Clock::now() - run.started).count();
    return r;
  }

  // Held only while the node's job runs, so at most `fanout` lock files
  // are open (every child inherits, and exec closes, the open files).
  // A node with two jobs in one run (its own, and as an SN) shares one.
  bool Lock(const std::string& node) {
    if (plan_.lock_dir.empty()) return true;
    auto held = locks_.find(node);
    if (held != locks_.end()) return ++held->second.second, true;
    std::string path = plan_.lock_dir + "/" + node + ".lock";
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return true;  // no lock directory: run unguarded
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      close(fd);
      return false;
    }
    locks_[node] = {fd, 1};
    return true;
  }

  void Unlock(const std::string& node) {
    auto held = locks_.find(node);
    if (held == locks_.end() || --held->second.second > 0) return;
    close(held->second.first);
    locks_.erase(held);
  }

  void Finish(const std::shared_ptr<NodeRun>& run, NodeResult r) {
    Unlock(plan_.jobs[run->job].node);
    files_done_ += run->files_changed;
    bytes_done_ += run->bytes;
    run->deadline.cancel();
    run->grace.cancel();
    active_.erase(run->job);
    Record(run->job, std::move(r));
    // Posted, not called: a long run of nodes failing at spawn would
    // otherwise recurse once per node.
    asio::post(io_, [this] { StartMore(); });
  }

  void Record(size_t job, NodeResult r) {
    if (r.state == NodeState::kFailed) ++failed_;
    reporter_->NodeDone(r);
    results_[job] = std::move(r);
    ++finished_;
    if (finished_ == plan_.jobs.size()) {
      sigchld_.cancel();
      interrupts_.cancel();
    }
  }

  const Plan& plan_;
  Reporter* reporter_;
  ExecutorConfig config_;
  asio::io_context io_;
  asio::signal_set sigchld_;
  asio::signal_set interrupts_;
  std::map<size_t, std::shared_ptr<NodeRun>> active_;
  std::map<pid_t, std::shared_ptr<NodeRun>> by_pid_;
  std::vector<NodeResult> results_;
  std::vector<NodeResult> relayed_;
  std::map<std::string, std::pair<int, int>> locks_;  // node -> fd, jobs
  asio::steady_timer ticker_;
  Clock::time_point started_;
  size_t failed_ = 0;
  std::minstd_rand jitter_{static_cast<unsigned>(getpid())};
  long long files_done_ = 0;
  long long bytes_done_ = 0;
  size_t next_job_ = 0;
  size_t finished_ = 0;
  int interrupted_ = 0;
};

}  // namespace

RunOutcome RunPlan(const Plan& plan, Reporter* reporter,
                   const ExecutorConfig& config) {
  Executor executor(plan, reporter, config);
  return executor.Run();
}

}  // namespace xdcp
