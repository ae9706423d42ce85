#include "work_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace xdcp {
namespace {

// unlink removes files, sockets and symbolic links (never what a link
// points to); only a real directory makes it fail, and is then emptied.
void Remove(const std::string& dir) {
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string path = dir + "/" + name;
      if (unlink(path.c_str()) != 0) Remove(path);
    }
    closedir(d);
  }
  rmdir(dir.c_str());
}

}  // namespace

WorkDir::WorkDir() {
  char tmpl[] = "/tmp/xdcp.XXXXXX";
  if (mkdtemp(tmpl)) path_ = tmpl;
}

WorkDir::~WorkDir() {
  if (!path_.empty()) Remove(path_);
}

bool WritePrivateFile(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  int saved = done == content.size() ? 0 : (errno ? errno : EIO);
  if (close(fd) != 0 && saved == 0) saved = errno;
  errno = saved;
  return saved == 0;
}

}  // namespace xdcp
