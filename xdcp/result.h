// What happened to one node. Per-node failures are data, never exceptions.
#ifndef XDCP_RESULT_H_
#define XDCP_RESULT_H_

#include <string>
#include <vector>

namespace xdcp {

enum class NodeState { kOk, kFailed, kSkipped };

// The numbers are the class field of the result records a service node's
// xdcp sends back (ResultRecord, service_nodes.h), so they never change. 6
// was "staging", which nothing sets since a node its SN gave no result for
// is kBlocked; it stays unused.
enum class FailureClass {
  kNone = 0,
  kUnreachable = 1,    // name, connection refused, connect timeout, no route
  kAuth = 2,           // key refused, host key mismatch
  kTimeout = 3,        // -t expired for this node
  kTransfer = 4,       // the copy itself failed (missing file, disk full, ...)
  kRemoteCommand = 5,  // a remote script or command failed
  kBlocked = 7,        // its service node failed, or gave no result for it
  kInterrupted = 8,    // xdcp was stopped by a signal
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

// Whether `n` is the number of a FailureClass (records from an SN are
// untrusted).
bool IsFailureClass(int n);

// 0 when every node is ok or skipped, 1 when any node failed. Never the
// count of failed nodes (that wraps to 0 at 256).
int ExitCodeFor(const std::vector<NodeResult>& results);

}  // namespace xdcp

#endif  // XDCP_RESULT_H_
