// Running a plan and reporting it: the last two steps of every mode.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mode.h"
#include "private_dir.h"

namespace xdcp {
namespace {

// Raises the open-file limit as far as allowed and caps the fan-out to
// what it permits: each running copy holds one pipe here, plus a few
// while it starts.
int FanoutWithinFileLimit(int fanout) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return fanout;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  long cap = (static_cast<long>(rl.rlim_cur) - 64) / 4;
  if (cap < 1) cap = 1;
  if (fanout <= cap) return fanout;
  fprintf(stderr, "Warning: fan-out %d needs more open files than allowed (%ld); using %ld\n",
          fanout, static_cast<long>(rl.rlim_cur), cap);
  return static_cast<int>(cap);
}

// On a service node, xdcp's stdin is the management node's ssh channel,
// which the management node holds open (Step::stdin_held): its EOF means
// the management node or its ssh is gone.
bool StdinIsPipe() {
  struct stat st;
  return fstat(0, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

}  // namespace

int Execute(const Options& o, Plan plan, const Finalize& finalize,
            bool show_plan_only) {
  ReportStyle style;
  style.trace = o.trace || o.dry_run;
  style.silent = o.silent;
  style.nodestatus = o.nodestatus;
  style.records = o.report_results;
  // JSON on standard output replaces the NODE: lines there (they are in
  // each object's last_lines); JSON to a file comes in addition.
  style.no_output = o.json == "-";
  LineReporter lines(style, stdout, stderr);
  Reporter* chain = &lines;
  FoldingReporter folding(chain, stdout);
  if (o.fold && !o.report_results) chain = &folding;
  FILE* json_out = nullptr;
  if (!o.json.empty()) {
    // Close-on-exec: the children must not hold it open (nor write to
    // it); 0600: the records name nodes and carry their output.
    int fd = o.json == "-" ? -1
                           : open(o.json.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    json_out = o.json == "-" ? stdout : fd < 0 ? nullptr : fdopen(fd, "w");
    if (!json_out) return Fail(kExitUsage, o.json + ": " + strerror(errno));
  }
  JsonReporter json(chain, json_out);
  if (json_out) chain = &json;
  Reporter& reporter = *chain;
  struct Closer {
    FILE* f;
    ~Closer() {
      if (f && f != stdout) fclose(f);
    }
  } closer{json_out};
  if (o.dry_run && show_plan_only) {  // the same plan, shown instead of run
    for (const auto& job : plan.jobs) {
      for (const auto& step : job.steps) {
        bool local = step.kind == StepKind::kLocal;
        reporter.Trace(job.node, local ? std::vector<std::string>{"(local)", step.what} : step.argv);
      }
    }
    return kExitOk;
  }
  plan.fanout = FanoutWithinFileLimit(plan.fanout);
  std::string error;
  plan.lock_dir = o.lock_dir;
  plan.lock_dir_fd = OpenPrivateDir(o.lock_dir, &error);
  if (plan.lock_dir_fd < 0) return Fail(kExitUsage, error);
  plan.watch_stdin = o.report_results && StdinIsPipe();
  RunOutcome outcome = RunPlan(plan, &reporter);
  close(plan.lock_dir_fd);
  std::vector<NodeResult> results =
      finalize ? finalize(outcome, &reporter) : outcome.results;
  reporter.Finish(results);
  if (outcome.interrupted_by) return 128 + outcome.interrupted_by;
  return ExitCodeFor(results);
}

}  // namespace xdcp
