#include "text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace xdcp {

bool ReadWholeFile(const std::string& path, std::string* content) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  int err = fd < 0 ? errno : 0;
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) != 0) err = errno;
  if (fd >= 0 && err == 0 && S_ISDIR(st.st_mode)) err = EISDIR;
  std::string text;
  char buf[65536];
  for (ssize_t n; err == 0 && (n = read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) text.append(buf, n);
  }
  if (fd >= 0) close(fd);
  if (err != 0) return errno = err, false;
  *content = std::move(text);
  return true;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string joined;
  for (const auto& item : items) joined += (joined.empty() ? "" : sep) + item;
  return joined;
}

std::string Trim(const std::string& text, const char* blanks) {
  size_t first = text.find_first_not_of(blanks);
  if (first == std::string::npos) return "";
  size_t last = text.find_last_not_of(blanks);
  return text.substr(first, last - first + 1);
}

}  // namespace xdcp
