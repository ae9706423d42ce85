#include "result.h"

#include <string>

namespace xdcp {

const char* ClassName(FailureClass c) {
  switch (c) {
    case FailureClass::kNone:
      return "none";
    case FailureClass::kUnreachable:
      return "unreachable";
    case FailureClass::kAuth:
      return "auth";
    case FailureClass::kTimeout:
      return "timeout";
    case FailureClass::kTransfer:
      return "transfer";
    case FailureClass::kRemoteCommand:
      return "remote command";
    case FailureClass::kBlocked:
      return "blocked by SN";
    case FailureClass::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

bool IsFailureClass(int n) {
  return n >= 0 && n <= static_cast<int>(FailureClass::kInterrupted) &&
         std::string(ClassName(static_cast<FailureClass>(n))) != "unknown";
}

int ExitCodeFor(const std::vector<NodeResult>& results) {
  for (const auto& r : results) {
    if (r.state == NodeState::kFailed) return 1;
  }
  return 0;
}

}  // namespace xdcp
