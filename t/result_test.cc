// The failure classes as printed, their numbers in an SN's result records,
// and the exit status of a run.
#include "result.h"

#include <string>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

TEST(ResultTest, EachClassHasItsPrintedNameAndNumber) {
  struct Case {
    FailureClass c;
    int number;  // the class field of an SN's result record
    std::string name;
  } cases[] = {
      {FailureClass::kNone, 0, "none"},
      {FailureClass::kUnreachable, 1, "unreachable"},
      {FailureClass::kAuth, 2, "auth"},
      {FailureClass::kTimeout, 3, "timeout"},
      {FailureClass::kTransfer, 4, "transfer"},
      {FailureClass::kRemoteCommand, 5, "remote command"},
      {FailureClass::kBlocked, 7, "blocked by SN"},
      {FailureClass::kInterrupted, 8, "interrupted"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(static_cast<int>(c.c), c.number) << c.name;
    EXPECT_EQ(ClassName(c.c), c.name);
    EXPECT_TRUE(IsFailureClass(c.number)) << c.number;
  }
  for (int n : {-1, 6, 9, 1000}) EXPECT_FALSE(IsFailureClass(n)) << n;
}

TEST(ResultTest, ExitCodeIsOneWhenAnyNodeFailed) {
  auto node = [](NodeState state) {
    NodeResult r;
    r.state = state;
    return r;
  };
  EXPECT_EQ(ExitCodeFor({}), 0);
  EXPECT_EQ(ExitCodeFor({node(NodeState::kOk), node(NodeState::kSkipped)}), 0);
  EXPECT_EQ(ExitCodeFor({node(NodeState::kOk), node(NodeState::kFailed)}), 1);
  // 256 failed nodes are still exit status 1, never 256 % 256.
  EXPECT_EQ(ExitCodeFor(std::vector<NodeResult>(256, node(NodeState::kFailed))), 1);
}

}  // namespace
}  // namespace xdcp
