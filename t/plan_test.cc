// Golden argv vectors for every command the planner makes.
#include "plan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

using Argv = std::vector<std::string>;
const std::string kSsh = "ssh -o BatchMode=yes -o ConnectTimeout=10";
const RunContext kRun;  // no shared connection, ssh's own ciphers

Options Opts(std::vector<std::string> flags = {}) {
  Options o;
  for (const auto& f : flags) {
    if (f == "-p") o.preserve = true;
    if (f == "-R") o.recursive = true;
    if (f == "-v") o.verify = true;
    if (f == "scp") o.rcp = "/usr/bin/scp";
  }
  return o;
}

TEST(PlanTest, RsyncPush) {
  Plan p = MakePushPlan(Opts(), kRun, {"cn1", "cn2"}, {{"/etc/hosts", false}}, "/tmp/h");
  ASSERT_EQ(p.jobs.size(), 2u);
  EXPECT_EQ(p.jobs[1].node, "cn2");
  ASSERT_EQ(p.jobs[1].steps.size(), 1u);
  EXPECT_EQ(p.jobs[1].steps[0].argv,
            (Argv{"/usr/bin/rsync", "-l", "--protect-args", "-e", kSsh,
                  "/etc/hosts", "cn2:/tmp/h"}));
}

TEST(PlanTest, RsyncPushPreserveRecursiveUserAndNodeOptions) {
  Options o = Opts({"-p", "-R"});
  o.user = "admin";
  o.node_opts = "-q  --bwlimit=100";
  Plan p = MakePushPlan(o, kRun, {"cn1"}, {{"/a", false}, {"-b", false}}, "/t");
  EXPECT_EQ(p.jobs[0].steps[0].argv,
            (Argv{"/usr/bin/rsync", "-p", "-t", "-r", "-l", "--protect-args",
                  "-e", kSsh, "-q", "--bwlimit=100", "/a", "./-b",
                  "admin@cn1:/t"}));
}

TEST(PlanTest, NamedSymlinksAreDereferencedInARunOfTheirOwn) {
  Plan p = MakePushPlan(Opts(), kRun, {"cn1"}, {{"/a", false}, {"/link", true}}, "/t/");
  ASSERT_EQ(p.jobs[0].steps.size(), 2u);
  EXPECT_EQ(p.jobs[0].steps[1].argv,
            (Argv{"/usr/bin/rsync", "-L", "--protect-args", "-e", kSsh,
                  "/link", "cn1:/t/"}));
}

TEST(PlanTest, ScpPush) {
  Plan p = MakePushPlan(Opts({"scp", "-p", "-R"}), kRun, {"cn1"},
                        {{"/a", false}, {"/link", true}}, "/t");
  ASSERT_EQ(p.jobs[0].steps.size(), 1u);
  EXPECT_EQ(p.jobs[0].steps[0].argv,
            (Argv{"/usr/bin/scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                  "-p", "-r", "/a", "/link", "cn1:/t"}));
}

TEST(PlanTest, VerifyComesFirst) {
  Options o = Opts({"-v"});
  o.connect_timeout = 4;
  Plan p = MakePushPlan(o, kRun, {"cn1"}, {{"/a", false}}, "/t");
  ASSERT_EQ(p.jobs[0].steps.size(), 2u);
  EXPECT_EQ(p.jobs[0].steps[0].kind, StepKind::kVerify);
  EXPECT_EQ(p.jobs[0].steps[0].argv,
            (Argv{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=4", "--",
                  "cn1", "true"}));
}

TEST(PlanTest, RsyncPull) {
  Plan p = MakePullPlan(Opts(), kRun, {"cn1"}, "/etc/hosts", "/d");
  EXPECT_EQ(p.jobs[0].steps[0].argv,
            (Argv{"/usr/bin/rsync", "-L", "--protect-args", "-e", kSsh,
                  "--munge-links", "--chmod=ugo-s", "cn1:/etc/hosts",
                  "/d/hosts._cn1"}));
  p = MakePullPlan(Opts({"-R"}), kRun, {"cn1"}, "/tmp/xdcp/", "/d/");
  EXPECT_EQ(p.jobs[0].steps[0].argv,
            (Argv{"/usr/bin/rsync", "-r", "-l", "--protect-args", "-e", kSsh,
                  "--munge-links", "--chmod=ugo-s", "cn1:/tmp/xdcp/",
                  "/d/xdcp._cn1/"}));
  // -o options come before the safety options, which win.
  Options o = Opts({"-R", "-p"});
  o.node_opts = "--chmod=u+s --no-munge-links";
  p = MakePullPlan(o, kRun, {"cn1"}, "/tmp/xdcp", "/d");
  EXPECT_EQ(p.jobs[0].steps[0].argv,
            (Argv{"/usr/bin/rsync", "-p", "-t", "-r", "-l", "--protect-args", "-e",
                  kSsh, "--chmod=u+s", "--no-munge-links", "--munge-links",
                  "--chmod=ugo-s", "cn1:/tmp/xdcp/", "/d/xdcp._cn1/"}));
  EXPECT_EQ(p.jobs[0].steps.size(), 1u);
}

TEST(PlanTest, ScpPull) {
  Plan p = MakePullPlan(Opts({"scp", "-R"}), kRun, {"cn2"}, "/tmp/xdcp", "/d");
  EXPECT_EQ(p.jobs[0].steps[0].argv,
            (Argv{"/usr/bin/scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                  "-r", "cn2:/tmp/xdcp/.", "/d/xdcp._cn2"}));
  // scp has no --chmod: xdcp clears set-id bits after the pull.
  ASSERT_EQ(p.jobs[0].steps.size(), 2u);
  EXPECT_EQ(p.jobs[0].steps[1].kind, StepKind::kLocal);
  EXPECT_EQ(p.jobs[0].steps[1].what, "clear set-id bits in /d/xdcp._cn2");
}

TEST(PlanTest, ScpPullClearsSetIdBitsWithoutFollowingLinks) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  std::string tree = dir + "/t._cn2";
  mkdir(tree.c_str(), 02755);
  std::ofstream(tree + "/suid") << "x";
  chmod((tree + "/suid").c_str(), 04755);
  std::ofstream(dir + "/outside") << "y";
  chmod((dir + "/outside").c_str(), 04755);
  symlink((dir + "/outside").c_str(), (tree + "/link").c_str());
  Plan p = MakePullPlan(Opts({"scp", "-R"}), kRun, {"cn2"}, "/t", dir);
  EXPECT_EQ(p.jobs[0].steps[1].local(), "");
  struct stat st;
  stat((tree + "/suid").c_str(), &st);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  stat(tree.c_str(), &st);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  stat((dir + "/outside").c_str(), &st);
  EXPECT_EQ(st.st_mode & 07777, 04755u);  // a link is never followed
}

TEST(PlanTest, FanoutAndTimeoutCarryOver) {
  Options o = Opts();
  o.fanout = 3;
  o.timeout = 9;
  Plan p = MakePushPlan(o, kRun, {}, {{"/a", false}}, "/t");
  EXPECT_EQ(p.fanout, 3);
  EXPECT_EQ(p.node_timeout, 9);
}

}  // namespace
}  // namespace xdcp
