// What happened to one node. Per-node failures are data, never exceptions.
#ifndef XDCP_RESULT_H_
#define XDCP_RESULT_H_

#include <string>
#include <vector>

namespace xdcp {

enum class NodeState { kOk, kFailed, kSkipped };

enum class FailureClass {
  kNone,
  kUnreachable,    // name, connection refused, connect timeout, no route
  kAuth,           // key refused, host key mismatch
  kTimeout,        // -t expired for this node
  kTransfer,       // the copy itself failed (missing file, disk full, ...)
  kRemoteCommand,  // a remote script or command failed
  kStaging,        // a service node could not be staged
  kBlocked,        // its service node failed
  kInterrupted,    // xdcp was stopped by a signal
};

struct NodeResult {
  std::string node;
  NodeState state = NodeState::kOk;
  FailureClass failure = FailureClass::kNone;
  std::string reason;        // short, e.g. "connection refused"
  std::string failed_step;   // Step::what of the step that failed
  int exit_code = 0;         // of the failed step; -1 if killed
  std::vector<std::string> last_lines;  // the failed step's last output
  int files_changed = 0;     // files, links and devices rsync changed
  long long bytes = 0;       // sizes of the files sent
  int commands = 0;          // commands run for the node
  std::string service_node;  // the SN that delivered, if any
  double seconds = 0;
};

const char* ClassName(FailureClass c);

// 0 when every node is ok or skipped, 1 when any node failed. Never the
// count of failed nodes (that wraps to 0 at 256).
int ExitCodeFor(const std::vector<NodeResult>& results);

}  // namespace xdcp

#endif  // XDCP_RESULT_H_
