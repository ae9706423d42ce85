// Local sources: globs expanded by xdcp, named symbolic links.
#include "sources.h"

#include <unistd.h>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

using SourcesTest = ScratchDirTest;

TEST_F(SourcesTest, IsNamedSymlinkOnlyForALinkWrittenWithoutATrailingSlash) {
  Write("f", "f");
  scratch_.MakeDir("d");
  ASSERT_EQ(symlink("f", (dir_ + "/lf").c_str()), 0);
  ASSERT_EQ(symlink("d", (dir_ + "/ld").c_str()), 0);
  ASSERT_EQ(symlink("none", (dir_ + "/dangling").c_str()), 0);
  const std::pair<std::string, bool> cases[] = {
      {"lf", true},  {"ld", true},  {"dangling", true}, {"ld/", false},
      {"f", false},  {"d", false},  {"d/", false},      {"missing", false},
  };
  for (const auto& [name, want] : cases) EXPECT_EQ(IsNamedSymlink(dir_ + "/" + name), want) << name;
}

TEST_F(SourcesTest, GlobExistingTakesANameAsWrittenElseItsMatches) {
  Write("a1", "");
  Write("a2", "");
  Write("b[1]", "");
  std::vector<std::string> paths;
  EXPECT_TRUE(GlobExisting(dir_ + "/a?", &paths));
  EXPECT_TRUE(GlobExisting(dir_ + "/b[1]", &paths));  // exists as written
  EXPECT_FALSE(GlobExisting(dir_ + "/c*", &paths));
  EXPECT_EQ(paths, (std::vector<std::string>{dir_ + "/a1", dir_ + "/a2", dir_ + "/b[1]"}));
}

}  // namespace
}  // namespace xdcp
