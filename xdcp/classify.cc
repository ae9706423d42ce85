#include "classify.h"

namespace xdcp {
namespace {

struct Pattern {
  const char* text;  // as ssh, rsync or scp print it
  FailureClass failure;
  const char* reason;
};

// Ordered: the first pattern found in the output wins. These are the
// messages of OpenSSH and rsync; the exit code alone cannot tell a refused
// key from a refused connection (both are 255).
const Pattern kPatterns[] = {
    {"Could not resolve hostname", FailureClass::kUnreachable,
     "name does not resolve"},
    {"Connection refused", FailureClass::kUnreachable, "connection refused"},
    {"Connection timed out during banner exchange", FailureClass::kUnreachable,
     "connect timeout"},
    {"Connection timed out", FailureClass::kUnreachable, "connect timeout"},
    {"No route to host", FailureClass::kUnreachable, "no route to host"},
    {"Network is unreachable", FailureClass::kUnreachable,
     "network unreachable"},
    {"Host key verification failed", FailureClass::kAuth, "host key mismatch"},
    {"REMOTE HOST IDENTIFICATION HAS CHANGED", FailureClass::kAuth,
     "host key mismatch"},
    // ssh lists the methods it tried; rsync's "(13)" is an errno.
    {"Permission denied (publickey", FailureClass::kAuth,
     "authentication refused"},
    {"Permission denied (password", FailureClass::kAuth,
     "authentication refused"},
    {"Permission denied (keyboard", FailureClass::kAuth,
     "authentication refused"},
    {"Permission denied (gssapi", FailureClass::kAuth,
     "authentication refused"},
    {"Too many authentication failures", FailureClass::kAuth,
     "authentication refused"},
    // After login ssh says "Connection to HOST closed by remote host." (or
    // names its client loop): the session ended mid-way.
    {"closed by remote host.", FailureClass::kTransfer,
     "connection closed by remote host after login"},
    {"client_loop: ", FailureClass::kTransfer,
     "connection closed by remote host after login"},
    {"Connection closed by", FailureClass::kUnreachable,
     "connection closed by remote host"},
    {"Connection reset by", FailureClass::kUnreachable,
     "connection reset by remote host"},
    {"rsync: not found", FailureClass::kTransfer, "remote rsync not found"},
    {"rsync: command not found", FailureClass::kTransfer,
     "remote rsync not found"},
    {"No space left on device", FailureClass::kTransfer, "disk full"},
    {"Permission denied", FailureClass::kTransfer, "permission denied"},
    {"No such file or directory", FailureClass::kTransfer,
     "no such file or directory"},
    // Over a shared connection ssh says nothing when it is lost; rsync does.
    {"rsync: connection unexpectedly closed", FailureClass::kTransfer,
     "connection unexpectedly closed"},
};

// ssh's first words when sshd closes the connection during the banner
// exchange, the first thing of a connection: before the key exchange,
// authentication and any command. MaxStartups drops look like this.
constexpr char kBannerExchange[] = "kex_exchange_identification: ";

Classified DroppedBeforeLogin(const std::string& line) {
  Classified c;
  c.failure = FailureClass::kUnreachable;
  c.reason = line.find("reset") != std::string::npos ? "connection reset by remote host"
                                                      : "connection closed by remote host";
  c.before_login = true;
  return c;
}

std::string ExitReason(const StepOutcome& o) {
  if (o.signaled) return "killed by signal " + std::to_string(o.signal);
  return "exit code " + std::to_string(o.exit_code);
}

}  // namespace

Classified ClassifyStep(StepKind kind, const StepOutcome& outcome,
                        const std::vector<std::string>& last_lines) {
  if (outcome.timed_out) return {FailureClass::kTimeout, "timed out"};
  if (!outcome.signaled && outcome.exit_code == 0) return {};
  // A script's own failure is its business; 255 is ssh's.
  if (kind == StepKind::kRemote && !outcome.signaled && outcome.exit_code != 255) {
    return {FailureClass::kRemoteCommand, ExitReason(outcome)};
  }
  // Only when ssh's own message is the first output: a remote command that
  // ran could print the same words later, and must never run twice.
  if (!outcome.signaled &&
      outcome.first_line.compare(0, sizeof(kBannerExchange) - 1, kBannerExchange) == 0) {
    return DroppedBeforeLogin(outcome.first_line);
  }
  // A signal is the cause: what the other end says next ("connection
  // unexpectedly closed") is only its consequence.
  if (outcome.signaled) return {FailureClass::kTransfer, ExitReason(outcome)};
  for (const Pattern& p : kPatterns) {
    for (const auto& line : last_lines) {
      if (line.find(p.text) != std::string::npos) {
        return {p.failure, p.reason};
      }
    }
  }
  // ssh exits 255 for its own errors; anything else from a verify step is
  // the remote `true` failing, which only an unusable login shell does.
  if (kind == StepKind::kVerify) {
    return {FailureClass::kUnreachable,
            outcome.exit_code == 255 ? "ssh failed" : ExitReason(outcome)};
  }
  // rsync's own exit codes, for when its message did not make it here
  // (the receiver's last words can be lost when the connection closes).
  if (kind == StepKind::kCopy && outcome.exit_code == 11) {
    return {FailureClass::kTransfer, "file I/O error on the node"};
  }
  if (outcome.exit_code == 127)
    return {FailureClass::kTransfer, "command not found"};
  return {FailureClass::kTransfer, ExitReason(outcome)};
}

}  // namespace xdcp
