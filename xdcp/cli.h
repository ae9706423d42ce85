// The command as a whole: parse, plan, execute, report. Returns the exit
// status. Separate from main() so tests can drive it.
#ifndef XDCP_CLI_H_
#define XDCP_CLI_H_

#include <map>
#include <string>
#include <vector>

namespace xdcp {

constexpr int kExitOk = 0;
constexpr int kExitNodeFailed = 1;
constexpr int kExitUsage = 2;  // usage, configuration or input errors

int RunCli(const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env);

}  // namespace xdcp

#endif  // XDCP_CLI_H_
