#include "classify.h"

#include "gtest/gtest.h"

namespace xdcp {
namespace {

struct Case {
  int exit_code;
  std::string line;
  FailureClass failure;
  std::string reason;
};

TEST(ClassifyTest, MessagesOfSshAndRsync) {
  const Case cases[] = {
      {0, "", FailureClass::kNone, ""},
      {255, "ssh: Could not resolve hostname nosuch: Name or service not known",
       FailureClass::kUnreachable, "name does not resolve"},
      {255, "ssh: connect to host cn4 port 22: Connection refused",
       FailureClass::kUnreachable, "connection refused"},
      {255, "Connection timed out during banner exchange",
       FailureClass::kUnreachable, "connect timeout"},
      {255, "root@cn1: Permission denied (publickey).", FailureClass::kAuth,
       "authentication refused"},
      {255, "Host key verification failed.", FailureClass::kAuth,
       "host key mismatch"},
      {23, "rsync: [receiver] mkstemp \"/x\" failed: Permission denied (13)",
       FailureClass::kTransfer, "permission denied"},
      {23, "rsync: [sender] link_stat \"/nosuch\" failed: No such file or directory (2)",
       FailureClass::kTransfer, "no such file or directory"},
      {11, "rsync: write failed on \"/t/f\": No space left on device (28)",
       FailureClass::kTransfer, "disk full"},
      {127, "bash: line 1: rsync: command not found", FailureClass::kTransfer,
       "remote rsync not found"},
      {5, "whatever", FailureClass::kTransfer, "exit code 5"},
  };
  for (const auto& c : cases) {
    StepOutcome o;
    o.exit_code = c.exit_code;
    Classified got = ClassifyStep(StepKind::kCopy, o, {c.line});
    EXPECT_EQ(got.failure, c.failure) << c.line;
    EXPECT_EQ(got.reason, c.reason) << c.line;
  }
}

TEST(ClassifyTest, TimeoutWinsAndVerifyFailuresAreUnreachable) {
  StepOutcome o;
  o.signaled = true;
  o.signal = 15;
  o.timed_out = true;
  EXPECT_EQ(ClassifyStep(StepKind::kCopy, o, {}).failure, FailureClass::kTimeout);
  StepOutcome v;
  v.exit_code = 255;
  EXPECT_EQ(ClassifyStep(StepKind::kVerify, v, {}).failure,
            FailureClass::kUnreachable);
}

TEST(ClassifyTest, ExitCodeNeverCountsNodes) {
  std::vector<NodeResult> rs(256);
  for (auto& r : rs) r.state = NodeState::kFailed;
  EXPECT_EQ(ExitCodeFor(rs), 1);
  rs.assign(2, NodeResult());
  rs[1].state = NodeState::kSkipped;
  EXPECT_EQ(ExitCodeFor(rs), 0);
}

}  // namespace
}  // namespace xdcp
