// What xdcp answers when the management node's xdcp runs it on a service
// node to ask: --require-version (is this the same xdcp?) and, with it,
// --tree-digest DIR (is this tree already up to date? see tree_digest.h).
#include <cstdio>

#include "mode.h"
#include "tree_digest.h"

namespace xdcp {

int CheckVersion(const std::string& wanted) {
  if (wanted == XDCP_VERSION) return kExitOk;
  return Fail(kExitNodeFailed, std::string("this node runs xdcp ") + XDCP_VERSION +
                                   ", the management node runs " + wanted);
}

// --tree-digest DIR (run by the management node's --sn on an SN): this
// node's digest of DIR for the exclusions on stdin (NUL-separated).
int PrintTreeDigest(const Options& o) {
  std::string text, error;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, stdin)) > 0;) text.append(buf, n);
  std::vector<std::string> patterns;
  for (size_t at = 0, nul; at < text.size(); at = nul + 1) {
    nul = text.find('\0', at);
    if (nul == std::string::npos) nul = text.size();
    patterns.push_back(text.substr(at, nul - at));
  }
  std::string why;
  if (!PatternsMatchable(patterns, &why)) return Fail(kExitUsage, why);
  TreeScan scan;
  if (!ScanTree(o.tree_digest, o.checksum, &scan, &error)) return Fail(kExitNodeFailed, error);
  printf("%s\n", TreeDigest(scan, patterns).c_str());
  return kExitOk;
}

}  // namespace xdcp
