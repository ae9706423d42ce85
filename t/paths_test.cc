// The path helpers every module shares: each case is one input and what
// each function makes of it.
#include "paths.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

struct OneArgCase {
  std::string in;
  std::string want;
};

TEST(PathsTest, Basename) {
  const OneArgCase cases[] = {
      {"/usr/bin/rsync", "rsync"}, {"rsync", "rsync"}, {"", ""},
      {"/", ""},                   {"dir/", ""},       {"a/b", "b"},
  };
  for (const auto& c : cases) EXPECT_EQ(Basename(c.in), c.want) << "'" << c.in << "'";
}

TEST(PathsTest, LastComponent) {
  const OneArgCase cases[] = {
      {"/a/b", "b"}, {"/a/b/", "b"}, {"/a/b///", "b"}, {"b", "b"}, {"b/", "b"},
      {"/", ""},     {"//", ""},     {"", ""},          {"/a", "a"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(LastComponent(c.in), c.want) << "'" << c.in << "'";
  }
}

TEST(PathsTest, Dirname) {
  const OneArgCase cases[] = {
      {"/a/b", "/a"}, {"/a", "/"},   {"a", "/"},     {"/", "/"},
      {"", "/"},      {"a/b", "a"}, {"/a/b/", "/a/b"},
  };
  for (const auto& c : cases) EXPECT_EQ(Dirname(c.in), c.want) << "'" << c.in << "'";
}

TEST(PathsTest, WithoutTrailingSlashes) {
  const OneArgCase cases[] = {
      {"/a/b/", "/a/b"}, {"/a/b///", "/a/b"}, {"/a/b", "/a/b"}, {"a/", "a"},
      {"/", "/"},        {"///", "/"},        {"", ""},         {"a//b", "a//b"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(WithoutTrailingSlashes(c.in), c.want) << "'" << c.in << "'";
  }
}

TEST(PathsTest, WithTrailingSlash) {
  const OneArgCase cases[] = {
      {"/a", "/a/"}, {"/a/", "/a/"}, {"/a//", "/a//"}, {"/", "/"}, {"", "/"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(WithTrailingSlash(c.in), c.want) << "'" << c.in << "'";
  }
}

TEST(PathsTest, JoinPath) {
  struct Case {
    std::string dir, name, want;
  };
  const Case cases[] = {
      {"/", "a", "/a"},         {"/etc", "hosts", "/etc/hosts"},
      {"", "a", "/a"},          {"dir", "a/b", "dir/a/b"},
      {"/etc", "", "/etc/"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(JoinPath(c.dir, c.name), c.want) << "'" << c.dir << "' '" << c.name << "'";
  }
}

TEST(PathsTest, ComponentsAndBack) {
  struct Case {
    std::string path;
    std::vector<std::string> components;
    std::string joined;
  };
  const Case cases[] = {
      {"/a/b", {"a", "b"}, "/a/b"},
      {"a/b", {"a", "b"}, "/a/b"},
      {"/a//b/", {"a", "b"}, "/a/b"},
      {"a/./..", {"a", ".", ".."}, "/a/./.."},
      {"/", {}, "/"},
      {"", {}, "/"},
      {"//", {}, "/"},
      {"x", {"x"}, "/x"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(PathComponents(c.path), c.components) << "'" << c.path << "'";
    EXPECT_EQ(JoinComponents(c.components), c.joined) << "'" << c.path << "'";
  }
}

}  // namespace
}  // namespace xdcp
