// Golden argv vectors of the --sn mirror plan, and its fast path.
#include "mirror_plan.h"

#include <unistd.h>

#include <algorithm>
#include <map>

#include "gtest/gtest.h"
#include "scratch_dir.h"
#include "text.h"

namespace xdcp {
namespace {

using Argv = std::vector<std::string>;

std::string ReadFile(const std::string& path) {
  std::string text;
  EXPECT_TRUE(ReadWholeFile(path, &text)) << path;
  return text;
}
const std::string kSsh = "ssh -o BatchMode=yes -o ConnectTimeout=10";
// Without --delete, only rsync's leftover temporary files are deleted.
const std::string kTempRule =
    "--filter=P! .*.[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]";

Argv MirrorArgv(const Options& o, const std::vector<std::string>& patterns = {}) {
  ClusterDb db;
  MirrorInput in;
  in.options = &o;
  in.db = &db;
  in.nodes_of = {{"sn1", {}}, {"sn2", {}}};
  in.paths = {"/install"};
  if (!patterns.empty()) in.lists = {{"from site.exclude", patterns}};
  in.default_excludes = false;  // reads no directory tree
  std::vector<std::string> notes;
  Plan p = MakeMirrorPlan(in, &notes);
  EXPECT_EQ(p.jobs.size(), 2u);
  std::string n = std::to_string(patterns.size());
  std::vector<std::string> want{"sn1: /install: " + n + " exclusions"};
  if (!patterns.empty()) want.push_back("sn1: /install:   " + n + " from site.exclude");
  want.push_back("sn2: /install: " + n + " exclusions");
  if (!patterns.empty()) want.push_back("sn2: /install:   " + n + " from site.exclude");
  EXPECT_EQ(notes, want);
  return p.jobs.size() == 2 && p.jobs[1].steps.size() == 1 ? p.jobs[1].steps[0].argv : Argv{};
}

TEST(MirrorPlanTest, RsyncAHWithExclusions) {
  EXPECT_EQ(MirrorArgv(Options{}, {"/install/isos", "*.iso"}),
            (Argv{"/usr/bin/rsync", "-a", "-H", "--protect-args", "-e", kSsh, kChangeFormat,
                  "--exclude=/isos", "--exclude=*.iso", "--delete", "--filter=P */", kTempRule,
                  "--rsync-path=test -d /install || "
                  "mkdir -p -- /install && rsync", "/install/", "sn2:/install/"}));
}

// With a scan of the tree, each SN's rsync run is preceded by a probe of
// its tree digest and runs only if that differs from the management
// node's; SNs with the same exclusions share one digest; a pattern xdcp
// cannot match itself turns the fast path off for that SN, saying why.
TEST(MirrorPlanTest, TheFastPathProbesTheDigestBeforeRsync) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  TreeScan scan;
  scan.exists = true;
  scan.entries.push_back(ScanEntry{".", 0, 1, true, 0, 0, false, 1, 2});
  scan.non_dirs = 10;
  Options o;
  o.delete_extra = true;
  o.checksum = true;
  ClusterDb db;
  MirrorInput in;
  in.options = &o;
  in.db = &db;
  in.nodes_of = {{"sn1", {}}, {"sn2", {}}, {"sn3", {}}};
  in.paths = {"/install"};
  in.lists = {{"from site.exclude", {"*.iso"}}};
  in.default_excludes = false;
  in.scans = {{"/install", &scan}};
  in.workdir = dir;
  std::vector<std::string> notes;
  Plan p = MakeMirrorPlan(in, &notes);
  ASSERT_EQ(p.jobs.size(), 3u);
  const std::vector<Step>& steps = p.jobs[0].steps;
  ASSERT_EQ(steps.size(), 4u);
  std::string digest = TreeDigest(scan, {"*.iso"});
  EXPECT_EQ(steps[0].argv.back(), "xdcp --require-version " XDCP_VERSION
                                  " --tree-digest /install --checksum 2>&1 || echo 'no tree digest'");
  EXPECT_EQ(steps[0].stdin_path, dir + "/probe.0");
  // Its stdin: the exclusions, an empty record, each directory's path and
  // digests (--tree-digest reads it so: TheirDir).
  std::string input = ReadFile(dir + "/probe.0");
  std::vector<DirDigest> dirs = DirDigests(scan, {"*.iso"});
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(input, std::string("*.iso\0\0.\0", 9) + dirs[0].digest + '\0' + dirs[0].self + '\0' +
                       dirs[0].names + '\0' + dirs[0].buckets + '\0');
  ASSERT_EQ(steps[0].probes.size(), 1u);
  EXPECT_EQ(std::to_string(steps[0].probes[0].size) + " " +
                std::to_string(steps[0].probes[0].mtime), digest);
  // Then the local step that lists what differs, then rsync: with that
  // list, or of the whole tree; the local step picks one.
  EXPECT_EQ(steps[1].kind, StepKind::kLocal);
  EXPECT_EQ(steps[1].run_if_changed, std::vector<std::string>{"tree digest of /install"});
  EXPECT_EQ(steps[2].run_if_changed,
            std::vector<std::string>{"directories of /install that differ"});
  EXPECT_EQ(steps[3].run_if_changed, std::vector<std::string>{"all of /install"});
  const Argv& some = steps[2].argv;
  const Argv& all = steps[3].argv;
  ASSERT_GE(some.size(), 4u);
  EXPECT_EQ(Argv(some.end() - 4, some.end()),
            (Argv{"--files-from=" + dir + "/send.0", "--from0", "/install/", "sn1:/install/"}));
  Argv without(some);
  without.erase(without.end() - 4, without.end() - 2);
  EXPECT_EQ(all, without) << "the same rsync run without the list";
  EXPECT_NE(std::find(all.begin(), all.end(), "--checksum"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "--max-delete=6"), all.end())
      << "counted from the scan";
  EXPECT_NE(std::find(notes.begin(), notes.end(),
                      "fast path: sn2: /install: rsync runs only if sn2's tree digest differs from " +
                          digest + ", and sends only the directories that differ"),
            notes.end());
  // The SN's answer. Naming every directory (here the one): all of it.
  steps[0].more_lines("differs 0");
  EXPECT_EQ(steps[1].local(), "");
  EXPECT_EQ(steps[1].local_note(),
            "all of /install to send (1 directories): every directory differs on sn1");
  EXPECT_EQ(steps[1].local_changed(), std::vector<std::string>{"all of /install"});
  // Anything else than a list: all of it.
  const std::vector<Step>& sn2 = p.jobs[1].steps;
  sn2[0].more_lines("differs 5");  // not in the list
  EXPECT_EQ(sn2[1].local(), "");
  EXPECT_EQ(sn2[1].local_note(),
            "all of /install to send (1 directories): no usable list from sn2");
  EXPECT_EQ(sn2[1].local_changed(), std::vector<std::string>{"all of /install"});
  // One SN with a pattern of its own that xdcp cannot match.
  in.lists.push_back({"from deep.exclude", {"**/deep"}});
  in.nodes_of = {{"sn1", {}}};
  notes.clear();
  p = MakeMirrorPlan(in, &notes);
  ASSERT_EQ(p.jobs[0].steps.size(), 1u);
  EXPECT_TRUE(p.jobs[0].steps[0].run_if_changed.empty());
  EXPECT_EQ(notes.back(), "fast path: sn1: /install: off: exclusion '**/deep' has '**', "
                          "which xdcp does not match itself");
}

// One SN, /install scanned as "." holding the directory "a".
class OneSnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scan.exists = true;
    scan.entries.push_back(ScanEntry{".", 0, 2, true, 0, 0, false, 1, 2});
    scan.entries.push_back(ScanEntry{"a", 0, 2, true, 0, 0, false, 3, 4});
    in.options = &o;
    in.db = &db;
    in.nodes_of = {{"sn1", {}}};
    in.paths = {"/install"};
    in.default_excludes = false;
    in.scans = {{"/install", &scan}};
  }
  TreeScan scan;
  Options o;
  ClusterDb db;
  MirrorInput in;
};

TEST_F(OneSnTest, TheDirectoriesAnSnNamesGoToRsyncAsAList) {
  ScratchDir tmp;
  in.workdir = tmp.path();
  std::vector<std::string> notes;
  Plan p = MakeMirrorPlan(in, &notes);
  ASSERT_EQ(p.jobs.size(), 1u);
  const std::vector<Step>& steps = p.jobs[0].steps;
  ASSERT_GE(steps.size(), 2u);
  steps[0].more_lines("differs 1");
  EXPECT_EQ(steps[1].local(), "");
  EXPECT_EQ(steps[1].local_note(), "1 of 2 directories of /install to send: a");
  EXPECT_EQ(steps[1].local_changed(),
            std::vector<std::string>{"directories of /install that differ"});
  EXPECT_EQ(ReadFile(tmp.path() + "/send.0"), std::string("a/\0", 3));
  EXPECT_NE(steps[1].local(), "") << "the list is made once, never over another file";
}

// "self K": only the directory's own attributes ("a", no slash: rsync
// sends no contents); a bucket of a directory that has none is no usable
// answer, and all of the tree goes.
TEST_F(OneSnTest, AnSnMayNameADirectorysOwnAttributesOrABucket) {
  for (const char* answer : {"self 1", "bucket 1 0", "bucket 1", "self 1 x"}) {
    ScratchDir tmp;
    in.workdir = tmp.path();
    std::vector<std::string> notes;
    Plan p = MakeMirrorPlan(in, &notes);
    const std::vector<Step>& steps = p.jobs[0].steps;
    steps[0].more_lines(answer);
    EXPECT_EQ(steps[1].local(), "");
    if (std::string(answer) == "self 1") {
      EXPECT_EQ(steps[1].local_note(), "0 of 2 directories and 1 entries of /install to send: a");
      EXPECT_EQ(ReadFile(tmp.path() + "/send.0"), std::string("a\0", 2));
    } else {
      EXPECT_EQ(steps[1].local_note(),
                "all of /install to send (2 directories): no usable list from sn1")
          << answer;
    }
  }
}

// --relay: SN k of the plan forwards to SNs 2k+2 and 2k+3; each of those,
// if its first probe finds all of the tree to send, waits for its parent's
// job, has the parent send it the tree with its own exclusions, probes
// again, and gets from here only what still differs.
TEST(MirrorPlanTest, RelayedSnsAreSeededByTheirParentThenProbedAgain) {
  ScratchDir tmp;
  TreeScan scan;
  scan.exists = true;
  scan.entries.push_back(ScanEntry{".", 0, 1, true, 0, 0, false, 1, 2});
  Options o;
  ClusterDb db;
  MirrorInput in;
  in.options = &o;
  in.db = &db;
  for (const char* sn : {"sn1", "sn2", "sn3", "sn4", "sn5", "sn6"}) in.nodes_of[sn] = {};
  in.paths = {"/install"};
  in.lists = {{"from site.exclude", {"*.iso"}}};
  in.default_excludes = false;
  in.scans = {{"/install", &scan}};
  in.workdir = tmp.path();
  in.relay = true;
  std::vector<std::string> notes;
  Plan p = MakeMirrorPlan(in, &notes);
  ASSERT_EQ(p.jobs.size(), 6u);
  // The first two get it from here: probe, list, rsync (list), rsync (all).
  EXPECT_EQ(p.jobs[0].steps.size(), 4u);
  EXPECT_EQ(p.jobs[1].steps.size(), 4u);
  const std::map<std::string, int> parent{{"sn3", 0}, {"sn4", 0}, {"sn5", 1}, {"sn6", 1}};
  for (size_t j = 2; j < 6; ++j) {
    const std::string& sn = p.jobs[j].node;
    const std::vector<Step>& steps = p.jobs[j].steps;
    ASSERT_EQ(steps.size(), 7u) << sn;
    const Step& relay = steps[2];
    EXPECT_EQ(relay.after_job, parent.at(sn)) << sn;
    EXPECT_TRUE(relay.may_fail);
    EXPECT_EQ(relay.run_if_changed, std::vector<std::string>{"all of /install"});
    const std::string& from = p.jobs[relay.after_job].node;
    EXPECT_EQ(relay.what, "relay /install from " + from);
    // ssh FROM 'rsync ... /install/ SN:/install/', on its own connection.
    ASSERT_GE(relay.argv.size(), 5u);
    EXPECT_EQ(Argv(relay.argv.begin(), relay.argv.begin() + 5),
              (Argv{"ssh", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"}));
    EXPECT_EQ(relay.argv[relay.argv.size() - 2], from);
    EXPECT_EQ(relay.argv.back(),
              "/usr/bin/rsync -a -H --protect-args -e "
              "'ssh -o BatchMode=yes -o ConnectTimeout=10' --timeout=60 '--exclude=*.iso' "
              "'--rsync-path=test -d /install || mkdir -p -- /install && rsync' /install/ " +
                  sn + ":/install/");
    // The second probe and its list, then the two rsync runs.
    EXPECT_EQ(steps[3].argv, steps[0].argv);
    EXPECT_EQ(steps[3].stdin_path, steps[0].stdin_path);
    EXPECT_EQ(steps[3].run_if_changed, std::vector<std::string>{"all of /install"});
    EXPECT_EQ(steps[4].run_if_changed,
              std::vector<std::string>{"tree digest of /install after the relay"});
    EXPECT_EQ(steps[5].run_if_changed,
              (std::vector<std::string>{"directories of /install that differ",
                                        "directories of /install that differ after the relay"}));
    EXPECT_EQ(steps[6].run_if_changed,
              std::vector<std::string>{"all of /install after the relay"});
  }
  // The second answer decides on its own.
  const std::vector<Step>& sn3 = p.jobs[2].steps;
  sn3[0].more_lines("differs 0");
  EXPECT_EQ(sn3[1].local(), "");
  EXPECT_EQ(sn3[1].local_changed(), std::vector<std::string>{"all of /install"});
  sn3[3].more_lines("no tree digest");
  EXPECT_EQ(sn3[4].local(), "");
  EXPECT_EQ(sn3[4].local_note(),
            "all of /install to send (1 directories): no usable list from sn3 after the relay");
  EXPECT_EQ(sn3[4].local_changed(),
            std::vector<std::string>{"all of /install after the relay"});
  EXPECT_NE(std::find(notes.begin(), notes.end(),
                      "relay: sn6: /install: if all of it is to send, sn2 sends it first"),
            notes.end());
  // Without --relay: no waiting anywhere.
  in.relay = false;
  ScratchDir tmp2;
  in.workdir = tmp2.path();
  p = MakeMirrorPlan(in, &notes);
  for (const auto& job : p.jobs) {
    EXPECT_EQ(job.steps.size(), 4u);
    for (const auto& step : job.steps) EXPECT_EQ(step.after_job, -1);
  }
}

TEST(MirrorPlanTest, NodeOptionsGoBeforeTheOperands) {
  Options o;
  o.node_opts = " --bwlimit=500  --checksum";
  EXPECT_EQ(MirrorArgv(o),
            (Argv{"/usr/bin/rsync", "-a", "-H", "--protect-args", "-e", kSsh, kChangeFormat,
                  "--delete", "--filter=P */", kTempRule,
                  "--rsync-path=test -d /install || "
                  "mkdir -p -- /install && rsync", "--bwlimit=500", "--checksum",
                  "/install/", "sn2:/install/"}));
}

TEST(MirrorPlanTest, DryRunAsksRsyncAndMakesNoDirectory) {
  Options o;
  o.dry_run = true;
  o.node_opts = "--bwlimit=500";
  EXPECT_EQ(MirrorArgv(o),
            (Argv{"/usr/bin/rsync", "-a", "-H", "--protect-args", "-e", kSsh, kChangeFormat,
                  "--dry-run", "--delete", "--filter=P */", kTempRule, "--bwlimit=500",
                  "/install/", "sn2:/install/"}));
}

}  // namespace
}  // namespace xdcp
