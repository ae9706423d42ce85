// Reporters: the summary, folded output, JSON records.
#include "report.h"

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

}  // namespace
}  // namespace xdcp
