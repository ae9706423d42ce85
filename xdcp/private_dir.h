// Directories only xdcp's own user may write: the lock directory, and the
// ssh control sockets of --persist inside it.
#ifndef XDCP_PRIVATE_DIR_H_
#define XDCP_PRIVATE_DIR_H_

#include <string>

namespace xdcp {

// Opens `path` as a directory that only the effective user can change:
// made with mode 0700 if missing (its parent must exist), then refused
// unless it is a real directory (not a symbolic link) owned by the
// effective user with no group or other write permission. The checks are
// made on the opened directory (no window for a swap). Returns a
// close-on-exec descriptor, or -1 and an error naming the directory (as
// `role`), its path and what is wrong with it.
int OpenPrivateDir(const std::string& path, std::string* error,
                   const std::string& role = "lock directory");

}  // namespace xdcp

#endif  // XDCP_PRIVATE_DIR_H_
