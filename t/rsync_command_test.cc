// Golden argv vectors for the copy command of every purpose: a flag change
// shows up here, in one reviewed diff.
#include "rsync_command.h"

#include <algorithm>
#include <functional>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

using Argv = std::vector<std::string>;
const std::string kSsh = "ssh -o BatchMode=yes -o ConnectTimeout=10";
const std::string kRsync = "/usr/bin/rsync";
const std::string kTempRule = std::string("--filter=P! ") + kRsyncTempName;

struct Case {
  const char* name;
  CopyPurpose purpose;
  std::function<void(Options*)> options;  // from the defaults (rsync)
  CopyDetails details;
  Argv want;
};

void Scp(Options* o) { o->rcp = "/usr/bin/scp"; }
// -p, -R, -l (no effect on the head), -o, -X and --io-timeout at once.
void Everything(Options* o) {
  o->preserve = o->recursive = true;
  o->user = "admin";
  o->node_opts = " -q  --bwlimit=100 ";
  o->exclude_from = {"/x1", "/x 2"};
  o->io_timeout = 30;
}
CopyDetails Follow() {
  CopyDetails d;
  d.follow_links = true;
  return d;
}
CopyDetails Dirs(std::vector<std::string> dirs, bool follow = false) {
  CopyDetails d;
  d.remote_dirs = std::move(dirs);
  d.follow_links = follow;
  return d;
}
CopyDetails Stage(bool follow) {
  CopyDetails d = Dirs({"/var/xcat/sync files"}, follow);
  d.files_from = "/tmp/w/stage.sn1";
  return d;
}
CopyDetails Mirror(std::vector<std::string> excludes = {}, long files = 0) {
  CopyDetails d = Dirs({"/install"});
  d.excludes = std::move(excludes);
  d.source_files = files;
  return d;
}

const Case kCases[] = {
    // --- push: -r's program -------------------------------------------
    {"PushRsync", CopyPurpose::kPush, nullptr, {},
     {kRsync, "-l", "--protect-args", "-e", kSsh}},
    {"PushRsyncNamedLinks", CopyPurpose::kPush, nullptr, Follow(),
     {kRsync, "-L", "--protect-args", "-e", kSsh}},
    {"PushRsyncEverything", CopyPurpose::kPush, Everything, {},
     {kRsync, "-p", "-t", "-r", "-l", "--protect-args", "--exclude-from=/x1",
      "--exclude-from=/x 2", "--timeout=30", "-e", kSsh, "-q", "--bwlimit=100"}},
    {"PushScp", CopyPurpose::kPush, Scp, Follow(),
     {"/usr/bin/scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"}},
    {"PushScpPreserveRecursiveNodeOptions", CopyPurpose::kPush,
     [](Options* o) { Scp(o), o->preserve = o->recursive = true, o->node_opts = "-q"; }, {},
     {"/usr/bin/scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", "-r", "-q"}},
    // --- pull: safe here; the security flags come after the -o words ---
    {"PullOneFileFollowsTheNodesLink", CopyPurpose::kPull, nullptr, {},
     {kRsync, "-L", "--protect-args", "-e", kSsh, "--munge-links", "--chmod=ugo-s"}},
    {"PullTreeKeepsLinksMunged", CopyPurpose::kPull, Everything, {},
     {kRsync, "-p", "-t", "-r", "-l", "--protect-args", "--exclude-from=/x1",
      "--exclude-from=/x 2", "--timeout=30", "-e", kSsh, "-q", "--bwlimit=100",
      "--munge-links", "--chmod=ugo-s"}},
    {"PullNodeOptionsCannotUndoTheSecurityFlags", CopyPurpose::kPull,
     [](Options* o) { o->node_opts = "--no-munge-links --chmod=u+s"; }, {},
     {kRsync, "-L", "--protect-args", "-e", kSsh, "--no-munge-links", "--chmod=u+s",
      "--munge-links", "--chmod=ugo-s"}},
    {"PullScp", CopyPurpose::kPull, [](Options* o) { Scp(o), o->preserve = true; }, {},
     {"/usr/bin/scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p"}},
    // --- synclist -------------------------------------------------------
    {"SyncTree", CopyPurpose::kSync, nullptr, Dirs({"/etc", "/tmp/a b"}),
     {kRsync, "-r", "-l", "-p", "-t", "-o", "-g", "--protect-args", "-e", kSsh, kChangeFormat,
      "-R", "--no-implied-dirs", "--rsync-path=test -d /etc && test -d '/tmp/a b' || "
                                 "mkdir -p -- /etc '/tmp/a b' && rsync"}},
    {"SyncTreeNamedLinksNoDirs", CopyPurpose::kSync, Everything, Follow(),
     {kRsync, "-r", "-L", "-p", "-t", "-o", "-g", "--protect-args", "--exclude-from=/x1",
      "--exclude-from=/x 2", "--timeout=30", "-e", kSsh, "-q", "--bwlimit=100", kChangeFormat,
      "-R", "--no-implied-dirs"}},
    {"SyncScpTakesNoNodeOptions", CopyPurpose::kSync,
     [](Options* o) { Scp(o), o->node_opts = "-q"; }, Dirs({"/etc"}),
     {"/usr/bin/scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", "-r"}},
    // --- MERGE and APPEND: no -l, -L, -r or -D: a regular file or nothing
    {"EditFetch", CopyPurpose::kEditFetch, Everything, {},
     {kRsync, "--protect-args", "--timeout=30", "-e", kSsh, "-q", "--bwlimit=100"}},
    {"EditFetchIsRsyncWhateverRSaysAndTakesNoScpOptions", CopyPurpose::kEditFetch,
     [](Options* o) { Scp(o), o->node_opts = "-q"; }, {},
     {"rsync", "--protect-args", "-e", kSsh}},
    // --- -i: local ------------------------------------------------------
    {"Image", CopyPurpose::kImage, Everything, {},
     {kRsync, "-r", "-l", "-p", "-t", "-o", "-g"}},
    {"ImageNamedLinkWithScp", CopyPurpose::kImage, Scp, Follow(),
     {"rsync", "-r", "-L", "-p", "-t", "-o", "-g"}},
    // --- service nodes ----------------------------------------------------
    {"Stage", CopyPurpose::kStage, Everything, Stage(false),
     {kRsync, "-a", "-r", "-H", "-R", "--from0", "--files-from=/tmp/w/stage.sn1",
      "--protect-args", "-e", kSsh,
      "--rsync-path=test -d '/var/xcat/sync files' || "
      "mkdir -p -- '/var/xcat/sync files' && chmod 0700 -- "
      "'/var/xcat/sync files' && rsync"}},
    {"StageNamedLinksWithScp", CopyPurpose::kStage, Scp, Stage(true),
     {"rsync", "-L", "-a", "-r", "-H", "-R", "--from0", "--files-from=/tmp/w/stage.sn1",
      "--protect-args", "-e", kSsh,
      "--rsync-path=test -d '/var/xcat/sync files' || "
      "mkdir -p -- '/var/xcat/sync files' && chmod 0700 -- "
      "'/var/xcat/sync files' && rsync"}},
    {"Mirror", CopyPurpose::kMirror, nullptr, Mirror({"/isos/", "*.iso"}),
     {kRsync, "-a", "-H", "--protect-args", "-e", kSsh, kChangeFormat, "--exclude=/isos/",
      "--exclude=*.iso", "--delete", "--filter=P */", kTempRule,
      "--rsync-path=test -d /install || "
      "mkdir -p -- /install && rsync"}},
    {"MirrorEverything", CopyPurpose::kMirror,
     [](Options* o) {
       Everything(o);
       o->resume = o->delay_updates = o->checksum = o->delete_extra = true;
     },
     Mirror({"/isos/"}, 11),
     {kRsync, "-a", "-H", "--protect-args", "-e", kSsh, kChangeFormat, "--timeout=30",
      "--partial-dir=.xdcp-partial", "--delay-updates", "--checksum", "--delete",
      "--max-delete=6", "--exclude=/isos/", "--rsync-path=test -d /install || "
                                            "mkdir -p -- /install && rsync", "-q",
      "--bwlimit=100"}},
    {"MirrorDeleteForced", CopyPurpose::kMirror,
     [](Options* o) { o->delete_extra = o->force = true; }, Mirror({}, 11),
     {kRsync, "-a", "-H", "--protect-args", "-e", kSsh, kChangeFormat, "--delete",
      "--rsync-path=test -d /install || "
      "mkdir -p -- /install && rsync"}},
    {"MirrorDryRunMakesNoDirectory", CopyPurpose::kMirror,
     [](Options* o) { o->dry_run = true; }, Mirror(),
     {kRsync, "-a", "-H", "--protect-args", "-e", kSsh, kChangeFormat, "--dry-run", "--delete",
      "--filter=P */", kTempRule}},
    // --- relay: run on an SN, with its own ssh; seeds only (no --delete)
    {"Relay", CopyPurpose::kRelay, nullptr, Mirror({"/isos/"}),
     {kRsync, "-a", "-H", "--protect-args", "-e", "ssh -o BatchMode=yes -o ConnectTimeout=10",
      "--timeout=60", "--exclude=/isos/", "--rsync-path=test -d /install || mkdir -p -- /install && rsync"}},
    {"RelayEverythingTakesNoNodeOptionsNorDeletes", CopyPurpose::kRelay,
     [](Options* o) {
       Everything(o);
       o->resume = o->delay_updates = o->checksum = o->delete_extra = true;
     },
     Mirror({}, 11),
     {kRsync, "-a", "-H", "--protect-args", "-e", "ssh -o BatchMode=yes -o ConnectTimeout=10",
      "--timeout=30", "--delay-updates",
      "--rsync-path=test -d /install || mkdir -p -- /install && rsync"}},
    {"BringBack", CopyPurpose::kBringBack, nullptr, {},
     {kRsync, "-r", "-l", "--protect-args", "-e", kSsh, "--munge-links", "--chmod=ugo-s",
      "--remote-option=--munge-links"}},
    {"BringBackIsRsyncWhateverRSays", CopyPurpose::kBringBack,
     [](Options* o) { Scp(o), o->preserve = true, o->io_timeout = 5; }, {},
     {"rsync", "-p", "-t", "-r", "-l", "--protect-args", "--timeout=5", "-e", kSsh,
      "--munge-links", "--chmod=ugo-s", "--remote-option=--munge-links"}},
};

// ctest lists a case by its name, not by its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class CopyArgvTest : public testing::TestWithParam<Case> {};

TEST_P(CopyArgvTest, Golden) {
  const Case& c = GetParam();
  Options o;
  if (c.options) c.options(&o);
  EXPECT_EQ(CopyArgv(c.purpose, o, RunContext(), c.details), c.want);
}

INSTANTIATE_TEST_SUITE_P(Purposes, CopyArgvTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

// The fetch of a MERGE or APPEND target must never make rsync fetch a
// link, a tree or a device: ReadFetched relies on "nothing arrived".
TEST(CopyArgvTest, EditFetchHasNoLinkTreeOrDeviceFlag) {
  Options o;
  Everything(&o);
  for (const char* flag : {"-l", "-L", "-r", "-D", "-a", "--links", "--copy-links"}) {
    Argv argv = CopyArgv(CopyPurpose::kEditFetch, o, RunContext());
    EXPECT_EQ(std::count(argv.begin(), argv.end(), flag), 0) << flag;
  }
}

TEST(SshCommandTest, CiphersAndSharedConnection) {
  Options o;
  o.connect_timeout = 3;
  RunContext run;
  run.ssh_ciphers = "aes128-gcm@openssh.com";
  run.control_dir = "/run/x";
  EXPECT_EQ(SshCommand(o, run),
            (Argv{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-c",
                  "aes128-gcm@openssh.com", "-o", "ControlMaster=auto", "-o",
                  "ControlPath=/run/x/%C", "-o", "ControlPersist=10"}));
  o.persist = 600;
  EXPECT_EQ(SshCommandLine(o, run),
            "ssh -o BatchMode=yes -o ConnectTimeout=3 -c aes128-gcm@openssh.com -o "
            "ControlMaster=auto -o ControlPath=/run/x/%C -o ControlPersist=600");
}

TEST(IsRsyncTest, TheLastPathComponentIsRsync) {
  const std::pair<const char*, bool> cases[] = {
      {"rsync", true},          {"/usr/bin/rsync", true}, {"/opt/rsync-3/bin/rsync", true},
      {"scp", false},           {"/usr/bin/scp", false},  {"/usr/bin/myrsync", false},
      {"/usr/bin/rsync/", false}, {"/rsync/scp", false},  {"", false},
  };
  for (const auto& [rcp, want] : cases) EXPECT_EQ(IsRsync(rcp), want) << rcp;
}

TEST(RsyncProgramTest, RsyncOfRElseFromPath) {
  Options o;
  o.rcp = "/opt/bin/rsync";
  EXPECT_EQ(RsyncProgram(o), "/opt/bin/rsync");
  o.rcp = "/usr/bin/scp";
  EXPECT_EQ(RsyncProgram(o), "rsync");
}

TEST(RemotePathTest, UserIsPrefixedWhenGiven) {
  Options o;
  EXPECT_EQ(RemotePath(o, "cn1", "/a b"), "cn1:/a b");
  o.user = "admin";
  EXPECT_EQ(RemotePath(o, "cn1", "/t"), "admin@cn1:/t");
}

TEST(NodeOptionTokensTest, SplitOnWhiteSpaceOnly) {
  Options o;
  o.node_opts = "\t-q  --bwlimit=1,2:3 \n-z";
  EXPECT_EQ(NodeOptionTokens(o), (Argv{"-q", "--bwlimit=1,2:3", "-z"}));
  o.node_opts = "";
  EXPECT_EQ(NodeOptionTokens(o), Argv{});
}

TEST(ShellQuoteTest, OneWord) {
  const std::pair<const char*, const char*> cases[] = {
      {"plain/path-1_2.x", "plain/path-1_2.x"},
      {"", "''"},
      {"a b", "'a b'"},
      {"it's", "'it'\\''s'"},
      {"$(touch x);`y`", "'$(touch x);`y`'"},
      {"new\nline", "'new\nline'"},
      {"%C@host:1,2=3+4", "%C@host:1,2=3+4"},
  };
  for (const auto& [word, want] : cases) EXPECT_EQ(ShellQuote(std::string(word)), want) << word;
}

TEST(ShellQuoteTest, ArgvReadsBackTheSame) {
  EXPECT_EQ(ShellQuote(Argv{"rsync", "-e", "ssh -o X=1", "a b", "it's", "$(x)", ""}),
            "rsync -e 'ssh -o X=1' 'a b' 'it'\\''s' '$(x)' ''");
  EXPECT_EQ(ShellQuote(Argv{}), "");
}

}  // namespace
}  // namespace xdcp
