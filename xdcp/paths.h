// Small pure functions over '/'-separated path strings: what xdcp needs to
// take a path apart and put it together again. No filesystem access.
#ifndef XDCP_PATHS_H_
#define XDCP_PATHS_H_

#include <string>
#include <vector>

namespace xdcp {

// The text after the last '/', or all of `path` when it has none:
// "/usr/bin/rsync" -> "rsync", "rsync" -> "rsync", "dir/" -> "".
// For naming a program; for a file or directory see LastComponent.
std::string Basename(const std::string& path);

// The last component, trailing slashes ignored: "/a/b/" -> "b",
// "b" -> "b", "/" -> "".
std::string LastComponent(const std::string& path);

// Everything before the last '/'; "/" when that is nothing or there is no
// '/': "/a/b" -> "/a", "/a" -> "/", "a" -> "/".
std::string Dirname(const std::string& path);

// `path` without its trailing slashes, except that "/" (or "//") stays "/".
std::string WithoutTrailingSlashes(std::string path);

// `path` ending in exactly the slashes it had, or one if it had none:
// "a" -> "a/", "a/" -> "a/", "" -> "/".
std::string WithTrailingSlash(const std::string& path);

// "dir/name"; a `dir` of "/" gives "/name".
std::string JoinPath(const std::string& dir, const std::string& name);

// The non-empty components between slashes, in order: "/a//b/" ->
// {"a", "b"}, "a/./.." -> {"a", ".", ".."}, "/" -> {}.
std::vector<std::string> PathComponents(const std::string& path);

// The absolute path of `components`: {"a", "b"} -> "/a/b", {} -> "/".
std::string JoinComponents(const std::vector<std::string>& components);

}  // namespace xdcp

#endif  // XDCP_PATHS_H_
