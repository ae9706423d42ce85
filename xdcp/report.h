// Everything xdcp tells the user about nodes goes through a Reporter.
// LineReporter is the classic xCAT shape: `NODE: text` on stdout, `Error:`
// lines and the summary on stderr.
#ifndef XDCP_REPORT_H_
#define XDCP_REPORT_H_

#include <cstdio>
#include <string>
#include <vector>

#include "result.h"

namespace xdcp {

class Reporter {
 public:
  virtual ~Reporter() = default;
  // A command is about to run for `node` (shown with -T).
  virtual void Trace(const std::string& node,
                     const std::vector<std::string>& argv) = 0;
  // One line (without its newline) of a command's output.
  virtual void Output(const std::string& node, const std::string& line) = 0;
  // The node has its final result; called exactly once per node.
  virtual void NodeDone(const NodeResult& result) = 0;
  // All nodes are done.
  virtual void Finish(const std::vector<NodeResult>& results) = 0;
};

struct ReportStyle {
  bool trace = false;       // -T
  bool silent = false;      // -Q: no node output, no summary
  bool nodestatus = false;  // --nodestatus lines for updatenode
  bool records = false;     // --report-results: result records only
};

class LineReporter : public Reporter {
 public:
  LineReporter(ReportStyle style, FILE* out, FILE* err)
      : style_(style), out_(out), err_(err) {}
  void Trace(const std::string& node,
             const std::vector<std::string>& argv) override;
  void Output(const std::string& node, const std::string& line) override;
  void NodeDone(const NodeResult& result) override;
  void Finish(const std::vector<NodeResult>& results) override;

 private:
  ReportStyle style_;
  FILE* out_;
  FILE* err_;
};

// The summary lines: counts, then each state's nodes folded as noderanges,
// failures grouped by class and reason.
std::vector<std::string> SummaryLines(const std::vector<NodeResult>& results);

}  // namespace xdcp

#endif  // XDCP_REPORT_H_
