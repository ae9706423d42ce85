// A plan is plain data: for each node, the commands to run in order. It is
// made by pure functions (no clock, no environment, no spawning) so that -T
// can print it and tests can compare argv vectors.
#ifndef XDCP_PLAN_H_
#define XDCP_PLAN_H_

#include <string>
#include <vector>

#include "options.h"

namespace xdcp {

enum class StepKind {
  kVerify,  // ssh NODE true: is the node reachable at all (-v)
  kCopy,    // an rsync or scp run
};

struct Step {
  StepKind kind = StepKind::kCopy;
  std::vector<std::string> argv;
  std::string what;  // for messages: "copy /etc/hosts -> /tmp/hosts"
};

struct NodeJob {
  std::string node;
  std::vector<Step> steps;  // run one after another; the first failure ends
};

struct Plan {
  std::vector<NodeJob> jobs;
  int fanout = kDefaultFanout;
  int node_timeout = 0;  // seconds for a node's whole job; 0 = none
};

// A local source operand after glob expansion; `symlink` says whether the
// path itself is a symbolic link (named links are delivered as their
// target's content, as scp does; links inside directories stay links).
struct LocalSource {
  std::string path;
  bool symlink = false;
};

// The ssh argv prefix every command uses (BatchMode, ConnectTimeout).
std::vector<std::string> SshCommand(const Options& o);

// Plain push: copies `sources` to `target` on every node.
Plan MakePushPlan(const Options& o, const std::vector<std::string>& nodes,
                  const std::vector<LocalSource>& sources,
                  const std::string& target);

// Pull (-P): copies `source` from every node into `dir`/NAME._NODE.
Plan MakePullPlan(const Options& o, const std::vector<std::string>& nodes,
                  const std::string& source, const std::string& dir);

// Renders argv as one line a shell would read back the same way (for -T).
std::string ShellQuote(const std::vector<std::string>& argv);

}  // namespace xdcp

#endif  // XDCP_PLAN_H_
