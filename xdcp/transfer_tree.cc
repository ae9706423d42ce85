#include "transfer_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "paths.h"

namespace xdcp {
namespace {

// True when one path is the other or lies inside it.
bool Nested(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty() || a == b) return true;
  const std::string& s = a.size() < b.size() ? a : b;
  const std::string& l = a.size() < b.size() ? b : a;
  return l.compare(0, s.size(), s) == 0 && l[s.size()] == '/';
}

std::string Why(const std::string& what, const std::string& path) {
  return "cannot " + what + " " + path + ": " + strerror(errno);
}

// A copy of the regular file `source` as `name` in `dirfd`, with its mode,
// owner and times (for when a hard link is not possible).
std::string CopyInto(int dirfd, const std::string& name, const std::string& source,
                     const std::string& shown) {
  int in = open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Why("read", source);
  struct stat st;
  if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(in);
    return source + " is not a regular file";
  }
  int out = openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   0600);
  if (out < 0) {
    close(in);
    return Why("write", shown);
  }
  char buf[65536];
  ssize_t n = 0;
  bool ok = true;
  while (ok && (n = read(in, buf, sizeof buf)) > 0) {
    for (ssize_t done = 0; ok && done < n;) {
      ssize_t w = write(out, buf + done, n - done);
      ok = w > 0;
      done += w;
    }
  }
  ok = ok && n == 0;
  if (fchown(out, st.st_uid, st.st_gid) != 0) {
    // Not root: rsync cannot give the node another owner either.
  }
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  ok = ok && fchmod(out, st.st_mode & 07777) == 0 && futimens(out, times) == 0;
  ok = close(out) == 0 && ok;
  close(in);
  return ok ? "" : Why("write", shown);
}

}  // namespace

bool TreeRelative(const std::string& path, std::string* rel) {
  std::vector<std::string> parts = PathComponents(path);  // `rel` may be `path`
  rel->clear();
  for (const auto& part : parts) {
    if (part == ".") continue;
    if (part == "..") return false;
    *rel += (rel->empty() ? "" : "/") + part;
  }
  return true;
}

void AddToTrees(const TreeEntry& entry, std::vector<TransferTree>* trees) {
  size_t first = 0;  // after the last tree with a destination nested with it
  for (size_t i = 0; i < trees->size(); ++i) {
    for (const auto& e : (*trees)[i].entries) {
      if (Nested(e.rel, entry.rel)) first = i + 1;
    }
  }
  bool follow = entry.kind == TreeEntryKind::kFollow;
  for (size_t i = first; i < trees->size(); ++i) {
    if ((*trees)[i].follow == follow) return (*trees)[i].entries.push_back(entry);
  }
  trees->push_back({follow, {entry}});
}

std::string TreeKey(const TransferTree& tree) {
  std::string key(1, tree.follow ? 'L' : 'l');
  for (const auto& e : tree.entries) {
    key += std::to_string(static_cast<int>(e.kind)) + e.rel + '\0' + e.source + '\0';
  }
  return key;
}

std::string BuildTransferTree(const std::string& dir, const TransferTree& tree) {
  if (mkdir(dir.c_str(), 0700) != 0) return Why("make", dir);
  int root = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0) return Why("open", dir);
  std::string error;
  for (const auto& e : tree.entries) {
    std::vector<std::string> parts = PathComponents(e.rel);
    if (parts.empty()) continue;  // '/' itself: sent from its source
    int fd = dup(root);
    std::string shown = dir;
    for (size_t i = 0; fd >= 0 && i + 1 < parts.size(); ++i) {
      shown += "/" + parts[i];
      if (mkdirat(fd, parts[i].c_str(), 0700) != 0 && errno != EEXIST) break;
      int next = openat(fd, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close(fd);
      fd = next;
    }
    if (fd < 0) {
      error = Why("make", shown);
      break;
    }
    const std::string& name = parts.back();
    shown = dir + "/" + e.rel;
    if (e.kind != TreeEntryKind::kFile) {
      if (symlinkat(e.source.c_str(), fd, name.c_str()) != 0) error = Why("make", shown);
    } else if (linkat(AT_FDCWD, e.source.c_str(), fd, name.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      error = CopyInto(fd, name, e.source, shown);
    }
    close(fd);
    if (!error.empty()) break;
  }
  close(root);
  return error;
}

std::vector<std::string> TreeOperands(const std::string& dir, const TransferTree& tree) {
  std::vector<std::string> operands;
  for (const auto& e : tree.entries) {
    if (e.rel.empty()) {
      operands.push_back(e.source + (e.source == "/" ? "./" : "/./"));
    } else {
      operands.push_back(dir + "/./" + e.rel + (e.kind == TreeEntryKind::kDir ? "/" : ""));
    }
  }
  return operands;
}

}  // namespace xdcp
