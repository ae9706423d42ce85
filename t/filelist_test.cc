#include "filelist.h"

#include "gtest/gtest.h"

namespace xdcp {
namespace {

using V = std::vector<std::string>;

TEST(FilelistTest, ParsesPatternsSkippingCommentsAndBlanks) {
  V got;
  std::string error;
  ASSERT_TRUE(ParseExcludeList("x", "# c\n\n  /install/nim  \n*.lock\r\nnetboot/*/rootimg/\n",
                               &got, &error)) << error;
  EXPECT_EQ(got, (V{"/install/nim", "*.lock", "netboot/*/rootimg/"}));
}

TEST(FilelistTest, FilterRulesAreErrorsWithFileAndLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"a\n+ keep\n", "x:2: only exclusion patterns are allowed, not filter rules: '+ keep'"},
      {"- drop\n", "x:1: only exclusion patterns are allowed, not filter rules: '- drop'"},
      {"\n\nmerge /etc/x\n",
       "x:3: only exclusion patterns are allowed, not filter rules: 'merge /etc/x'"},
      {": .rules\n", "x:1: only exclusion patterns are allowed, not filter rules: ': .rules'"},
  };
  for (const auto& [text, message] : cases) {
    V got;
    std::string error;
    EXPECT_FALSE(ParseExcludeList("x", text, &got, &error));
    EXPECT_EQ(error, message);
  }
}

TEST(FilelistTest, AbsolutePatternsAreAnchoredAtTheMirroredRoot) {
  V patterns{"/install/nim", "/install/netboot/img/rootimg/", "*.tmp", "/tftpboot/x",
             "/installer", "/install"};
  EXPECT_EQ(PatternsForRoot(patterns, "/install"),
            (V{"/nim", "/netboot/img/rootimg/", "*.tmp"}));
  EXPECT_EQ(PatternsForRoot(patterns, "/tftpboot"), (V{"*.tmp", "/x"}));
}

}  // namespace
}  // namespace xdcp
