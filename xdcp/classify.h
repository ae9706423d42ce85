// Turns a finished step (exit status and last output lines) into a failure
// class and a short reason. Pure.
#ifndef XDCP_CLASSIFY_H_
#define XDCP_CLASSIFY_H_

#include <string>
#include <vector>

#include "plan.h"
#include "result.h"

namespace xdcp {

struct StepOutcome {
  int exit_code = 0;   // valid when !signaled
  int signal = 0;      // the signal that ended it, if signaled
  bool signaled = false;
  bool timed_out = false;  // xdcp killed it because -t expired
  std::string first_line;  // the first line of its output
};

struct Classified {
  FailureClass failure = FailureClass::kNone;
  std::string reason;
  // It provably failed before ssh logged in (sshd dropped the connection
  // during the banner exchange, as MaxStartups does): nothing ran on the
  // node, so the step may run again.
  bool before_login = false;
};

Classified ClassifyStep(StepKind kind, const StepOutcome& outcome,
                        const std::vector<std::string>& last_lines);

}  // namespace xdcp

#endif  // XDCP_CLASSIFY_H_
