#include "work_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

TEST(WorkDirTest, IsPrivateAndUnderTmp) {
  WorkDir work;
  ASSERT_FALSE(work.path().empty());
  EXPECT_EQ(work.path().rfind("/tmp/xdcp.", 0), 0u) << work.path();
  struct stat st;
  ASSERT_EQ(lstat(work.path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

// What a run leaves there (staged database copies are several levels
// deep) goes with it; what a link in it points to stays.
TEST(WorkDirTest, RemovesEverythingAtAnyDepthButNotLinkTargets) {
  WorkDir outside;
  ASSERT_FALSE(outside.path().empty());
  std::string kept = outside.path() + "/kept";
  ASSERT_EQ(mkdir(kept.c_str(), 0700), 0);
  std::ofstream(kept + "/file") << "x";
  std::string path;
  {
    WorkDir work;
    path = work.path();
    ASSERT_FALSE(path.empty());
    std::string deep = path + "/db.sn1/./etc/xcat";
    ASSERT_EQ(mkdir((path + "/db.sn1").c_str(), 0700), 0);
    ASSERT_EQ(mkdir((path + "/db.sn1/etc").c_str(), 0700), 0);
    ASSERT_EQ(mkdir(deep.c_str(), 0700), 0);
    std::ofstream(deep + "/nodelist.xml") << "<xcat/>";
    std::ofstream(path + "/stage.sn1") << "list";
    ASSERT_EQ(symlink(kept.c_str(), (path + "/link").c_str()), 0);
  }
  EXPECT_FALSE(Exists(path));
  EXPECT_TRUE(Exists(kept + "/file"));
}

TEST(WorkDirTest, WritePrivateFileMakesANewRootOnlyFileOnly) {
  WorkDir work;
  std::string file = work.path() + "/list";
  ASSERT_TRUE(WritePrivateFile(file, std::string("a/\0", 3)));
  struct stat st;
  ASSERT_EQ(lstat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 3);
  EXPECT_FALSE(WritePrivateFile(file, "again")) << "never over an existing file";
  std::string link = work.path() + "/link";
  ASSERT_EQ(symlink((work.path() + "/target").c_str(), link.c_str()), 0);
  EXPECT_FALSE(WritePrivateFile(link, "x")) << "never through a symbolic link";
  EXPECT_FALSE(Exists(work.path() + "/target"));
}

}  // namespace
}  // namespace xdcp
