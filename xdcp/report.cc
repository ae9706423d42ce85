#include "report.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "noderange.h"
#include "plan.h"
#include "printable.h"
#include "service_nodes.h"

namespace xdcp {

void LineReporter::Trace(const std::string& node,
                         const std::vector<std::string>& argv) {
  if (!style_.trace) return;
  fprintf(out_, "TRACE: %s: %s\n", Printable(node).c_str(),
          Printable(ShellQuote(argv)).c_str());
  fflush(out_);
}

void LineReporter::ClearStatus() {
  if (!status_shown_) return;
  fputs("\r\033[K", err_);
  status_shown_ = false;
}

std::string Megabytes(long long bytes) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  return buf;
}

// Without a terminal: one line for the whole run this often (seconds).
constexpr double kProgressEvery = 10;

std::string ProgressLine(const Progress& p) {
  std::string line = std::to_string(p.done) + "/" + std::to_string(p.total) + " done, " +
                     std::to_string(p.running.size()) + " running, " +
                     std::to_string(p.failed) + " failed, " + std::to_string(p.files) +
                     " files, " + Megabytes(p.bytes);
  // The slowest is what a long run waits for: name it.
  const Progress::Running* longest = nullptr;
  for (const auto& r : p.running) {
    if (!longest || r.seconds > longest->seconds) longest = &r;
  }
  if (longest) {
    line += ", longest " + longest->node + " " +
            std::to_string(static_cast<long>(longest->seconds)) + " s";
  }
  // An estimate from the rate at which nodes finish means something only
  // once enough of them did, and while more nodes are left than are
  // running (one wave that runs at once ends all together).
  size_t left = p.total - std::min(p.done, p.total);
  if (p.done >= std::max<size_t>(3, p.total / 10) && left > p.running.size() &&
      p.elapsed > 0) {
    line += ", ~" + std::to_string(static_cast<long>(left * p.elapsed / p.done)) + " s left";
  }
  return line;
}

void LineReporter::ShowProgress(const Progress& p) {
  if (style_.silent || style_.records) return;
  if (style_.progress < 0) style_.progress = isatty(fileno(err_)) ? 1 : 0;
  double every = style_.progress ? 1 : kProgressEvery;
  if (p.elapsed < 2 || p.elapsed - last_progress_ < every) return;
  last_progress_ = p.elapsed;
  std::string line = "xdcp: progress: " + ProgressLine(p);
  if (style_.progress) {
    fprintf(err_, "\r\033[K%s", line.c_str());
    status_shown_ = true;
  } else {
    fprintf(err_, "%s\n", line.c_str());
  }
  fflush(err_);
}

void LineReporter::Output(const std::string& node, const std::string& line) {
  if (style_.silent || style_.no_output) return;
  ClearStatus();
  if (node.empty()) {  // relayed from a service node, already prefixed
    fprintf(out_, "%s\n", PrintableLine(line).c_str());
  } else {
    fprintf(out_, "%s: %s\n", Printable(node).c_str(), PrintableLine(line).c_str());
  }
  fflush(out_);
}

void LineReporter::NodeDone(const NodeResult& r) {
  ClearStatus();
  if (style_.records) {  // for the management node, not for people
    NodeResult record = r;
    if (!r.failed_step.empty()) record.reason += " in " + r.failed_step;
    record.reason = Printable(record.reason);  // one line, whatever it holds
    fprintf(out_, "%s\n", ResultRecord(record).c_str());
    fflush(out_);
    return;
  }
  if (style_.nodestatus) {
    if (r.state == NodeState::kFailed) {
      fprintf(out_, "%s: Remote_command_failed, error_code=%d\n",
              r.node.c_str(), r.exit_code);
    } else {
      fprintf(out_, "%s: Remote_command_successful\n", r.node.c_str());
    }
    fflush(out_);
  }
  if (r.state != NodeState::kFailed || style_.silent) return;
  fprintf(err_, "Error: %s: %s: %s%s%s\n", Printable(r.node).c_str(), ClassName(r.failure),
          Printable(r.reason).c_str(), r.failed_step.empty() ? "" : " in ",
          Printable(r.failed_step).c_str());
  fflush(err_);
}

void LineReporter::Finish(const std::vector<NodeResult>& results) {
  if (style_.silent || style_.records) return;
  ClearStatus();
  for (const auto& line : SummaryLines(results)) {
    fprintf(err_, "%s\n", Printable(line).c_str());
  }
  fflush(err_);
}

std::vector<std::string> SummaryLines(const std::vector<NodeResult>& results) {
  std::vector<std::string> ok, skipped;
  std::map<std::string, std::vector<std::string>> failed;  // by class+reason
  for (const auto& r : results) {
    if (r.state == NodeState::kOk) ok.push_back(r.node);
    if (r.state == NodeState::kSkipped) skipped.push_back(r.node);
    if (r.state == NodeState::kFailed) {
      failed[std::string(ClassName(r.failure)) + ": " + r.reason].push_back(
          r.node);
    }
  }
  size_t nfailed = results.size() - ok.size() - skipped.size();
  std::vector<std::string> lines{"xdcp: " + std::to_string(results.size()) +
                                 (results.size() == 1 ? " node: " : " nodes: ") +
                                 std::to_string(ok.size()) +
                                 " ok, " + std::to_string(nfailed) +
                                 " failed, " + std::to_string(skipped.size()) +
                                 " skipped"};
  for (auto* v : {&ok, &skipped}) std::sort(v->begin(), v->end());
  if (!ok.empty()) lines.push_back("xdcp: ok: " + FoldNodeRange(ok));
  if (!skipped.empty()) {
    lines.push_back("xdcp: skipped (nothing to do): " + FoldNodeRange(skipped));
  }
  for (auto& [why, nodes] : failed) {
    std::sort(nodes.begin(), nodes.end());
    lines.push_back("xdcp: failed (" + why + "): " + FoldNodeRange(nodes));
  }
  return lines;
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : Printable(text)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

const char* StateName(NodeState s) {
  switch (s) {
    case NodeState::kOk: return "ok";
    case NodeState::kFailed: return "failed";
    case NodeState::kSkipped: return "skipped";
  }
  return "unknown";
}

std::string JsonResult(const NodeResult& r) {
  std::string lines;
  for (const auto& l : r.last_lines) {
    lines += (lines.empty() ? "" : ",") + JsonString(PrintableLine(l));
  }
  char duration[32];
  snprintf(duration, sizeof duration, "%.3f", r.seconds);
  return std::string("{\"type\":\"node\",\"node\":") + JsonString(r.node) +
         ",\"state\":\"" + StateName(r.state) + "\",\"class\":" +
         (r.state == NodeState::kFailed ? JsonString(ClassName(r.failure)) : "null") +
         ",\"reason\":" + JsonString(r.reason) +
         ",\"failed_step\":" + JsonString(r.failed_step) +
         ",\"exit_code\":" + std::to_string(r.exit_code) +
         ",\"service_node\":" + (r.service_node.empty() ? "null" : JsonString(r.service_node)) +
         ",\"commands\":" + std::to_string(r.commands) +
         ",\"files_changed\":" + std::to_string(r.files_changed) +
         ",\"bytes\":" + std::to_string(r.bytes) + ",\"duration\":" + duration +
         ",\"last_lines\":[" + lines + "]}";
}

void JsonReporter::NodeDone(const NodeResult& result) {
  fprintf(out_, "%s\n", JsonResult(result).c_str());
  fflush(out_);
  next_->NodeDone(result);
}

void JsonReporter::Finish(const std::vector<NodeResult>& results) {
  size_t ok = 0, failed = 0, skipped = 0;
  for (const auto& r : results) {
    ok += r.state == NodeState::kOk;
    failed += r.state == NodeState::kFailed;
    skipped += r.state == NodeState::kSkipped;
  }
  fprintf(out_,
          "{\"type\":\"summary\",\"nodes\":%zu,\"ok\":%zu,\"failed\":%zu,"
          "\"skipped\":%zu,\"exit_code\":%d}\n",
          results.size(), ok, failed, skipped, ExitCodeFor(results));
  fflush(out_);
  next_->Finish(results);
}

void FoldingReporter::Output(const std::string& node, const std::string& line) {
  if (node.empty()) return relayed_.push_back(line);  // relayed, prefixed
  output_[node] += PrintableLine(line) + "\n";
}

void FoldingReporter::Finish(const std::vector<NodeResult>& results) {
  // Only the run's nodes are known when it ends: a relayed line whose
  // prefix names none of them is shown as it came.
  std::set<std::string> run_nodes;
  for (const auto& r : results) run_nodes.insert(r.node);
  for (const auto& line : relayed_) {
    size_t colon = line.find(": ");
    if (colon != std::string::npos && run_nodes.count(line.substr(0, colon))) {
      output_[line.substr(0, colon)] += PrintableLine(line.substr(colon + 2)) + "\n";
    } else {
      next_->Output("", line);
    }
  }
  std::map<std::string, std::vector<std::string>> by_text;  // text -> nodes
  for (const auto& [node, text] : output_) by_text[text].push_back(node);
  // Groups in the order of their first node (the map keeps nodes sorted).
  std::vector<std::pair<std::vector<std::string>, std::string>> groups;
  for (auto& [text, nodes] : by_text) groups.push_back({nodes, text});
  std::sort(groups.begin(), groups.end());
  for (const auto& [nodes, text] : groups) {
    std::string range = Printable(FoldNodeRange(nodes));
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      fprintf(out_, "%s: %s\n", range.c_str(), text.substr(start, end - start).c_str());
    }
  }
  fflush(out_);
  next_->Finish(results);
}

}  // namespace xdcp
