// The transfer tree on disk: hard links (or copies) for files, symbolic
// links for directories, nothing followed, nested destinations apart.
#include "transfer_tree.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

TEST(TransferTreeTest, RelativePathsDropEmptyAndDotComponentsAndRefuseDotDot) {
  struct Case {
    std::string path, rel;
    bool ok;
  } cases[] = {
      {"/etc/hosts", "etc/hosts", true}, {"//etc/./x//", "etc/x", true},
      {"/", "", true},                   {"/etc/../x", "", false},
  };
  for (const auto& c : cases) {
    std::string rel;
    EXPECT_EQ(TreeRelative(c.path, &rel), c.ok) << c.path;
    if (c.ok) {
      EXPECT_EQ(rel, c.rel) << c.path;
    }
  }
}

TEST(TransferTreeTest, NestedDestinationsAndFollowedLinksGoToFurtherTrees) {
  using K = TreeEntryKind;
  std::vector<TransferTree> trees;
  for (const TreeEntry& e : std::vector<TreeEntry>{{"etc", "/s/etc", K::kDir},
                                                   {"etc/hosts", "/s/h", K::kFile},
                                                   {"opt/a", "/s/a", K::kFile},
                                                   {"opt/l", "/s/l", K::kFollow},
                                                   {"etc/hosts/x", "/s/x", K::kFile},
                                                   {"etcetera", "/s/e", K::kFile}}) {
    AddToTrees(e, &trees);
  }
  ASSERT_EQ(trees.size(), 4u);
  auto rels = [](const TransferTree& t) {
    std::vector<std::string> out;
    for (const auto& e : t.entries) out.push_back(e.rel);
    return out;
  };
  EXPECT_EQ(rels(trees[0]), (std::vector<std::string>{"etc", "opt/a", "etcetera"}));
  EXPECT_EQ(rels(trees[1]), std::vector<std::string>{"etc/hosts"});
  EXPECT_EQ(rels(trees[2]), std::vector<std::string>{"opt/l"});
  EXPECT_TRUE(trees[2].follow);
  EXPECT_EQ(rels(trees[3]), std::vector<std::string>{"etc/hosts/x"});
  EXPECT_EQ(TreeOperands("/w/t", trees[0]),
            (std::vector<std::string>{"/w/t/./etc/", "/w/t/./opt/a", "/w/t/./etcetera"}));
  EXPECT_NE(TreeKey(trees[0]), TreeKey(trees[1]));
}

TEST(TransferTreeTest, FilesAreHardLinksAndDirectoriesSymbolicLinks) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  std::ofstream(dir + "/f") << "content";
  mkdir((dir + "/d").c_str(), 0755);
  ASSERT_EQ(symlink((dir + "/f").c_str(), (dir + "/named").c_str()), 0);
  TransferTree tree;
  tree.entries = {{"etc/renamed", dir + "/f", TreeEntryKind::kFile},
                  {"etc/sub/via_link", dir + "/named", TreeEntryKind::kFile},
                  {"opt/d", dir + "/d", TreeEntryKind::kDir},
                  {"", dir + "/d", TreeEntryKind::kDir}};
  ASSERT_EQ(BuildTransferTree(dir + "/tree", tree), "");
  struct stat src, a, b, t;
  ASSERT_EQ(stat((dir + "/f").c_str(), &src), 0);
  ASSERT_EQ(lstat((dir + "/tree/etc/renamed").c_str(), &a), 0);
  ASSERT_EQ(lstat((dir + "/tree/etc/sub/via_link").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, src.st_ino);
  EXPECT_EQ(b.st_ino, src.st_ino);  // the named link's target, not the link
  ASSERT_EQ(lstat((dir + "/tree").c_str(), &t), 0);
  EXPECT_EQ(t.st_mode & 07777, 0700u);
  char target[4096] = {};
  ASSERT_GT(readlink((dir + "/tree/opt/d").c_str(), target, sizeof target - 1), 0);
  EXPECT_EQ(std::string(target), dir + "/d");
  EXPECT_EQ(TreeOperands(dir + "/tree", tree).back(), dir + "/d/./");
  // The tree is made once: a second build of the same directory fails.
  EXPECT_NE(BuildTransferTree(dir + "/tree", tree), "");
}

}  // namespace
}  // namespace xdcp
