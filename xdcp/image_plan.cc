#include "image_plan.h"

#include "image_path.h"
#include "paths.h"
#include "rsync_command.h"
#include "sources.h"

namespace xdcp {

bool MakeImagePlan(const Options& o, const SyncList& list,
                   const std::string& image, Plan* plan,
                   std::vector<std::string>* warnings, std::string* error) {
  plan->fanout = 1;
  plan->node_timeout = o.timeout;
  NodeJob job{image, {}};
  int skipped = 0;
  for (const auto& line : list.lines) {
    if (!line.noderange.empty()) {
      ++skipped;
      continue;
    }
    // The destination as the image's own root sees it: its links lead
    // inside the image, never to the management node's paths.
    std::string want = line.dest, inside, why;
    if (line.sources.size() > 1) want = WithTrailingSlash(want);
    if (!ResolveInImage(image, want, &inside, &why)) {
      *error = LineRef(list, line.line) + why;
      return false;
    }
    std::string dest = image + inside;
    std::string dir = inside.back() == '/' ? inside : Dirname(inside);
    Step mkdirs;
    mkdirs.kind = StepKind::kLocal;
    mkdirs.what = "make " + image + dir;
    mkdirs.local = [image, dir]() { return MakeImageDirs(image, dir); };
    job.steps.push_back(mkdirs);
    for (const auto& written : line.sources) {
      std::vector<std::string> paths;
      if (!GlobExisting(written, &paths)) {
        *error = LineRef(list, line.line) + "source not found: '" + written + "'";
        return false;
      }
      for (const auto& path : paths) {
        CopyDetails d;
        d.follow_links = IsNamedSymlink(path);
        Step s;
        s.argv = CopyArgv(CopyPurpose::kImage, o, RunContext{}, d);  // local: no ssh
        s.argv.insert(s.argv.end(), {path, dest});
        s.what = "copy " + path + " -> " + dest;
        job.steps.push_back(s);
      }
    }
  }
  if (skipped > 0) {
    warnings->push_back(list.path + ": skipped " + std::to_string(skipped) +
                        " lines with a noderange (apply them to the nodes with -F)");
  }
  if (!list.execute.empty() || !list.execute_always.empty() ||
      !list.append.empty() || !list.merge.empty()) {
    warnings->push_back(list.path +
                        ": EXECUTE, EXECUTEALWAYS, APPEND and MERGE are not applied "
                        "to an image");
  }
  plan->jobs.push_back(std::move(job));
  return true;
}

}  // namespace xdcp
