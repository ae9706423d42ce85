// The cluster database: nodes, groups, osimages, osdistros and site
// settings, as plain data. nodelist.cc fills it from the XML file described
// in xdcp-nodelist(5), or from an xCAT stanza file with stanza.cc's help;
// everything else only reads it.
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
};

// Loads the cluster database at `path` into `db`: XML if its first
// character that is not blank or on a '#' comment line is '<', else an xCAT
// stanza file (see stanza.h). On failure returns false, leaves `db` alone
// and sets `error` to "PATH:LINE: what is wrong: 'token'".
bool LoadClusterDb(const std::string& path, ClusterDb* db, std::string* error);

// The XML form of `db` (xdcp-nodelist(5)), for `xdcp --export-xml`: loading
// it gives the same nodes, groups, osimages, osdistros and site. Known
// attributes are written from the parsed fields (a node's groups include
// those its <group members> gave it); unknown ones as they were read.
std::string ClusterDbToXml(const ClusterDb& db);

// The back end that both file formats share (nodelist.cc), so that an XML
// file and a stanza file saying the same thing give the same ClusterDb.
// A loader hands over its file's objects in order, then finishes once.
// Both return false and set `error` to "PATH:LINE: ..." on a bad object.
//
// Adds one object to `db`: `type` is "site", "osimage", "osdistro",
// "group" or "node" (anything else is skipped), `line` where it starts,
// `attrs` every attribute as written with the object's name as "name".
// A second site is the loader's to refuse: only it knows the first's line.
bool AddClusterObject(const std::string& path, const std::string& type,
                      int line, const std::map<std::string, std::string>& attrs,
                      ClusterDb* db, std::string* error);
// Sorts the nodes, refuses a duplicate node, adds the members of each
// group's `members` noderange to the group, and marks `db` loaded from
// `path`.
bool FinishClusterDb(const std::string& path, ClusterDb* db,
                     std::string* error);

// True if `name` is acceptable as a node or group name: letters, digits,
// '-', '_', '.', not starting with '-' or '.', at most 255 bytes. Node names
// end up in ssh and rsync argv, so anything else is refused where it enters.
bool IsValidNodeName(const std::string& name);

}  // namespace xdcp

#endif  // XDCP_CLUSTER_DB_H_
