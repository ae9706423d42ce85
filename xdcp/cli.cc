#include "cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "mode.h"
#include "printable.h"
#include "text.h"

namespace xdcp {
namespace {

int UsageError(const std::string& message) {
  fprintf(stderr, "Error: %s\nRun 'xdcp -h' for usage.\n",
          Printable(message, kMessageMax).c_str());
  return kExitUsage;
}

// The database is optional unless named: a missing default file means
// "names are host names", a missing file the admin named is an error.
bool LoadDb(const Options& o, ClusterDb* db, std::string* error) {
  struct stat st;
  if (!o.nodelist_named && stat(o.nodelist.c_str(), &st) != 0) return true;
  return LoadClusterDb(o.nodelist, db, error);
}

bool IsExecutable(const std::string& cmd, const std::string& path_env) {
  if (cmd.find('/') != std::string::npos) {
    struct stat st;
    return stat(cmd.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           access(cmd.c_str(), X_OK) == 0;
  }
  std::istringstream dirs(path_env);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (IsExecutable((dir.empty() ? "." : dir) + "/" + cmd, "")) return true;
  }
  return false;
}

std::string Get(const std::map<std::string, std::string>& env, const char* k) {
  auto it = env.find(k);
  return it == env.end() ? "" : it->second;
}

// The last step of reading the command line: the files it names stay the
// same files when a service node's xdcp finds them under SNsyncfiledir
// (staging keeps their full paths). Parsing itself reads no directory.
Options WithAbsolutePaths(Options o) {
  if (!o.synclist.empty()) o.synclist = Absolute(o.synclist);
  for (auto& list : o.exclude_from) list = Absolute(list);
  return o;
}

}  // namespace

int RunCli(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env) {
  ParsedCommandLine parsed = ParseCommandLine(args, env);
  if (!parsed.ok) return UsageError(parsed.error);
  const Options o = WithAbsolutePaths(parsed.options);
  if (o.help) return fputs(UsageText().c_str(), stdout), kExitOk;
  if (o.version) return printf("xdcp Version %s\n", XDCP_VERSION), kExitOk;
  if (o.show_config) return fputs(ShowConfig(o).c_str(), stdout), kExitOk;
  if (!o.require_version.empty()) {
    int rc = CheckVersion(o.require_version);
    if (rc != kExitOk || o.tree_digest.empty()) return rc;
    return PrintTreeDigest(o);
  }

  ClusterDb db;
  std::string error;
  if (!LoadDb(o, &db, &error)) return Fail(kExitUsage, error);
  if (o.export_xml) {
    if (!db.loaded) return Fail(kExitUsage, "--export-xml: no cluster database: " + o.nodelist);
    // The database is site data: a file the shell has just made for it
    // (regular, empty, ours) becomes 0600 before anything is written.
    struct stat st;
    if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
        st.st_uid == geteuid()) {
      fchmod(STDOUT_FILENO, st.st_mode & 0600);
    }
    return fputs(ClusterDbToXml(db).c_str(), stdout), kExitOk;
  }
  if (db.loaded) db.path = Absolute(db.path);
  NodeRangeEnv nr_env;
  nr_env.prefix = o.node_prefix;
  nr_env.suffix = o.node_suffix;
  nr_env.read_file = ReadWholeFile;
  if (!IsExecutable(o.rcp, Get(env, "PATH"))) {
    return Fail(kExitUsage, "remote copy command " + o.rcp +
                                " does not exist or is not executable");
  }
  if (!o.sn_range.empty() || !o.for_range.empty())
    return MirrorToServiceNodes(o, db, nr_env, env);
  if (!o.rootimg.empty()) return SyncImage(o);
  std::vector<std::string> nodes;
  if (!ExpandNodeRange(o.noderange, db, nr_env, &nodes, &error)) {
    return Fail(kExitUsage, error);
  }
  if (o.expand) {
    for (const auto& n : nodes) printf("%s\n", n.c_str());
    return kExitOk;
  }
  RunContext run;
  if (!UsePersistentConnections(o, &run, &error)) return Fail(kExitUsage, error);
  if (!o.close_connections.empty()) return CloseConnections(o, run, nodes);
  if (!o.synclist.empty()) return SyncFiles(o, run, db, nr_env, nodes);
  return CopyFiles(o, run, db, nodes);
}

}  // namespace xdcp
