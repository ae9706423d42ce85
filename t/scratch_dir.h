// The one scratch directory of the tests: ScratchDir makes
// /tmp/xdcp_test.TAG.XXXXXX (TAG names the build, so the check at the end
// of the suite, t/leftovers_test.sh, tells this run's directories from
// those of other builds on the machine) and removes it with everything in
// it when it goes out of scope, so a test that fails, even at an ASSERT,
// leaves nothing behind. ScratchDirTest is the same as a gtest fixture.
#ifndef XDCP_T_SCRATCH_DIR_H_
#define XDCP_T_SCRATCH_DIR_H_

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gtest/gtest.h"

#ifndef XDCP_TEST_TAG
#define XDCP_TEST_TAG "untagged"
#endif

namespace xdcp {

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = "/tmp/xdcp_test." XDCP_TEST_TAG ".XXXXXX";
    // Without it, a test would write its files at "/NAME": stop here.
    if (mkdtemp(&tmpl[0]) == nullptr) {
      perror("mkdtemp /tmp/xdcp_test.*");
      abort();
    }
    path_ = tmpl;
  }
  ~ScratchDir() {
    // A test may leave directories it cannot enter (mode 0, or 0555 for a
    // non-root user): open them all up first, links not followed.
    nftw(path_.c_str(),
         [](const char* p, const struct stat* st, int type, FTW*) {
           if (type == FTW_D || type == FTW_DNR) chmod(p, (st->st_mode & 07777) | 0700);
           return 0;
         },
         16, FTW_PHYS);
    nftw(path_.c_str(),
         [](const char* p, const struct stat*, int, FTW*) { return remove(p); }, 16,
         FTW_DEPTH | FTW_PHYS);
    struct stat st;
    if (lstat(path_.c_str(), &st) == 0) ADD_FAILURE() << "cannot remove " << path_;
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name; name may hold slashes.
  std::string Path(const std::string& name) const { return path_ + "/" + name; }
  // Writes `text` to path()/name (its directory must exist), returns the path.
  std::string Write(const std::string& name, const std::string& text) const {
    std::string path = Path(name);
    std::ofstream(path) << text;
    return path;
  }
  // Makes the directory path()/name (its parent must exist), returns the path.
  std::string MakeDir(const std::string& name, mode_t mode = 0755) const {
    std::string path = Path(name);
    mkdir(path.c_str(), mode);
    return path;
  }

 private:
  std::string path_;
};

class ScratchDirTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    return scratch_.Write(name, text);
  }

  ScratchDir scratch_;
  const std::string dir_ = scratch_.path();
};

}  // namespace xdcp

#endif  // XDCP_T_SCRATCH_DIR_H_
