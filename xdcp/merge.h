// MERGE and APPEND as pure functions over file contents. xdcp fetches the
// node's file, computes the new content here and writes it back atomically;
// no script and no shell runs on the node for either.
#ifndef XDCP_MERGE_H_
#define XDCP_MERGE_H_

#include <string>

namespace xdcp {

// True for the files MERGE supports: /etc/passwd, /etc/shadow, /etc/group,
// /etc/gshadow.
bool IsMergeTarget(const std::string& path);

struct MergeCounts {
  int added = 0;
  int updated = 0;
  int unchanged = 0;
};

// Merges the records of `merge` into `current` (both colon-separated
// passwd/shadow/group/gshadow text). A record's key is its first field,
// compared exactly (no regex: "a.b" never matches "axb", "+@grp" is a
// name like any other). A record of `current` whose key is in `merge` is
// replaced in place; new records are added in merge-file order before any
// trailing NIS compat block (the run of lines at the end whose first
// character is '+' or '-'); every other line keeps its place and order.
// Duplicate keys in `merge` are an error. Idempotent:
// MergeRecords(MergeRecords(c, m), m) == MergeRecords(c, m).
// A missing final newline in `current` is added. Returns false with
// `error` set for malformed merge input (a line without ':'). `counts`
// (how many records were added, updated, unchanged) and `error` may be null.
bool MergeRecords(const std::string& current, const std::string& merge,
                  std::string* result, MergeCounts* counts,
                  std::string* error);

// Checks a MERGE file for `target` (one of IsMergeTarget's) before
// anything is sent: every record has the target's number of fields
// (passwd 7, shadow 9, group 4, gshadow 4; a NIS compat record "+..." or
// "-..." at most that many), no control characters, no key twice. A CR
// before the newline (a file written on Windows) is a line ending and is
// dropped, here and by MergeRecords. On failure sets `line` (1-based) and
// `error` (without the line).
bool CheckMergeInput(const std::string& target, const std::string& merge,
                     int* line, std::string* error);

// What POSIX `cksum` prints for `data` read from its standard input:
// "CRC LENGTH". A node compares it with its own file before replacing it.
std::string Cksum(const std::string& data);

// Appends `content` to `current` as a block between marker lines naming
// `source`:
//   # xdcp APPEND begin SOURCE
//   ...content...
//   # xdcp APPEND end SOURCE
// If a block for `source` is already there it is replaced in place, so
// applying the same content again changes nothing and edits elsewhere in
// the file survive.
std::string AppendBlock(const std::string& current, const std::string& source,
                        const std::string& content);

}  // namespace xdcp

#endif  // XDCP_MERGE_H_
