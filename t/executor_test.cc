// Process tests: real children (the helper program), real time, kept short.
// They wait on states (a file written, a number of children running), never
// for a fixed time, so a slow or busy machine cannot make them fail.
#include "executor.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

class RecordingReporter : public Reporter {
 public:
  void Trace(const std::string&, const std::vector<std::string>& argv) override {
    if (!argv.empty() && argv[0] == "retry") ++retries;
  }
  void Output(const std::string& node, const std::string& line) override {
    bytes[node] += line.size() + 1;
    lines[node].push_back(line);
    events.push_back(node + ": " + line);
  }
  void NodeDone(const NodeResult& r) override {
    done[r.node]++;
    events.push_back(r.node + " done");
    ++finished;
  }
  void Finish(const std::vector<NodeResult>&) override {}
  std::map<std::string, size_t> bytes;
  std::map<std::string, std::vector<std::string>> lines;
  std::map<std::string, int> done;
  std::vector<std::string> events;  // output lines and results, in order
  std::atomic<int> retries{0};  // read by other threads
  std::atomic<int> finished{0};  // results so far; read by other threads
};

Step Child(std::vector<std::string> args) {
  Step s;
  s.argv = {XDCP_TEST_CHILD};
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  s.what = "child";
  return s;
}

Plan OneStepEach(int nodes, std::vector<std::string> args, int fanout = 64) {
  Plan plan;
  plan.fanout = fanout;
  for (int i = 0; i < nodes; ++i) {
    plan.jobs.push_back({"n" + std::to_string(i), {Child(args)}});
  }
  return plan;
}

// A killed grandchild may linger as a zombie until init reaps it; that
// counts as gone.
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state)) return false;
  return state != "Z" && state != "X";
}

// Number of probes (children given --probe DIR) running now.
int Running(const std::string& dir) {
  int n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) n += std::string(e->d_name).rfind("run.", 0) == 0;
    closedir(d);
  }
  return n;
}

// Polls PRED every 10 ms for at most SECONDS; true once it holds.
template <typename Pred>
bool WaitFor(Pred pred, int seconds = 30) {
  for (int ms = 0; ms < seconds * 1000; ms += 10) {
    if (pred()) return true;
    usleep(10000);
  }
  return pred();
}

// No child of this process is left unreaped.
bool NoZombies() {
  int status;
  return waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD;
}

TEST(ExecutorTest, ReportsEachNodeOnceWithItsExitStatus) {
  Plan plan = OneStepEach(3, {"--print", "hello", "--exit", "0"});
  plan.jobs[1].steps[0] = Child({"--stderr", "boom", "--exit", "3"});
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  ASSERT_EQ(out.results.size(), 3u);
  EXPECT_EQ(out.results[0].state, NodeState::kOk);
  EXPECT_EQ(out.results[1].state, NodeState::kFailed);
  EXPECT_EQ(out.results[1].exit_code, 3);
  EXPECT_EQ(out.results[1].last_lines, std::vector<std::string>{"boom"});
  EXPECT_EQ(rep.lines["n0"], std::vector<std::string>{"hello"});
  for (auto& [node, n] : rep.done) EXPECT_EQ(n, 1) << node;
  EXPECT_EQ(ExitCodeFor(out.results), 1);
  EXPECT_TRUE(NoZombies());
}

TEST(ExecutorTest, FanoutIsNeverExceeded) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  Plan plan = OneStepEach(12, {"--probe", dir, "--sleep", "100"}, 3);
  // The first two wait (at most 30 s, else exit 98) until two run at once.
  for (int i : {0, 1}) {
    plan.jobs[i].steps[0] = Child({"--probe", dir, "--await-peers", "2", "--sleep", "100"});
  }
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  std::ifstream log(dir + "/log");
  int max_seen = 0, entries = 0;
  for (int n; log >> n; ++entries) max_seen = std::max(max_seen, n);
  EXPECT_EQ(entries, 12);
  EXPECT_LE(max_seen, 3);
  EXPECT_EQ(ExitCodeFor(out.results), 0);  // so it did run in parallel
}

TEST(ExecutorTest, TimeoutKillsTheWholeGroupAndOthersFinish) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  Plan plan = OneStepEach(3, {"--print", "done"});
  plan.node_timeout = 2;
  plan.jobs[1].steps[0] =
      Child({"--grandchild", dir + "/gc", "--ignore-term", "--sleep", "60000"});
  RecordingReporter rep;
  ExecutorConfig config;
  config.kill_grace_ms = 300;
  auto start = std::chrono::steady_clock::now();
  RunOutcome out = RunPlan(plan, &rep, config);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              start).count();
  EXPECT_LT(took, 10);
  EXPECT_EQ(out.results[0].state, NodeState::kOk);
  EXPECT_EQ(out.results[2].state, NodeState::kOk);
  EXPECT_EQ(out.results[1].state, NodeState::kFailed);
  EXPECT_EQ(out.results[1].failure, FailureClass::kTimeout);
  pid_t gc = 0;
  std::ifstream(dir + "/gc") >> gc;
  ASSERT_GT(gc, 0);
  EXPECT_TRUE(WaitFor([&] { return !Alive(gc); })) << "grandchild survived";
  EXPECT_TRUE(NoZombies());
}

TEST(ExecutorTest, TenMegabytesOfOutputDoNotDeadlock) {
  Plan plan = OneStepEach(2, {"--spew", "10000000", "--partial", "tail"});
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  EXPECT_EQ(ExitCodeFor(out.results), 0);
  EXPECT_GE(rep.bytes["n0"], 10000000u);
  EXPECT_EQ(rep.lines["n1"].back(), "tail");  // a last partial line is kept
}

// Output that trickles in (short reads, so reading pauses between them)
// arrives whole and in order, a line split across a pause included.
TEST(ExecutorTest, TricklingOutputArrivesWholeAndInOrder) {
  Plan plan = OneStepEach(2, {"--print", "a1", "--sleep", "5", "--partial", "b",
                              "--sleep", "40", "--print", "2", "--sleep", "1",
                              "--print", "c", "--partial", "last"});
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  for (const char* node : {"n0", "n1"}) {
    EXPECT_EQ(rep.lines[node], (std::vector<std::string>{"a1", "b2", "c", "last"})) << node;
  }
  EXPECT_EQ(out.results[0].state, NodeState::kOk);
}

// A line longer than 64 KiB is cut into pieces, nothing lost.
TEST(ExecutorTest, OverlongLineIsCutNotLost) {
  std::string text(70000, 'y');
  Plan plan = OneStepEach(1, {"--print", text});
  RecordingReporter rep;
  RunPlan(plan, &rep);
  ASSERT_EQ(rep.lines["n0"].size(), 2u);
  EXPECT_EQ(rep.lines["n0"][0].size(), 64u * 1024);
  EXPECT_EQ(rep.lines["n0"][0] + rep.lines["n0"][1], text);
}

TEST(ExecutorTest, StepsRunInOrderAndTheFirstFailureStops) {
  Plan plan;
  plan.jobs.push_back({"a", {Child({"--print", "1"}), Child({"--exit", "4"}),
                             Child({"--print", "never"})}});
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  EXPECT_EQ(rep.lines["a"], std::vector<std::string>{"1"});
  EXPECT_EQ(out.results[0].exit_code, 4);
}

// Step::after_job: a service node relaying from another waits for that
// one's result; it runs its other steps meanwhile, and passes the waiting
// step over if that job failed.
TEST(ExecutorTest, StepWaitsForAnotherJobsResult) {
  Plan plan;
  plan.jobs.push_back({"a", {Child({"--sleep", "200", "--print", "a1"})}});
  Step relay = Child({"--print", "b2"});
  relay.after_job = 0;
  plan.jobs.push_back({"b", {Child({"--print", "b1"}), relay, Child({"--print", "b3"})}});
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  EXPECT_EQ(out.results[1].state, NodeState::kOk);
  auto at = [&](const std::string& e) {
    return std::find(rep.events.begin(), rep.events.end(), e) - rep.events.begin();
  };
  EXPECT_LT(at("a done"), at("b: b2"));
  EXPECT_LT(at("b: b2"), at("b: b3"));
  EXPECT_EQ(rep.lines["b"], (std::vector<std::string>{"b1", "b2", "b3"}));
}

TEST(ExecutorTest, StepAfterAFailedJobIsPassedOver) {
  Plan plan;
  plan.jobs.push_back({"a", {Child({"--exit", "3"})}});
  Step relay = Child({"--print", "never"});
  relay.after_job = 0;
  plan.jobs.push_back({"b", {relay, Child({"--print", "b2"})}});
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  EXPECT_EQ(out.results[0].state, NodeState::kFailed);
  EXPECT_EQ(out.results[1].state, NodeState::kOk);
  EXPECT_EQ(rep.lines["b"], std::vector<std::string>{"b2"});
}

// With -f 1 the job waited for has already ended: no deadlock.
TEST(ExecutorTest, WaitingNeverDeadlocksTheFanout) {
  Plan plan;
  plan.fanout = 1;
  plan.jobs.push_back({"a", {Child({"--print", "a1"})}});
  for (const char* n : {"b", "c"}) {
    Step relay = Child({"--print", "relayed"});
    relay.after_job = 0;
    plan.jobs.push_back({n, {relay}});
  }
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  for (const auto& r : out.results) EXPECT_EQ(r.state, NodeState::kOk) << r.node;
}

// The job's -t budget runs while it waits. The job waited for ends only
// once the waiting one has its result (a file the test makes then), so
// the deadline comes while it waits, however slow the machine.
TEST(ExecutorTest, DeadlineWhileWaitingTimesTheNodeOut) {
  ScratchDir tmp;
  std::string go = tmp.path() + "/go";
  Plan plan;
  plan.jobs.push_back({"a", {Child({"--await-file", go})}});
  Step relay = Child({"--print", "never"});
  relay.after_job = 0;
  plan.jobs.push_back({"b", {relay}});
  plan.jobs[1].timeout = 1;
  RecordingReporter rep;
  std::thread release([&] {
    WaitFor([&] { return rep.finished > 0; });
    std::ofstream(go) << "go\n";
  });
  RunOutcome out = RunPlan(plan, &rep);
  release.join();
  EXPECT_EQ(out.results[0].state, NodeState::kOk);
  EXPECT_EQ(out.results[1].state, NodeState::kFailed);
  EXPECT_EQ(out.results[1].failure, FailureClass::kTimeout);
  EXPECT_EQ(out.results[1].commands, 0) << "timed out while waiting, before its step";
  EXPECT_TRUE(rep.lines["b"].empty());
  for (auto& [node, n] : rep.done) EXPECT_EQ(n, 1) << node;
  EXPECT_TRUE(NoZombies());
}

TEST(ExecutorTest, MissingProgramFailsThatNodeOnly) {
  Plan plan = OneStepEach(2, {});
  plan.jobs[0].steps[0].argv = {"/nonexistent/rsync"};
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  EXPECT_EQ(out.results[0].state, NodeState::kFailed);
  EXPECT_EQ(out.results[0].exit_code, 127);
  EXPECT_EQ(out.results[1].state, NodeState::kOk);
}

TEST(ExecutorTest, JobWithoutStepsIsSkipped) {
  Plan plan;
  plan.jobs.push_back({"idle", {}});
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  EXPECT_EQ(out.results[0].state, NodeState::kSkipped);
  EXPECT_EQ(ExitCodeFor(out.results), 0);
}

// What ssh prints when sshd drops a connection before its banner
// (MaxStartups): the one failure that is retried.
const std::vector<std::string> kDroppedBeforeLogin = {
    "--stderr", "kex_exchange_identification: read: Connection reset by peer",
    "--exit", "255"};

// -t running out while a node waits to retry ends that node as timed out,
// at once; the other nodes are not held up.
TEST(ExecutorTest, DeadlineDuringRetryBackoffTimesTheNodeOut) {
  Plan plan = OneStepEach(2, kDroppedBeforeLogin);
  plan.jobs[1].steps[0] = Child({"--print", "fine"});
  plan.node_timeout = 1;
  ExecutorConfig config;
  config.retry_base_ms = 4000;  // the first pause outlasts the deadline
  RecordingReporter rep;
  auto start = std::chrono::steady_clock::now();
  RunOutcome out = RunPlan(plan, &rep, config);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              start).count();
  EXPECT_LT(took, 3);
  ASSERT_EQ(out.results.size(), 2u);
  EXPECT_EQ(out.results[0].state, NodeState::kFailed);
  EXPECT_EQ(out.results[0].failure, FailureClass::kTimeout);
  EXPECT_EQ(out.results[0].commands, 1);
  EXPECT_EQ(out.results[1].state, NodeState::kOk);
  for (auto& [node, n] : rep.done) EXPECT_EQ(n, 1) << node;
  EXPECT_TRUE(NoZombies());
}

// A step dropped before login runs again; a remote command that may have
// started never does, whatever words its output holds.
TEST(ExecutorTest, OnlyFailuresBeforeLoginAreRetried) {
  Plan plan = OneStepEach(2, kDroppedBeforeLogin);
  plan.jobs[1].steps[0] = Child({"--print", "ran", "--stderr",
                                 "curl: (56) Recv failure: Connection reset by peer",
                                 "--stderr", "Connection to n1 closed by remote host.",
                                 "--exit", "255"});
  plan.jobs[1].steps[0].kind = StepKind::kRemote;
  ExecutorConfig config;
  config.retry_base_ms = 10;
  config.retries = 2;
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep, config);
  EXPECT_EQ(out.results[0].commands, 3);  // the first try and 2 retries
  EXPECT_EQ(out.results[0].failure, FailureClass::kUnreachable);
  EXPECT_EQ(out.results[1].commands, 1);
  EXPECT_EQ(out.results[1].failure, FailureClass::kTransfer);
  EXPECT_EQ(out.results[1].reason, "connection closed by remote host after login");
}

// SIGINT during a retry's pause: the waiting node is interrupted at once.
TEST(ExecutorTest, InterruptDuringRetryBackoffEndsTheNode) {
  Plan plan = OneStepEach(1, kDroppedBeforeLogin);
  ExecutorConfig config;
  config.retry_base_ms = 20000;
  RecordingReporter rep;
  // SIGINT once the node waits for its retry.
  bool waiting = false;
  std::chrono::steady_clock::time_point sent;
  std::thread killer([&] {
    waiting = WaitFor([&] { return rep.retries > 0; });
    sent = std::chrono::steady_clock::now();
    kill(getpid(), SIGINT);
  });
  RunOutcome out = RunPlan(plan, &rep, config);
  killer.join();
  EXPECT_TRUE(waiting) << "the node never waited for a retry";
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              sent).count();
  EXPECT_LT(took, 3);  // not the 20 s pause
  EXPECT_EQ(out.interrupted_by, SIGINT);
  EXPECT_EQ(out.results[0].failure, FailureClass::kInterrupted);
}

// `nohup xdcp`: a signal ignored at start stays ignored, the run goes on.
TEST(ExecutorTest, SignalsIgnoredAtStartStayIgnored) {
  struct sigaction ign = {}, old_hup, old_int;
  ign.sa_handler = SIG_IGN;
  sigaction(SIGHUP, &ign, &old_hup);
  sigaction(SIGINT, &ign, &old_int);
  // The children run until the signals were sent.
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  Plan plan = OneStepEach(2, {"--probe", dir, "--await-file", dir + "/go"});
  RecordingReporter rep;
  std::thread killer([&] {
    WaitFor([&] { return Running(dir) >= 2; });
    kill(getpid(), SIGHUP);
    kill(getpid(), SIGINT);
    std::ofstream(dir + "/go") << "go\n";
  });
  RunOutcome out = RunPlan(plan, &rep);
  killer.join();
  struct sigaction now;
  sigaction(SIGHUP, nullptr, &now);
  bool still_ignored = now.sa_handler == SIG_IGN;
  sigaction(SIGHUP, &old_hup, nullptr);
  sigaction(SIGINT, &old_int, nullptr);
  EXPECT_EQ(out.interrupted_by, 0);
  EXPECT_EQ(ExitCodeFor(out.results), 0);
  EXPECT_TRUE(still_ignored);
}

// A held stdin stays open while the step runs: the child sees no EOF.
TEST(ExecutorTest, HeldStdinStaysOpenUntilTheStepEnds) {
  Plan plan = OneStepEach(1, {});
  plan.jobs[0].steps[0].argv = {"cat"};  // ends at EOF on its stdin
  plan.jobs[0].steps[0].stdin_held = true;
  plan.node_timeout = 1;
  RecordingReporter rep;
  RunOutcome out = RunPlan(plan, &rep);
  EXPECT_EQ(out.results[0].failure, FailureClass::kTimeout);  // no EOF came
}

// Plan::watch_stdin: EOF on xdcp's own stdin stops the run as SIGHUP does.
TEST(ExecutorTest, StdinClosingStopsAWatchingRun) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);  // the children must not hold it
  int saved = dup(0);
  dup2(fds[0], 0);
  close(fds[0]);
  Plan plan = OneStepEach(2, {"--sleep", "20000"});
  plan.watch_stdin = true;
  RecordingReporter rep;
  std::thread closer([fd = fds[1]] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    close(fd);
  });
  auto start = std::chrono::steady_clock::now();
  RunOutcome out = RunPlan(plan, &rep);
  closer.join();
  dup2(saved, 0);
  close(saved);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              start).count();
  EXPECT_LT(took, 3);
  EXPECT_EQ(out.interrupted_by, SIGHUP);
  for (const auto& r : out.results) EXPECT_EQ(r.failure, FailureClass::kInterrupted);
  EXPECT_TRUE(NoZombies());
}

// Cleanup steps run after a failure and after an interrupt; the node's
// result stays the first failure.
TEST(ExecutorTest, CleanupStepsRunAfterFailureAndInterrupt) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  Step cleanup = Child({"--probe", dir, "--exit", "7"});
  cleanup.cleanup = true;
  Plan plan;
  plan.jobs.push_back({"failed", {Child({"--exit", "4"}), Child({"--print", "never"}), cleanup}});
  plan.jobs.push_back({"stopped", {Child({"--sleep", "20000"}), cleanup}});
  RecordingReporter rep;
  std::thread killer([] {
    std::this_thread::sleep_for(std::chrono::microseconds(400000));
    kill(getpid(), SIGINT);
  });
  RunOutcome out = RunPlan(plan, &rep);
  killer.join();
  EXPECT_EQ(rep.lines["failed"], std::vector<std::string>{});
  EXPECT_EQ(out.results[0].exit_code, 4);
  EXPECT_EQ(out.results[0].failure, FailureClass::kTransfer);
  EXPECT_EQ(out.results[0].commands, 1);  // as of the failure
  EXPECT_EQ(out.results[1].failure, FailureClass::kInterrupted);
  std::ifstream log(dir + "/log");
  int entries = 0;
  for (int n; log >> n;) ++entries;
  EXPECT_EQ(entries, 2);  // the cleanup ran for both
  EXPECT_TRUE(NoZombies());
}

TEST(ExecutorTest, SigintStopsEverythingAndReportsEveryNode) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  Plan plan = OneStepEach(6, {"--probe", dir, "--sleep", "30000"}, 2);
  plan.jobs[0].steps[0] =
      Child({"--probe", dir, "--grandchild", dir + "/gc", "--sleep", "30000"});
  RecordingReporter rep;
  // SIGINT once two children run and the grandchild exists (so RunPlan,
  // which handles SIGINT before it starts a child, is under way).
  bool started = false;
  std::chrono::steady_clock::time_point sent;
  std::thread killer([&] {
    started = WaitFor([&] {
      return Running(dir) >= 2 && access((dir + "/gc").c_str(), F_OK) == 0;
    });
    sent = std::chrono::steady_clock::now();
    kill(getpid(), SIGINT);
  });
  RunOutcome out = RunPlan(plan, &rep);
  killer.join();
  EXPECT_TRUE(started) << "the children did not start within 30 s";
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              sent).count();
  EXPECT_LT(took, 10);  // the children sleep 30 s: they were stopped
  EXPECT_EQ(out.interrupted_by, SIGINT);
  ASSERT_EQ(out.results.size(), 6u);
  for (const auto& r : out.results) {
    EXPECT_EQ(r.state, NodeState::kFailed);
    EXPECT_EQ(r.failure, FailureClass::kInterrupted) << r.node;
  }
  pid_t gc = 0;
  std::ifstream(dir + "/gc") >> gc;
  ASSERT_GT(gc, 0);
  EXPECT_TRUE(WaitFor([&] { return !Alive(gc); })) << "grandchild survived";
  EXPECT_TRUE(NoZombies());
}

}  // namespace
}  // namespace xdcp
