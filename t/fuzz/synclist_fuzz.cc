// Any text as a synclist: parsed or refused with a FILE:LINE message.
#include <cstdlib>
#include <string>

#include "synclist.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  xdcp::SyncList list;
  std::string error;
  if (!xdcp::ParseSyncList("f", text, &list, &error) && error.compare(0, 2, "f:") != 0)
    abort();
  std::vector<std::string> unknown;
  xdcp::SubstituteVars(text, {{"A", "/x"}, {"B", "$A"}}, &unknown);
  return 0;
}
