// What xdcp answers when the management node's xdcp runs it on a service
// node to ask: --require-version (is this the same xdcp?) and, with it,
// --tree-digest DIR (is this tree already up to date? see tree_digest.h).
#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "mode.h"
#include "tree_digest.h"

namespace xdcp {

int CheckVersion(const std::string& wanted) {
  if (wanted == XDCP_VERSION) return kExitOk;
  return Fail(kExitNodeFailed, std::string("this node runs xdcp ") + XDCP_VERSION +
                                   ", the management node runs " + wanted);
}

// --tree-digest DIR (run by the management node's --sn on an SN): this
// node's digest of DIR, for the exclusions on stdin. Then, if the stdin
// also lists the management node's directories with their digests, one
// line "differs K" for each of those (K: its place in the list) that
// differs here, so that only those are sent. Stdin: NUL-terminated
// records, the exclusions, an empty record, then path and digest of each
// directory in turn.
int PrintTreeDigest(const Options& o) {
  std::string text, error;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, stdin)) > 0;) text.append(buf, n);
  std::vector<std::string> records;
  for (size_t at = 0, nul; at < text.size(); at = nul + 1) {
    nul = text.find('\0', at);
    if (nul == std::string::npos) nul = text.size();
    records.push_back(text.substr(at, nul - at));
  }
  auto blank = std::find(records.begin(), records.end(), "");
  std::vector<std::string> patterns(records.begin(), blank);
  // Then per directory: path, digest, self, names, buckets (TheirDir).
  std::vector<TheirDir> dirs;
  for (auto it = blank == records.end() ? blank : blank + 1; it != records.end(); it += 5) {
    if (records.end() - it < 5)
      return Fail(kExitUsage, "--tree-digest: a directory without its digests");
    dirs.push_back({*it, *(it + 1), *(it + 2), *(it + 3), *(it + 4)});
  }
  std::string why;
  if (!PatternsMatchable(patterns, &why)) return Fail(kExitUsage, why);
  TreeScan scan;
  if (!ScanTree(o.tree_digest, o.checksum, &scan, &error)) return Fail(kExitNodeFailed, error);
  std::string digest = TreeDigest(scan, patterns);
  printf("%s\n", digest.c_str());
  if (digest == "missing" || dirs.empty()) return kExitOk;
  for (const Difference& d : Differences(scan, patterns, dirs)) {
    switch (d.kind) {
      case Difference::kWhole: printf("differs %zu\n", d.dir); break;
      case Difference::kSelf: printf("self %zu\n", d.dir); break;
      case Difference::kBucket: printf("bucket %zu %zu\n", d.dir, d.bucket); break;
    }
  }
  return kExitOk;
}

}  // namespace xdcp
