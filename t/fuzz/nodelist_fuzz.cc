// Any bytes as the nodelist XML: loaded or refused with PATH:LINE.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cluster_db.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::string path = "/tmp/xdcp-fuzz-nodelist." + std::to_string(getpid());
  FILE* f = fopen(path.c_str(), "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  xdcp::ClusterDb db;
  std::string error;
  if (!xdcp::LoadClusterDb(path, &db, &error) && error.compare(0, path.size(), path) != 0)
    abort();
  for (const auto& n : db.nodes) {
    if (!xdcp::IsValidNodeName(n.name)) abort();
  }
  return 0;
}
