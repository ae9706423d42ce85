// The private directory of one run on the management node.
#ifndef XDCP_WORK_DIR_H_
#define XDCP_WORK_DIR_H_

#include <string>

namespace xdcp {

// A directory made by mkdtemp under /tmp (mode 0700, an unpredictable
// name) for what one run keeps on the management node: MERGE and APPEND
// work files, the file lists of staging runs, the database copies staged
// to service nodes, the mirror's pattern files and ssh's control sockets.
// The destructor removes it with everything in it, at any depth, following
// no symbolic link. path() is empty if the directory could not be made.
class WorkDir {
 public:
  WorkDir();
  ~WorkDir();
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes `content` to a new file at `path` (0600, O_EXCL: never over an
// existing file or through a symbolic link). False with errno set if it
// could not.
bool WritePrivateFile(const std::string& path, const std::string& content);

}  // namespace xdcp

#endif  // XDCP_WORK_DIR_H_
