#include "sync_scope.h"

#include "paths.h"
#include "sources.h"

namespace xdcp {

bool SyncScope::Init(const SyncList& list, const ClusterDb& db, const NodeRangeEnv& env,
                     std::string* error) {
  ranges_.clear();
  for (const auto& line : list.lines) {
    if (line.noderange.empty()) continue;
    std::vector<std::string> nodes;
    std::string why;
    if (!ExpandNodeRange(line.noderange, db, env, &nodes, &why)) {
      *error = list.path + ":" + std::to_string(line.line) + ": " + why;
      return false;
    }
    ranges_[line.line] = std::set<std::string>(nodes.begin(), nodes.end());
  }
  return true;
}

bool SyncScope::Applies(const SyncLine& line, const std::string& node) const {
  if (line.noderange.empty()) return true;
  auto it = ranges_.find(line.line);
  return it != ranges_.end() && it->second.count(node) > 0;
}

std::vector<std::pair<std::string, std::string>> NodeVars(const ClusterDb& db,
                                                          const std::string& node) {
  const Node* n = db.FindNode(node);
  const OsImage* img = n ? db.FindOsImage(n->provmethod) : nullptr;
  return img ? img->environvar : std::vector<std::pair<std::string, std::string>>{};
}

bool SourcePaths(const SyncList& list, const SyncLine& line, const std::string& pattern,
                 const std::string& node, std::vector<std::string>* paths,
                 std::string* error) {
  std::string at = list.path + ":" + std::to_string(line.line) + ": ";
  // A $VAR may supply the leading slash (the parser lets it through), so
  // the path is checked again once the node's values are in.
  if (pattern.empty() || pattern[0] != '/') {
    *error = at + "source is not an absolute path for " + node + " after substitution: '" +
             pattern + "'";
    return false;
  }
  if (!GlobExisting(pattern, paths)) {
    *error = at + "source not found: '" + pattern + "'";
    return false;
  }
  return true;
}

bool SourcesForNode(const SyncList& list, const SyncScope& scope, const ClusterDb& db,
                    const std::string& node, std::set<std::string>* files,
                    std::string* error) {
  for (const auto& line : list.lines) {
    if (!scope.Applies(line, node)) continue;
    for (const auto& written : line.sources) {
      std::vector<std::string> unknown, paths;
      std::string pattern = SubstituteVars(written, NodeVars(db, node), &unknown);
      if (!SourcePaths(list, line, pattern, node, &paths, error)) return false;
      for (const auto& p : paths) files->insert(WithoutTrailingSlashes(p));
    }
  }
  return true;
}

}  // namespace xdcp
