#include "private_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace xdcp {

int OpenPrivateDir(const std::string& path, std::string* error, const std::string& role) {
  const std::string what = role + " " + path + ": ";
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = what + "cannot create it: " + strerror(errno);
    return -1;
  }
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    *error = what + "is a symbolic link; it must be a directory only " +
             (geteuid() == 0 ? "root" : "this user") + " can write";
    return -1;
  }
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    *error = what + "cannot open it: " + strerror(errno);
    return -1;
  }
  std::string wrong;
  if (fstat(fd, &st) != 0) {
    wrong = strerror(errno);
  } else if (st.st_uid != geteuid()) {
    wrong = "owned by uid " + std::to_string(st.st_uid) + ", not " + std::to_string(geteuid());
  } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    wrong = std::string("mode ") + mode + " lets others write in it";
  }
  if (!wrong.empty()) {
    close(fd);
    *error = what + wrong + "; refusing to use it (make it mode 0700, or remove it)";
    return -1;
  }
  return fd;
}

}  // namespace xdcp
