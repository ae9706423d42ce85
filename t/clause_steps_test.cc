// The steps of a synclist's clauses on a node: MERGE and APPEND fetch,
// edit here and commit on the node; EXECUTE and EXECUTEALWAYS run scripts.
#include "clause_steps.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

using Argv = std::vector<std::string>;
const std::string kSsh = "ssh -o BatchMode=yes -o ConnectTimeout=10";

struct Clauses {
  Options o;
  SyncList list;
  std::map<std::string, std::string> contents;
  std::set<std::string> synced;

  std::vector<Step> For(const std::string& text, const std::string& node = "n1") {
    std::string error;
    EXPECT_TRUE(ParseSyncList("sl", text, &list, &error)) << error;
    std::vector<Step> steps;
    ClauseSteps(o, RunContext(), list, contents, "/w", node, synced, &steps);
    return steps;
  }
};

TEST(ClauseStepsTest, MergeIsFetchEditCommitOnTheNode) {
  Clauses c;
  c.contents["/m/passwd"] = "u:x:5:5::/u:/bin/sh\n";
  std::vector<Step> s = c.For("MERGE:\n/m/passwd -> /etc/passwd\n");
  ASSERT_EQ(s.size(), 3u);
  // The fetch copies a regular file only: no -l/-L (links), -r, -D, and no
  // owner, group or mode (the node's file keeps its own).
  EXPECT_EQ(s[0].argv, (Argv{"/usr/bin/rsync", "--protect-args", "-e", kSsh, "n1:/etc/passwd",
                             "/w/n1.merge.1"}));
  EXPECT_EQ(s[0].what, "MERGE /m/passwd: fetch /etc/passwd (it must exist on the node)");
  EXPECT_EQ(s[1].kind, StepKind::kLocal);
  // The commit runs on the node, its input from the edit's work file.
  EXPECT_EQ(s[2].kind, StepKind::kCopy);
  EXPECT_EQ(s[2].stdin_path, "/w/n1.merge.1.new");
  ASSERT_EQ(s[2].argv.size(), 8u);
  EXPECT_EQ(Argv(s[2].argv.begin() + 5, s[2].argv.end() - 1), (Argv{"--", "n1"}));
  const std::string& command = s[2].argv.back();
  EXPECT_EQ(command.rfind("f=/etc/passwd; IFS= read -r h || exit 1; ", 0), 0u) << command;
  for (const char* part : {"[ \"$h\" = unchanged ] && exit 0",
                           "[ -h \"$f\" ]", "\"$(cksum <\"$f\")\" != \"$h\"",
                           "IFS= read -r n || exit 1",
                           "mktemp \"$f.xdcp.XXXXXX\"",
                           "\"$(cksum <\"$t\")\" != \"$n\"",
                           "cp --attributes-only --preserve=all -- \"$f\" \"$t\"",
                           "mv -f -T -- \"$t\" \"$f\""}) {
    EXPECT_NE(command.find(part), std::string::npos) << part;
  }
}

TEST(ClauseStepsTest, EditTargetsAreQuotedForTheNodeShell) {
  Clauses c;
  std::vector<Step> s = c.For("APPEND:\n/m/a -> \"/tmp/it's a;b\"\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[2].argv.back().rfind("f='/tmp/it'\\''s a;b'; ", 0), 0u) << s[2].argv.back();
}

TEST(ClauseStepsTest, EditsFetchWithRsyncWhateverTheCopyCommand) {
  Clauses c;
  c.o.rcp = "/usr/bin/scp";
  c.o.node_opts = "-4";  // an scp option: not for rsync
  std::vector<Step> s = c.For("APPEND:\n/m/a -> /etc/motd\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].argv[0], "rsync");
  EXPECT_EQ(std::count(s[0].argv.begin(), s[0].argv.end(), "-4"), 0);
  EXPECT_EQ(s[2].argv[0], "ssh");
}

// MERGE, then APPEND (work files numbered in that order), then EXECUTE
// (only if its trigger changed), then EXECUTEALWAYS where it was synced.
TEST(ClauseStepsTest, OrderWorkFilesAndScripts) {
  Clauses c;
  c.o.source_prefix = "/var/xcat/syncfiles";
  c.synced = {"/s/always"};
  std::vector<Step> s = c.For(
      "EXECUTEALWAYS:\n/s/always\n/s/elsewhere\nEXECUTE:\n/s/run.post\nAPPEND:\n"
      "/var/xcat/syncfiles/m/a -> /etc/a\nMERGE:\n/m/group -> /etc/group\n",
      "cn 7");
  std::vector<std::string> whats;
  for (const auto& step : s) whats.push_back(step.what);
  EXPECT_EQ(whats, (std::vector<std::string>{
                       "MERGE /m/group: fetch /etc/group (it must exist on the node)",
                       "MERGE /m/group: edit /etc/group", "MERGE /m/group: write /etc/group",
                       // The markers name the source as on the management node.
                       "APPEND /m/a: fetch /etc/a (it must exist on the node)",
                       "APPEND /m/a: edit /etc/a", "APPEND /m/a: write /etc/a",
                       "EXECUTE /s/run.post", "EXECUTEALWAYS /s/always"}));
  EXPECT_EQ(s[0].argv.back(), "/w/cn 7.merge.1");
  EXPECT_EQ(s[3].argv.back(), "/w/cn 7.append.2");
  EXPECT_EQ(s[6].run_if_changed, (std::vector<std::string>{"/s/run"}));
  EXPECT_EQ(s[6].stdin_path, "/s/run.post");
  EXPECT_TRUE(s[7].run_if_changed.empty());
}

TEST(ClauseStepsTest, TriggerIsTheScriptWithoutPost) {
  const std::pair<const char*, const char*> cases[] = {
      {"/s/run.post", "/s/run"}, {"/s/run", "/s/run"}, {"/s/.post", "/s/"},
      {".post", ".post"},        {"/s/a.post.post", "/s/a.post"},
  };
  for (const auto& [entry, want] : cases) EXPECT_EQ(Trigger(entry), want) << entry;
}

}  // namespace
}  // namespace xdcp
