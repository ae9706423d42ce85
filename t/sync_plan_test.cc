// Per-node transfer lists made from a synclist: noderange lines, renames,
// globs, directories, conflicts, clauses.
#include "sync_plan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

class SyncPlanTest : public ScratchDirTest {
 protected:
  void SetUp() override {
    for (const char* f : {"a", "b", "g/x1", "g/x2", "d/sub/f", "d/sub/f.post", "post", "post.post"}) {
      std::string path = dir_ + "/" + f;
      mkdir(path.substr(0, path.find_last_of('/')).c_str(), 0755);
      mkdir((dir_ + "/d").c_str(), 0755);
      mkdir((dir_ + "/d/sub").c_str(), 0755);
      std::ofstream(path) << f;
    }
    db_.loaded = false;
  }

  // Plans `text` (with @ replaced by the temp dir) for `nodes`.
  bool Make(std::string text, std::vector<std::string> nodes, std::string* error) {
    for (size_t at; (at = text.find('@')) != std::string::npos;) text.replace(at, 1, dir_);
    list_ = SyncList();
    if (!ParseSyncList("sl", text, &list_, error)) return false;
    SyncPlanInput in;
    in.options = &opts_;
    in.db = &db_;
    in.list = &list_;
    in.nodes = nodes;
    in.workdir = "/w";
    plan_ = Plan();
    warnings_.clear();
    return MakeSyncPlan(in, &plan_, &warnings_, error);
  }

  // The destination (last argv element) of each copy step of `job`.
  std::vector<std::string> Dests(size_t job) {
    std::vector<std::string> out;
    for (const auto& s : plan_.jobs[job].steps) {
      if (s.kind == StepKind::kCopy) out.push_back(s.argv.back());
    }
    return out;
  }

  // A copy step's argv after the change-record format, without the
  // destination.
  static std::vector<std::string> Operands(const Step& s) {
    auto it = std::find(s.argv.begin(), s.argv.end(), std::string(kChangeFormat));
    if (it == s.argv.end()) return {};
    return std::vector<std::string>(it + 1, s.argv.end() - 1);
  }

  Options opts_;
  ClusterDb db_;
  SyncList list_;
  Plan plan_;
  std::vector<std::string> warnings_;
};

TEST_F(SyncPlanTest, OneRsyncRunPerNodeWhateverTheDirectoriesAndRenames) {
  std::string error;
  ASSERT_TRUE(Make("@/a -> /t/a\n@/b -> /t/\n@/a -> /t/renamed\n@/g/* -> /u/\n",
                   {"n1"}, &error)) << error;
  EXPECT_EQ(Dests(0), std::vector<std::string>{"n1:/"});
  const auto& steps = plan_.jobs[0].steps;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].kind, StepKind::kLocal);  // makes /w/tree.1
  EXPECT_EQ(steps[0].what, "make the transfer tree /w/tree.1");
  EXPECT_EQ(Operands(steps[1]),
            (std::vector<std::string>{"-R", "--no-implied-dirs",
                                      "--rsync-path=test -d /t && test -d /u || "
                                      "mkdir -p -- /t /u && rsync",
                                      "/w/tree.1/./t/a", "/w/tree.1/./t/b",
                                      "/w/tree.1/./t/renamed", "/w/tree.1/./u/x1",
                                      "/w/tree.1/./u/x2"}));
  std::vector<std::string> names, locals;
  for (const auto& r : steps[1].change_roots) names.push_back(r.name), locals.push_back(r.local);
  EXPECT_EQ(names, (std::vector<std::string>{"t/a", "t/b", "t/renamed", "u/x1", "u/x2"}));
  EXPECT_EQ(locals, (std::vector<std::string>{dir_ + "/a", dir_ + "/b", dir_ + "/a",
                                              dir_ + "/g/x1", dir_ + "/g/x2"}));
}

TEST_F(SyncPlanTest, TwentyLinesIntoTwentyDirectoriesWithRenamesAreOneRun) {
  std::string text;
  for (int i = 0; i < 20; ++i) {
    text += "@/a -> /d" + std::to_string(i) + (i % 2 ? "/a\n" : "/renamed\n");
  }
  std::string error;
  ASSERT_TRUE(Make(text, {"n1", "n2"}, &error)) << error;
  for (size_t job : {0, 1}) {
    EXPECT_EQ(Dests(job).size(), 1u);
    EXPECT_EQ(Operands(plan_.jobs[job].steps[1]).size(), 23u);
  }
  // Nodes with the same plan share one tree.
  EXPECT_EQ(plan_.jobs[1].steps[0].what, "make the transfer tree /w/tree.1");
}

TEST_F(SyncPlanTest, NoderangeLinesFilterPerNodeAndUnmatchedNodesAreSkipped) {
  std::string error;
  ASSERT_TRUE(Make("@/a -> (n1) /t/a\n@/b -> (n2,n3) /t/b\n", {"n1", "n2", "n4"}, &error))
      << error;
  EXPECT_EQ(Dests(0), std::vector<std::string>{"n1:/"});
  EXPECT_EQ(Dests(1), std::vector<std::string>{"n2:/"});
  EXPECT_EQ(plan_.jobs[0].steps[1].argv.back() , "n1:/");
  EXPECT_EQ(Operands(plan_.jobs[0].steps[1]).back(), "/w/tree.1/./t/a");
  EXPECT_EQ(Operands(plan_.jobs[1].steps[1]).back(), "/w/tree.2/./t/b");
  EXPECT_TRUE(plan_.jobs[2].steps.empty());  // skipped, not failed
}

TEST_F(SyncPlanTest, DirectoryFormsKeepRsyncTrailingSlashMeaning) {
  std::string error;
  ASSERT_TRUE(Make("@/d/ -> /t1/\n@/d -> /t2/\n@/d/ -> /t3/x\n@/d -> /t4/y\n", {"n1"},
                   &error)) << error;
  const auto& steps = plan_.jobs[0].steps;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(Operands(steps[1]),
            (std::vector<std::string>{"-R", "--no-implied-dirs",
                                      "--rsync-path=test -d /t2 && test -d /t3 && test -d /t4/y || "
                                      "mkdir -p -- /t2 /t3 /t4/y && rsync",
                                      "/w/tree.1/./t1/", "/w/tree.1/./t2/d/",
                                      "/w/tree.1/./t3/x/", "/w/tree.1/./t4/y/d/"}));
  EXPECT_EQ(steps[1].change_roots[0].name, "t1");
  EXPECT_EQ(steps[1].change_roots[1].name, "t2/d");
  EXPECT_EQ(steps[1].change_roots[1].local, dir_ + "/d");
}

// What cannot share one tree goes into the next, in the synclist's order:
// a destination inside another's directory, and a named link to a
// directory (sent with -L).
TEST_F(SyncPlanTest, NestedDestinationsAndLinksToDirectoriesTakeAFurtherRun) {
  ASSERT_EQ(symlink((dir_ + "/d").c_str(), (dir_ + "/dlink").c_str()), 0);
  ASSERT_EQ(symlink((dir_ + "/a").c_str(), (dir_ + "/alink").c_str()), 0);
  std::string error;
  ASSERT_TRUE(Make("@/d/ -> /t/\n@/a -> /t/sub/a\n@/b -> /u/\n@/dlink -> /v/\n"
                   "@/alink -> /u/\n",
                   {"n1"}, &error)) << error;
  const auto& steps = plan_.jobs[0].steps;
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(Operands(steps[1]), (std::vector<std::string>{
                                    "-R", "--no-implied-dirs",
                                    "--rsync-path=test -d /u || "
                                    "mkdir -p -- /u && rsync", "/w/tree.1/./t/",
                                    "/w/tree.1/./u/b", "/w/tree.1/./u/alink"}));
  EXPECT_EQ(std::count(steps[1].argv.begin(), steps[1].argv.end(), "-L"), 0);
  EXPECT_EQ(Operands(steps[3]).back(), "/w/tree.2/./t/sub/a");
  EXPECT_EQ(Operands(steps[5]).back(), "/w/tree.3/./v/dlink");
  EXPECT_EQ(std::count(steps[5].argv.begin(), steps[5].argv.end(), "-L"), 1);
  EXPECT_FALSE(Make("@/a -> /t/../x\n", {"n1"}, &error));
  EXPECT_EQ(error, "sl:1: destination has a '..' component for n1: '/t/../x'");
}

TEST_F(SyncPlanTest, ConflictsAndMissingSourcesAreErrorsWithTheirLine) {
  std::string error;
  EXPECT_FALSE(Make("@/a -> /t/x\n@/b -> /t/x\n", {"n1"}, &error));
  EXPECT_EQ(error, "sl:2: conflict on n1: '/t/x' is also delivered from '" + dir_ +
                       "/a' by line 1");
  EXPECT_FALSE(Make("@/a -> /t/x\n@/nosuch -> /t/y\n", {"n1"}, &error));
  EXPECT_EQ(error, "sl:2: source not found: '" + dir_ + "/nosuch'");
  EXPECT_TRUE(Make("@/a -> /t/x\n@/a -> /t/x\n", {"n1"}, &error)) << error;
}

TEST_F(SyncPlanTest, ExecuteRunsOnlyIfItsTriggerChangedAndAlwaysWhereSynced) {
  std::string error;
  ASSERT_TRUE(Make("@/post -> /t/\n@/post.post -> (n1) /t/\nEXECUTE:\n@/post.post\n"
                   "EXECUTEALWAYS:\n@/post.post\n",
                   {"n1", "n2"}, &error)) << error;
  const auto& n1 = plan_.jobs[0].steps;  // tree, copy, EXECUTE, EXECUTEALWAYS
  ASSERT_EQ(n1.size(), 4u);
  EXPECT_EQ(n1[2].kind, StepKind::kRemote);
  EXPECT_EQ(n1[2].run_if_changed, std::vector<std::string>{dir_ + "/post"});
  EXPECT_EQ(n1[2].stdin_path, dir_ + "/post.post");
  EXPECT_TRUE(n1[3].run_if_changed.empty());
  EXPECT_EQ(plan_.jobs[1].steps.size(), 3u);  // n2 never got the script
}

TEST_F(SyncPlanTest, BadMergeInputStopsThePlanWithFileAndLine) {
  std::ofstream(dir_ + "/a") << "root:x:0:0:root:/root:/bin/bash\nu:x:5:5:/u:/bin/sh\n";
  std::string error;
  EXPECT_FALSE(Make("MERGE:\n@/a -> /etc/passwd\n", {"n1"}, &error));
  EXPECT_EQ(error, dir_ + "/a:2: 6 fields where /etc/passwd has 7");
  std::ofstream(dir_ + "/a") << "g:x:5:\r\n";
  EXPECT_TRUE(Make("MERGE:\n@/a -> /etc/group\n", {"n1"}, &error)) << error;
}

TEST_F(SyncPlanTest, WithScpXdcpProbesTheTriggersBeforeCopying) {
  opts_.rcp = "/usr/bin/scp";
  std::string error;
  ASSERT_TRUE(Make("@/post -> /t/\n@/d/ -> /u/\nEXECUTE:\n@/post.post\n@/d/sub/f.post\n",
                   {"n1"}, &error)) << error;
  const Step& probe = plan_.jobs[0].steps[0];
  ASSERT_EQ(probe.probes.size(), 2u);
  EXPECT_EQ(probe.probes[0].local, dir_ + "/post");
  EXPECT_EQ(probe.probes[1].local, dir_ + "/d/sub/f");
  EXPECT_NE(probe.argv.back().find("for f in /t/post /u/sub/f;"), std::string::npos)
      << probe.argv.back();
}

// A $VAR may supply a path's leading slash; a value that does not (or an
// empty one) is an error naming the line and node, not undefined behaviour.
TEST_F(SyncPlanTest, PathsMustBeAbsoluteAfterSubstitution) {
  db_.loaded = true;
  Node n1;
  n1.name = "n1";
  n1.provmethod = "img";
  db_.nodes = {n1};
  OsImage img;
  img.name = "img";
  img.environvar = {{"EMPTY", ""}, {"REL", "rel/x"}, {"ABS", "/t"}};
  db_.osimages["img"] = img;
  struct Case {
    std::string line, error;
  } cases[] = {
      {"@/a -> $EMPTY\n",
       "sl:1: destination is not an absolute path for n1 after substitution: ''"},
      {"@/a -> $REL/\n",
       "sl:1: destination is not an absolute path for n1 after substitution: 'rel/x/'"},
      {"$REL -> /t/\n",
       "sl:1: source is not an absolute path for n1 after substitution: 'rel/x'"},
      {"$EMPTY -> /t/\n",
       "sl:1: source is not an absolute path for n1 after substitution: ''"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(Make(c.line, {"n1"}, &error)) << c.line;
    EXPECT_EQ(error, c.error) << c.line;
  }
  std::string error;
  EXPECT_TRUE(Make("@/a -> $ABS/\n", {"n1"}, &error)) << error;
  EXPECT_EQ(Operands(plan_.jobs[0].steps[1]).back(), "/w/tree.1/./t/a");
}

}  // namespace
}  // namespace xdcp
