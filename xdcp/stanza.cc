// The xCAT stanza file (xcatstanzafile(5)): a `NAME:` header starts an
// object, `attr=value` lines give its attributes, and `default-TYPE:`
// stanzas give attributes to the objects of TYPE after them. This file
// only turns lines into objects; nodelist.cc's AddClusterObject and
// FinishClusterDb turn objects into the ClusterDb, exactly as for XML.
#include "stanza.h"

#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "text.h"

namespace xdcp {
namespace {

using Attrs = std::map<std::string, std::string>;

constexpr char kDefaultPrefix[] = "default-";
constexpr size_t kDefaultPrefixSize = sizeof kDefaultPrefix - 1;

bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// xCAT's attribute names are letters, digits, '_' and '.' (nicips.eth0).
// They become XML attribute names in `--export-xml`, so anything XML would
// refuse is refused here, where the line number is known.
bool IsAttrName(const std::string& name) {
  if (name.empty() || !(IsAsciiLetter(name[0]) || name[0] == '_')) {
    return false;
  }
  for (char c : name) {
    bool ok = IsAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsDefaultsName(const std::string& name) {
  return name.compare(0, kDefaultPrefixSize, kDefaultPrefix) == 0;
}

// One line of the file, trimmed and classified.
struct StanzaLine {
  enum Kind { kSkip, kHeader, kAttr, kBad };
  Kind kind = kBad;
  std::string name;   // the header's object name, or the attribute's name
  std::string value;  // the attribute's value
};

// An '=' makes an attribute line even if the line ends in ':', since values
// such as MAC addresses or environvar paths may; only a line without one
// can be a header.
StanzaLine ClassifyLine(const std::string& text) {
  if (text.empty() || text[0] == '#') return {StanzaLine::kSkip, "", ""};
  size_t equals = text.find('=');
  if (equals != std::string::npos) {
    std::string name = Trim(text.substr(0, equals));
    if (!IsAttrName(name)) return {};
    return {StanzaLine::kAttr, name, Trim(text.substr(equals + 1))};
  }
  if (text.size() > 1 && text.back() == ':') {
    return {StanzaLine::kHeader, Trim(text.substr(0, text.size() - 1)), ""};
  }
  return {};
}

class StanzaLoader {
 public:
  explicit StanzaLoader(const std::string& path) : path_(path) {}

  bool Load(const std::string& text, ClusterDb* db, std::string* error);

 private:
  bool ReadLine(int line, const std::string& raw);
  bool AddAttr(int line, const std::string& text, const StanzaLine& attr);
  bool EndStanza();
  void MergeDefaults();
  bool AddObject();
  bool NoteSite();
  std::string DefaultsType() const { return name_.substr(kDefaultPrefixSize); }
  bool Fail(int line, const std::string& message, const std::string& token);

  const std::string& path_;
  // The stanza being read: its header's name and line, and attributes.
  std::string name_;
  int line_ = 0;  // 0: no stanza yet
  Attrs attrs_;
  std::map<std::string, Attrs> defaults_;  // by objtype, cumulative
  int site_line_ = 0;
  ClusterDb db_;
  std::string error_;
};

bool StanzaLoader::Load(const std::string& text, ClusterDb* db,
                        std::string* error) {
  static const char kBom[] = "\xEF\xBB\xBF";
  std::istringstream in(text.compare(0, 3, kBom) == 0 ? text.substr(3) : text);
  int line = 0;
  bool ok = true;
  for (std::string raw; ok && std::getline(in, raw);) {
    ok = ReadLine(++line, raw);
  }
  if (!(ok && EndStanza() && FinishClusterDb(path_, &db_, &error_))) {
    *error = error_;
    return false;
  }
  *db = std::move(db_);
  return true;
}

bool StanzaLoader::ReadLine(int line, const std::string& raw) {
  // Blanks around everything are ignored (xcatstanzafile(5)).
  const std::string text = Trim(raw);
  const StanzaLine parsed = ClassifyLine(text);
  switch (parsed.kind) {
    case StanzaLine::kSkip:
      return true;
    case StanzaLine::kAttr:
      return AddAttr(line, text, parsed);
    case StanzaLine::kHeader:
      if (!EndStanza()) return false;
      name_ = parsed.name;
      line_ = line;
      attrs_.clear();
      return true;
    case StanzaLine::kBad:
      break;
  }
  return Fail(line, "not a stanza line", text);
}

// A later line for the same attribute wins, as in xCAT. In a default
// stanza the header already names the type; an objtype that says
// otherwise would leave it unclear which stanzas the defaults are for.
bool StanzaLoader::AddAttr(int line, const std::string& text,
                           const StanzaLine& attr) {
  if (line_ == 0) {
    return Fail(line, "attribute before any stanza header", text);
  }
  if (IsDefaultsName(name_) && attr.name == "objtype") {
    if (attr.value == DefaultsType()) return true;
    return Fail(line, "objtype differs from the type of " + name_, attr.value);
  }
  attrs_[attr.name] = attr.value;
  return true;
}

// Called at each header and at the end of the file.
bool StanzaLoader::EndStanza() {
  if (line_ == 0) return true;
  if (!IsDefaultsName(name_)) return AddObject();
  MergeDefaults();
  return true;
}

// Defaults are cumulative: a later default stanza adds to and overrides
// the earlier ones, and `attr=` with no value takes a default away.
void StanzaLoader::MergeDefaults() {
  Attrs& defaults = defaults_[DefaultsType()];
  for (const auto& [name, value] : attrs_) {
    if (value.empty()) {
      defaults.erase(name);
    } else {
      defaults[name] = value;
    }
  }
}

// The object as an XML element would state it: objtype is the element,
// the header is its name, and a default fills only attributes that the
// stanza does not set (`attr=` sets one, to nothing).
bool StanzaLoader::AddObject() {
  Attrs attrs = attrs_;
  const std::string type = attrs["objtype"];
  if (type.empty()) return Fail(line_, "stanza without objtype", name_);
  attrs.erase("objtype");
  auto defaults = defaults_.find(type);
  if (defaults != defaults_.end()) {
    attrs.insert(defaults->second.begin(), defaults->second.end());
  }
  attrs["name"] = name_;
  if (type == "site" && !NoteSite()) return false;
  return AddClusterObject(path_, type, line_, attrs, &db_, &error_);
}

// There is one site (xCAT's is `clustersite`); a second would silently
// replace the first's settings.
bool StanzaLoader::NoteSite() {
  if (site_line_ == 0) {
    site_line_ = line_;
    return true;
  }
  return Fail(line_,
              "second site object, first on line " + std::to_string(site_line_),
              name_);
}

// "PATH:LINE: message: 'token'", the form of every database error.
bool StanzaLoader::Fail(int line, const std::string& message,
                        const std::string& token) {
  error_ =
      path_ + ":" + std::to_string(line) + ": " + message + ": '" + token + "'";
  return false;
}

}  // namespace

bool LoadStanzaDb(const std::string& path, const std::string& text,
                  ClusterDb* db, std::string* error) {
  return StanzaLoader(path).Load(text, db, error);
}

}  // namespace xdcp
