#include "work_dir.h"

#include <dirent.h>
#include <unistd.h>

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

}  // namespace xdcp
