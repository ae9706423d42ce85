#include "ssh_cipher.h"

#include <glob.h>

#include <cctype>
#include <set>
#include <sstream>

#include "text.h"

namespace xdcp {

const char kAesFirstCiphers[] =
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,"
    "aes128-ctr,aes192-ctr,aes256-ctr";

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ssh_config keywords are case-insensitive and may be followed by '='.
std::string Keyword(const std::string& line, std::string* rest) {
  size_t b = line.find_first_not_of(" \t");
  if (b == std::string::npos || line[b] == '#') return "";
  size_t e = line.find_first_of(" \t=", b);
  std::string key = Lower(line.substr(b, e == std::string::npos ? std::string::npos : e - b));
  *rest = e == std::string::npos ? "" : line.substr(e);
  size_t v = rest->find_first_not_of(" \t=");
  *rest = v == std::string::npos ? "" : rest->substr(v);
  return key;
}

// Reads `path` and what it includes (ssh resolves a relative Include
// against `base`, and "~/" against the user's `home`); true as soon as one
// of them names ciphers.
bool NamesCiphers(const std::string& path, const std::string& base,
                  const std::string& home, std::set<std::string>* seen) {
  if (!seen->insert(path).second) return false;
  std::string text;
  if (!ReadWholeFile(path, &text)) return false;
  std::vector<std::string> includes;
  if (ConfigNamesCiphers(text, &includes)) return true;
  for (std::string pattern : includes) {
    if (pattern.compare(0, 2, "~/") == 0) pattern = home + pattern.substr(1);
    if (pattern.empty() || pattern[0] != '/') pattern = base + "/" + pattern;
    glob_t g;
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        if (NamesCiphers(g.gl_pathv[i], base, home, seen)) {
          globfree(&g);
          return true;
        }
      }
    }
    globfree(&g);
  }
  return false;
}

}  // namespace

bool ConfigNamesCiphers(const std::string& text, std::vector<std::string>* includes) {
  std::istringstream in(text);
  bool named = false;
  for (std::string line, rest; std::getline(in, line);) {
    std::string key = Keyword(line, &rest);
    if (key == "ciphers") named = true;
    if (key == "include") {
      std::istringstream words(rest);
      for (std::string w; words >> w;) includes->push_back(w);
    }
  }
  return named;
}

bool CpuHasAes(const std::string& cpuinfo) {
  std::istringstream in(cpuinfo);
  for (std::string line; std::getline(in, line);) {
    std::string rest;
    std::string key = Keyword(line, &rest);
    if (key != "flags" && key != "features") continue;
    size_t colon = rest.find(':');
    std::istringstream words(colon == std::string::npos ? rest : rest.substr(colon + 1));
    for (std::string w; words >> w;) {
      if (w == "aes") return true;
    }
    return false;  // every CPU lists the same flags: the first line tells
  }
  return false;
}

std::string PreferredCiphers(const std::string& home) {
  std::string cpuinfo;
  if (!ReadWholeFile("/proc/cpuinfo", &cpuinfo) || !CpuHasAes(cpuinfo)) return "";
  std::set<std::string> seen;
  if (!home.empty() && NamesCiphers(home + "/.ssh/config", home + "/.ssh", home, &seen)) return "";
  if (NamesCiphers("/etc/ssh/ssh_config", "/etc/ssh", home, &seen)) return "";
  return kAesFirstCiphers;
}

}  // namespace xdcp
