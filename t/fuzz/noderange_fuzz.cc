// Any text as a noderange, with and without a database: no crash, no hang,
// no leak, and every name that comes out is a valid node name.
#include <cstdlib>
#include <string>

#include "cluster_db.h"
#include "noderange.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  static xdcp::ClusterDb with_db = [] {
    xdcp::ClusterDb db;
    db.loaded = true;
    for (const char* n : {"cn1", "cn2", "cn10", "sn1", "node001"}) {
      xdcp::Node node;
      node.name = n;
      node.groups = {"all", std::string(n).substr(0, 2)};
      db.nodes.push_back(node);
    }
    return db;
  }();
  xdcp::NodeRangeEnv env;
  // A million names are legal (the default limit), but expanding and
  // folding them takes seconds under the sanitizers and covers nothing
  // that 20,000 do not.
  env.max_names = 20000;
  env.read_file = [](const std::string&, std::string* content) {
    *content = "cn1\n# c\ncn[1-3]\n";
    return true;
  };
  for (const xdcp::ClusterDb* db : {&with_db, new xdcp::ClusterDb()}) {
    std::vector<std::string> nodes;
    std::string error;
    if (xdcp::ExpandNodeRange(text, *db, env, &nodes, &error)) {
      for (const auto& n : nodes) {
        if (!xdcp::IsValidNodeName(n)) abort();
      }
      xdcp::FoldNodeRange(nodes);
    }
    if (db != &with_db) delete db;
  }
  return 0;
}
