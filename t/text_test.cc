// Reading whole files and trimming blanks, shared by every parser.
#include "text.h"

#include <cerrno>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

using TextTest = ScratchDirTest;

TEST_F(TextTest, ReadWholeFileReadsFilesAndRefusesDirectoriesAndMissingOnes) {
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

TEST_F(TextTest, ReadWholeFileLeavesErrnoSayingWhy) {
  struct Case {
    std::string path;
    int error;
  };
  const Case cases[] = {
      {dir_, EISDIR},
      {dir_ + "/missing", ENOENT},
      {dir_ + "/missing/f", ENOENT},
      {Write("f", "x") + "/f", ENOTDIR},
  };
  for (const auto& c : cases) {
    std::string text;
    errno = 0;
    EXPECT_FALSE(ReadWholeFile(c.path, &text)) << c.path;
    EXPECT_EQ(errno, c.error) << c.path;
  }
}

TEST(JoinTest, PutsTheSeparatorBetweenItems) {
  struct Case {
    std::vector<std::string> items;
    const char* sep;
    std::string want;
  };
  const Case cases[] = {
      {{"a", "b", "c"}, ",", "a,b,c"},
      {{"ssh", "-o", "BatchMode=yes"}, " ", "ssh -o BatchMode=yes"},
      {{"a"}, ",", "a"},
      {{}, ",", ""},
      {{"", "a"}, ",", "a"},  // no separator after empty text
      {{"a", "", "b"}, ",", "a,,b"},
  };
  for (const auto& c : cases) EXPECT_EQ(Join(c.items, c.sep), c.want) << c.want;
}

TEST(TrimTest, RemovesBlanksAtBothEnds) {
  struct Case {
    std::string in;
    const char* blanks;
    std::string want;
  };
  const Case cases[] = {
      {"  a b \t\r", kBlanks, "a b"},
      {"\ta", kBlanks, "a"},
      {"a", kBlanks, "a"},
      {"", kBlanks, ""},
      {" \t\r ", kBlanks, ""},
      {"\va\f", kBlanks, "\va\f"},  // not blanks unless asked for
      {"\v a\f\r", " \t\v\f\r", "a"},
      {"xxaxx", "x", "a"},
  };
  for (const auto& c : cases) EXPECT_EQ(Trim(c.in, c.blanks), c.want) << "'" << c.in << "'";
}

}  // namespace
}  // namespace xdcp
