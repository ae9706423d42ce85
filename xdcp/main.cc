// xdcp: copy files to and from the nodes of an xCAT cluster. See xdcp(1).
#include <map>
#include <string>
#include <vector>

#include "cli.h"

extern char** environ;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  try {
    return xdcp::RunCli(args, env);
  } catch (const std::exception& e) {
    fprintf(stderr, "Error: %s\n", e.what());
    return xdcp::kExitUsage;
  }
}
