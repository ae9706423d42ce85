// Hierarchy: what a service node may report, and for which nodes.
#include "service_nodes.h"

#include "gtest/gtest.h"

namespace xdcp {
namespace {

// The records as the executor keeps them: parsed from the lines of the
// job of `sn`, marked with the SN that printed them.
void Relay(const std::string& sn, const std::vector<std::string>& lines,
           std::vector<NodeResult>* relayed) {
  for (const auto& line : lines) {
    NodeResult r;
    if (!ParseResultRecord(line, &r)) continue;
    r.service_node = sn;
    relayed->push_back(r);
  }
}

std::string Summary(const NodeResult& r) {
  return r.node + " " + (r.state == NodeState::kOk ? "ok" : ClassName(r.failure)) + " [" +
         r.reason + "] via " + r.service_node;
}

NodeResult SnJob(const std::string& sn, FailureClass failure = FailureClass::kNone,
                 const std::string& reason = "") {
  NodeResult r;
  r.node = sn;
  r.state = failure == FailureClass::kNone ? NodeState::kOk : NodeState::kFailed;
  r.failure = failure;
  r.reason = reason;
  return r;
}

std::vector<std::string> Summaries(const std::vector<NodeResult>& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(Summary(r));
  return out;
}

TEST(ServiceNodesTest, ResultRecordRoundTrip) {
  NodeResult r;
  r.node = "cn5";
  r.state = NodeState::kFailed;
  r.failure = FailureClass::kTransfer;
  r.exit_code = 23;
  r.files_changed = 2;
  r.reason = "partial transfer";
  NodeResult back;
  ASSERT_TRUE(ParseResultRecord(ResultRecord(r), &back));
  EXPECT_EQ(Summary(back), "cn5 transfer [partial transfer] via ");
  EXPECT_EQ(back.exit_code, 23);
  for (const char* bad : {"xdcp-result: cn5 9 0 0 0 x", "xdcp-result: -x 0 0 0 0 ok",
                          "xdcp-result: cn5 0", "cn5: xdcp-result: cn5 0 0 0 0 ok"}) {
    EXPECT_FALSE(ParseResultRecord(bad, &back)) << bad;
  }
}

// sn1 serves cn5 and cn6, sn2 serves cn7 and cn8. A crafted stream from
// sn1 claims success for cn7 and cn8 (sn2's nodes) and reports cn5 twice.
TEST(ServiceNodesTest, AnSnReportsOnlyItsOwnNodes) {
  std::vector<NodeResult> relayed;
  Relay("sn1",
        {"xdcp-result: cn5 0 0 0 1 ", "xdcp-result: cn7 0 0 0 1 ",
         "xdcp-result: cn8 0 0 0 1 ", "cn6: some output", "xdcp-result: cn5 1 4 1 0 late"},
        &relayed);
  NodeResult sn1_ok = SnJob("sn1");
  NodeResult sn2_ok = SnJob("sn2");
  EXPECT_EQ(Summaries(ResultsBehind("sn1", sn1_ok, {"cn5", "cn6"}, relayed)),
            (std::vector<std::string>{
                "cn5 ok [] via sn1",
                "cn6 blocked by SN [sn1: no result for this node] via sn1"}));
  EXPECT_EQ(Summaries(ResultsBehind("sn2", sn2_ok, {"cn7", "cn8"}, relayed)),
            (std::vector<std::string>{
                "cn7 blocked by SN [sn2: no result for this node] via sn2",
                "cn8 blocked by SN [sn2: no result for this node] via sn2"}));
  // sn2's own record counts; its job's failure names the others' reason.
  Relay("sn2", {"xdcp-result: cn8 0 0 0 0 "}, &relayed);
  NodeResult sn2_failed = SnJob("sn2", FailureClass::kTimeout, "timed out");
  EXPECT_EQ(Summaries(ResultsBehind("sn2", sn2_failed, {"cn7", "cn8"}, relayed)),
            (std::vector<std::string>{"cn7 blocked by SN [sn2: timeout: timed out] via sn2",
                                      "cn8 ok [] via sn2"}));
  // An interrupted SN job: nothing it said counts.
  NodeResult sn1_int = SnJob("sn1", FailureClass::kInterrupted, "Interrupt");
  EXPECT_EQ(Summaries(ResultsBehind("sn1", sn1_int, {"cn5"}, relayed)),
            std::vector<std::string>{"cn5 blocked by SN [sn1: interrupted: Interrupt] via sn1"});
}

}  // namespace
}  // namespace xdcp
