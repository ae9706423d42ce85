// The --sn mirror: per service node, one rsync -aH run per mirrored
// directory, with the exclusions that SN's nodes allow, and the fast path
// that skips rsync when the SN's tree digest matches (see "SERVICE NODES"
// in xdcp(1)). Reads the mirrored trees (copycds markers, netboot images,
// the file count for --max-delete) and writes each SN's exclusion list
// into the work directory for its digest probe. With --relay, an SN whose
// tree is all to send is seeded by another SN first (an rsync run there,
// with the receiving SN's exclusions), then probed again, so that the
// management node sends it only what the relay did not bring.
#ifndef XDCP_MIRROR_PLAN_H_
#define XDCP_MIRROR_PLAN_H_

#include <map>
#include <string>
#include <vector>

#include "cluster_db.h"
#include "options.h"
#include "plan.h"
#include "run_context.h"
#include "tree_digest.h"

namespace xdcp {

// One reason to leave paths out of a mirror, and its rsync patterns.
struct ExclusionRule {
  std::string why;  // "from FILE", "copycds trees", ...
  std::vector<std::string> patterns;
};

struct MirrorInput {
  const Options* options = nullptr;
  RunContext run;  // the ssh control directory and ciphers of this run
  const ClusterDb* db = nullptr;
  // The SNs to mirror to, each with the nodes it is brought up to date
  // for: the netboot images of these nodes are kept.
  std::map<std::string, std::vector<std::string>> nodes_of;
  std::vector<std::string> paths;        // directories to mirror
  std::vector<ExclusionRule> lists;      // the shipped list and -X lists
  bool default_excludes = true;          // copycds trees, unused netboot images
  // The fast path (tree_digest.h): the one scan of each path, by path
  // (none: rsync always runs), where the SNs' pattern files are written,
  // and why the fast path is off for every SN ("" if it is not).
  std::map<std::string, const TreeScan*> scans;
  std::string workdir;
  std::string fast_path_off;
  // --relay: an SN whose tree is all to send gets it from another SN first
  // (needs the fast path).
  bool relay = false;
};

// --sn: per SN, one rsync -aH run per mirrored path with that SN's
// exclusions. Exclusions are explained in `notes`: per SN and path, a line
// with their number, then one line per rule with its count. With a scan of
// the path, the rsync run is preceded by a probe of the SN's tree digest
// and runs only if it differs from the management node's; `notes` then has
// a "fast path: " line per SN and path saying so, or why not.
Plan MakeMirrorPlan(const MirrorInput& in, std::vector<std::string>* notes);

// The exclusion rules (patterns anchored at `root`) that come from the
// database and the tree: copycds trees, and the netboot images that none
// of `nodes` uses. Without a database nothing is known of the images, so
// none is left out. Reads the directory tree under `root`.
std::vector<ExclusionRule> DefaultExclusions(const ClusterDb& db,
                                             const std::vector<std::string>& nodes,
                                             const std::string& root);

}  // namespace xdcp

#endif  // XDCP_MIRROR_PLAN_H_
