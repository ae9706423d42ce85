// -i IMAGE -F SYNCLIST: the synclist's lines without a noderange, copied
// into a netboot image directory on this machine; no node is involved.
#include <sys/stat.h>

#include "mode.h"
#include "image_plan.h"

namespace xdcp {

int SyncImage(const Options& o) {
  SyncList list;
  std::string error;
  if (!LoadSyncList(o.synclist, &list, &error)) return Fail(kExitUsage, error);
  struct stat st;
  if (stat(o.rootimg.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Fail(kExitUsage, "image directory " + o.rootimg + " does not exist");
  }
  Plan plan;
  std::vector<std::string> warnings;
  if (!MakeImagePlan(o, list, o.rootimg, &plan, &warnings, &error)) {
    return Fail(kExitUsage, error);
  }
  ShowWarnings(warnings);
  return Execute(o, std::move(plan));
}

}  // namespace xdcp
