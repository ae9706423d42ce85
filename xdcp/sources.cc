#include "sources.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "paths.h"

namespace xdcp {
namespace {

bool HasGlobChars(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

// A name that exists is taken as written, even if it has glob characters.
std::vector<std::string> Glob(const std::string& pattern) {
  struct stat st;
  if (!HasGlobChars(pattern) || lstat(pattern.c_str(), &st) == 0) return {pattern};
  glob_t g;
  std::vector<std::string> out;
  if (glob(pattern.c_str(), GLOB_NOCHECK, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
  }
  globfree(&g);
  if (out.empty()) out.push_back(pattern);
  return out;
}

bool Check(const std::string& path, bool recursive, LocalSource* source,
           std::string* error) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    *error = path + ": " + strerror(errno);
    return false;
  }
  source->path = path;
  source->symlink = S_ISLNK(st.st_mode);
  if (source->symlink && stat(path.c_str(), &st) != 0) {
    *error = path + ": symbolic link to nothing: " + strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode) && !recursive) {
    *error = path + ": is a directory (use -R)";
    return false;
  }
  return true;
}

}  // namespace

bool GlobExisting(const std::string& pattern, std::vector<std::string>* out) {
  struct stat st;
  if (lstat(pattern.c_str(), &st) == 0) return out->push_back(pattern), true;
  glob_t g;
  bool found = glob(pattern.c_str(), 0, nullptr, &g) == 0;
  for (size_t i = 0; found && i < g.gl_pathc; ++i) out->push_back(g.gl_pathv[i]);
  globfree(&g);
  return found;
}

bool ExpandSources(const std::vector<std::string>& operands, bool recursive,
                   std::vector<LocalSource>* sources, std::string* error) {
  for (const auto& operand : operands) {
    for (const auto& path : Glob(operand)) {
      LocalSource s;
      if (!Check(path, recursive, &s, error)) return false;
      sources->push_back(s);
    }
  }
  return true;
}

bool IsNamedSymlink(const std::string& path) {
  struct stat st;
  std::string p = WithoutTrailingSlashes(path);
  return p == path && lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

}  // namespace xdcp
