// Any bytes as the nodelist XML: loaded or refused with PATH:LINE.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cluster_db.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A new file for each input, made here (O_EXCL, no link followed) and
  // removed after it is loaded: nothing is left in /tmp.
  static std::string path = "/tmp/xdcp-fuzz-nodelist." + std::to_string(getpid());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (fd < 0) return 0;
  bool written = write(fd, data, size) == static_cast<ssize_t>(size);
  close(fd);
  xdcp::ClusterDb db;
  std::string error;
  bool loaded = written && xdcp::LoadClusterDb(path, &db, &error);
  unlink(path.c_str());
  if (!written) return 0;
  if (!loaded && error.compare(0, path.size(), path) != 0) abort();
  for (const auto& n : db.nodes) {
    if (!xdcp::IsValidNodeName(n.name)) abort();
  }
  return 0;
}
