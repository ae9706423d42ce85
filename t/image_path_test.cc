// Destinations inside an image resolve inside it: absolute and relative
// links, "..", loops, and directories made without following links.
#include "image_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

class ImagePathTest : public ScratchDirTest {
 protected:
  void SetUp() override {
    for (const char* d : {"/img", "/img/run", "/img/var", "/img/etc", "/img/usr",
                          "/img/usr/share", "/outside"}) {
      mkdir((root_ + d).c_str(), 0755);
    }
    std::ofstream(img_ + "/etc/file") << "x";
    Link("/run", "/var/run");                  // absolute, to a directory
    Link("../usr/share", "/var/share");        // relative
    Link(root_ + "/outside", "/var/out");      // absolute, an MN path
    Link("/etc/file", "/etc/flink");           // absolute, to a file
    Link("../../../../../../../etc", "/var/up");  // climbs past the root
    Link("/loop2", "/loop1");
    Link("/loop1", "/loop2");
  }
  void Link(const std::string& target, const std::string& at) {
    ASSERT_EQ(symlink(target.c_str(), (img_ + at).c_str()), 0) << at;
  }

  const std::string& root_ = dir_;
  const std::string img_ = root_ + "/img";
};

TEST_F(ImagePathTest, LinksResolveInsideTheImage) {
  struct Case {
    const char* path;
    std::string want;
  } cases[] = {
      {"/etc/motd", "/etc/motd"},
      {"/var/run/x", "/run/x"},
      {"/var/run/", "/run/"},
      {"/var/run", "/run"},
      {"/var/share/doc/x", "/usr/share/doc/x"},
      {"/var/out/x", root_ + "/outside/x"},  // the MN path, under the image
      {"/etc/flink", "/etc/file"},
      {"/var/up/x", "/etc/x"},
      {"/a/../../var/./run/new/deeper/", "/run/new/deeper/"},
      {"/", "/"},
  };
  for (const auto& c : cases) {
    std::string got, error;
    EXPECT_TRUE(ResolveInImage(img_, c.path, &got, &error)) << c.path << ": " << error;
    EXPECT_EQ(got, c.want) << c.path;
  }
}

TEST_F(ImagePathTest, LoopsAndFilesOnTheWayAreErrors) {
  std::string got, error;
  EXPECT_FALSE(ResolveInImage(img_, "/loop1/x", &got, &error));
  EXPECT_EQ(error, "too many levels of symbolic links in the image: '/loop1/x'");
  EXPECT_FALSE(ResolveInImage(img_, "/etc/file/x", &got, &error));
  EXPECT_EQ(error, "not a directory in the image: '" + img_ + "/etc/file'");
}

TEST_F(ImagePathTest, MakeImageDirsNeverFollowsALink) {
  EXPECT_EQ(MakeImageDirs(img_, "/run/a/b/"), "");
  struct stat st;
  EXPECT_EQ(lstat((img_ + "/run/a/b").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(MakeImageDirs(img_, "/var/out/new"),
            img_ + "/var/out is not a directory of the image (a symbolic link?); "
                   "nothing copied there");
  EXPECT_NE(lstat((root_ + "/outside/new").c_str(), &st), 0);
  EXPECT_EQ(MakeImageDirs(img_, "/"), "");
}

}  // namespace
}  // namespace xdcp
