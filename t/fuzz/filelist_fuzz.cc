// Any text as an exclusion list; the patterns it yields can be re-rooted.
#include <cstdlib>
#include <string>

#include "filelist.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> patterns;
  std::string error;
  if (xdcp::ParseExcludeList("f", text, &patterns, &error)) {
    for (const auto& p : patterns) {
      if (p.empty()) abort();
    }
    xdcp::PatternsForRoot(patterns, "/install");
  } else if (error.compare(0, 2, "f:") != 0) {
    abort();
  }
  return 0;
}
