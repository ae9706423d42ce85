#include "filelist.h"

#include "text.h"

namespace xdcp {
namespace {

// rsync would read these as filter rules, not as patterns.
bool IsFilterRule(const std::string& line) {
  if (line.size() >= 2 && line[1] == ' ' &&
      std::string("+-.:").find(line[0]) != std::string::npos) {
    return true;
  }
  return line == ":" || line.compare(0, 6, "merge ") == 0 ||
         line.compare(0, 10, "dir-merge ") == 0;
}

}  // namespace

bool ParseExcludeList(const std::string& path, const std::string& text,
                      std::vector<std::string>* patterns, std::string* error) {
  size_t start = 0;
  for (int n = 1; start <= text.size(); ++n) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = Trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line.find('\0') != std::string::npos) {
      *error = path + ":" + std::to_string(n) + ": NUL byte in pattern";
      return false;
    }
    if (IsFilterRule(line)) {
      *error = path + ":" + std::to_string(n) +
               ": only exclusion patterns are allowed, not filter rules: '" +
               line + "'";
      return false;
    }
    patterns->push_back(line);
  }
  return true;
}

std::vector<std::string> PatternsForRoot(const std::vector<std::string>& patterns,
                                         const std::string& root) {
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    if (p[0] != '/') {
      out.push_back(p);
    } else if (p.compare(0, root.size() + 1, root + "/") == 0) {
      out.push_back(p.substr(root.size()));
    } else if (p == root) {
      continue;  // the whole tree: nothing to mirror, never a pattern
    }
  }
  return out;
}

}  // namespace xdcp
