// Lookups over the cluster database, and the node name rule that keeps
// hostile names out of ssh and rsync argv.
#include "cluster_db.h"

#include <algorithm>

namespace xdcp {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

}  // namespace

// `nodes` is sorted by name (LoadClusterDb's contract).
const Node* ClusterDb::FindNode(const std::string& name) const {
  auto it = std::lower_bound(
      nodes.begin(), nodes.end(), name,
      [](const Node& node, const std::string& key) { return node.name < key; });
  return it != nodes.end() && it->name == name ? &*it : nullptr;
}

const OsImage* ClusterDb::FindOsImage(const std::string& name) const {
  auto it = osimages.find(name);
  return it == osimages.end() ? nullptr : &it->second;
}

bool IsValidNodeName(const std::string& name) {
  return !name.empty() && name.size() <= 255 && name[0] != '-' &&
         name[0] != '.' && std::all_of(name.begin(), name.end(), IsNameChar);
}

}  // namespace xdcp
