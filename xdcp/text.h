// Small helpers over text: reading a whole file, joining, trimming blanks.
#ifndef XDCP_TEXT_H_
#define XDCP_TEXT_H_

#include <string>
#include <vector>

namespace xdcp {

// Reads the whole local file `path` into `content`. False, with `content`
// untouched and errno saying why, if it cannot be opened or read or is a
// directory (EISDIR). Two arguments only: it is a NodeRangeEnv::read_file.
bool ReadWholeFile(const std::string& path, std::string* content);

// `items` with `sep` between them. A separator goes only after non-empty
// text: {"", "a"} gives "a".
std::string Join(const std::vector<std::string>& items, const char* sep);

// Spaces, tabs and '\r' (so that a file written on Windows reads the same).
constexpr char kBlanks[] = " \t\r";

// `text` without the characters of `blanks` at either end.
std::string Trim(const std::string& text, const char* blanks = kBlanks);

}  // namespace xdcp

#endif  // XDCP_TEXT_H_
