#include "merge.h"

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace xdcp {
namespace {

// Splits text into its lines without the '\n'. A last line without a final
// newline is still a line; it gets its newline back when the text is
// rebuilt, which is how MERGE adds a missing final newline.
std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// A merge file written on Windows ends its lines with CR LF; the CR is
// part of the line ending, never of a record (a shell "/bin/bash\r" locks
// the user out).
std::string WithoutCr(const std::string& line) {
  return !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1)
                                               : line;
}

// Fields per record of each MERGE target (passwd(5), shadow(5), group(5),
// gshadow(5)).
size_t FieldsOf(const std::string& target) {
  if (target == "/etc/passwd") return 7;
  if (target == "/etc/shadow") return 9;
  return 4;  // /etc/group, /etc/gshadow
}

// NIS compat entries ("+@group", "+", "-user") only work in order and at
// the end of the file, so they decide where new records may go.
bool IsNisLine(const std::string& line) {
  return !line.empty() && (line[0] == '+' || line[0] == '-');
}

// Blank includes a lone '\r' so a CRLF merge file's empty lines are skipped
// like the LF ones.
bool IsBlankOrComment(const std::string& line) {
  size_t first = line.find_first_not_of(" \t\r");
  return first == std::string::npos || line[first] == '#';
}

// The key of a line of the node's file, or nothing for a line that is no
// record. A bare NIS line such as "+" has no ':' but is a record to the
// compat service, so a merged "+::::::" must replace it, not follow it.
std::optional<std::string> KeyOfCurrentLine(const std::string& line) {
  if (!line.empty() && line[0] == '#') return std::nullopt;
  size_t colon = line.find(':');
  if (colon != std::string::npos) return line.substr(0, colon);
  if (!IsNisLine(line)) return std::nullopt;
  return line.substr(0, line.find_last_not_of('\r') + 1);
}

struct MergeRecord {
  std::string key;
  std::string text;  // the whole line as written in the merge file
};

// The merge records in file order, with an index by key.
struct MergeInput {
  std::vector<MergeRecord> records;
  std::map<std::string, size_t> index;
};

bool ParseMergeLine(const std::string& line, int number, MergeInput* input,
                    std::string* error) {
  size_t colon = line.find(':');
  if (colon == std::string::npos) {
    *error = "line " + std::to_string(number) +
             ": not a passwd/group record: '" + line + "'";
    return false;
  }
  std::string key = line.substr(0, colon);
  // Two records for one name leave no right answer for the node's file.
  if (!input->index.emplace(key, input->records.size()).second) {
    *error = "line " + std::to_string(number) + ": duplicate entry '" + key +
             "'";
    return false;
  }
  input->records.push_back({key, line});
  return true;
}

bool ParseMerge(const std::string& merge, MergeInput* input,
                std::string* error) {
  std::vector<std::string> lines = SplitLines(merge);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (IsBlankOrComment(lines[i])) continue;
    if (!ParseMergeLine(WithoutCr(lines[i]), static_cast<int>(i + 1), input,
                        error)) {
      return false;
    }
  }
  return true;
}

// Start of the trailing NIS compat block: the maximal run of NIS lines at
// the end; lines.size() when there is none.
size_t NisBlockStart(const std::vector<std::string>& lines) {
  size_t start = lines.size();
  while (start > 0 && IsNisLine(lines[start - 1])) --start;
  return start;
}

// What MERGE found on the node for one merge record.
enum class Found { kAbsent, kSame, kChanged };

// Rewrites the node's lines in place: the first line of a merged key becomes
// the merge record, later lines of that key go (MERGE never leaves
// duplicates), all other lines stay byte for byte.
std::vector<std::string> ReplaceInPlace(const std::vector<std::string>& lines,
                                        const MergeInput& input,
                                        std::vector<Found>* found) {
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    std::optional<std::string> key = KeyOfCurrentLine(line);
    auto it = key ? input.index.find(*key) : input.index.end();
    if (it == input.index.end()) {
      out.push_back(line);
      continue;
    }
    Found& state = (*found)[it->second];
    if (state != Found::kAbsent) {
      state = Found::kChanged;  // a duplicate is dropped: the file changes
      continue;
    }
    const std::string& text = input.records[it->second].text;
    state = text == line ? Found::kSame : Found::kChanged;
    out.push_back(text);
  }
  return out;
}

void Tally(const std::vector<Found>& found, MergeCounts* counts) {
  for (Found f : found) {
    if (f == Found::kAbsent) ++counts->added;
    if (f == Found::kSame) ++counts->unchanged;
    if (f == Found::kChanged) ++counts->updated;
  }
}

void AppendLines(const std::vector<std::string>& lines, size_t from,
                 size_t to, std::string* out) {
  for (size_t i = from; i < to; ++i) *out += lines[i] + "\n";
}

// New records with a NIS key go after the whole NIS block: putting
// "+@new" before an existing "+" would let the catch-all shadow it.
void AppendNew(const MergeInput& input, const std::vector<Found>& found,
               bool nis, std::string* out) {
  for (size_t i = 0; i < input.records.size(); ++i) {
    const MergeRecord& r = input.records[i];
    if (found[i] == Found::kAbsent && IsNisLine(r.key) == nis) {
      *out += r.text + "\n";
    }
  }
}

std::string MarkerLine(const char* which, const std::string& source) {
  std::string line = std::string("# xdcp APPEND ") + which + " " + source;
  // A newline in the name would split the marker and it would never be
  // found again, so every run would append another copy.
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = '?';
  }
  return line;
}

// Offset of the first whole line equal to `line` at or after `from`.
size_t FindLine(const std::string& text, const std::string& line,
                size_t from) {
  size_t pos = from;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (text.compare(pos, end - pos, line) == 0) return pos;
    pos = end + 1;
  }
  return std::string::npos;
}

// Offset just past the line that starts at `pos`, newline included.
size_t LineEnd(const std::string& text, size_t pos) {
  size_t end = text.find('\n', pos);
  return end == std::string::npos ? text.size() : end + 1;
}

std::string WithFinalNewline(const std::string& text) {
  if (text.empty() || text.back() == '\n') return text;
  return text + "\n";
}

}  // namespace

bool IsMergeTarget(const std::string& path) {
  // Exact names only: anything else is rejected, never appended to.
  return path == "/etc/passwd" || path == "/etc/shadow" ||
         path == "/etc/group" || path == "/etc/gshadow";
}

bool MergeRecords(const std::string& current, const std::string& merge,
                  std::string* result, MergeCounts* counts,
                  std::string* error) {
  MergeInput input;
  std::string ignored_error;
  if (!ParseMerge(merge, &input, error ? error : &ignored_error)) return false;
  std::vector<Found> found(input.records.size(), Found::kAbsent);
  std::vector<std::string> lines =
      ReplaceInPlace(SplitLines(current), input, &found);
  // Replacing keeps a line's first character (the key is its prefix), so
  // the NIS block can be found after the replacement as well as before.
  size_t nis = NisBlockStart(lines);
  std::string out;
  AppendLines(lines, 0, nis, &out);
  AppendNew(input, found, /*nis=*/false, &out);
  AppendLines(lines, nis, lines.size(), &out);
  AppendNew(input, found, /*nis=*/true, &out);
  MergeCounts tally;
  Tally(found, &tally);
  if (counts) *counts = tally;
  *result = std::move(out);
  return true;
}

bool CheckMergeInput(const std::string& target, const std::string& merge,
                     int* line, std::string* error) {
  std::vector<std::string> lines = SplitLines(merge);
  size_t want = FieldsOf(target);
  std::map<std::string, int> keys;  // key -> its line
  for (size_t i = 0; i < lines.size(); ++i) {
    *line = static_cast<int>(i + 1);
    if (IsBlankOrComment(lines[i])) continue;
    std::string record = WithoutCr(lines[i]);
    for (unsigned char c : record) {
      if (c < 0x20 || c == 0x7f) {
        *error = "control character in a " + target + " record";
        return false;
      }
    }
    size_t fields = 1;
    for (char c : record) fields += c == ':';
    // A NIS compat entry ("+@group::::::", "-user") may leave out trailing
    // fields; every other record has exactly its file's fields.
    bool ok = IsNisLine(record) ? fields >= 2 && fields <= want : fields == want;
    if (!ok) {
      *error = std::to_string(fields) + " fields where " + target + " has " +
               std::to_string(want);
      return false;
    }
    auto [it, fresh] = keys.emplace(record.substr(0, record.find(':')), *line);
    if (!fresh) {
      *error = "duplicate entry '" + it->first + "', first on line " +
               std::to_string(it->second);
      return false;
    }
  }
  *line = 0;
  return true;
}

std::string Cksum(const std::string& data) {
  // POSIX cksum: CRC-32 (polynomial 0x04C11DB7, most significant bit
  // first) over the data followed by its length, least significant byte
  // first, without its leading zero bytes; the result complemented.
  uint32_t crc = 0;
  auto add = [&crc](unsigned char byte) {
    crc ^= static_cast<uint32_t>(byte) << 24;
    for (int bit = 0; bit < 8; ++bit)
      crc = crc & 0x80000000u ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
  };
  for (unsigned char c : data) add(c);
  for (uint64_t n = data.size(); n != 0; n >>= 8) add(n & 0xff);
  return std::to_string(~crc) + " " + std::to_string(data.size());
}

std::string AppendBlock(const std::string& current, const std::string& source,
                        const std::string& content) {
  std::string begin_marker = MarkerLine("begin", source);
  std::string block = begin_marker + "\n" + WithFinalNewline(content) +
                      MarkerLine("end", source) + "\n";
  size_t begin = FindLine(current, begin_marker, 0);
  if (begin == std::string::npos) return WithFinalNewline(current) + block;
  size_t end = FindLine(current, MarkerLine("end", source), begin);
  // A begin marker without its end is a block cut short (an interrupted
  // write by an older version, or a hand edit); replacing through the end
  // of the file heals it instead of stacking a second block after it.
  size_t stop =
      end == std::string::npos ? current.size() : LineEnd(current, end);
  return current.substr(0, begin) + block + current.substr(stop);
}

}  // namespace xdcp
