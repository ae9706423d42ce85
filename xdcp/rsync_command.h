// The command lines xdcp copies with: for each purpose (a push, a pull, a
// synclist's transfer tree, the fetch of a MERGE or APPEND target, a copy
// into an image, the staging on a service node, the --sn mirror, bringing
// back what an SN pulled), the rsync (or scp) flags it gets, up to its
// operands; the ssh command every copy and remote command logs in with;
// and the quoting of words for a remote shell. Every flag decision is
// here, so a flag change shows up in one place (t/rsync_command_test.cc).
// Pure functions of the options, the run's facts (RunContext: the ssh
// control directory and ciphers) and of what the caller passes in.
#ifndef XDCP_RSYNC_COMMAND_H_
#define XDCP_RSYNC_COMMAND_H_

#include <string>
#include <vector>

#include "options.h"
#include "run_context.h"

namespace xdcp {

// Prefix of the lines a copy prints for what it changed: rsync is run with
// kChangeFormat: itemized flags, file length, name. They are records, not
// output: the executor keeps them and shows them to nobody.
constexpr char kChangeMarker[] = "xdcp-changed: ";
constexpr char kChangeFormat[] = "--out-format=xdcp-changed: %i %l %n";

// The names rsync gives its temporary files (mkstemp beside the target),
// as an rsync filter pattern.
constexpr char kRsyncTempName[] =
    ".*.[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]";

// What a copy command is run for. kPush, kPull and kSync use the copy
// program of -r (rsync or scp); the others always run rsync (see
// RsyncProgram).
enum class CopyPurpose {
  kPush,       // xdcp NODES SOURCE... TARGET
  kPull,       // xdcp -P: what a node sends is taken as safe here
  kSync,       // -F: rsync: one -R run of a transfer tree; scp: one
               // run per destination directory
  kEditFetch,  // MERGE, APPEND: fetch the node's target, a regular file
  kImage,      // -i: a local copy into the image
  kStage,      // to SNsyncfiledir on a service node (--files-from)
  kMirror,     // --sn: a directory to a service node
  kBringBack,  // what a service node pulled (-P through it), to here
  kRelay,      // --sn --relay: run on one SN, its tree to another SN
};

// What a step knows that the options do not.
struct CopyDetails {
  // kPush, kSync, kImage, kStage: the sources are named symbolic links,
  // delivered as what they point to (-L instead of -l).
  bool follow_links = false;
  // kSync, kStage, kMirror, kRelay: directories the remote shell that starts
  // rsync makes first (--rsync-path=mkdir -p -- DIR... && rsync).
  std::vector<std::string> remote_dirs;
  std::string files_from;             // kStage: the NUL-separated list
  std::vector<std::string> excludes;  // kMirror, kRelay: --exclude patterns
  long source_files = 0;              // kMirror with --delete: the source's files
};

// The copy program is rsync: its last path component is "rsync" (the
// same test options.cc makes before it accepts -r).
bool IsRsync(const std::string& rcp);

// The rsync of the purposes that need rsync whatever -r says: -r if it is
// rsync, else "rsync" from PATH.
std::string RsyncProgram(const Options& o);

// The argv of a copy for `purpose` up to (not including) its operands;
// the copies that log in to a node use `run`'s ssh facts (SshCommand).
std::vector<std::string> CopyArgv(CopyPurpose purpose, const Options& o,
                                  const RunContext& run, const CopyDetails& d = {});

// The words of -o (o.node_opts), split on white space (never on ',' or
// ':', which xCAT mangled): they go after the options xdcp gives the copy
// command and before its file operands.
std::vector<std::string> NodeOptionTokens(const Options& o);

// The ssh argv prefix every command uses (BatchMode, ConnectTimeout, the
// run's ciphers, and connection sharing when run.control_dir is set).
std::vector<std::string> SshCommand(const Options& o, const RunContext& run);

// The same as one string, for rsync -e.
std::string SshCommandLine(const Options& o, const RunContext& run);

// `user@node:path`, or `node:path` without -l.
std::string RemotePath(const Options& o, const std::string& node,
                       const std::string& path);

// One word quoted for a POSIX shell (left bare when it needs no quotes),
// and argv as one line a shell reads back as the same words (for -T and
// for commands run by a node's shell).
std::string ShellQuote(const std::string& word);
std::string ShellQuote(const std::vector<std::string>& argv);

}  // namespace xdcp

#endif  // XDCP_RSYNC_COMMAND_H_
