// The synclist language of xdcp -F (see xdcp-synclist(5)): parsed once into
// typed lines, before anything is transferred. Pure.
#ifndef XDCP_SYNCLIST_H_
#define XDCP_SYNCLIST_H_

#include <string>
#include <vector>

namespace xdcp {

// `src... -> dst` or `src... -> (noderange) dst`.
struct SyncLine {
  int line = 0;                      // 1-based line in the file
  std::vector<std::string> sources;  // as written (quotes removed), >= 1
  std::string noderange;             // empty: every node
  std::string dest;                  // as written (quotes removed)
};

// An entry of a clause. EXECUTE and EXECUTEALWAYS entries have only `path`;
// APPEND and MERGE entries are `path -> target`.
struct ClauseEntry {
  int line = 0;
  std::string path;
  std::string target;
};

struct SyncList {
  std::string path;  // the synclist file, for messages
  std::vector<SyncLine> lines;
  std::vector<ClauseEntry> execute;
  std::vector<ClauseEntry> execute_always;
  std::vector<ClauseEntry> append;
  std::vector<ClauseEntry> merge;
};

// Parses the text of the synclist at `path`. On failure returns false and
// sets `error` to "PATH:LINE: what is wrong: 'text'".
bool ParseSyncList(const std::string& path, const std::string& text,
                   SyncList* list, std::string* error);

// Replaces $VAR and ${VAR} in `text` with values from `vars`. Names not in
// `vars` are left as written and appended to `unknown` (once each).
std::string SubstituteVars(
    const std::string& text,
    const std::vector<std::pair<std::string, std::string>>& vars,
    std::vector<std::string>* unknown);

// "LIST:LINE: ", the start of a message about line `line` of `list`.
std::string LineRef(const SyncList& list, int line);

}  // namespace xdcp

#endif  // XDCP_SYNCLIST_H_
