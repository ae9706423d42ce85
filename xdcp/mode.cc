// What the modes share: messages and small loaders (see mode.h).
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "mode.h"
#include "printable.h"
#include "paths.h"
#include "text.h"

namespace xdcp {

int Fail(int code, const std::string& message) {
  fprintf(stderr, "Error: %s\n", Printable(message, kMessageMax).c_str());
  return code;
}

bool LoadSyncList(const std::string& path, SyncList* list, std::string* error) {
  std::string text;
  if (!ReadWholeFile(path, &text)) {
    *error = "File:" + path + " does not exist.";
    return false;
  }
  return ParseSyncList(path, text, list, error);
}

int ShowWarnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    fprintf(stderr, "Warning: %s\n", Printable(w, kMessageMax).c_str());
  }
  return 0;
}

// A run stopped by a signal before anything was sent.
int StoppedBeforeStart(int sig) {
  return Fail(128 + sig, std::string("stopped by ") + strsignal(sig) +
                             " while checking the service node pools; nothing was sent");
}

std::string SnSyncFileDir(const ClusterDb& db) {
  return WithoutTrailingSlashes(db.site.sn_sync_file_dir);
}

std::string Absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  return getcwd(cwd, sizeof cwd) ? std::string(cwd) + "/" + path : path;
}

}  // namespace xdcp
