// Which lines of a synclist apply to which node, and which local files a
// node therefore needs: the one decision shared by delivery (what a node
// gets, sync_plan.cc) and staging (what a service node must hold for its
// nodes, service_nodes.cc), so that the two can never disagree.
#ifndef XDCP_SYNC_SCOPE_H_
#define XDCP_SYNC_SCOPE_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cluster_db.h"
#include "noderange.h"
#include "synclist.h"

namespace xdcp {

class SyncScope {
 public:
  // Expands the noderange of every line of `list` once. An error names
  // "LIST:LINE: ...".
  bool Init(const SyncList& list, const ClusterDb& db, const NodeRangeEnv& env,
            std::string* error);

  // A line without a noderange applies to every node.
  bool Applies(const SyncLine& line, const std::string& node) const;

 private:
  std::map<int, std::set<std::string>> ranges_;  // line number -> nodes
};

// The variables of `node`: the environvar of its osimage.
std::vector<std::pair<std::string, std::string>> NodeVars(const ClusterDb& db,
                                                          const std::string& node);

// The local paths of a source `pattern` of `line` for `node`, its
// variables already applied: globbed, each as written by the glob. An
// error names "LIST:LINE:": a pattern that is not absolute, or that
// matches nothing.
bool SourcePaths(const SyncList& list, const SyncLine& line, const std::string& pattern,
                 const std::string& node, std::vector<std::string>* paths,
                 std::string* error);

// Adds to `files` the local paths that `node` needs from the lines of
// `list` that apply to it: each source after the node's variables and
// globbing (SourcePaths), without trailing slashes (a directory stands
// for all it holds).
bool SourcesForNode(const SyncList& list, const SyncScope& scope, const ClusterDb& db,
                    const std::string& node, std::set<std::string>* files,
                    std::string* error);

}  // namespace xdcp

#endif  // XDCP_SYNC_SCOPE_H_
