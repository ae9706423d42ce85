// Theory of operation
//
// One io_context on one thread drives everything; there are no mutexes.
// Jobs start in plan order, at most plan.fanout at a time, and a new one
// starts the moment another finishes. A job runs its steps one after
// another; each step is one child process, spawned with posix_spawnp (no
// shell) in a process group of its own, stdin on /dev/null (or a file, or
// a pipe xdcp holds open, see Step::stdin_held), stdout and stderr on one
// pipe so the lines keep their order.
//
// Children are reaped in one place: the SIGCHLD handler, which loops over
// waitpid(-1, WNOHANG) and hands each status to the job that owns the pid.
//
// A job's life is a small state machine (JobState); every event handler
// first looks at the state and ignores an event that no longer applies:
//
//   kRunning  --child reaped, pipe at EOF-->   step done
//   kRunning  --child reaped, pipe open--->    kDraining
//   kDraining --pipe at EOF--------------->    step done
//   kDraining --eof_grace expires--------->    SIGKILL the group, stop
//                                              reading: step done
//   step done --ok, more steps------------>    kRunning (next step)
//             --failed before login------->    kBackoff (at most `retries`)
//             --ok and last--------------->    kDone
//             --failed or interrupted----->    kRunning (its next cleanup
//                                              step, Step::cleanup), at
//                                              last kDone with the first
//                                              failure as the result
//   kBackoff  --backoff timer------------->    kRunning (same step again)
//   kBackoff  --deadline / interrupt------>    kDone (timeout / interrupted)
//   kRunning  --step waits for a job------>    kWaiting (Step::after_job)
//   kWaiting  --that job has its result--->    kRunning (the same step)
//   kWaiting  --deadline / interrupt------>    kDone (timeout / interrupted)
//   kRunning, kDraining --deadline / interrupt--> SIGTERM the group,
//             SIGKILL after kill_grace; still ends through "step done"
//
// A step is done only when its child has been reaped AND its pipe has
// reached EOF; otherwise the last lines of rsync's error output can be
// lost. A pipe that stays open after the child exited (a grandchild holding
// it) is given eof_grace_ms, then the whole group is killed.
//
// One timer per purpose: `deadline` (the node's -t budget for its whole
// job), `backoff` (the pause before a retry), `kill_grace` (SIGTERM to
// SIGKILL), `eof_grace` (exit to end of output), and `pause` (batching
// reads, see kShortRead). `pid` is the running child and is reset to -1
// the moment it is reaped, so no signal ever goes to a pid the kernel may
// have given to someone else; `pgid` (the step's process group) is kept
// while kDraining, when the holder of the pipe keeps that group alive, and
// reset when the step is done.
//
// Deadlines: -t is a budget for a node's whole job. When it expires the
// step's process group gets SIGTERM, then SIGKILL after kill_grace_ms, and
// the node is reported as timed out; a node waiting to retry is timed out
// at once; other nodes are not affected.
// SIGINT, SIGTERM and SIGHUP stop every running group the same way, start
// nothing new, and every node without a result is reported interrupted.
// A signal that was ignored when xdcp started (nohup) stays ignored.
// Retries: only a step that failed before ssh logged in (ClassifyStep's
// before_login) runs again, so no remote command ever runs twice.
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
#include "paths.h"
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

enum class JobState {
  kRunning,   // a child runs (pid > 0)
  kDraining,  // the child is reaped, its pipe is still open
  kBackoff,   // between two attempts of a step: no child
  kWaiting,   // for another job's result (Step::after_job): no child
  kDone,      // the node has its result
};

struct NodeRun {
  explicit NodeRun(asio::io_context& io)
      : pipe(io), deadline(io), backoff(io), kill_grace(io), eof_grace(io), pause(io) {}
  size_t job = 0;
  size_t step = 0;
  JobState state = JobState::kRunning;
  pid_t pid = -1;   // the running child; -1 once reaped
  pid_t pgid = -1;  // its process group, until the step is done
  int held_stdin = -1;  // write end of the child's stdin (Step::stdin_held)
  bool eof = false;
  int wait_status = 0;
  bool timed_out = false;
  bool stopping = false;  // SIGTERM sent to the group
  asio::posix::stream_descriptor pipe;
  asio::steady_timer deadline;
  asio::steady_timer backoff;
  asio::steady_timer kill_grace;
  asio::steady_timer eof_grace;
  asio::steady_timer pause;  // between two reads, see kShortRead
  bool pausing = false;
  int paused_fd = -1;        // the pipe, out of the reactor while pausing
  std::vector<char> buf;
  std::string partial;
  std::string first_line;  // of the current attempt
  std::deque<std::string> tail;
  std::set<std::string> changed;  // local sources changed on this node
  bool wants_changes = false;     // some step runs only if a source changed
  int files_changed = 0;
  int attempt = 0;      // retries of the current step so far
  int commands = 0;     // children started
  size_t probe_line = 0;  // next Probe of the current step
  long long bytes = 0;  // sizes of the files sent
  Clock::time_point started;
  // The node's result once a step failed (or it was interrupted); its
  // cleanup steps still run, then this is reported.
  std::unique_ptr<NodeResult> failed;
};

// Maps one change record's name to the local source it stands for.
// Returns the local path a change record's name stands for, or "".
std::string ChangedSource(const std::vector<ChangeRoot>& roots, std::string name) {
  name = WithoutTrailingSlashes(name);
  if (name == "." || name == "/") name.clear();
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
        interrupts_(io_),
        results_(plan.jobs.size()),
        ended_(plan.jobs.size(), false),
        ticker_(io_),
        stdin_(io_) {
    // A signal ignored when xdcp started stays ignored: `nohup xdcp`
    // outlives the logout, a background job of a script ignores SIGINT.
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      if (!IgnoredAtStart(sig)) interrupts_.add(sig);
    }
  }

  RunOutcome Run() {
    if (plan_.jobs.empty()) return {};
    WaitSigchld();
    WaitInterrupt();
    if (plan_.watch_stdin) WatchStdin();
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

  static bool IgnoredAtStart(int sig) {
    struct sigaction old;
    return sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN;
  }

  // Plan::watch_stdin: whatever comes is dropped; EOF or an error means
  // the management node is gone, and the run stops as on SIGHUP.
  void WatchStdin() {
    int fd = dup(0);
    if (fd < 0) return;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    stdin_.assign(fd);
    stdin_buf_.resize(512);
    ReadStdin();
  }

  void ReadStdin() {
    stdin_.async_read_some(asio::buffer(stdin_buf_),
                           [this](const boost::system::error_code& ec, size_t) {
                             if (ec == asio::error::operation_aborted || AllDone()) return;
                             if (!ec) return ReadStdin();
                             Interrupt(SIGHUP);
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

  // Progress counts nodes: a service node's job stands for the nodes
  // behind it, done as their result records come in.
  Progress Snapshot() const {
    Progress p;
    for (const auto& job : plan_.jobs) p.total += Weight(job);
    p.done = nodes_done_;
    p.failed = nodes_failed_;
    p.files = files_done_;
    p.bytes = bytes_done_;
    p.elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    for (const auto& [job, run] : active_) {
      double secs = std::chrono::duration<double>(Clock::now() - run->started).count();
      p.running.push_back({plan_.jobs[job].node, secs, run->files_changed, run->bytes});
      auto relayed = relayed_by_job_.find(job);
      if (relayed != relayed_by_job_.end()) {
        p.done += std::min(relayed->second.first, Weight(plan_.jobs[job]));
        p.failed += std::min(relayed->second.second, Weight(plan_.jobs[job]));
      }
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
      if (stdin_.is_open()) stdin_.cancel();
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
    if (std::string why = Lock(j.node); !why.empty()) {
      NodeResult r;
      r.node = j.node;
      r.state = NodeState::kFailed;
      r.failure = FailureClass::kTransfer;
      r.reason = why;
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
    int timeout = j.timeout >= 0 ? j.timeout : plan_.node_timeout;
    if (timeout > 0) {
      run->deadline.expires_after(std::chrono::seconds(timeout));
      run->deadline.async_wait([this, run](const boost::system::error_code& ec) {
        if (!ec) DeadlineExpired(run);
      });
    }
    SpawnStep(run);
  }

  void DeadlineExpired(const std::shared_ptr<NodeRun>& run) {
    switch (run->state) {
      case JobState::kDone:
        return;
      case JobState::kBackoff:  // no child: the node is timed out now
      case JobState::kWaiting:
        return FinishFailed(run, {FailureClass::kTimeout, "timed out"});
      case JobState::kRunning:
      case JobState::kDraining:
        run->timed_out = true;
        return Stop(run);
    }
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
      if (step.after_job >= 0) {
        size_t after = static_cast<size_t>(step.after_job);
        if (!ended_[after]) {
          run->state = JobState::kWaiting;
          waiters_[after].push_back(run);
          return;
        }
        if (results_[after].state == NodeState::kFailed) {
          reporter_->Trace(plan_.jobs[run->job].node,
                           {"(skipped)", step.what + ": " + plan_.jobs[after].node + " failed"});
          continue;
        }
      }
      if (step.kind != StepKind::kLocal) break;
      reporter_->Trace(plan_.jobs[run->job].node, {"(local)", step.what});
      std::string error = step.local ? step.local() : "";
      if (!error.empty()) return LocalFailed(run, error);
      std::string note = step.local_note ? step.local_note() : "";
      if (!note.empty()) reporter_->Trace(plan_.jobs[run->job].node, {"(local)", note});
      if (step.local_changed) {
        for (auto& name : step.local_changed()) run->changed.insert(std::move(name));
      }
    }
    if (run->step == steps.size()) return Finish(run, BaseResult(*run));
    const Step& step = plan_.jobs[run->job].steps[run->step];
    reporter_->Trace(plan_.jobs[run->job].node, step.argv);
    run->eof = run->stopping = false;
    run->probe_line = 0;
    run->tail.clear();
    run->first_line.clear();
    // Close-on-exec everywhere: only this child may hold its pipes.
    int fds[2], in[2] = {-1, -1};
    if (pipe2(fds, O_CLOEXEC) != 0) return SpawnFailed(run, errno);
    if (step.stdin_held && pipe2(in, O_CLOEXEC) != 0) {
      close(fds[0]), close(fds[1]);
      return SpawnFailed(run, errno);
    }
    pid_t pid = -1;
    int err = Spawn(step.argv, step.stdin_path, in[0], fds[1], &pid);
    close(fds[1]);
    if (in[0] >= 0) close(in[0]);
    if (err != 0) {
      close(fds[0]);
      if (in[1] >= 0) close(in[1]);
      return SpawnFailed(run, err);
    }
    run->state = JobState::kRunning;
    run->pid = run->pgid = pid;
    run->held_stdin = in[1];
    ++run->commands;
    by_pid_[pid] = run;
    run->pipe.assign(fds[0]);
    run->buf.resize(kReadBuffer);
    Read(run);
  }

  // posix_spawnp with the child in its own process group, default signal
  // dispositions and an empty mask; returns 0 or an errno value.
  // stdin: `in` if >= 0, else the file `stdin_path`, else /dev/null.
  static int Spawn(const std::vector<std::string>& argv,
                   const std::string& stdin_path, int in, int out, pid_t* pid) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (in >= 0) {
      posix_spawn_file_actions_adddup2(&actions, in, 0);
    } else {
      posix_spawn_file_actions_addopen(
          &actions, 0, stdin_path.empty() ? "/dev/null" : stdin_path.c_str(),
          O_RDONLY, 0);
    }
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

  // Ends a node that has no child running (kBackoff) as failed, with the
  // output of its last attempt.
  void FinishFailed(const std::shared_ptr<NodeRun>& run, const Classified& c) {
    NodeResult r = BaseResult(*run);
    r.state = NodeState::kFailed;
    r.failure = c.failure;
    r.reason = c.reason;
    r.failed_step = plan_.jobs[run->job].steps[run->step].what;
    r.exit_code = -1;
    r.last_lines.assign(run->tail.begin(), run->tail.end());
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
          bool reaped = run->state != JobState::kRunning;
          if (!ec && n < kShortRead && !reaped) return PauseThenRead(run);
          if (!ec) return Read(run);
          run->eof = true;
          if (run->pipe.is_open()) run->pipe.close();
          if (run->state == JobState::kDraining) StepDone(run);
          // kRunning: the step is done when the child is reaped.
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
    if (run.first_line.empty() && run.tail.empty()) run.first_line = line;
    if (!step.probes.empty()) {
      if (run.probe_line < step.probes.size()) {
        const Probe& p = step.probes[run.probe_line++];
        if (line != std::to_string(p.size) + " " + std::to_string(p.mtime)) {
          run.changed.insert(p.local);
          reporter_->Trace(plan_.jobs[run.job].node, {"changed:", p.local});
        }
      } else if (step.more_lines) {
        step.more_lines(line);
      }
      return;
    }
    if (step.relays_results) {
      NodeResult relayed;
      if (ParseResultRecord(line, &relayed)) {
        relayed.service_node = plan_.jobs[run.job].node;  // who said it
        auto& counts = relayed_by_job_[run.job];
        ++counts.first;
        if (relayed.state == NodeState::kFailed) ++counts.second;
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
      run->pid = -1;  // the kernel may give this pid to anyone now
      run->wait_status = status;
      if (run->eof) {
        StepDone(run);
        continue;
      }
      run->state = JobState::kDraining;
      if (run->pausing) run->pause.cancel();  // read the rest now
      AwaitEof(run);
    }
  }

  // The child is reaped and its pipe closed: judge the step, then run the
  // next one, retry this one, or finish the node.
  void StepDone(const std::shared_ptr<NodeRun>& run) {
    run->eof_grace.cancel();
    run->kill_grace.cancel();
    run->pgid = -1;
    if (run->held_stdin >= 0) close(run->held_stdin), run->held_stdin = -1;
    if (!run->partial.empty()) {
      Line(*run, std::move(run->partial));
      run->partial.clear();
    }
    StepOutcome outcome;
    outcome.signaled = WIFSIGNALED(run->wait_status);
    outcome.signal = outcome.signaled ? WTERMSIG(run->wait_status) : 0;
    outcome.exit_code = outcome.signaled ? -1 : WEXITSTATUS(run->wait_status);
    outcome.timed_out = run->timed_out;
    outcome.first_line = run->first_line;
    const Step& step = plan_.jobs[run->job].steps[run->step];
    std::vector<std::string> tail(run->tail.begin(), run->tail.end());
    Classified c = ClassifyStep(step.kind, outcome, tail);
    if (step.may_fail && !outcome.timed_out) {
      if (c.failure != FailureClass::kNone && !step.failure_note.empty() && !interrupted_)
        reporter_->Output(plan_.jobs[run->job].node, step.failure_note + ": " + c.reason);
      c = {};
    }
    bool more = run->step + 1 < plan_.jobs[run->job].steps.size();
    // Once interrupted, a node whose work is not complete is interrupted,
    // whatever its last step did; a node that just finished is ok.
    if (interrupted_ && (c.failure != FailureClass::kNone || more)) {
      c = {FailureClass::kInterrupted,
           std::string("stopped by ") + strsignal(interrupted_)};
    }
    if (c.before_login && run->attempt < config_.retries && !interrupted_) {
      return Retry(run, c.reason);
    }
    if (run->failed) return NextCleanupStep(run);  // this was one
    if (c.failure == FailureClass::kNone) {
      if (more) {
        ++run->step;
        run->attempt = 0;
        return SpawnStep(run);
      }
      return Finish(run, BaseResult(*run));
    }
    if (!run->failed) {
      NodeResult r = BaseResult(*run);
      r.state = NodeState::kFailed;
      r.failure = c.failure;
      r.reason = c.reason;
      r.failed_step = step.what;
      r.exit_code = outcome.exit_code;
      r.last_lines = std::move(tail);
      run->failed = std::make_unique<NodeResult>(std::move(r));
    }
    NextCleanupStep(run);
  }

  // After a failure: the next cleanup step of the job, or the result.
  void NextCleanupStep(const std::shared_ptr<NodeRun>& run) {
    const std::vector<Step>& steps = plan_.jobs[run->job].steps;
    for (size_t i = run->step + 1; i < steps.size(); ++i) {
      if (!steps[i].cleanup) continue;
      run->step = i;
      run->attempt = 0;
      return SpawnStep(run);
    }
    Finish(run, *run->failed);
  }

  // Runs the same step again after a jittered, growing pause. Only steps
  // that failed before ssh logged in come here: nothing of them ran.
  void Retry(const std::shared_ptr<NodeRun>& run, const std::string& why) {
    ++run->attempt;
    int ms = config_.retry_base_ms * (1 << (run->attempt - 1));
    ms += static_cast<int>(jitter_() % static_cast<unsigned>(ms + 1));
    reporter_->Trace(plan_.jobs[run->job].node,
                     {"retry", std::to_string(run->attempt), "of",
                      std::to_string(config_.retries), "in", std::to_string(ms) + "ms:", why});
    run->state = JobState::kBackoff;
    run->backoff.expires_after(std::chrono::milliseconds(ms));
    run->backoff.async_wait([this, run](const boost::system::error_code& ec) {
      if (ec || run->state != JobState::kBackoff) return;
      SpawnStep(run);
    });
  }

  // The child is gone but its pipe is still open: a grandchild holds it,
  // and with it the process group.
  void AwaitEof(const std::shared_ptr<NodeRun>& run) {
    run->eof_grace.expires_after(std::chrono::milliseconds(config_.eof_grace_ms));
    // The handler may already be queued when the step ends and the next
    // one starts: it acts only on the group it was set for.
    run->eof_grace.async_wait([run, pgid = run->pgid](const boost::system::error_code& ec) {
      if (ec || run->state != JobState::kDraining || run->pgid != pgid) return;
      if (pgid > 0) kill(-pgid, SIGKILL);
      if (run->pipe.is_open()) run->pipe.cancel();
    });
  }

  // SIGTERM to the step's process group, SIGKILL after kill_grace_ms; the
  // step still ends through reaping and EOF.
  void Stop(const std::shared_ptr<NodeRun>& run) {
    if (run->stopping || run->pgid <= 0) return;
    run->stopping = true;
    kill(-run->pgid, SIGTERM);
    run->kill_grace.expires_after(std::chrono::milliseconds(config_.kill_grace_ms));
    run->kill_grace.async_wait([run, pgid = run->pgid](const boost::system::error_code& ec) {
      if (ec || run->pgid != pgid) return;  // see AwaitEof
      kill(-pgid, SIGKILL);
      if (run->state == JobState::kDraining && run->pipe.is_open()) run->pipe.cancel();
    });
  }

  void Interrupt(int sig) {
    if (!interrupted_) interrupted_ = sig;
    auto active = active_;  // Finish() changes active_
    for (auto& entry : active) {
      const auto& run = entry.second;
      if (run->state == JobState::kBackoff || run->state == JobState::kWaiting) {  // no child
        FinishFailed(run, {FailureClass::kInterrupted,
                           std::string("stopped by ") + strsignal(interrupted_)});
      } else {
        Stop(run);
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
  // Returns "" when held, else why not.
  std::string Lock(const std::string& node) {
    if (plan_.lock_dir_fd < 0) return "";
    auto held = locks_.find(node);
    if (held != locks_.end()) return ++held->second.second, "";
    // The directory is root-only; O_NOFOLLOW all the same.
    int fd = openat(plan_.lock_dir_fd, (node + ".lock").c_str(),
                    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return std::string("cannot open the lock file: ") + strerror(errno);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      close(fd);
      return "sync already in progress for " + node;
    }
    locks_[node] = {fd, 1};
    return "";
  }

  void Unlock(const std::string& node) {
    auto held = locks_.find(node);
    if (held == locks_.end() || --held->second.second > 0) return;
    close(held->second.first);
    locks_.erase(held);
  }

  void Finish(const std::shared_ptr<NodeRun>& run, NodeResult r) {
    if (run->failed) {  // the first failure stands, whatever cleanup did
      double seconds = r.seconds;
      r = *run->failed;
      r.seconds = seconds;
    }
    Unlock(plan_.jobs[run->job].node);
    files_done_ += run->files_changed;
    bytes_done_ += run->bytes;
    // No child runs here (kRunning and kDraining end through StepDone).
    run->state = JobState::kDone;
    run->deadline.cancel();
    run->backoff.cancel();
    run->kill_grace.cancel();
    run->eof_grace.cancel();
    if (run->held_stdin >= 0) close(run->held_stdin), run->held_stdin = -1;
    active_.erase(run->job);
    Record(run->job, std::move(r));
    // Posted, not called: a long run of nodes failing at spawn would
    // otherwise recurse once per node.
    asio::post(io_, [this] { StartMore(); });
  }

  static size_t Weight(const NodeJob& job) { return job.behind ? job.behind : 1; }

  void Record(size_t job, NodeResult r) {
    if (r.state == NodeState::kFailed) ++failed_;
    size_t weight = Weight(plan_.jobs[job]);
    nodes_done_ += weight;
    auto relayed = relayed_by_job_.find(job);
    if (!plan_.jobs[job].behind) {
      nodes_failed_ += r.state == NodeState::kFailed;
    } else if (r.state == NodeState::kFailed) {  // a node without a record fails too
      size_t ok = relayed == relayed_by_job_.end() ? 0 : relayed->second.first - relayed->second.second;
      nodes_failed_ += weight - std::min(ok, weight);
    } else if (relayed != relayed_by_job_.end()) {
      nodes_failed_ += std::min(relayed->second.second, weight);
    }
    reporter_->NodeDone(r);
    results_[job] = std::move(r);
    ended_[job] = true;
    ++finished_;
    // The jobs waiting for this one go on, each from its waiting step.
    for (auto& run : waiters_[job]) {
      asio::post(io_, [this, run]() {
        if (run->state != JobState::kWaiting) return;  // timed out, stopped
        run->state = JobState::kRunning;
        SpawnStep(run);
      });
    }
    waiters_.erase(job);
    if (finished_ == plan_.jobs.size()) {
      sigchld_.cancel();
      interrupts_.cancel();
      if (stdin_.is_open()) stdin_.cancel();
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
  std::vector<bool> ended_;  // the job has its result
  std::map<size_t, std::vector<std::shared_ptr<NodeRun>>> waiters_;  // Step::after_job
  std::vector<NodeResult> relayed_;
  std::map<size_t, std::pair<size_t, size_t>> relayed_by_job_;  // job -> records, failed
  size_t nodes_done_ = 0;    // for progress: nodes, not jobs
  size_t nodes_failed_ = 0;
  std::map<std::string, std::pair<int, int>> locks_;  // node -> fd, jobs
  asio::steady_timer ticker_;
  asio::posix::stream_descriptor stdin_;  // Plan::watch_stdin
  std::vector<char> stdin_buf_;
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
