// Reads the cluster database, an XML file described in xdcp-nodelist(5).
// This is the only file that includes pugixml; everything else sees the
// plain structs of cluster_db.h.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cluster_db.h"
#include "noderange.h"

namespace xdcp {
namespace {

bool ReadWholeFile(const std::string& path, std::string* text,
                   std::string* error) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    *error = path + ": cannot read: " + std::strerror(errno);
    return false;
  }
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    text->append(buffer, n);
  }
  const int read_errno = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (read_errno != 0) {
    *error = path + ": cannot read: " + std::strerror(read_errno);
  }
  return read_errno == 0;
}

// "a, b,,c" -> {"a", "b", "c"}: xCAT lists, spaces around items forgiven.
std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    size_t last = item.find_last_not_of(" \t");
    items.push_back(item.substr(first, last - first + 1));
  }
  return items;
}

std::string Attr(const pugi::xml_node& element, const char* name) {
  return element.attribute(name).value();
}

// Every attribute as written, known or not (unknown ones are kept and
// ignored, so an `lsdef -z` stanza converts without loss).
std::map<std::string, std::string> AllAttrs(const pugi::xml_node& element) {
  std::map<std::string, std::string> attrs;
  for (const pugi::xml_attribute& attr : element.attributes()) {
    attrs[attr.name()] = attr.value();
  }
  return attrs;
}

class Loader {
 public:
  Loader(const std::string& path, const std::string& text)
      : path_(path), text_(text) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') newlines_.push_back(i);
    }
  }

  bool Load(ClusterDb* db, std::string* error);

 private:
  bool LoadElement(const pugi::xml_node& element);
  bool LoadSite(const pugi::xml_node& element, int line);
  bool LoadOsImage(const pugi::xml_node& element, int line);
  bool LoadOsDistro(const pugi::xml_node& element, int line);
  bool LoadGroup(const pugi::xml_node& element, int line);
  bool LoadNode(const pugi::xml_node& element, int line);
  bool CheckName(const std::string& what, const std::string& name, int line);
  bool CheckNames(const std::string& what,
                  const std::vector<std::string>& names, int line);
  bool SortNodes();
  bool AddGroupMembers();
  Node* MutableNode(const std::string& name);
  int LineOf(ptrdiff_t offset) const;
  bool Fail(int line, const std::string& message, const std::string& token);

  const std::string& path_;
  const std::string& text_;
  std::vector<size_t> newlines_;  // offsets of '\n', for line numbers
  ClusterDb db_;
  int site_line_ = 0;
  std::string error_;
};

bool Loader::Load(ClusterDb* db, std::string* error) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(
      text_.data(), text_.size(),
      pugi::parse_default | pugi::parse_ws_pcdata_single, pugi::encoding_utf8);
  pugi::xml_node root = doc.document_element();
  bool ok =
      parsed ? true
             : Fail(LineOf(parsed.offset), "invalid XML", parsed.description());
  if (ok && std::string(root.name()) != "cluster") {
    ok = Fail(LineOf(root.offset_debug()), "root element is not <cluster>",
              root.name());
  }
  for (pugi::xml_node child = root.first_child(); ok && child;
       child = child.next_sibling()) {
    if (child.type() == pugi::node_element) ok = LoadElement(child);
  }
  if (!(ok && SortNodes() && AddGroupMembers())) {
    *error = error_;
    return false;
  }
  db_.loaded = true;
  db_.path = path_;
  *db = std::move(db_);
  return true;
}

// Elements xdcp does not know are skipped, like unknown attributes.
bool Loader::LoadElement(const pugi::xml_node& element) {
  using Handler = bool (Loader::*)(const pugi::xml_node&, int);
  static const std::pair<const char*, Handler> kHandlers[] = {
      {"site", &Loader::LoadSite},         {"osimage", &Loader::LoadOsImage},
      {"osdistro", &Loader::LoadOsDistro}, {"group", &Loader::LoadGroup},
      {"node", &Loader::LoadNode},
  };
  for (const auto& [name, handler] : kHandlers) {
    if (std::strcmp(element.name(), name) == 0) {
      return (this->*handler)(element, LineOf(element.offset_debug()));
    }
  }
  return true;
}

bool Loader::LoadSite(const pugi::xml_node& element, int line) {
  if (site_line_ != 0) {
    return Fail(
        line,
        "second site element, first on line " + std::to_string(site_line_),
        "<site>");
  }
  site_line_ = line;
  Site& site = db_.site;
  site.attrs = AllAttrs(element);
  site.master = Attr(element, "master");
  // An empty value keeps the default: xdcp always needs these directories.
  for (auto [attr, field] : {std::make_pair("installdir", &site.installdir),
                             {"SNsyncfiledir", &site.sn_sync_file_dir},
                             {"nodesyncfiledir", &site.node_sync_file_dir}}) {
    if (!Attr(element, attr).empty()) *field = Attr(element, attr);
  }
  return site.master.empty() || CheckName("master", site.master, line);
}

bool Loader::LoadOsImage(const pugi::xml_node& element, int line) {
  OsImage image;
  image.name = Attr(element, "name");
  image.line = line;
  if (image.name.empty()) {
    return Fail(line, "osimage without a name", "<osimage>");
  }
  image.provmethod = Attr(element, "provmethod");
  image.rootimgdir = Attr(element, "rootimgdir");
  image.synclists = SplitList(Attr(element, "synclists"));
  for (const std::string& item : SplitList(Attr(element, "environvar"))) {
    size_t equals = item.find('=');
    if (equals == 0 || equals == std::string::npos) {
      return Fail(line, "environvar entry is not NAME=VALUE", item);
    }
    image.environvar.emplace_back(item.substr(0, equals),
                                  item.substr(equals + 1));
  }
  image.attrs = AllAttrs(element);
  auto [it, added] = db_.osimages.emplace(image.name, image);
  if (added) return true;
  return Fail(
      line,
      "duplicate osimage, first on line " + std::to_string(it->second.line),
      image.name);
}

bool Loader::LoadOsDistro(const pugi::xml_node& element, int line) {
  OsDistro distro;
  distro.name = Attr(element, "name");
  distro.line = line;
  if (distro.name.empty()) {
    return Fail(line, "osdistro without a name", "<osdistro>");
  }
  distro.dirpaths = SplitList(Attr(element, "dirpaths"));
  auto [it, added] = db_.osdistros.emplace(distro.name, distro);
  if (added) return true;
  return Fail(
      line,
      "duplicate osdistro, first on line " + std::to_string(it->second.line),
      distro.name);
}

bool Loader::LoadGroup(const pugi::xml_node& element, int line) {
  Group group{Attr(element, "name"), Attr(element, "members"), line};
  if (group.name.empty()) return Fail(line, "group without a name", "<group>");
  if (!CheckName("group", group.name, line)) return false;
  for (const Group& other : db_.groups) {
    if (other.name == group.name) {
      return Fail(
          line, "duplicate group, first on line " + std::to_string(other.line),
          group.name);
    }
  }
  db_.groups.push_back(group);
  return true;
}

bool Loader::LoadNode(const pugi::xml_node& element, int line) {
  Node node;
  node.name = Attr(element, "name");
  node.line = line;
  if (node.name.empty()) return Fail(line, "node without a name", "<node>");
  node.groups = SplitList(Attr(element, "groups"));
  node.servicenodes = SplitList(Attr(element, "servicenode"));
  node.xcatmaster = Attr(element, "xcatmaster");
  node.provmethod = Attr(element, "provmethod");
  node.attrs = AllAttrs(element);
  bool ok = CheckName("node", node.name, line) &&
            CheckNames("group", node.groups, line) &&
            CheckNames("service node", node.servicenodes, line) &&
            (node.xcatmaster.empty() ||
             CheckName("xcatmaster", node.xcatmaster, line));
  if (ok) db_.nodes.push_back(std::move(node));
  return ok;
}

// These names end up in ssh and rsync argv, or in noderanges.
bool Loader::CheckName(const std::string& what, const std::string& name,
                       int line) {
  return IsValidNodeName(name) || Fail(line, "invalid " + what + " name", name);
}

bool Loader::CheckNames(const std::string& what,
                        const std::vector<std::string>& names, int line) {
  for (const std::string& name : names) {
    if (!CheckName(what, name, line)) return false;
  }
  return true;
}

// Sorted for FindNode's binary search; a duplicate is reported where it
// appears the second time.
bool Loader::SortNodes() {
  std::stable_sort(
      db_.nodes.begin(), db_.nodes.end(),
      [](const Node& a, const Node& b) { return a.name < b.name; });
  auto same = [](const Node& a, const Node& b) { return a.name == b.name; };
  auto dup = std::adjacent_find(db_.nodes.begin(), db_.nodes.end(), same);
  if (dup == db_.nodes.end()) return true;
  return Fail(std::next(dup)->line,
              "duplicate node, first on line " + std::to_string(dup->line),
              dup->name);
}

// A <group>'s members noderange may name nodes only (no groups), so that
// membership does not depend on the order of the elements.
bool Loader::AddGroupMembers() {
  ClusterDb names;
  names.loaded = true;
  names.nodes.resize(db_.nodes.size());
  for (size_t i = 0; i < db_.nodes.size(); ++i) {
    names.nodes[i].name = db_.nodes[i].name;
  }
  for (const Group& group : db_.groups) {
    std::vector<std::string> members;
    std::string error;
    if (!ExpandNodeRange(group.members, names, NodeRangeEnv(), &members,
                         &error)) {
      return Fail(group.line, error, "");
    }
    for (const std::string& member : members) {
      std::vector<std::string>& groups = MutableNode(member)->groups;
      if (std::find(groups.begin(), groups.end(), group.name) == groups.end()) {
        groups.push_back(group.name);
      }
    }
  }
  return true;
}

// `member` came from expanding against these very nodes, so it is there.
Node* Loader::MutableNode(const std::string& name) {
  return &*std::lower_bound(
      db_.nodes.begin(), db_.nodes.end(), name,
      [](const Node& node, const std::string& key) { return node.name < key; });
}

int Loader::LineOf(ptrdiff_t offset) const {
  if (offset < 0) return 0;
  return 1 +
         std::lower_bound(newlines_.begin(), newlines_.end(),
                          static_cast<size_t>(offset)) -
         newlines_.begin();
}

// "PATH:LINE: message: 'token'"; an empty token leaves the quote part out.
bool Loader::Fail(int line, const std::string& message,
                  const std::string& token) {
  error_ = path_ + ":" + std::to_string(line) + ": " + message;
  if (!token.empty()) error_ += ": '" + token + "'";
  return false;
}

}  // namespace

bool LoadClusterDb(const std::string& path, ClusterDb* db, std::string* error) {
  std::string text;
  if (!ReadWholeFile(path, &text, error)) return false;
  return Loader(path, text).Load(db, error);
}

}  // namespace xdcp
