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
      {12, "rsync: connection unexpectedly closed (3342336 bytes received so far) [sender]",
       FailureClass::kTransfer, "connection unexpectedly closed"},
  };
  for (const auto& c : cases) {
    StepOutcome o;
    o.exit_code = c.exit_code;
    Classified got = ClassifyStep(StepKind::kCopy, o, {c.line});
    EXPECT_EQ(got.failure, c.failure) << c.line;
    EXPECT_EQ(got.reason, c.reason) << c.line;
  }
}

struct LoginCase {
  StepKind kind;
  int exit_code;
  std::vector<std::string> lines;  // the step's output, first line first
  FailureClass failure;
  std::string reason;
  bool before_login;
};

// Only a connection dropped in ssh's banner exchange, ssh's first words, is
// provably before login; a session that ends mid-way is said to be so.
TEST(ClassifyTest, BeforeLoginOnlyWhenSshsFirstWordsSaySo) {
  const LoginCase cases[] = {
      {StepKind::kCopy, 255, {"kex_exchange_identification: read: Connection reset by peer",
                              "rsync: connection unexpectedly closed (0 bytes received so far) [sender]"},
       FailureClass::kUnreachable, "connection reset by remote host", true},
      {StepKind::kRemote, 255, {"kex_exchange_identification: Connection closed by remote host"},
       FailureClass::kUnreachable, "connection closed by remote host", true},
      // A script that ran, printed a tool's error, then lost its session.
      {StepKind::kRemote, 255, {"counted", "curl: (56) Recv failure: Connection reset by peer",
                                "Connection to cn3 closed by remote host."},
       FailureClass::kTransfer, "connection closed by remote host after login", false},
      {StepKind::kRemote, 255, {"kex_exchange_identification: later, from the script"},
       FailureClass::kRemoteCommand, "exit code 3", false},
      {StepKind::kRemote, 255, {"ssh: Connection reset by 127.0.0.2 port 22"},
       FailureClass::kUnreachable, "connection reset by remote host", false},
      {StepKind::kCopy, 255, {"Connection to cn2 closed by remote host.",
                              "rsync: [sender] write error: Broken pipe (32)",
                              "rsync error: unexplained error (code 255) at io.c(949) [sender=3.5.0]"},
       FailureClass::kTransfer, "connection closed by remote host after login", false},
      {StepKind::kCopy, 255, {"client_loop: send disconnect: Broken pipe"},
       FailureClass::kTransfer, "connection closed by remote host after login", false},
  };
  for (const auto& c : cases) {
    StepOutcome o;
    o.exit_code = c.exit_code;
    o.first_line = c.lines.front();
    if (c.failure == FailureClass::kRemoteCommand) o.exit_code = 3;
    Classified got = ClassifyStep(c.kind, o, c.lines);
    EXPECT_EQ(got.failure, c.failure) << c.lines.front();
    EXPECT_EQ(got.reason, c.reason) << c.lines.front();
    EXPECT_EQ(got.before_login, c.before_login) << c.lines.front();
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

// rsync killed mid-transfer: its peer's complaint that follows does not
// hide the signal.
TEST(ClassifyTest, ASignalWinsOverTheMessagesItCaused) {
  StepOutcome o;
  o.signaled = true;
  o.signal = 9;
  std::vector<std::string> lines = {
      "rsync: connection unexpectedly closed (31 bytes received so far) [generator]",
      "rsync error: error in rsync protocol data stream (code 12) at io.c(285) [generator=3.5.0]"};
  o.first_line = lines.front();
  Classified got = ClassifyStep(StepKind::kCopy, o, lines);
  EXPECT_EQ(got.failure, FailureClass::kTransfer);
  EXPECT_EQ(got.reason, "killed by signal 9");
}

}  // namespace
}  // namespace xdcp
