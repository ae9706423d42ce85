// xCAT noderange expansion (see xdcp(1), NODERANGE). Pure: the only input
// besides the text is the cluster database and the NodeRangeEnv.
#ifndef XDCP_NODERANGE_H_
#define XDCP_NODERANGE_H_

#include <functional>
#include <string>
#include <vector>

#include "cluster_db.h"

namespace xdcp {

struct NodeRangeEnv {
  std::string prefix = "node";  // XCAT_NODE_PREFIX, for bare digits
  std::string suffix;           // XCAT_NODE_SUFFIX
  // Reads a `^file` operand; returns false if it cannot be read.
  std::function<bool(const std::string& path, std::string* content)> read_file;
  // A noderange that expands to more names than this is an error.
  size_t max_names = 1000000;
};

// Expands `range` into sorted, unique node names. With a loaded database,
// names must be nodes or groups: unknown names are an error listing them all
// ("unknown nodes or groups in noderange: a,b"). Without one, every name is
// taken as a host name and group-only syntax (@, /regex) is an error.
// Returns false and sets `error` on failure.
bool ExpandNodeRange(const std::string& range, const ClusterDb& db,
                     const NodeRangeEnv& env, std::vector<std::string>* nodes,
                     std::string* error);

// The inverse, for output: folds sorted names into a compact noderange,
// e.g. {cn01,cn02,cn03,cn07} -> "cn[01-03,07]". Used by summaries.
std::string FoldNodeRange(const std::vector<std::string>& nodes);

}  // namespace xdcp

#endif  // XDCP_NODERANGE_H_
