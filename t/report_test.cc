// Reporters: the summary, folded output, JSON records.
#include "report.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

// Captures what a FILE* receives.
struct Capture {
  Capture() : f(open_memstream(&buf, &size)) {}
  ~Capture() {
    fclose(f);
    free(buf);
  }
  std::string Text() {
    fflush(f);
    return std::string(buf, size);
  }
  char* buf = nullptr;
  size_t size = 0;
  FILE* f;
};

std::vector<NodeResult> HundredNodesThreeFailing() {
  std::vector<NodeResult> rs;
  for (int i = 1; i <= 100; ++i) {
    NodeResult r;
    r.node = "n" + std::to_string(i);
    if (i == 7 || i == 42 || i == 43) {
      r.state = NodeState::kFailed;
      r.failure = FailureClass::kUnreachable;
      r.reason = "connection refused";
    }
    rs.push_back(r);
  }
  return rs;
}

TEST(ReportTest, SummaryFoldsNodesAndGroupsFailures) {
  std::vector<std::string> lines = SummaryLines(HundredNodesThreeFailing());
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "xdcp: 100 nodes: 97 ok, 3 failed, 0 skipped",
                       "xdcp: ok: n[1-6,8-41,44-100]",
                       "xdcp: failed (unreachable: connection refused): n[7,42-43]"}));
}

TEST(ReportTest, FoldingShowsIdenticalOutputOnce) {
  Capture out, err;
  LineReporter lines(ReportStyle(), out.f, err.f);
  FoldingReporter fold(&lines, out.f);
  std::vector<NodeResult> rs = HundredNodesThreeFailing();
  for (const auto& r : rs) {
    if (r.state == NodeState::kFailed) {
      fold.Output(r.node, "ssh: connect to host port 22: Connection refused");
    } else {
      fold.Output(r.node, "synced");
    }
    fold.NodeDone(r);
  }
  fold.Finish(rs);
  EXPECT_EQ(out.Text(),
            "n[1-6,8-41,44-100]: synced\n"
            "n[7,42-43]: ssh: connect to host port 22: Connection refused\n");
}

// Lines relayed from service nodes come as "NODE: text" with no node.
TEST(ReportTest, FoldingFoldsLinesRelayedFromServiceNodes) {
  Capture out, err;
  LineReporter lines(ReportStyle(), out.f, err.f);
  FoldingReporter fold(&lines, out.f);
  std::vector<NodeResult> rs(4);
  rs[0].node = "cn1";
  rs[1].node = "cn4";
  rs[2].node = "cn5";
  rs[3].node = "cn6";
  fold.Output("cn1", "restarting chronyd");
  fold.Output("", "cn5: restarting chronyd");
  fold.Output("", "Warning: not a node's line");
  fold.Output("", "cn4: restarting chronyd");
  fold.Output("", "cn6: restarting: now");
  fold.Output("", "cn9: not in this run");
  for (const auto& r : rs) fold.NodeDone(r);
  EXPECT_EQ(out.Text(), "");
  fold.Finish(rs);
  EXPECT_EQ(out.Text(),
            "Warning: not a node's line\n"
            "cn9: not in this run\n"
            "cn[1,4-5]: restarting chronyd\n"
            "cn6: restarting: now\n");
}

TEST(ReportTest, JsonRecordsAreEscapedAndComplete) {
  NodeResult r;
  r.node = "cn1";
  r.state = NodeState::kFailed;
  r.failure = FailureClass::kTransfer;
  r.reason = "disk \"full\"";
  r.exit_code = 11;
  r.last_lines = {"tab\there", "back\\slash"};
  EXPECT_EQ(JsonResult(r),
            "{\"type\":\"node\",\"node\":\"cn1\",\"state\":\"failed\",\"class\":\"transfer\","
            "\"reason\":\"disk \\\"full\\\"\",\"failed_step\":\"\",\"exit_code\":11,"
            "\"service_node\":null,\"commands\":0,\"files_changed\":0,\"bytes\":0,"
            "\"duration\":0.000,\"last_lines\":[\"tab\\u0009here\",\"back\\\\slash\"]}");
  Capture out, err;
  LineReporter lines(ReportStyle(), out.f, err.f);
  JsonReporter json(&lines, out.f);
  json.NodeDone(r);
  json.Finish({r});
  EXPECT_NE(out.Text().find("{\"type\":\"summary\",\"nodes\":1,\"ok\":0,\"failed\":1,"
                            "\"skipped\":0,\"exit_code\":1}\n"),
            std::string::npos);
}

// Whatever a node or a file supplied reaches the terminal and the JSON
// escaped: no raw control byte in any line.
TEST(ReportTest, NodeAndFileTextIsEscapedEverywhere) {
  NodeResult r;
  r.node = "cn1";
  r.state = NodeState::kFailed;
  r.failure = FailureClass::kRemoteCommand;
  r.reason = "exit code 1: \x1b]0;owned\x07";
  r.failed_step = "EXECUTE /x/\x1b[2J";
  r.last_lines = {"Connection to cn1 closed by remote host.\r", "\x1b[31mred"};
  Capture out, err;
  LineReporter lines(ReportStyle(), out.f, err.f);
  JsonReporter json(&lines, out.f);
  json.Output("cn1", "\x1b[2Jcleared\r");
  json.Output("", "cn5: relayed \x9b");
  json.NodeDone(r);
  json.Finish({r});
  EXPECT_EQ(err.Text(),
            "Error: cn1: remote command: exit code 1: \\x1b]0;owned\\x07 in EXECUTE "
            "/x/\\x1b[2J\n"
            "xdcp: 1 node: 0 ok, 1 failed, 0 skipped\n"
            "xdcp: failed (remote command: exit code 1: \\x1b]0;owned\\x07): cn1\n");
  std::string text = out.Text();
  EXPECT_NE(text.find("cn1: \\x1b[2Jcleared\ncn5: relayed \\x9b\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\"last_lines\":[\"Connection to cn1 closed by remote host.\","
                      "\"\\\\x1b[31mred\"]"),
            std::string::npos)
      << text;
  for (char c : text + err.Text()) {
    EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << static_cast<int>(c);
  }
  Capture folded;
  FoldingReporter fold(&lines, folded.f);
  fold.Output("cn2", "\x1b]0;x\x07");
  fold.Finish({});
  EXPECT_EQ(folded.Text(), "cn2: \\x1b]0;x\\x07\n");
}

}  // namespace
}  // namespace xdcp

namespace xdcp {
namespace {

Progress At(size_t total, size_t done, size_t running, double elapsed) {
  Progress p;
  p.total = total;
  p.done = done;
  p.elapsed = elapsed;
  for (size_t i = 0; i < running; ++i) p.running.push_back({"n" + std::to_string(i), 1.0 + i, 0, 0});
  return p;
}

TEST(ReportTest, ProgressEstimatesOnlyWhenItMeansSomething) {
  const struct {
    Progress p;
    std::string line;
  } cases[] = {
      // one wave of 64 running at once: no estimate, whatever finished
      {At(64, 1, 63, 11), "1/64 done, 63 running, 0 failed, 0 files, 0.0 MB, longest n62 63 s"},
      {At(64, 20, 44, 11), "20/64 done, 44 running, 0 failed, 0 files, 0.0 MB, longest n43 44 s"},
      // too few finished yet
      {At(200, 2, 64, 10), "2/200 done, 64 running, 0 failed, 0 files, 0.0 MB, longest n63 64 s"},
      // waves left: from the rate so far (100 done in 50 s, 100 left)
      {At(200, 100, 64, 50),
       "100/200 done, 64 running, 0 failed, 0 files, 0.0 MB, longest n63 64 s, ~50 s left"},
      // nothing running
      {At(3, 3, 0, 9), "3/3 done, 0 running, 0 failed, 0 files, 0.0 MB"},
  };
  for (const auto& c : cases) EXPECT_EQ(ProgressLine(c.p), c.line);
}

TEST(ReportTest, ProgressWithoutATerminalIsOneLineEveryTenSeconds) {
  Capture out, err;
  ReportStyle style;
  style.progress = 0;
  LineReporter reporter(style, out.f, err.f);
  for (int second = 1; second <= 60; ++second) reporter.ShowProgress(At(200, 0, 64, second));
  std::string text = err.Text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 6) << text;  // at 10, 20, ... 60
  EXPECT_EQ(text.find("xdcp: progress: 0/200 done, 64 running"), 0u) << text;
}

}  // namespace
}  // namespace xdcp
