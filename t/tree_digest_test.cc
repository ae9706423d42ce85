#include "tree_digest.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

// Two copies of one tree: `mn` as the management node has it, `sn` as a
// service node has it; the directories the SN says differ, as paths.
class DirDigestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& r : {mn, sn}) {
      mkdir(r.c_str(), 0755);
      for (const char* d : {"/a", "/a/b", "/c", "/x"}) mkdir((r + d).c_str(), 0755);
      Write(r + "/a/f", "f");
      Write(r + "/a/b/g", "g");
      Write(r + "/c/h", "h");
      Write(r + "/x/skip", "s");
      link((r + "/a/f").c_str(), (r + "/c/f.link").c_str());
      Settle(r);
    }
  }
  // Every path's time to one value, as after an rsync with -t.
  void Settle(const std::string& r) {
    for (const char* p : {"/a/f", "/a/b/g", "/a/b", "/c/h", "/c/f.link", "/c", "/x/skip", "/x",
                          "/a", ""}) {
      struct timespec t[2] = {{1000, 0}, {1000, 0}};
      utimensat(AT_FDCWD, (r + p).c_str(), t, AT_SYMLINK_NOFOLLOW);
    }
  }
  TreeScan Scan(const std::string& r) {
    TreeScan scan;
    std::string error;
    EXPECT_TRUE(ScanTree(r, false, &scan, &error)) << error;
    return scan;
  }
  // What the management node would send: the SN's differing directories
  // and the hard-link closure, as paths.
  std::vector<std::string> ToSend() {
    TreeScan m = Scan(mn), s = Scan(sn);
    std::vector<DirDigest> dirs = DirDigests(m, patterns);
    std::vector<TheirDir> theirs;
    for (const auto& d : dirs)
      theirs.push_back({m.entries[d.entry].path, d.digest, d.self, d.names, d.buckets});
    std::vector<std::string> paths;
    EXPECT_TRUE(PathsToSend(m, patterns, dirs, Differences(s, patterns, theirs), &paths));
    return paths;
  }
  ScratchDir tmp;
  std::string mn = tmp.path() + "/mn", sn = tmp.path() + "/sn";
  std::vector<std::string> patterns{"/x/"};
  using Paths = std::vector<std::string>;
};

TEST_F(DirDigestTest, SameTreesSendNothing) {
  EXPECT_EQ(ToSend(), Paths{});
  TreeScan m = Scan(mn);
  Paths listed;
  for (const auto& d : DirDigests(m, patterns)) listed.push_back(m.entries[d.entry].path);
  EXPECT_EQ(listed, (Paths{".", "a", "a/b", "c"})) << "excluded x is not listed";
}

TEST_F(DirDigestTest, OnlyTheDirectoryOfAChangedFileIsSent) {
  Write(sn + "/a/b/g", "gg");
  Settle(sn);
  EXPECT_EQ(ToSend(), Paths{"a/b/"});
}

TEST_F(DirDigestTest, ExtraAndMissingEntriesMarkTheirDirectory) {
  Write(sn + "/c/extra", "e");
  unlink((sn + "/a/b/g").c_str());
  rmdir((sn + "/a/b").c_str());
  Settle(sn);
  EXPECT_EQ(ToSend(), (Paths{"a/", "a/b/", "c/"})) << "a lost b; b is missing; c has more";
}

TEST_F(DirDigestTest, ExcludedPathsNeverCount) {
  Write(sn + "/x/skip", "changed");
  Write(sn + "/x/new", "n");
  Settle(sn);
  EXPECT_EQ(ToSend(), Paths{});
}

TEST_F(DirDigestTest, AHardLinkGroupIsSentWhole) {
  // a/f and c/f.link are one file on the MN; on the SN the link is broken
  // in c only: both directories go, so that rsync -H sees the whole group.
  unlink((sn + "/c/f.link").c_str());
  Write(sn + "/c/f.link", "f");
  Settle(sn);
  EXPECT_EQ(ToSend(), (Paths{"a/", "c/"}));
}

TEST_F(DirDigestTest, ADirectoryThatIsAFileOnTheSnDiffers) {
  unlink((sn + "/a/b/g").c_str());
  rmdir((sn + "/a/b").c_str());
  Write(sn + "/a/b", "not a directory");
  Settle(sn);
  EXPECT_EQ(ToSend(), (Paths{"a/", "a/b/", "c/"})) << "c: hard links of a/f";
}

TEST_F(DirDigestTest, TreeDigestsDifferExactlyWhenADirectoryDigestDoes) {
  TreeScan m = Scan(mn);
  EXPECT_EQ(TreeDigest(m, patterns), TreeDigest(Scan(sn), patterns));
  chmod((sn + "/a/b/g").c_str(), 0600);
  EXPECT_NE(TreeDigest(m, patterns), TreeDigest(Scan(sn), patterns));
  EXPECT_EQ(ToSend(), Paths{"a/b/"});
}

// A directory of many entries is narrowed down to the bucket of the one
// that changed; a directory whose own mode changed is sent alone; a
// missing or extra name still sends the whole directory (rsync must be
// able to delete there).
TEST_F(DirDigestTest, ABigDirectoryIsNarrowedDownToTheChangedEntry) {
  for (const std::string& r : {mn, sn}) {
    mkdir((r + "/big").c_str(), 0755);
    for (int i = 0; i < 40; ++i) Write(r + "/big/f" + std::to_string(i), "x");
    link((r + "/big/f7").c_str(), (r + "/a/b/f7.link").c_str());
    std::vector<std::string> all{"/big", "/a/b/f7.link", "/a/b"};
    for (int i = 0; i < 40; ++i) all.push_back("/big/f" + std::to_string(i));
    Settle(r);
    for (const auto& p : all) {
      struct timespec t[2] = {{1000, 0}, {1000, 0}};
      utimensat(AT_FDCWD, (r + p).c_str(), t, AT_SYMLINK_NOFOLLOW);
    }
  }
  EXPECT_EQ(ToSend(), Paths{});
  TreeScan m = Scan(mn);
  std::vector<DirDigest> dirs = DirDigests(m, patterns);
  ASSERT_EQ(dirs.size(), 5u);
  EXPECT_EQ(dirs[3].buckets.size(), 16u * 10) << "big: 40 entries, buckets of 4";
  EXPECT_EQ(dirs[1].buckets, "") << "a: too few to bucket";

  Write(sn + "/big/f3", "yy");
  struct timespec t[2] = {{1000, 0}, {1000, 0}};
  utimensat(AT_FDCWD, (sn + "/big/f3").c_str(), t, 0);
  Paths sent = ToSend();
  EXPECT_NE(std::find(sent.begin(), sent.end(), "big/f3"), sent.end());
  EXPECT_LT(sent.size(), 10u) << "its bucket, not the 40 entries";
  for (const auto& p : sent) EXPECT_EQ(p.compare(0, 4, "big/"), 0) << p;
  Write(sn + "/big/f3", "x");
  utimensat(AT_FDCWD, (sn + "/big/f3").c_str(), t, 0);
  EXPECT_EQ(ToSend(), Paths{});

  chmod((sn + "/big").c_str(), 0700);
  EXPECT_EQ(ToSend(), (Paths{"./", "big"}))
      << "big's own attributes, and the root, which holds them as an entry";
  chmod((sn + "/big").c_str(), 0755);

  // f7 is a hard link of a/b/f7.link: a change to it lists the whole group.
  chmod((sn + "/big/f7").c_str(), 0600);
  sent = ToSend();
  EXPECT_NE(std::find(sent.begin(), sent.end(), "big/f7"), sent.end());
  EXPECT_NE(std::find(sent.begin(), sent.end(), "a/b/f7.link"), sent.end());
  chmod((sn + "/big/f7").c_str(), 0644);

  Write(sn + "/big/extra", "e");
  utimensat(AT_FDCWD, (sn + "/big").c_str(), t, 0);
  EXPECT_EQ(ToSend(), (Paths{"a/b/", "big/"}))
      << "an extra name: the whole directory, and a/b, which shares a hard link with it";
}

}  // namespace
}  // namespace xdcp
