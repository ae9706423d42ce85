// A gtest fixture with a scratch directory for the files of one test,
// removed afterwards; shared by the tests that load files from disk.
#ifndef XDCP_T_SCRATCH_DIR_H_
#define XDCP_T_SCRATCH_DIR_H_

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace xdcp {

class ScratchDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/xdcp_test.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    for (const std::string& path : written_) unlink(path.c_str());
    rmdir(dir_.c_str());
  }

  // Writes `text` to dir/name and returns the path.
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    written_.push_back(path);
    return path;
  }

  std::string dir_;
  std::vector<std::string> written_;
};

}  // namespace xdcp

#endif  // XDCP_T_SCRATCH_DIR_H_
