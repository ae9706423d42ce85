#include "options.h"

#include "gtest/gtest.h"

namespace xdcp {
namespace {

using Env = std::map<std::string, std::string>;

ParsedCommandLine Parse(std::vector<std::string> args, Env env = {}) {
  return ParseCommandLine(args, env);
}

TEST(OptionsTest, NoderangeIsTheFirstOperandAndOptionsMayFollowIt) {
  auto r = Parse({"cn1,cn2", "-p", "/etc/hosts", "/tmp/", "-R"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.options.noderange, "cn1,cn2");
  EXPECT_EQ(r.options.operands, (std::vector<std::string>{"/etc/hosts", "/tmp/"}));
  EXPECT_TRUE(r.options.preserve);
  EXPECT_TRUE(r.options.recursive);
}

TEST(OptionsTest, BundlingAndAttachedValues) {
  auto r = Parse({"n1", "-RP", "-f12", "-t3", "/tmp/x", "/d"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.options.recursive);
  EXPECT_TRUE(r.options.pull);
  EXPECT_EQ(r.options.fanout, 12);
  EXPECT_EQ(r.options.timeout, 3);
  r = Parse({"n1", "-Ffile"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.options.synclist, "file");
}

TEST(OptionsTest, LongNamesAreCaseInsensitiveAndTakeEqualsOrNext) {
  auto r = Parse({"n1", "--PULL", "--file=/s", "--fanout", "5"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.options.pull);
  EXPECT_EQ(r.options.synclist, "/s");
  EXPECT_EQ(r.options.fanout, 5);
}

TEST(OptionsTest, LongNamesCannotBeAbbreviated) {
  EXPECT_FALSE(Parse({"n1", "--pres", "/a", "/b"}).ok);
}

TEST(OptionsTest, NodeOptionsMayStartWithADash) {
  auto r = Parse({"n1", "-r", "/usr/bin/rsync", "-o", "-t", "/a", "/b"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.options.node_opts, "-t");
}

TEST(OptionsTest, EnvironmentIsUsedAndFlagsBeatIt) {
  Env env{{"DSH_FANOUT", "7"}, {"DSH_TIMEOUT", "9"},
          {"DSH_NODE_RCP", "/usr/bin/scp"}, {"DSH_NODE_OPTS", "-q"}};
  auto r = Parse({"n1", "/a", "/b"}, env);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.options.fanout, 7);
  EXPECT_EQ(r.options.timeout, 9);
  EXPECT_EQ(r.options.rcp, "/usr/bin/scp");
  EXPECT_EQ(r.options.node_opts, "-q");
  r = Parse({"n1", "-f", "3", "-c", "/usr/bin/rsync", "/a", "/b"}, env);
  EXPECT_EQ(r.options.fanout, 3);
  EXPECT_EQ(r.options.rcp, "/usr/bin/rsync");
  env["DCP_NODE_RCP"] = "/opt/scp";
  EXPECT_EQ(Parse({"n1", "/a", "/b"}, env).options.rcp, "/opt/scp");
}

TEST(OptionsTest, PersistAndCloseConnections) {
  EXPECT_EQ(Parse({"n1", "/a", "/b"}).options.persist, 0);  // off by default
  EXPECT_EQ(Parse({"n1", "--persist", "60", "-F", "/l"}).options.persist, 60);
  EXPECT_EQ(Parse({"n1", "-F", "/l"}, {{"XDCP_PERSIST", "30"}}).options.persist, 30);
  EXPECT_EQ(Parse({"n1", "--persist=5", "-F", "/l"}, {{"XDCP_PERSIST", "30"}}).options.persist, 5);
  auto r = Parse({"n1", "--persist", "-1", "/a", "/b"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "--persist must not be negative");
  r = Parse({"n1", "/a", "/b"}, {{"XDCP_PERSIST", "x"}});
  EXPECT_EQ(r.error, "XDCP_PERSIST must be a non-negative integer: 'x'");
  r = Parse({"--close-connections", "cn[1-4]"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.options.noderange, "cn[1-4]");
  r = Parse({"--close-connections", "cn1", "/a"});
  EXPECT_EQ(r.error, "--close-connections takes no other operands: '/a'");
}

TEST(OptionsTest, Defaults) {
  auto r = Parse({"n1", "/a", "/b"});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.options.fanout, 64);
  EXPECT_EQ(r.options.timeout, 0);
  EXPECT_EQ(r.options.rcp, "/usr/bin/rsync");
  EXPECT_EQ(r.options.nodelist, "/etc/xcat/nodelist.xml");
  EXPECT_EQ(Parse({"n1", "-f", "0", "/a", "/b"}).options.fanout, 64);
  EXPECT_EQ(Parse({"n1", "/a", "/b"}, {{"XDCP_NODELIST", "/x.xml"}})
                .options.nodelist, "/x.xml");
}

struct ErrorCase {
  std::vector<std::string> args;
  std::string error;
};

TEST(OptionsTest, UsageErrors) {
  const ErrorCase cases[] = {
      {{}, "no parameters were supplied; run xdcp -h"},
      {{"-p", "--", }, "node range not specified, see xdcp(1)"},
      {{"n1"}, "missing file arguments"},
      {{"n1", "/a"}, "missing target path"},
      {{"n1", "-P", "/a", "/b", "/d"},
       "cannot pull more than one file from the nodes"},
      {{"n1", "-s", "/a", "/b"}, "-s needs -F SYNCLIST"},
      {{"-i", "/img"}, "-i needs -F SYNCLIST"},
      {{"n1", "-F", "/s", "/extra"}, "-F takes no file operands: '/extra'"},
      {{"n1", "-r", "/bin/cp", "/a", "/b"},
       "remote copy command must be rsync or scp: '/bin/cp'"},
      {{"n1", "-f", "-1", "/a", "/b"}, "-f must not be negative"},
      {{"n1", "--bogus", "/a", "/b"}, "unrecognised option '--bogus'"},
      {{"n1", "--relay", "/a", "/b"}, "--relay needs --sn or --for"},
  };
  for (const auto& c : cases) {
    auto r = Parse(c.args);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, c.error);
  }
  EXPECT_EQ(Parse({"n1", "/a", "/b"}, {{"DSH_FANOUT", "x"}}).error,
            "DSH_FANOUT must be a non-negative integer: 'x'");
}

TEST(OptionsTest, HelpVersionAndShowConfigNeedNothingElse) {
  EXPECT_TRUE(Parse({"-h"}).options.help);
  EXPECT_TRUE(Parse({"-V"}).options.version);
  auto r = Parse({"-q"});
  ASSERT_TRUE(r.ok);
  EXPECT_NE(ShowConfig(r.options).find("fanout=64\n"), std::string::npos);
}

TEST(OptionsTest, ServiceNodeModeTakesPathsAsOperands) {
  auto r = Parse({"--sn", "sn1,sn2", "-X", "/e1", "--exclude-from=/e2", "/install"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.options.sn_range, "sn1,sn2");
  EXPECT_EQ(r.options.operands, std::vector<std::string>{"/install"});
  EXPECT_EQ(r.options.exclude_from, (std::vector<std::string>{"/e1", "/e2"}));
  EXPECT_EQ(Parse({"--servicenodes", "sn1"}).options.sn_range, "sn1");
  EXPECT_FALSE(r.options.relay);
  EXPECT_TRUE(Parse({"--sn", "sn[1-8]", "--relay", "/install"}).options.relay);
}

}  // namespace
}  // namespace xdcp
