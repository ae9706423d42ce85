// Everything xdcp tells the user about nodes goes through a Reporter.
// LineReporter is the classic xCAT shape: `NODE: text` on stdout, `Error:`
// lines and the summary on stderr.
#ifndef XDCP_REPORT_H_
#define XDCP_REPORT_H_

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "result.h"

namespace xdcp {

// Where a run stands, for feedback during long runs.
struct Progress {
  struct Running {
    std::string node;
    double seconds = 0;
    long long files = 0;
    long long bytes = 0;
  };
  size_t total = 0;        // nodes
  size_t done = 0;         // nodes with a result
  size_t failed = 0;       // of them, failed
  long long files = 0;  // files changed so far, all nodes
  long long bytes = 0;  // bytes of the files sent so far
  double elapsed = 0;   // seconds since the run started
  std::vector<Running> running;
};

// "D/T done, R running, F failed, N files, X MB, longest NODE S s[, ~E s
// left]": the estimate only once enough nodes finished and more are left
// than run at once.
std::string ProgressLine(const Progress& progress);

class Reporter {
 public:
  virtual ~Reporter() = default;
  // A command is about to run for `node` (shown with -T).
  virtual void Trace(const std::string& node,
                     const std::vector<std::string>& argv) = 0;
  // Whether Trace shows anything: lets a caller skip building what it
  // would trace once per file.
  virtual bool Tracing() const { return true; }
  // One line (without its newline) of a command's output.
  virtual void Output(const std::string& node, const std::string& line) = 0;
  // The node has its final result; called exactly once per node.
  virtual void NodeDone(const NodeResult& result) = 0;
  // All nodes are done.
  virtual void Finish(const std::vector<NodeResult>& results) = 0;
  // Called about once a second while nodes are running.
  virtual void ShowProgress(const Progress& /*progress*/) {}
};

struct ReportStyle {
  bool trace = false;       // -T
  bool silent = false;      // -Q: no node output, no summary
  bool nodestatus = false;  // --nodestatus lines for updatenode
  bool records = false;     // --report-results: result records only
  bool no_output = false;   // node output is reported elsewhere (--json)
  int progress = -1;        // 1 terminal status line, 0 periodic lines,
                            // -1 decide from the standard error
};

class LineReporter : public Reporter {
 public:
  LineReporter(ReportStyle style, FILE* out, FILE* err)
      : style_(style), out_(out), err_(err) {}
  void Trace(const std::string& node,
             const std::vector<std::string>& argv) override;
  bool Tracing() const override { return style_.trace; }
  void Output(const std::string& node, const std::string& line) override;
  void NodeDone(const NodeResult& result) override;
  void Finish(const std::vector<NodeResult>& results) override;
  // On a terminal, a status line rewritten in place every second;
  // otherwise one line for the whole run every 10 seconds, so a long sync
  // never looks hung and never floods a log.
  void ShowProgress(const Progress& progress) override;

 private:
  void ClearStatus();
  ReportStyle style_;
  bool status_shown_ = false;
  double last_progress_ = 0;
  FILE* out_;
  FILE* err_;
};

// Passes everything to `next`: the base of the reporters that add to
// what another one shows, which override only what they add to.
class ForwardingReporter : public Reporter {
 public:
  explicit ForwardingReporter(Reporter* next) : next_(next) {}
  void Trace(const std::string& node, const std::vector<std::string>& argv) override {
    next_->Trace(node, argv);
  }
  bool Tracing() const override { return next_->Tracing(); }
  void Output(const std::string& node, const std::string& line) override {
    next_->Output(node, line);
  }
  void NodeDone(const NodeResult& result) override { next_->NodeDone(result); }
  void Finish(const std::vector<NodeResult>& results) override { next_->Finish(results); }
  void ShowProgress(const Progress& progress) override { next_->ShowProgress(progress); }

 protected:
  Reporter* next_;
};

// Forwards everything to `next`, and also writes one JSON object per node
// and a summary object, one a line, to `out` (see JSON OUTPUT in xdcp(1)).
class JsonReporter : public ForwardingReporter {
 public:
  JsonReporter(Reporter* next, FILE* out) : ForwardingReporter(next), out_(out) {}
  void NodeDone(const NodeResult& result) override;
  void Finish(const std::vector<NodeResult>& results) override;

 private:
  FILE* out_;
};

// Holds every node's output until the end, then shows identical output of
// several nodes once, prefixed with their folded noderange
// ("cn[01-04,07]: text"), as xdshbak -c does. Lines relayed from a service
// node ("cn5: text") count as that node's when it is one of the run's nodes.
class FoldingReporter : public ForwardingReporter {
 public:
  FoldingReporter(Reporter* next, FILE* out) : ForwardingReporter(next), out_(out) {}
  void Output(const std::string& node, const std::string& line) override;
  void Finish(const std::vector<NodeResult>& results) override;

 private:
  FILE* out_;
  std::map<std::string, std::string> output_;  // node -> its lines
  std::vector<std::string> relayed_;            // "NODE: text", in order
};

// A node's result as one JSON object (no newline).
std::string JsonResult(const NodeResult& r);

// The summary lines: counts, then each state's nodes folded as noderanges,
// failures grouped by class and reason.
std::vector<std::string> SummaryLines(const std::vector<NodeResult>& results);

}  // namespace xdcp

#endif  // XDCP_REPORT_H_
