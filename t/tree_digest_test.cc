#include "tree_digest.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "scratch_dir.h"

namespace xdcp {
namespace {

// rsync --exclude semantics for the patterns xdcp's lists use.
TEST(TreeDigestTest, ExcludedByMatchesAsRsync) {
  struct Case {
    std::string pattern, path;
    bool dir, excluded;
  } cases[] = {
      {"/nim", "nim", true, true},            // anchored at the transfer root
      {"/nim", "x/nim", true, false},
      {"nim", "x/nim", true, true},           // no slash: the last component
      {"*.lock", "a/b/c.lock", false, true},
      {"*.lock", "a/b.lock/c", false, false},
      {"rootimg.*.tmp", "netboot/r/rootimg.1.tmp", true, true},
      {"/netboot/a/", "netboot/a", true, true},   // trailing slash: directories only
      {"/netboot/a/", "netboot/a", false, false},
      {"b/c", "a/b/c", false, true},          // inner slash: trailing components
      {"b/c", "b/c", false, true},
      {"b/c", "c", false, false},
      {"a*/c", "ab/x/c", false, false},       // '*' stops at '/'
      {"/a*", "ab/x", false, false},
      {"/a*", "ab", false, true},
      {".#*", "d/.#x", false, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ExcludedBy({c.pattern}, c.path, c.dir), c.excluded)
        << c.pattern << " on " << c.path;
  }
}

TEST(TreeDigestTest, PatternsXdcpCannotMatchTurnTheFastPathOff) {
  std::string why;
  EXPECT_TRUE(PatternsMatchable({"/nim", "*.lock", "/netboot/a/", "rootimg.tmp*"}, &why));
  for (const char* bad : {"**/x", "a\\*", "+ keep", "- x", "!", "[ab]", ""}) {
    why.clear();
    EXPECT_FALSE(PatternsMatchable({bad}, &why)) << bad;
    EXPECT_NE(why.find("exclusion"), std::string::npos) << why;
  }
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(TreeDigestTest, DigestFollowsWhatRsyncCompares) {
  ScratchDir tmp;
  std::string r = tmp.path() + "/t";
  mkdir(r.c_str(), 0755);
  mkdir((r + "/d").c_str(), 0755);
  Write(r + "/d/f", "abc");
  Write(r + "/d/g", "xyz");
  Write(r + "/skip.log", "1");
  symlink("f", (r + "/d/l").c_str());
  auto digest = [&](bool checksum = false, std::vector<std::string> pat = {"*.log"}) {
    TreeScan scan;
    std::string error;
    EXPECT_TRUE(ScanTree(r, checksum, &scan, &error)) << error;
    return TreeDigest(scan, pat);
  };
  auto set_time = [&](const std::string& p) {
    struct timespec t[2] = {{1000, 0}, {1000, 0}};
    utimensat(AT_FDCWD, p.c_str(), t, AT_SYMLINK_NOFOLLOW);
  };
  for (const char* p : {"/d/f", "/d/g", "/d/l", "/d", ""}) set_time(r + p);
  std::string base = digest();
  EXPECT_EQ(digest(), base);
  Write(r + "/skip.log", "22");  // excluded
  set_time(r);
  EXPECT_EQ(digest(), base);
  EXPECT_NE(digest(false, {}), base);
  chmod((r + "/d/f").c_str(), 0600);
  EXPECT_NE(digest(), base);
  chmod((r + "/d/f").c_str(), 0644);
  std::string mode_back = digest();
  Write(r + "/d/f", "abd");  // same size
  set_time(r + "/d/f");
  EXPECT_EQ(digest(), mode_back) << "the quick check does not read content";
  std::string sum = digest(true);
  Write(r + "/d/f", "abc");
  set_time(r + "/d/f");
  EXPECT_NE(digest(true), sum) << "--checksum does";
  unlink((r + "/d/g").c_str());
  link((r + "/d/f").c_str(), (r + "/d/g").c_str());
  set_time(r + "/d");
  EXPECT_NE(digest(), mode_back) << "a hard link is not two files";
  TreeScan missing;
  std::string error;
  EXPECT_TRUE(ScanTree(r + "/nope", false, &missing, &error));
  EXPECT_EQ(TreeDigest(missing, {}), "missing");
}

}  // namespace
}  // namespace xdcp
