// The lock directory must be one only xdcp's user can change.
#include "private_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

class PrivateDirTest : public ScratchDirTest {
 protected:
  // Error text of OpenPrivateDir(dir/name), or "" and the mode if it opened.
  std::string Open(const std::string& name) {
    std::string error;
    int fd = OpenPrivateDir(dir_ + "/" + name, &error);
    if (fd < 0) return error.substr(error.find(": ") + 2);
    struct stat st;
    fstat(fd, &st);
    close(fd);
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return std::string("opened ") + mode;
  }
};

TEST_F(PrivateDirTest, MadeRootOnlyOrRefused) {
  std::string path = dir_ + "/";
  mkdir((path + "open").c_str(), 0700);
  mkdir((path + "wide").c_str(), 0777);
  chmod((path + "wide").c_str(), 0777);
  mkdir((path + "group").c_str(), 0770);
  chmod((path + "group").c_str(), 0770);
  ASSERT_EQ(symlink((path + "open").c_str(), (path + "link").c_str()), 0);
  Write("file", "x");
  mkdir((path + "other").c_str(), 0700);
  bool root = geteuid() == 0;
  if (root) {
    ASSERT_EQ(chown((path + "other").c_str(), 65534, 65534), 0);
  }
  EXPECT_EQ(Open("new"), "opened 0700");
  EXPECT_EQ(Open("open"), "opened 0700");
  EXPECT_EQ(Open("wide"),
            "mode 0777 lets others write in it; refusing to use it (make it mode 0700, or "
            "remove it)");
  EXPECT_EQ(Open("group"),
            "mode 0770 lets others write in it; refusing to use it (make it mode 0700, or "
            "remove it)");
  EXPECT_EQ(Open("link"), std::string("is a symbolic link; it must be a directory only ") +
                              (root ? "root" : "this user") + " can write");
  EXPECT_EQ(Open("file"), "cannot open it: Not a directory");
  if (root) {
    EXPECT_EQ(Open("other"),
              "owned by uid 65534, not 0; refusing to use it (make it mode 0700, or remove it)");
  }
  EXPECT_EQ(Open("missing/sub"), "cannot create it: No such file or directory");
}

}  // namespace
}  // namespace xdcp
