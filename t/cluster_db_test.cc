// IsValidNodeName: the rule that keeps hostile names out of ssh and rsync
// argv. The lookups of ClusterDb are tested in nodelist_test.cc on a loaded
// file.
#include "cluster_db.h"

#include <string>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

TEST(IsValidNodeNameTest, AcceptsHostNamesOnly) {
  const struct {
    std::string name;
    bool valid;
  } cases[] = {
      {"cn01", true},
      {"node-foo-001-bar", true},
      {"gpu_01.ib.example.com", true},
      {"10.0.0.1", true},
      {"1", true},
      {"N1", true},
      {std::string(255, 'a'), true},
      {std::string(256, 'a'), false},
      {"", false},
      {"-oProxyCommand=x", false},
      {"-x", false},
      {".hidden", false},
      {"a;b", false},
      {"a b", false},
      {"a\tb", false},
      {"a\nb", false},
      {"$(reboot)", false},
      {"`id`", false},
      {"a|b", false},
      {"a&b", false},
      {"a'b", false},
      {"a\"b", false},
      {"a/b", false},
      {"a:b", false},
      {"root@cn1", false},
      {"cn[1-2]", false},
      {"cn*", false},
      {"caf\xc3\xa9", false},
      {std::string("a\0b", 3), false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsValidNodeName(c.name), c.valid) << "'" << c.name << "'";
  }
}

}  // namespace
}  // namespace xdcp
