// Tree digests for the --sn fast path: see the design note in tree_digest.h.
#include "tree_digest.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <utility>

namespace xdcp {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Two independent 64-bit lanes over a byte stream.
struct Hasher {
  uint64_t a = 0xcbf29ce484222325ULL, b = 0x9e3779b97f4a7c15ULL;
  void Bytes(const void* data, size_t n) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      a = (a ^ p[i]) * 0x100000001b3ULL;
      b = ((b ^ p[i]) << 7 | (b ^ p[i]) >> 57) * 0x9e3779b97f4a7c15ULL;
    }
  }
  void Number(long long v) { Bytes(&v, sizeof v); }
  void Text(const std::string& s) {
    Number(static_cast<long long>(s.size()));
    Bytes(s.data(), s.size());
  }
};

// Owners by name, as rsync maps them between hosts (numbers without one).
std::string UserName(uid_t uid) {
  static std::map<uid_t, std::string> cache;
  auto it = cache.find(uid);
  if (it != cache.end()) return it->second;
  struct passwd* pw = uid == 0 ? nullptr : getpwuid(uid);
  return cache[uid] = pw ? std::string(pw->pw_name) : "#" + std::to_string(uid);
}

std::string GroupName(gid_t gid) {
  static std::map<gid_t, std::string> cache;
  auto it = cache.find(gid);
  if (it != cache.end()) return it->second;
  struct group* gr = gid == 0 ? nullptr : getgrgid(gid);
  return cache[gid] = gr ? std::string(gr->gr_name) : "#" + std::to_string(gid);
}

bool HashContent(int dirfd, const char* name, Hasher* h, std::string* error) {
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return *error = std::string(name) + ": " + strerror(errno), false;
  char buf[1 << 16];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) h->Bytes(buf, static_cast<size_t>(n));
  close(fd);
  if (n < 0) return *error = std::string(name) + ": " + strerror(errno), false;
  return true;
}

class Scanner {
 public:
  Scanner(bool checksum, TreeScan* scan) : checksum_(checksum), scan_(scan) {}

  // Adds the entry `rel` (stat `st`, in `dirfd` as `name`) and, for a
  // directory (`fd` open on it), its subtree.
  bool Add(int dirfd, const char* name, int fd, const std::string& rel, size_t name_at,
           const struct stat& st, std::string* error) {
    ScanEntry e;
    e.path = rel;
    e.name = name_at;
    e.dir = S_ISDIR(st.st_mode);
    e.dev = st.st_dev;
    e.ino = st.st_ino;
    e.linked = !e.dir && st.st_nlink > 1;
    Hasher h;
    h.Text(rel);
    h.Number(st.st_mode & S_IFMT);
    if (!S_ISLNK(st.st_mode)) h.Number(st.st_mode & 07777);
    h.Text(UserName(st.st_uid));
    h.Text(GroupName(st.st_gid));
    h.Number(st.st_mtim.tv_sec);
    if (S_ISREG(st.st_mode)) {
      h.Number(st.st_size);
      if (checksum_ && !HashContent(dirfd, name, &h, error)) return false;
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = readlinkat(dirfd, name, &target[0], target.size());
      if (n < 0) return *error = rel + ": " + strerror(errno), false;
      target.resize(static_cast<size_t>(n));
      h.Text(target);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      h.Number(static_cast<long long>(st.st_rdev));
    }
    e.h1 = h.a;
    e.h2 = h.b;
    size_t index = scan_->entries.size();
    scan_->entries.push_back(std::move(e));
    if (!scan_->entries[index].dir) {
      ++scan_->non_dirs;
      return true;
    }
    bool ok = Children(fd, rel == "." ? "" : rel + "/", error);
    scan_->entries[index].end = scan_->entries.size();
    return ok;
  }

 private:
  bool Children(int fd, const std::string& prefix, std::string* error) {
    int listfd = dup(fd);
    DIR* d = listfd < 0 ? nullptr : fdopendir(listfd);
    if (!d) {
      if (listfd >= 0) close(listfd);
      return *error = (prefix.empty() ? "." : prefix) + ": " + strerror(errno), false;
    }
    std::vector<std::string> names;
    while (dirent* de = readdir(d)) {
      if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
        names.emplace_back(de->d_name);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      struct stat st;
      if (fstatat(fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // gone meanwhile: the digest differs
        return *error = prefix + n + ": " + strerror(errno), false;
      }
      int sub = -1;
      if (S_ISDIR(st.st_mode)) {
        sub = openat(fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) return *error = prefix + n + ": " + strerror(errno), false;
      }
      bool ok = Add(fd, n.c_str(), sub, prefix + n, prefix.size(), st, error);
      if (sub >= 0) close(sub);
      if (!ok) return false;
    }
    return true;
  }

  bool checksum_;
  TreeScan* scan_;
};

size_t Slashes(const std::string& s) { return std::count(s.begin(), s.end(), '/'); }

bool Matches(const std::string& pattern, const std::string& path, bool dir) {
  std::string p = pattern;
  bool dir_only = p.size() > 1 && p.back() == '/';
  if (dir_only) p.pop_back();
  if (dir_only && !dir) return false;
  if (p[0] == '/') return fnmatch(p.c_str() + 1, path.c_str(), FNM_PATHNAME) == 0;
  // Unanchored: against as many trailing components as the pattern has.
  size_t want = Slashes(p);
  size_t start = path.size();
  for (size_t seen = 0; start > 0; --start) {
    if (path[start - 1] == '/' && seen++ == want) break;
  }
  if (start == 0 && Slashes(path) < want) return false;
  return fnmatch(p.c_str(), path.c_str() + start, FNM_PATHNAME) == 0;
}

}  // namespace

bool ScanTree(const std::string& root, bool checksum, TreeScan* scan, std::string* error) {
  scan->entries.clear();
  scan->non_dirs = 0;
  // The root is followed as rsync follows "DIR/".
  int fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    scan->exists = false;
    if (errno == ENOENT) return true;
    return *error = root + ": " + strerror(errno), false;
  }
  scan->exists = true;
  struct stat st;
  bool ok = fstat(fd, &st) == 0;
  if (!ok) *error = root + ": " + strerror(errno);
  ok = ok && Scanner(checksum, scan).Add(fd, ".", fd, ".", 0, st, error);
  close(fd);
  if (!ok) *error = root + "/" + *error;
  return ok;
}

bool PatternsMatchable(const std::vector<std::string>& patterns, std::string* why) {
  for (const auto& p : patterns) {
    const char* bad = p.empty()                                    ? "empty"
                      : p == "/" || p == "!"                       ? "a whole-list rule"
                      : p.compare(0, 2, "+ ") == 0 || p.compare(0, 2, "- ") == 0
                          ? "a filter rule"
                      : p.find("**") != std::string::npos          ? "'**'"
                      : p.find('\\') != std::string::npos          ? "a backslash"
                      : p.find('[') != std::string::npos           ? "a character class"
                      : p.size() > 1 && p.substr(p.size() - 2) == "//" ? "two trailing slashes"
                                                                   : nullptr;
    if (bad) {
      *why = "exclusion '" + p + "' has " + bad + ", which xdcp does not match itself";
      return false;
    }
  }
  return true;
}

bool ExcludedBy(const std::vector<std::string>& patterns, const std::string& path, bool dir) {
  for (const auto& p : patterns) {
    if (Matches(p, path, dir)) return true;
  }
  return false;
}

namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

// Calls visit(i, leader, parent) for each entry `patterns` leave in, in
// scan order: `leader` is the first included path of its hard-link group
// when that is another entry (else kNone), `parent` the index of its
// directory (kNone for the root).
template <typename Visit>
void ForIncluded(const TreeScan& scan, const std::vector<std::string>& patterns, Visit visit) {
  std::map<std::pair<dev_t, ino_t>, size_t> leaders;
  std::vector<size_t> open;  // the directories the next entry may be in
  const auto& es = scan.entries;
  for (size_t i = 0; i < es.size();) {
    const ScanEntry& e = es[i];
    if (i > 0 && !patterns.empty() && ExcludedBy(patterns, e.path, e.dir)) {
      i = e.dir ? e.end : i + 1;  // an excluded directory: its subtree too
      continue;
    }
    while (!open.empty() && i >= es[open.back()].end) open.pop_back();
    size_t leader = kNone;
    if (e.linked) {
      size_t first = leaders.emplace(std::make_pair(e.dev, e.ino), i).first->second;
      if (first != i) leader = first;
    }
    visit(i, leader, open.empty() ? kNone : open.back());
    if (e.dir) open.push_back(i);
    ++i;
  }
}

struct Fold {
  uint64_t s1 = 0x6a09e667f3bcc908ULL, s2 = 0xbb67ae8584caa73bULL;
  void Add(uint64_t h1, uint64_t h2) {
    s1 = Mix(s1 ^ h1);
    s2 = Mix(s2 + h2);
  }
  // An entry: its attributes and, for a hard link that is not the first
  // of its group, that first path.
  void Entry(const TreeScan& scan, size_t i, size_t leader) {
    Add(scan.entries[i].h1, scan.entries[i].h2);
    if (leader == kNone) return;  // alone so far: as a file with one link
    Hasher h;
    h.Text(scan.entries[leader].path);
    Add(h.a, h.b);
  }
};

}  // namespace

std::string TreeDigest(const TreeScan& scan, const std::vector<std::string>& patterns) {
  if (!scan.exists) return "missing";
  Fold f;
  ForIncluded(scan, patterns, [&](size_t i, size_t leader, size_t) { f.Entry(scan, i, leader); });
  return std::to_string(static_cast<long long>(f.s1 >> 1)) + " " +
         std::to_string(static_cast<long long>(f.s2 >> 1));
}

namespace {

// Each included directory's entries, in scan order, with their leaders.
struct Child {
  size_t entry;
  size_t leader;
};
using Children = std::map<size_t, std::vector<Child>>;  // directory -> entries

Children ChildrenOf(const TreeScan& scan, const std::vector<std::string>& patterns) {
  Children out;
  ForIncluded(scan, patterns, [&](size_t i, size_t leader, size_t parent) {
    if (scan.entries[i].dir) out[i];
    if (parent != kNone) out[parent].push_back({i, leader});
  });
  return out;
}

std::string Hex64(uint64_t v) {
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(v));
  return hex;
}

// The hash of an entry's name: in its directory's names digest, and
// (NameBucket) which bucket it is in.
Hasher NameHash(const ScanEntry& e) {
  Hasher h;
  h.Text(e.path.substr(e.name));
  return h;
}

size_t NameBucket(const Hasher& name, size_t buckets) {
  return static_cast<size_t>(Mix(name.a) % buckets);
}

DirDigest DigestOf(const TreeScan& scan, size_t dir, const std::vector<Child>& children) {
  Fold all, self, names;
  all.Entry(scan, dir, kNone);
  self.Entry(scan, dir, kNone);
  size_t n = children.size() > kBucketedAbove ? (children.size() + kPerBucket - 1) / kPerBucket : 0;
  std::vector<Fold> buckets(n);
  for (const Child& c : children) {
    all.Entry(scan, c.entry, c.leader);
    Hasher h = NameHash(scan.entries[c.entry]);
    names.Add(h.a, h.b);
    if (n) buckets[NameBucket(h, n)].Entry(scan, c.entry, c.leader);
  }
  DirDigest d;
  d.entry = dir;
  d.digest = Hex64(all.s1) + Hex64(all.s2);
  d.self = Hex64(self.s1 ^ self.s2);
  d.names = Hex64(names.s1 ^ names.s2);
  for (const Fold& b : buckets) d.buckets += Hex64(b.s1 ^ b.s2);
  return d;
}

}  // namespace

std::vector<DirDigest> DirDigests(const TreeScan& scan, const std::vector<std::string>& patterns) {
  std::vector<DirDigest> out;
  if (!scan.exists) return out;
  for (const auto& [dir, children] : ChildrenOf(scan, patterns))
    out.push_back(DigestOf(scan, dir, children));  // scan order: indexes ascend
  return out;
}

std::vector<Difference> Differences(const TreeScan& scan, const std::vector<std::string>& patterns,
                                    const std::vector<TheirDir>& theirs) {
  std::map<std::string, DirDigest> mine;
  for (const auto& d : DirDigests(scan, patterns)) mine[scan.entries[d.entry].path] = d;
  std::vector<Difference> out;
  for (size_t k = 0; k < theirs.size(); ++k) {
    const TheirDir& t = theirs[k];
    auto it = mine.find(t.path);
    if (it != mine.end() && it->second.digest == t.digest) continue;
    // Other names (an entry missing or extra here) or too few entries to
    // bucket: the whole directory, so that rsync also deletes there.
    if (it == mine.end() || it->second.names != t.names || t.buckets.empty() ||
        t.buckets.size() != it->second.buckets.size()) {
      out.push_back({Difference::kWhole, k, 0});
      continue;
    }
    if (it->second.self != t.self) out.push_back({Difference::kSelf, k, 0});
    for (size_t b = 0; b * 16 < t.buckets.size(); ++b) {
      if (t.buckets.compare(b * 16, 16, it->second.buckets, b * 16, 16) != 0)
        out.push_back({Difference::kBucket, k, b});
    }
  }
  return out;
}

bool PathsToSend(const TreeScan& scan, const std::vector<std::string>& patterns,
                 const std::vector<DirDigest>& dirs, const std::vector<Difference>& differences,
                 std::vector<std::string>* paths) {
  Children children = ChildrenOf(scan, patterns);
  // Hard-link groups (included members only): their members, and the
  // directories those are in.
  std::map<std::pair<dev_t, ino_t>, std::vector<std::pair<size_t, size_t>>> groups;
  for (const auto& [dir, list] : children) {
    for (const Child& c : list) {
      const ScanEntry& e = scan.entries[c.entry];
      if (e.linked) groups[{e.dev, e.ino}].push_back({c.entry, dir});
    }
  }
  std::set<size_t> whole, single;  // entry indexes
  std::vector<size_t> todo;
  for (const Difference& d : differences) {
    if (d.dir >= dirs.size()) return false;
    const DirDigest& dir = dirs[d.dir];
    if (d.kind == Difference::kWhole) {
      if (whole.insert(dir.entry).second) todo.push_back(dir.entry);
    } else if (d.kind == Difference::kSelf) {
      single.insert(dir.entry);
    } else {
      size_t n = dir.buckets.size() / 16;
      if (d.bucket >= n) return false;
      for (const Child& c : children[dir.entry]) {
        if (NameBucket(NameHash(scan.entries[c.entry]), n) != d.bucket) continue;
        single.insert(c.entry);
        const ScanEntry& e = scan.entries[c.entry];
        if (!e.linked) continue;
        for (const auto& member : groups[{e.dev, e.ino}]) single.insert(member.first);
      }
    }
  }
  // A whole directory's hard links: their directories go whole too.
  while (!todo.empty()) {
    size_t d = todo.back();
    todo.pop_back();
    for (const Child& c : children[d]) {
      const ScanEntry& e = scan.entries[c.entry];
      if (!e.linked) continue;
      for (const auto& member : groups[{e.dev, e.ino}]) {
        if (whole.insert(member.second).second) todo.push_back(member.second);
      }
    }
  }
  paths->clear();
  std::set<size_t> all(whole.begin(), whole.end());
  all.insert(single.begin(), single.end());
  for (size_t i : all) {  // scan order
    if (whole.count(i)) paths->push_back(scan.entries[i].path + "/");
    if (single.count(i)) paths->push_back(scan.entries[i].path);
  }
  return true;
}

}  // namespace xdcp
