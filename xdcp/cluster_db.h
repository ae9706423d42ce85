// The cluster database: nodes, groups, osimages, osdistros and site
// settings, as plain data. nodelist.cc fills it from the XML file described
// in xdcp-nodelist(5); everything else only reads it.
#ifndef XDCP_CLUSTER_DB_H_
#define XDCP_CLUSTER_DB_H_

#include <map>
#include <string>
#include <vector>

namespace xdcp {

struct Site {
  std::string master;  // the management node's name, may be empty
  std::string installdir = "/install";
  std::string sn_sync_file_dir = "/var/xcat/syncfiles";         // SNsyncfiledir
  std::string node_sync_file_dir = "/var/xcat/node/syncfiles";  // nodesyncfiledir
  std::map<std::string, std::string> attrs;  // every attribute as written
};

struct Node {
  std::string name;
  std::vector<std::string> groups;        // `groups` attr + <group members>
  std::vector<std::string> servicenodes;  // `servicenode`, a pool split on ','
  std::string xcatmaster;
  std::string provmethod;                 // usually an osimage name
  int line = 0;                           // line in the file, for messages
  std::map<std::string, std::string> attrs;
};

struct OsImage {
  std::string name;
  std::string provmethod;
  std::string rootimgdir;
  std::vector<std::string> synclists;                // split on ','
  std::vector<std::pair<std::string, std::string>> environvar;  // "A=1,B=2"
  int line = 0;
  std::map<std::string, std::string> attrs;
};

struct OsDistro {
  std::string name;
  std::vector<std::string> dirpaths;  // split on ','
  int line = 0;
};

struct Group {
  std::string name;
  std::string members;  // a noderange, as written
  int line = 0;
};

struct ClusterDb {
  bool loaded = false;  // false: no database; names are plain host names
  std::string path;
  Site site;
  std::vector<Node> nodes;  // sorted by name, unique
  std::vector<Group> groups;
  std::map<std::string, OsImage> osimages;
  std::map<std::string, OsDistro> osdistros;

  const Node* FindNode(const std::string& name) const;
  const OsImage* FindOsImage(const std::string& name) const;
  // Names of all nodes whose groups contain `group`, sorted. Empty if none.
  std::vector<std::string> GroupMembers(const std::string& group) const;
  bool IsGroup(const std::string& name) const;
};

// Loads the XML cluster database at `path` into `db`. On failure returns
// false and sets `error` to "PATH:LINE: what is wrong: 'token'".
bool LoadClusterDb(const std::string& path, ClusterDb* db, std::string* error);

// True if `name` is acceptable as a node or group name: letters, digits,
// '-', '_', '.', not starting with '-' or '.', at most 255 bytes. Node names
// end up in ssh and rsync argv, so anything else is refused where it enters.
bool IsValidNodeName(const std::string& name);

}  // namespace xdcp

#endif  // XDCP_CLUSTER_DB_H_
