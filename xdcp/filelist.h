// Exclusion lists (-X FILE, filelists/*.exclude; see xdcp-filelist(5)):
// rsync exclude patterns, one a line, that may also be written as absolute
// paths under the mirrored directory ("/install/nim").
#ifndef XDCP_FILELIST_H_
#define XDCP_FILELIST_H_

#include <string>
#include <vector>

namespace xdcp {

// Parses the text of the list at `path`: blank lines and '#' lines are
// skipped, surrounding white space is trimmed. A line using rsync's filter
// rule syntax ("+ x", "- x", ":", "merge") is an error: only exclusions
// are allowed. Errors are "PATH:LINE: message: 'text'".
bool ParseExcludeList(const std::string& path, const std::string& text,
                      std::vector<std::string>* patterns, std::string* error);

// The patterns as rsync must see them when mirroring `root` (no trailing
// slash): "ROOT/x" becomes "/x" (anchored at the transfer root); another
// absolute path that is not under `root` is left out (it belongs to
// another mirrored directory); a relative pattern is kept as it is.
std::vector<std::string> PatternsForRoot(const std::vector<std::string>& patterns,
                                         const std::string& root);

}  // namespace xdcp

#endif  // XDCP_FILELIST_H_
