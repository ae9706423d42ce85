// Local sources and whole-file reads.
#include "sources.h"

#include <sys/stat.h>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

using SourcesTest = ScratchDirTest;

TEST_F(SourcesTest, ReadWholeFileReadsFilesAndRefusesDirectoriesAndMissingOnes) {
  std::string text = "unchanged";
  std::string bytes("a\0b\n", 4);
  std::string path = Write("f", bytes);
  EXPECT_TRUE(ReadWholeFile(path, &text));
  EXPECT_EQ(text, bytes);
  text = "unchanged";
  EXPECT_FALSE(ReadWholeFile(dir_, &text));
  EXPECT_FALSE(ReadWholeFile(dir_ + "/missing", &text));
  EXPECT_EQ(text, "unchanged");
  EXPECT_TRUE(ReadWholeFile(Write("empty", ""), &text));
  EXPECT_EQ(text, "");
}

}  // namespace
}  // namespace xdcp
