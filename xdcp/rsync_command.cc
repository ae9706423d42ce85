#include "rsync_command.h"

#include <sstream>

#include "paths.h"
#include "text.h"

namespace xdcp {
namespace {

void Append(std::vector<std::string>* argv, const std::vector<std::string>& more) {
  argv->insert(argv->end(), more.begin(), more.end());
}

// The options of every rsync run that logs in to a node: remote paths
// travel inside the rsync protocol, never through the remote shell, so
// spaces and metacharacters arrive byte-exact; -X, --io-timeout, ssh.
void AppendTransport(const Options& o, const RunContext& run, std::vector<std::string>* argv) {
  argv->push_back("--protect-args");
  for (const auto& f : o.exclude_from) argv->push_back("--exclude-from=" + f);
  if (o.io_timeout > 0) argv->push_back("--timeout=" + std::to_string(o.io_timeout));
  Append(argv, {"-e", SshCommandLine(o, run)});
}

// --rsync-path: the remote shell that starts rsync makes `dirs` first (no
// extra connection; each quoted for that shell). `test` is a shell
// builtin: when every directory is there already (a repeated run), no
// mkdir process is started on the node.
std::string MakeDirsFirst(const std::vector<std::string>& dirs, const std::string& then) {
  std::string test, mkdir = "mkdir -p --";
  for (const auto& d : dirs) {
    test += (test.empty() ? "test -d " : " && test -d ") + ShellQuote(d);
    mkdir += " " + ShellQuote(d);
  }
  return "--rsync-path=" + test + " || " + mkdir + " && " + then;
}

// scp logs in with ssh's options, given as its own.
std::vector<std::string> ScpHead(const Options& o, const RunContext& run) {
  std::vector<std::string> argv{o.rcp};
  for (const auto& t : SshCommand(o, run)) {
    if (t != "ssh") argv.push_back(t);
  }
  return argv;
}

std::vector<std::string> PushHead(const Options& o, const RunContext& run, bool follow_links) {
  std::vector<std::string> argv;
  if (IsRsync(o.rcp)) {
    argv = {o.rcp};
    if (o.preserve) Append(&argv, {"-p", "-t"});
    if (o.recursive) argv.push_back("-r");
    argv.push_back(follow_links ? "-L" : "-l");
    AppendTransport(o, run, &argv);
  } else {
    argv = ScpHead(o, run);
    if (o.preserve) argv.push_back("-p");
    if (o.recursive) argv.push_back("-r");
  }
  Append(&argv, NodeOptionTokens(o));
  return argv;
}

std::vector<std::string> PullHead(const Options& o, const RunContext& run) {
  // A single file (no -R) is fetched with -L: a link is followed on the
  // node, which sends what it points to.
  std::vector<std::string> argv = PushHead(o, run, !o.recursive);
  if (IsRsync(o.rcp)) {
    // A node's symbolic links arrive as links that resolve nowhere (rsync
    // prefixes their text with /rsyncd-munged/), and nothing it sends is
    // set-id here, even with -p: root owns every pulled file. Last, so no
    // -o option undoes them. (scp pulls: see ClearSetIdStep.)
    Append(&argv, {"--munge-links", "--chmod=ugo-s"});
  }
  return argv;
}

std::vector<std::string> SyncHead(const Options& o, const RunContext& run,
                                  const CopyDetails& d) {
  if (!IsRsync(o.rcp)) {
    std::vector<std::string> argv = ScpHead(o, run);
    Append(&argv, {"-p", "-r"});
    return argv;
  }
  // A synclist's files keep their owner, group, mode and times.
  std::vector<std::string> argv{RsyncProgram(o), "-r", d.follow_links ? "-L" : "-l",
                                "-p", "-t", "-o", "-g"};
  AppendTransport(o, run, &argv);
  Append(&argv, NodeOptionTokens(o));
  // One run for a whole transfer tree: its paths relative to "/./".
  Append(&argv, {kChangeFormat, "-R", "--no-implied-dirs"});
  // The destination directories are made first, so that a path blocked
  // on the node fails before anything is sent, with mkdir's own words.
  if (!d.remote_dirs.empty()) argv.push_back(MakeDirsFirst(d.remote_dirs, "rsync"));
  return argv;
}

// MERGE and APPEND fetch with rsync whatever -r says: scp cannot tell a
// symbolic link or a device on the node from a file. Without -l, -L, -r
// or -D rsync fetches nothing for a target that is not a regular file.
// The -o options are the copy command's, so they go to rsync only when
// it is that command.
std::vector<std::string> EditFetchHead(const Options& o, const RunContext& run) {
  std::vector<std::string> argv{RsyncProgram(o), "--protect-args"};
  if (o.io_timeout > 0) argv.push_back("--timeout=" + std::to_string(o.io_timeout));
  Append(&argv, {"-e", SshCommandLine(o, run)});
  if (IsRsync(o.rcp)) Append(&argv, NodeOptionTokens(o));
  return argv;
}

// A local copy: rsync whatever -r says (scp copies no tree the same way);
// the caller makes the directories, not --mkpath (rsync 3.2.3 and later).
std::vector<std::string> ImageHead(const Options& o, const CopyDetails& d) {
  return {RsyncProgram(o), "-r", d.follow_links ? "-L" : "-l", "-p", "-t", "-o", "-g"};
}

// Runs on a service node: its own ssh and keys, so none of this run's
// ssh options (ciphers, control sockets) apply there. It only seeds the
// other SN: no --delete, no change records; the management node's own
// mirror run after it makes that tree exact.
std::vector<std::string> RelayHead(const Options& o, const CopyDetails& d) {
  std::vector<std::string> argv{
      RsyncProgram(o), "-a", "-H", "--protect-args", "-e",
      "ssh -o BatchMode=yes -o ConnectTimeout=" + std::to_string(o.connect_timeout)};
  // Always an I/O timeout: if the relaying SN stops, the receiving SN's
  // rsync must not wait for it forever while this run sends in its place.
  argv.push_back("--timeout=" + std::to_string(o.io_timeout > 0 ? o.io_timeout : 60));
  if (o.delay_updates) argv.push_back("--delay-updates");
  for (const auto& p : d.excludes) argv.push_back("--exclude=" + p);
  argv.push_back(MakeDirsFirst(d.remote_dirs, "rsync"));
  return argv;
}

// Staging is always rsync: the service node must have it, whatever copies
// the files from there on. Named links are staged as files (-L beats -a's
// -l): staged as a link, the SN would resolve it against its own files.
std::vector<std::string> StageHead(const Options& o, const RunContext& run,
                                   const CopyDetails& d) {
  std::vector<std::string> argv{RsyncProgram(o)};
  if (d.follow_links) argv.push_back("-L");
  Append(&argv, {"-a", "-r", "-H", "-R", "--from0", "--files-from=" + d.files_from,
                 "--protect-args", "-e", SshCommandLine(o, run)});
  // Root-only on every run: it holds copies of the MN's files.
  std::string chmod = "chmod 0700 --";
  for (const auto& dir : d.remote_dirs) chmod += " " + ShellQuote(dir);
  argv.push_back(MakeDirsFirst(d.remote_dirs, chmod + " && rsync"));
  return argv;
}

std::vector<std::string> MirrorHead(const Options& o, const RunContext& run,
                                    const CopyDetails& d) {
  std::vector<std::string> argv{RsyncProgram(o), "-a", "-H", "--protect-args", "-e",
                                SshCommandLine(o, run), kChangeFormat};
  if (o.dry_run) argv.push_back("--dry-run");
  if (o.io_timeout > 0) argv.push_back("--timeout=" + std::to_string(o.io_timeout));
  // --resume: a killed transfer leaves its piece in a hidden directory,
  // never at the file's own name, and the next run resumes from it.
  // Not the default: rsync then looks for a piece of every file, which
  // makes a run with nothing to do half as slow again.
  if (o.resume) argv.push_back("--partial-dir=.xdcp-partial");
  if (o.delay_updates) argv.push_back("--delay-updates");
  if (o.checksum) argv.push_back("--checksum");
  if (o.delete_extra) {
    argv.push_back("--delete");
    // A mirror source that lost most of its files is more likely a
    // mistake (an unmounted /install) than an intent.
    if (!o.force) argv.push_back("--max-delete=" + std::to_string(d.source_files / 2 + 1));
  }
  for (const auto& p : d.excludes) argv.push_back("--exclude=" + p);
  if (!o.delete_extra) {
    // A receiver killed hard (SIGKILL, a crash) leaves its temporary
    // file, .NAME.XXXXXX, beside the file; this run deletes such files
    // and nothing else: every directory and every other name is
    // protected. After the exclusions, which keep what they hide.
    Append(&argv, {"--delete", "--filter=P */", std::string("--filter=P! ") + kRsyncTempName});
  }
  if (!o.dry_run) argv.push_back(MakeDirsFirst(d.remote_dirs, "rsync"));
  Append(&argv, NodeOptionTokens(o));
  return argv;
}

// A pull of a tree from the SN, with the rules of a rsync pull from a
// node. Always rsync, as staging is: the SN has it, and scp would copy
// the directory itself.
std::vector<std::string> BringBackHead(const Options& o, const RunContext& run) {
  Options tree = o;
  tree.recursive = true;
  tree.rcp = RsyncProgram(o);
  std::vector<std::string> argv = PullHead(tree, run);
  // The SN stored its nodes' links munged; its rsync unmunges them as it
  // sends and this side munges them again: one /rsyncd-munged/ prefix, as
  // in a direct pull (what the SN sends is munged here whatever it is).
  argv.push_back("--remote-option=--munge-links");
  return argv;
}

}  // namespace

bool IsRsync(const std::string& rcp) { return Basename(rcp) == "rsync"; }

std::string RsyncProgram(const Options& o) { return IsRsync(o.rcp) ? o.rcp : "rsync"; }

std::vector<std::string> CopyArgv(CopyPurpose purpose, const Options& o,
                                  const RunContext& run, const CopyDetails& d) {
  switch (purpose) {
    case CopyPurpose::kPush: return PushHead(o, run, d.follow_links);
    case CopyPurpose::kPull: return PullHead(o, run);
    case CopyPurpose::kSync: return SyncHead(o, run, d);
    case CopyPurpose::kEditFetch: return EditFetchHead(o, run);
    case CopyPurpose::kImage: return ImageHead(o, d);
    case CopyPurpose::kStage: return StageHead(o, run, d);
    case CopyPurpose::kMirror: return MirrorHead(o, run, d);
    case CopyPurpose::kBringBack: return BringBackHead(o, run);
    case CopyPurpose::kRelay: return RelayHead(o, d);
  }
  return {};
}

std::vector<std::string> NodeOptionTokens(const Options& o) {
  std::vector<std::string> tokens;
  std::istringstream in(o.node_opts);
  for (std::string t; in >> t;) tokens.push_back(t);
  return tokens;
}

std::vector<std::string> SshCommand(const Options& o, const RunContext& run) {
  std::vector<std::string> argv{"ssh", "-o", "BatchMode=yes", "-o",
                                "ConnectTimeout=" + std::to_string(o.connect_timeout)};
  if (!run.ssh_ciphers.empty()) argv.insert(argv.end(), {"-c", run.ssh_ciphers});
  if (!run.control_dir.empty()) {
    // One login per node for all of its rsync runs and scripts: the first
    // command becomes the master, the others share its connection. An idle
    // master goes away by itself, so an interrupted run leaves none behind
    // for long; with --persist it waits that long for the next run.
    argv.insert(argv.end(), {"-o", "ControlMaster=auto", "-o",
                             "ControlPath=" + run.control_dir + "/%C", "-o",
                             "ControlPersist=" + std::to_string(o.persist > 0 ? o.persist : 10)});
  }
  return argv;
}

std::string SshCommandLine(const Options& o, const RunContext& run) {
  return Join(SshCommand(o, run), " ");
}

std::string RemotePath(const Options& o, const std::string& node,
                       const std::string& path) {
  return (o.user.empty() ? "" : o.user + "@") + node + ":" + path;
}

std::string ShellQuote(const std::string& word) {
  bool safe = !word.empty() &&
              word.find_first_not_of(
                  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                  "OPQRSTUVWXYZ0123456789@%_-+=:,./") == std::string::npos;
  if (safe) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ShellQuote(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + ShellQuote(a);
  return out;
}

}  // namespace xdcp
