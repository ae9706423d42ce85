// xdcp: copy files to and from the nodes of an xCAT cluster. See xdcp(1).
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli.h"
#include "printable.h"

extern char** environ;

namespace {

// XDCP_RUSAGE_FILE: where to write xdcp's own CPU time and peak memory,
// children excluded, for benchmarks ("user_s sys_s maxrss_kb").
void WriteOwnUsage(const std::map<std::string, std::string>& env) {
  auto it = env.find("XDCP_RUSAGE_FILE");
  if (it == env.end() || it->second.empty()) return;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  if (FILE* f = fopen(it->second.c_str(), "w")) {
    fprintf(f, "%ld.%06ld %ld.%06ld %ld\n", ru.ru_utime.tv_sec,
            static_cast<long>(ru.ru_utime.tv_usec), ru.ru_stime.tv_sec,
            static_cast<long>(ru.ru_stime.tv_usec), ru.ru_maxrss);
    fclose(f);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A write to a closed pipe (a service node's ssh channel once the
  // management node is gone, or `| head`) fails with EPIPE instead of
  // killing xdcp before it has stopped its children and removed its work
  // directory. Children get the default back (see executor.cc).
  signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  try {
    int status = xdcp::RunCli(args, env);
    WriteOwnUsage(env);
    return status;
  } catch (const std::exception& e) {
    fprintf(stderr, "Error: %s\n", xdcp::Printable(e.what(), 1024).c_str());
    return xdcp::kExitUsage;
  }
}
