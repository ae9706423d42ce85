#include "mirror_plan.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "filelist.h"
#include "paths.h"
#include "work_dir.h"

namespace xdcp {
namespace {

bool IsDir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> Subdirs(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != ".." && IsDir(dir + "/" + name)) out.push_back(dir + "/" + name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "ROOT/x/y" -> "/x/y/" (a directory pattern anchored at the transfer root).
std::string Anchored(const std::string& root, const std::string& path) {
  return WithoutTrailingSlashes(path).substr(root.size()) + "/";
}

bool Under(const std::string& root, const std::string& path) {
  std::string p = WithoutTrailingSlashes(path);
  return p.compare(0, root.size() + 1, root + "/") == 0;
}

long files_counted = 0;
int CountOne(const char*, const struct stat*, int type, struct FTW*) {
  if (type == FTW_F || type == FTW_SL || type == FTW_SLN) ++files_counted;
  return 0;
}

long CountFiles(const std::string& root) {
  files_counted = 0;
  nftw(root.c_str(), CountOne, 32, FTW_PHYS);
  return files_counted;
}

// The probe of `sn`'s digest of `root` (`input`, its exclusions and the
// directory digests as --tree-digest reads them, is written to `file` for
// the remote xdcp's stdin). Its first line is compared with `digest`; any
// other line (an error, an xdcp without --tree-digest) counts as a
// difference, so rsync runs.
bool DigestProbeStep(const Options& o, const RunContext& run, const std::string& sn,
                     const std::string& root, const std::string& file, const std::string& input,
                     const std::string& digest, Step* step, std::string* error) {
  Probe p;
  p.local = "tree digest of " + root;
  if (sscanf(digest.c_str(), "%lld %lld", &p.size, &p.mtime) != 2) {
    *error = root + " does not exist here";
    return false;
  }
  if (!WritePrivateFile(file, input)) {
    *error = "cannot write " + file + ": " + strerror(errno);
    return false;
  }
  std::string cmd = ShellQuote(o.remote_xdcp) + " --require-version " XDCP_VERSION
                    " --tree-digest " + ShellQuote(root);
  if (o.checksum) cmd += " --checksum";
  cmd += " 2>&1 || echo 'no tree digest'";
  *step = RemoteCommandStep(o, run, sn, cmd, "compare the tree digest of " + root);
  step->stdin_path = file;
  step->probes = {p};
  return true;
}

// What the management node knows of one mirrored path for one set of
// exclusions: shared by the SNs that have those exclusions.
struct Known {
  std::string digest;  // TreeDigest
  std::shared_ptr<const std::vector<DirDigest>> dirs;
  std::string input;   // the probe's stdin
};

// What one SN's probe said differs ("differs K", "self K" and "bucket K
// B" lines, see Differences).
struct Differing {
  std::vector<Difference> dirs;
  bool other = false;  // a line that is no such record
  std::string note;    // for -T, once the list is made
  bool some = false;   // some of the directories go, not all
};

// What the local step between the probe and rsync decides: the
// directories to send, or all of the tree (a plain rsync run). `round` is
// "" for the first probe, kAfterRelay for the one after a relay.
constexpr char kAfterRelay[] = " after the relay";
std::string AllOf(const std::string& root, const std::string& round = "") {
  return "all of " + root + round;
}
std::string SomeOf(const std::string& root, const std::string& round = "") {
  return "directories of " + root + " that differ" + round;
}

// --relay: the SNs, in plan order, form a tree kRelayWidth wide. The
// management node sends to the first kRelayWidth SNs; SN k forwards to
// SNs kRelayWidth*(k+1) to kRelayWidth*(k+1)+kRelayWidth-1, after its own
// job ends. A parent always comes before its children in the plan, so a
// child waiting for it never holds back its run (Step::after_job).
constexpr size_t kRelayWidth = 2;
int RelayParent(size_t index) {
  return index < kRelayWidth ? -1 : static_cast<int>((index - kRelayWidth) / kRelayWidth);
}

// Reads the probe's lines after its digest ("differs K", "self K",
// "bucket K B") into `found`; any other line makes it unusable.
void CollectDiffering(Step* probe, std::shared_ptr<Differing> found) {
  probe->more_lines = [found](const std::string& line) {
    unsigned long long k = 0, b = 0;
    int end = -1;
    const char* l = line.c_str();
    Difference d;
    if (sscanf(l, "differs %llu%n", &k, &end) == 1 && static_cast<size_t>(end) == line.size()) {
      d = {Difference::kWhole, static_cast<size_t>(k), 0};
    } else if (end = -1, sscanf(l, "self %llu%n", &k, &end) == 1 &&
                             static_cast<size_t>(end) == line.size()) {
      d = {Difference::kSelf, static_cast<size_t>(k), 0};
    } else if (end = -1, sscanf(l, "bucket %llu %llu%n", &k, &b, &end) == 2 &&
                             static_cast<size_t>(end) == line.size()) {
      d = {Difference::kBucket, static_cast<size_t>(k), static_cast<size_t>(b)};
    } else {
      found->other = true;
      return;
    }
    found->dirs.push_back(d);
  };
}

// The relay of `root` from SN `from` to SN `to`, run on `from` with `to`'s
// exclusions; it runs only if `to`'s first probe found all of the tree to
// send, once `from`'s job (job `from_job`) has ended well. It may fail:
// the management node then sends what it would have.
Step RelayStep(const Options& o, const RunContext& run, const std::string& from, int from_job,
               const std::string& to, const std::string& root,
               const std::vector<std::string>& patterns) {
  CopyDetails d;
  d.excludes = patterns;
  d.remote_dirs = {root};
  std::vector<std::string> argv = CopyArgv(CopyPurpose::kRelay, o, run, d);
  argv.insert(argv.end(), {root + "/", RemotePath(o, to, root + "/")});
  Step s = RemoteCommandStep(o, run, from, ShellQuote(argv), "relay " + root + " from " + from);
  // Without --persist, `from`'s own job has closed its shared connection.
  if (o.persist == 0) UnshareConnection(o, run, &s);
  // A relaying SN that stops answering is given up on within 15-20 s, and
  // this run sends in its place: it must not hold up an SN that is fine.
  s.argv.insert(s.argv.begin() + 1, {"-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"});
  s.run_if_changed = {AllOf(root)};
  s.after_job = from_job;
  s.may_fail = true;
  s.failure_note = "relay of " + root + " from " + from + " failed; sending from here";
  return s;
}

// The local step between the probe and rsync. If the SN named some of the
// directories, or buckets of them, it writes rsync's list to `file`
// (PathsToSend, NUL-terminated: a whole directory with a trailing slash so
// that rsync sends its contents, single entries without), and marks
// SomeOf(root, round) changed: the rsync run with that list goes. If it
// named every directory whole, none, or anything else (an error, a
// missing tree, a directory or bucket that is not in the list), it marks
// AllOf(root, round): the plain rsync run of the whole tree goes.
Step ListDifferingStep(const std::string& sn, const std::string& root, const TreeScan* tree,
                       const std::vector<std::string>& patterns,
                       std::shared_ptr<const std::vector<DirDigest>> dirs,
                       std::shared_ptr<Differing> found, const std::string& file,
                       const std::string& round) {
  Step s;
  s.kind = StepKind::kLocal;
  s.what = "list the directories of " + root + " that differ on " + sn + round;
  s.local = [=]() -> std::string {
    std::string total = " (" + std::to_string(dirs->size()) + " directories)";
    std::vector<std::string> send;
    if (found->other || found->dirs.empty() ||
        !PathsToSend(*tree, patterns, *dirs, found->dirs, &send)) {
      found->note = AllOf(root) + " to send" + total + ": no usable list from " + sn + round;
      return "";
    }
    size_t whole = std::count_if(send.begin(), send.end(),
                                 [](const std::string& p) { return p.back() == '/'; });
    if (whole == dirs->size()) {
      found->note =
          AllOf(root) + " to send" + total + ": every directory differs on " + sn + round;
      return "";
    }
    std::string text;
    for (const auto& p : send) text += p + '\0';
    if (!WritePrivateFile(file, text)) return "cannot write " + file + ": " + strerror(errno);
    found->note = std::to_string(whole) + " of " + std::to_string(dirs->size()) +
                  " directories";
    if (send.size() > whole)
      found->note += " and " + std::to_string(send.size() - whole) + " entries";
    found->note += " of " + root + " to send";
    // The first few directories the SN named, for -T: what drifted or changed.
    std::vector<std::string> named;
    for (const Difference& d : found->dirs) {
      const std::string& path = tree->entries[(*dirs)[d.dir].entry].path;
      if (named.empty() || named.back() != path) named.push_back(path);
    }
    const size_t kNamed = 3;
    for (size_t i = 0; i < named.size() && i < kNamed; ++i)
      found->note += (i ? ", " : ": ") + named[i];
    if (named.size() > kNamed)
      found->note += " and " + std::to_string(named.size() - kNamed) + " more";
    found->some = true;
    return "";
  };
  s.local_note = [found]() { return found->note; };
  s.local_changed = [found, root, round]() {
    return std::vector<std::string>{found->some ? SomeOf(root, round) : AllOf(root, round)};
  };
  return s;
}

}  // namespace

std::vector<ExclusionRule> DefaultExclusions(const ClusterDb& db,
                                             const std::vector<std::string>& nodes,
                                             const std::string& root) {
  std::vector<ExclusionRule> out;
  // copycds trees: named by the database, or recognised by media markers.
  std::set<std::string> trees;
  for (const auto& [name, distro] : db.osdistros) {
    for (const auto& p : distro.dirpaths) {
      if (Under(root, p)) trees.insert(WithoutTrailingSlashes(p));
    }
  }
  for (const auto& top : Subdirs(root)) {
    for (const auto& arch : Subdirs(top)) {
      struct stat st;
      for (const char* marker : {"/.treeinfo", "/.discinfo"}) {
        if (stat((arch + marker).c_str(), &st) == 0) trees.insert(arch);
      }
    }
  }
  ExclusionRule copycds{"copycds trees", {}};
  for (const auto& t : trees) copycds.patterns.push_back(Anchored(root, t));
  out.push_back(std::move(copycds));
  if (!db.loaded) return out;
  std::set<std::string> used;  // rootimgdirs of the images `nodes` use
  for (const auto& name : nodes) {
    const Node* n = db.FindNode(name);
    const OsImage* img = n ? db.FindOsImage(n->provmethod) : nullptr;
    if (img && !img->rootimgdir.empty()) used.insert(WithoutTrailingSlashes(img->rootimgdir));
  }
  // netboot/OS/ARCH/PROFILE: an image none of the nodes uses stays home.
  ExclusionRule images{"netboot images none of its nodes uses", {}};
  for (const auto& os : Subdirs(root + "/netboot")) {
    for (const auto& arch : Subdirs(os)) {
      for (const auto& image : Subdirs(arch)) {
        if (!used.count(image)) images.patterns.push_back(Anchored(root, image));
      }
    }
  }
  out.push_back(std::move(images));
  return out;
}

Plan MakeMirrorPlan(const MirrorInput& in, std::vector<std::string>* notes) {
  const Options& o = *in.options;
  Plan plan;
  plan.fanout = o.fanout;
  plan.node_timeout = o.timeout;
  // The management node's digest, by path and exclusions: SNs with the
  // same exclusions share it.
  std::map<std::pair<std::string, std::string>, Known> known;
  int files_written = 0;
  for (const auto& [sn, nodes] : in.nodes_of) {
    NodeJob job{sn, {}};
    for (const auto& raw : in.paths) {
      std::string root = WithoutTrailingSlashes(raw);
      auto scan = in.scans.find(root);
      const TreeScan* tree = scan == in.scans.end() ? nullptr : scan->second;
      std::vector<ExclusionRule> rules;
      for (const auto& list : in.lists)
        rules.push_back({list.why, PatternsForRoot(list.patterns, root)});
      if (in.default_excludes) {
        for (auto& r : DefaultExclusions(*in.db, nodes, root)) rules.push_back(std::move(r));
      }
      CopyDetails d;
      for (const auto& r : rules)
        d.excludes.insert(d.excludes.end(), r.patterns.begin(), r.patterns.end());
      const std::vector<std::string>& patterns = d.excludes;
      d.remote_dirs = {root};
      if (o.delete_extra) d.source_files = tree ? tree->non_dirs : CountFiles(root);
      Step s;
      s.argv = CopyArgv(CopyPurpose::kMirror, o, in.run, d);
      s.argv.insert(s.argv.end(), {root + "/", RemotePath(o, sn, root + "/")});
      notes->push_back(sn + ": " + root + ": " + std::to_string(patterns.size()) + " exclusions");
      for (const auto& r : rules)
        notes->push_back(sn + ": " + root + ":   " + std::to_string(r.patterns.size()) + " " + r.why);
      s.change_roots = {{"", root, false}};
      s.what = "mirror " + root;
      std::string why_not = in.fast_path_off;
      if (why_not.empty() && tree) PatternsMatchable(patterns, &why_not);
      if (why_not.empty() && !tree) {
        // no scan: plain rsync (the plan without the fast path)
      } else if (why_not.empty()) {
        std::string key;
        for (const auto& p : patterns) key += p + '\0';
        std::string number = std::to_string(files_written++);
        Known& k = known[{root, key}];
        if (k.digest.empty()) {
          k.digest = TreeDigest(*tree, patterns);
          k.dirs = std::make_shared<const std::vector<DirDigest>>(DirDigests(*tree, patterns));
          k.input = key + '\0';
          for (const auto& dir : *k.dirs) {  // TheirDir on the SN
            k.input += tree->entries[dir.entry].path + '\0' + dir.digest + '\0' + dir.self +
                       '\0' + dir.names + '\0' + dir.buckets + '\0';
          }
        }
        Step probe;
        if (!DigestProbeStep(o, in.run, sn, root, in.workdir + "/probe." + number, k.input,
                             k.digest, &probe, &why_not)) {
          notes->push_back("fast path: " + sn + ": " + root + ": off: " + why_not);
        } else {
          notes->push_back("fast path: " + sn + ": " + root + ": rsync runs only if " + sn +
                           "'s tree digest differs from " + k.digest +
                           ", and sends only the directories that differ");
          auto found = std::make_shared<Differing>();
          CollectDiffering(&probe, found);
          std::string list = in.workdir + "/send." + number;
          Step pick = ListDifferingStep(sn, root, tree, patterns, k.dirs, found, list, "");
          pick.run_if_changed = {probe.probes[0].local};
          // Only the listed directories' contents (-a without -r here).
          Step some = s;
          some.argv.insert(some.argv.end() - 2, {"--files-from=" + list, "--from0"});
          some.run_if_changed = {SomeOf(root)};
          s.run_if_changed = {AllOf(root)};
          job.steps.push_back(probe);
          job.steps.push_back(std::move(pick));
          int parent = in.relay ? RelayParent(plan.jobs.size()) : -1;
          if (parent >= 0) {
            // A cold tree comes from the parent SN first; a second probe
            // then finds what it lacks (what the parent's exclusions left
            // out, what changed since), and only that goes from here.
            const std::string& from = plan.jobs[parent].node;
            notes->push_back("relay: " + sn + ": " + root + ": if all of it is to send, " +
                             from + " sends it first");
            job.steps.push_back(RelayStep(o, in.run, from, parent, sn, root, patterns));
            Step again = probe;
            again.probes[0].local += kAfterRelay;
            again.run_if_changed = {AllOf(root)};
            auto found_again = std::make_shared<Differing>();
            CollectDiffering(&again, found_again);
            Step pick_again = ListDifferingStep(sn, root, tree, patterns, k.dirs, found_again,
                                                list, kAfterRelay);
            pick_again.run_if_changed = {again.probes[0].local};
            some.run_if_changed.push_back(SomeOf(root, kAfterRelay));
            s.run_if_changed = {AllOf(root, kAfterRelay)};
            job.steps.push_back(std::move(again));
            job.steps.push_back(std::move(pick_again));
          }
          job.steps.push_back(std::move(some));
        }
      } else {
        notes->push_back("fast path: " + sn + ": " + root + ": off: " + why_not);
      }
      job.steps.push_back(std::move(s));
    }
    plan.jobs.push_back(std::move(job));
  }
  return plan;
}

}  // namespace xdcp
