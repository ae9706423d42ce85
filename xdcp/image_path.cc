#include "image_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include "paths.h"

namespace xdcp {
namespace {

constexpr int kMaxLinks = 40;  // as the kernel's ELOOP limit

bool ReadLink(const std::string& path, std::string* target) {
  std::vector<char> buf(4096);
  ssize_t n = readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0 || static_cast<size_t>(n) == buf.size()) return false;
  target->assign(buf.data(), n);
  return true;
}

}  // namespace

bool ResolveInImage(const std::string& image, const std::string& path,
                    std::string* resolved, std::string* error) {
  std::vector<std::string> parts = PathComponents(path);
  std::deque<std::string> todo(parts.begin(), parts.end());
  std::vector<std::string> done;
  int links = 0;
  // done[missing] and what follows do not exist in the image (yet); no
  // need to look at anything below them, until ".." climbs back out.
  size_t missing = std::string::npos;
  while (!todo.empty()) {
    std::string c = todo.front();
    todo.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (!done.empty()) done.pop_back();
      if (done.size() <= missing) missing = std::string::npos;
      continue;
    }
    std::string here = image + JoinComponents(done) + (done.empty() ? "" : "/") + c;
    struct stat st;
    if (missing != std::string::npos || lstat(here.c_str(), &st) != 0) {
      if (missing == std::string::npos) missing = done.size();
      done.push_back(c);
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target;
      if (++links > kMaxLinks || !ReadLink(here, &target)) {
        *error = "too many levels of symbolic links in the image: '" + path + "'";
        return false;
      }
      if (!target.empty() && target[0] == '/') done.clear();
      std::vector<std::string> more = PathComponents(target);
      todo.insert(todo.begin(), more.begin(), more.end());
      continue;
    }
    if (!S_ISDIR(st.st_mode) && !todo.empty()) {
      *error = "not a directory in the image: '" + image + JoinComponents(done) +
               (done.empty() ? "" : "/") + c + "'";
      return false;
    }
    done.push_back(c);
  }
  *resolved = JoinComponents(done);
  if (path.size() > 1 && path.back() == '/' && resolved->back() != '/') *resolved += '/';
  return true;
}

std::string MakeImageDirs(const std::string& image, const std::string& dir) {
  int fd = open(image.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return "cannot open the image " + image + ": " + strerror(errno);
  std::string at = image;
  for (const auto& c : PathComponents(dir)) {
    at += "/" + c;
    int next = openat(fd, c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(fd, c.c_str(), 0755) != 0 && errno != EEXIST) {
        std::string why = strerror(errno);
        close(fd);
        return "cannot make " + at + ": " + why;
      }
      next = openat(fd, c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    int err = errno;
    close(fd);
    if (next < 0) {
      return err == ELOOP || err == ENOTDIR
                 ? at + " is not a directory of the image (a symbolic link?); "
                        "nothing copied there"
                 : "cannot open " + at + ": " + strerror(err);
    }
    fd = next;
  }
  close(fd);
  return "";
}

}  // namespace xdcp
