// xdcp -i IMAGE -F SYNCLIST: the synclist's lines without a noderange,
// copied by local rsync runs into an image directory on the management
// node. Reads the file system when planning: globs and stats the sources,
// resolves each destination inside the image (its links lead inside the
// image, never to the management node's own paths).
#ifndef XDCP_IMAGE_PLAN_H_
#define XDCP_IMAGE_PLAN_H_

#include <string>
#include <vector>

#include "options.h"
#include "plan.h"
#include "synclist.h"

namespace xdcp {

// On success fills `plan` (one job, named after the image, fan-out 1) and
// appends notes for the user to `warnings` (the lines skipped for their
// noderange, the clauses not applied to an image); on an input error
// returns false with `error` ("FILE:LINE: ...").
bool MakeImagePlan(const Options& o, const SyncList& list,
                   const std::string& image, Plan* plan,
                   std::vector<std::string>* warnings, std::string* error);

}  // namespace xdcp

#endif  // XDCP_IMAGE_PLAN_H_
