// Tree digests: the fast path of the --sn mirror (see "SERVICE NODES" in
// xdcp(1)).
//
// Design. A warm mirror must cost what changed, not one full rsync file
// list per service node (SN). The management node (MN) scans each mirrored
// tree once per run (lstat only: ScanTree) and, for each SN, folds the
// entries that SN's exclusions leave in (the rsync patterns MakeMirrorPlan
// passes, matched as rsync matches them: ExcludedBy) into a 128-bit digest
// of what `rsync -aH` with its quick check compares: path, type, permission
// bits, owner and group (by name, as rsync maps them), size and mtime
// (seconds) of files, mtime of directories and links, link targets, device
// numbers, and which paths are hard links of one another (within the tree).
// With --checksum the files' content goes in too. The SN runs its own xdcp
// (same version) over the job's shared ssh connection, `xdcp
// --require-version V --tree-digest DIR [--checksum]` with the patterns on
// its stdin; it scans its tree locally and prints its digest. Equal digests
// mean the SN already holds what rsync would leave there, and that SN's
// rsync run is skipped (a probe step; the rsync step runs only if the
// probe's line differs). The probe's stdin also carries the MN's digest of
// each directory (DirDigests); the SN answers with the directories whose
// digest differs from its own, and rsync gets only those (--files-from,
// each with its immediate entries), plus the directories that hold hard
// links of their files. A big directory with the same names on both sides
// is narrowed down to its own attributes and buckets of a few entries
// (Differences), which rsync gets one by one. When the SN names every directory, or gives no
// such list (a missing tree, an SN without this xdcp, any other answer),
// rsync runs on the whole tree; a pattern xdcp cannot match exactly turns
// the fast path off. So drift on an SN is always repaired. No state is
// kept between runs. The digest is not cryptographic: it detects
// changes, it does not authenticate an SN (whose root owns its tree
// anyway).
#ifndef XDCP_TREE_DIGEST_H_
#define XDCP_TREE_DIGEST_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace xdcp {

struct ScanEntry {
  std::string path;     // relative to the root, "." for the root itself
  size_t name = 0;      // offset of the last component in `path`
  size_t end = 0;       // directories: index one past their subtree
  bool dir = false;
  dev_t dev = 0;
  ino_t ino = 0;
  bool linked = false;  // a non-directory with more than one link
  uint64_t h1 = 0, h2 = 0;  // the entry's attributes (not its hard links)
};

struct TreeScan {
  bool exists = false;
  std::vector<ScanEntry> entries;  // depth first, names in byte order
  long non_dirs = 0;               // files, links, devices: for --max-delete
};

// Scans `root` (lstat only; with `checksum`, reads every regular file).
// A missing root gives exists = false. False on an error inside the tree.
bool ScanTree(const std::string& root, bool checksum, TreeScan* scan, std::string* error);

// Whether xdcp matches every one of these rsync --exclude patterns exactly
// as rsync does; if not, `why` names the first it cannot.
bool PatternsMatchable(const std::vector<std::string>& patterns, std::string* why);

// Whether `path` (relative to the transfer root; a directory if `dir`) is
// excluded by `patterns` (rsync --exclude semantics, PatternsMatchable).
bool ExcludedBy(const std::vector<std::string>& patterns, const std::string& path, bool dir);

// "D1 D2" (two decimal numbers) for the entries `patterns` leave in, or
// "missing" when the root does not exist.
std::string TreeDigest(const TreeScan& scan, const std::vector<std::string>& patterns);

// Directory digests: when the tree digests differ, the management node
// sends only what differs. A directory's digest covers what `rsync -d`
// compares when it sends that directory's contents: the directory itself
// and its immediate entries (hard links named by the first path of their
// group, as in TreeDigest). Every entry is in its directory's digest, so
// tree digests that differ mean at least one directory digest differs.
// Finer digests then narrow a differing directory down: its own
// attributes (`self`), the names of its entries (`names`) and, for a
// directory of more than kBucketedAbove entries, its entries in buckets
// of about kPerBucket (by a hash of the name), so that one changed file
// among thousands costs its bucket, not the directory.
constexpr size_t kBucketedAbove = 16;
constexpr size_t kPerBucket = 4;

struct DirDigest {
  size_t entry = 0;      // index in TreeScan::entries
  std::string digest;    // 32 hex digits
  std::string self;      // 16 hex digits
  std::string names;     // 16 hex digits
  std::string buckets;   // 16 hex digits per bucket; empty: not bucketed
};

// The digests of the directories `patterns` leave in, in scan order (the
// root first). None when the root does not exist.
std::vector<DirDigest> DirDigests(const TreeScan& scan, const std::vector<std::string>& patterns);

// A directory as the management node describes it to a service node.
struct TheirDir {
  std::string path;  // relative, "." for the root
  std::string digest, self, names, buckets;  // as in DirDigest
};

// What a service node finds of one of the management node's directories
// (`dir`, an index in its list): all of it to send (missing here, other
// names, or not bucketed), only its own attributes, or one bucket.
struct Difference {
  enum Kind { kWhole, kSelf, kBucket };
  Kind kind = kWhole;
  size_t dir = 0;
  size_t bucket = 0;
};

// On the service node: how its tree differs from `theirs`.
std::vector<Difference> Differences(const TreeScan& scan, const std::vector<std::string>& patterns,
                                    const std::vector<TheirDir>& theirs);

// On the management node: the rsync --files-from entries that bring
// `differences` up to date: "DIR/" for a whole directory (its immediate
// entries), "PATH" for a directory's own attributes or one entry. Hard-link
// groups go whole: every directory holding a link of a file in a whole
// directory is whole too, and every link of a single entry is listed.
// False if a difference names no directory or bucket of `dirs`.
bool PathsToSend(const TreeScan& scan, const std::vector<std::string>& patterns,
                 const std::vector<DirDigest>& dirs, const std::vector<Difference>& differences,
                 std::vector<std::string>* paths);

}  // namespace xdcp

#endif  // XDCP_TREE_DIGEST_H_
