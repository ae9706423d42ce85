// A transfer tree lets one rsync run deliver a whole synclist to a node,
// whatever its destination directories and renames: a private directory on
// the management node that mirrors the destinations (tree/etc/hosts is the
// file that goes to /etc/hosts), sent with `rsync -R --no-implied-dirs
// TREE/./etc/hosts ... NODE:/`. The parents of each destination are named
// in the transfer only as implied directories, so rsync leaves those that
// exist on the node as they are and makes missing ones with default
// attributes (as `mkdir -p` did).
//
// What the tree holds for each destination:
//  - a file (or a named symbolic link to a file): a hard link to the file,
//    or a copy with its mode, owner and times when a link is not possible
//    (another filesystem); a named link is thus delivered as its target's
//    content, as `rsync -L` would;
//  - a directory: a symbolic link to it, named with a trailing slash on
//    rsync's command line, so rsync follows that link only and keeps the
//    links found inside the directory as links (dangling ones too);
//  - a named symbolic link to anything but a file (a directory, nothing):
//    a symbolic link sent with -L, in a tree of its own (-L applies to a
//    whole run).
// Destinations nested inside another destination of the same run (a file
// line into a directory another line syncs, two directories' contents
// into one) cannot share a tree: they go into a further tree, sent after
// the first, so the later line still wins as before.
#ifndef XDCP_TRANSFER_TREE_H_
#define XDCP_TRANSFER_TREE_H_

#include <string>
#include <vector>

namespace xdcp {

enum class TreeEntryKind { kFile, kDir, kFollow };

struct TreeEntry {
  std::string rel;     // the path on the node without its leading '/'; "" is '/'
  std::string source;  // the local path, without trailing slash
  TreeEntryKind kind = TreeEntryKind::kFile;
};

struct TransferTree {
  bool follow = false;  // sent with -L (kFollow entries only)
  std::vector<TreeEntry> entries;
};

// `path` (absolute) as a tree-relative path: empty components and "." are
// dropped. False for a ".." component (the tree cannot mirror it).
bool TreeRelative(const std::string& path, std::string* rel);

// Puts `entry` into the first tree it can share without changing the
// order in which nested destinations are written; appends a tree if none.
void AddToTrees(const TreeEntry& entry, std::vector<TransferTree>* trees);

// A string that is equal for equal trees (nodes with the same resolved
// synclist share one tree on disk).
std::string TreeKey(const TransferTree& tree);

// Makes the tree in `dir` (which must not exist; its parent is private).
// Returns "" or what went wrong. Nothing is followed inside `dir`.
std::string BuildTransferTree(const std::string& dir, const TransferTree& tree);

// rsync's source operands for the tree in `dir` (with -R --no-implied-dirs).
std::vector<std::string> TreeOperands(const std::string& dir, const TransferTree& tree);

}  // namespace xdcp

#endif  // XDCP_TRANSFER_TREE_H_
