// What xdcp decides for one run, as opposed to what the user said.
#ifndef XDCP_RUN_CONTEXT_H_
#define XDCP_RUN_CONTEXT_H_

#include <string>

namespace xdcp {

// Facts of this run and this machine that the modes work out and the
// planners need: they take it beside the Options (SshCommand reads it).
// Options stays what the command line and the environment said: nothing
// changes it after parsing.
struct RunContext {
  // Where ssh keeps the sockets of one shared connection per node
  // (ControlMaster): LOCK_DIR/ssh with --persist or --close-connections,
  // else a directory of the run's WorkDir; empty: every command logs in
  // by itself.
  std::string control_dir;
  // ssh's -c list for the --sn mirror (see ssh_cipher.h); empty: ssh's own.
  std::string ssh_ciphers;
};

}  // namespace xdcp

#endif  // XDCP_RUN_CONTEXT_H_
