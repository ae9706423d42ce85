// Reads the cluster database described in xdcp-nodelist(5), and writes its
// XML form. Both file formats end in the Builder here: the XML loader below
// and stanza.cc hand it their objects as attribute maps, so equivalent
// files give equal ClusterDbs. This is the only file that includes pugixml;
// everything else sees the plain structs of cluster_db.h.
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
#include "stanza.h"
#include "text.h"

namespace xdcp {
namespace {

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

using Attrs = std::map<std::string, std::string>;

std::string Get(const Attrs& attrs, const char* name) {
  auto it = attrs.find(name);
  return it == attrs.end() ? "" : it->second;
}

// "PATH:LINE: message: 'token'"; an empty token leaves the quote part out.
bool FailAt(const std::string& path, int line, const std::string& message,
            const std::string& token, std::string* error) {
  *error = path + ":" + std::to_string(line) + ": " + message;
  if (!token.empty()) *error += ": '" + token + "'";
  return false;
}

// Turns objects, as either file format states them, into ClusterDb fields.
// It keeps no state of its own (all of it is in the ClusterDb), so each
// AddClusterObject call makes one.
class Builder {
 public:
  Builder(const std::string& path, ClusterDb* db, std::string* error)
      : path_(path), db_(*db), error_(*error) {}

  bool Add(const std::string& type, int line, const Attrs& attrs);
  bool Finish();

 private:
  bool AddSite(const Attrs& attrs, int line);
  bool AddOsImage(const Attrs& attrs, int line);
  bool AddOsDistro(const Attrs& attrs, int line);
  bool AddGroup(const Attrs& attrs, int line);
  bool AddNode(const Attrs& attrs, int line);
  bool CheckName(const std::string& what, const std::string& name, int line);
  bool CheckNames(const std::string& what,
                  const std::vector<std::string>& names, int line);
  bool SortNodes();
  bool AddGroupMembers();
  Node* MutableNode(const std::string& name);
  bool Fail(int line, const std::string& message, const std::string& token) {
    return FailAt(path_, line, message, token, &error_);
  }
  bool Duplicate(const char* what, const std::string& name, int line, int first) {
    return Fail(line, std::string("duplicate ") + what + ", first on line " + std::to_string(first),
                name);
  }
  // Adds `object` to `map` under its name, or fails naming the first one.
  template <class Map, class Object>
  bool AddNamed(Map* map, Object object, const char* what) {
    auto [it, added] = map->emplace(object.name, object);
    return added || Duplicate(what, object.name, object.line, it->second.line);
  }

  const std::string& path_;
  ClusterDb& db_;
  std::string& error_;
};

// Objects xdcp does not know are skipped, like unknown attributes.
bool Builder::Add(const std::string& type, int line, const Attrs& attrs) {
  using Adder = bool (Builder::*)(const Attrs&, int);
  static const std::pair<const char*, Adder> kAdders[] = {
      {"site", &Builder::AddSite},         {"osimage", &Builder::AddOsImage},
      {"osdistro", &Builder::AddOsDistro}, {"group", &Builder::AddGroup},
      {"node", &Builder::AddNode},
  };
  for (const auto& [name, adder] : kAdders) {
    if (type == name) return (this->*adder)(attrs, line);
  }
  return true;
}

bool Builder::Finish() {
  if (!(SortNodes() && AddGroupMembers())) return false;
  db_.loaded = true;
  db_.path = path_;
  return true;
}

bool Builder::AddSite(const Attrs& attrs, int line) {
  Site& site = db_.site;
  site.attrs = attrs;
  site.master = Get(attrs, "master");
  // An empty value keeps the default: xdcp always needs these directories.
  for (auto [attr, field] : {std::make_pair("installdir", &site.installdir),
                             {"SNsyncfiledir", &site.sn_sync_file_dir},
                             {"nodesyncfiledir", &site.node_sync_file_dir}}) {
    if (!Get(attrs, attr).empty()) *field = Get(attrs, attr);
  }
  return site.master.empty() || CheckName("master", site.master, line);
}

bool Builder::AddOsImage(const Attrs& attrs, int line) {
  OsImage image;
  image.name = Get(attrs, "name");
  image.line = line;
  if (image.name.empty()) {
    return Fail(line, "osimage without a name", "<osimage>");
  }
  image.provmethod = Get(attrs, "provmethod");
  image.rootimgdir = Get(attrs, "rootimgdir");
  image.synclists = SplitList(Get(attrs, "synclists"));
  for (const std::string& item : SplitList(Get(attrs, "environvar"))) {
    size_t equals = item.find('=');
    if (equals == 0 || equals == std::string::npos) {
      return Fail(line, "environvar entry is not NAME=VALUE", item);
    }
    image.environvar.emplace_back(item.substr(0, equals),
                                  item.substr(equals + 1));
  }
  image.attrs = attrs;
  return AddNamed(&db_.osimages, std::move(image), "osimage");
}

bool Builder::AddOsDistro(const Attrs& attrs, int line) {
  OsDistro distro;
  distro.name = Get(attrs, "name");
  distro.line = line;
  if (distro.name.empty()) {
    return Fail(line, "osdistro without a name", "<osdistro>");
  }
  distro.dirpaths = SplitList(Get(attrs, "dirpaths"));
  return AddNamed(&db_.osdistros, std::move(distro), "osdistro");
}

bool Builder::AddGroup(const Attrs& attrs, int line) {
  Group group{Get(attrs, "name"), Get(attrs, "members"), line};
  if (group.name.empty()) return Fail(line, "group without a name", "<group>");
  if (!CheckName("group", group.name, line)) return false;
  for (const Group& other : db_.groups) {
    if (other.name == group.name) return Duplicate("group", group.name, line, other.line);
  }
  db_.groups.push_back(group);
  return true;
}

bool Builder::AddNode(const Attrs& attrs, int line) {
  Node node;
  node.name = Get(attrs, "name");
  node.line = line;
  if (node.name.empty()) return Fail(line, "node without a name", "<node>");
  node.groups = SplitList(Get(attrs, "groups"));
  node.servicenodes = SplitList(Get(attrs, "servicenode"));
  node.xcatmaster = Get(attrs, "xcatmaster");
  node.provmethod = Get(attrs, "provmethod");
  node.attrs = attrs;
  bool ok = CheckName("node", node.name, line) &&
            CheckNames("group", node.groups, line) &&
            CheckNames("service node", node.servicenodes, line) &&
            (node.xcatmaster.empty() ||
             CheckName("xcatmaster", node.xcatmaster, line));
  if (ok) db_.nodes.push_back(std::move(node));
  return ok;
}

// These names end up in ssh and rsync argv, or in noderanges.
bool Builder::CheckName(const std::string& what, const std::string& name,
                        int line) {
  return IsValidNodeName(name) || Fail(line, "invalid " + what + " name", name);
}

bool Builder::CheckNames(const std::string& what,
                         const std::vector<std::string>& names, int line) {
  for (const std::string& name : names) {
    if (!CheckName(what, name, line)) return false;
  }
  return true;
}

// Sorted for FindNode's binary search; a duplicate is reported where it
// appears the second time.
bool Builder::SortNodes() {
  std::stable_sort(
      db_.nodes.begin(), db_.nodes.end(),
      [](const Node& a, const Node& b) { return a.name < b.name; });
  auto same = [](const Node& a, const Node& b) { return a.name == b.name; };
  auto dup = std::adjacent_find(db_.nodes.begin(), db_.nodes.end(), same);
  if (dup == db_.nodes.end()) return true;
  return Duplicate("node", dup->name, std::next(dup)->line, dup->line);
}

// A group's members noderange may name nodes only (no groups), so that
// membership does not depend on the order of the objects.
bool Builder::AddGroupMembers() {
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
Node* Builder::MutableNode(const std::string& name) {
  return &*std::lower_bound(
      db_.nodes.begin(), db_.nodes.end(), name,
      [](const Node& node, const std::string& key) { return node.name < key; });
}

// Every attribute as written, known or not (unknown ones are kept and
// ignored, so an `lsdef -z` stanza converts without loss).
Attrs AllAttrs(const pugi::xml_node& element) {
  Attrs attrs;
  for (const pugi::xml_attribute& attr : element.attributes()) {
    attrs[attr.name()] = attr.value();
  }
  return attrs;
}

class XmlLoader {
 public:
  XmlLoader(const std::string& path, const std::string& text)
      : path_(path), text_(text) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') newlines_.push_back(i);
    }
  }

  bool Load(ClusterDb* db, std::string* error);

 private:
  bool LoadElement(const pugi::xml_node& element);
  int LineOf(ptrdiff_t offset) const;
  bool Fail(int line, const std::string& message, const std::string& token) {
    return FailAt(path_, line, message, token, &error_);
  }

  const std::string& path_;
  const std::string& text_;
  std::vector<size_t> newlines_;  // offsets of '\n', for line numbers
  ClusterDb db_;
  int site_line_ = 0;
  std::string error_;
};

bool XmlLoader::Load(ClusterDb* db, std::string* error) {
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
  if (!(ok && FinishClusterDb(path_, &db_, &error_))) {
    *error = error_;
    return false;
  }
  *db = std::move(db_);
  return true;
}

// Only children of <cluster> are objects; anything nested in them is not.
bool XmlLoader::LoadElement(const pugi::xml_node& element) {
  const int line = LineOf(element.offset_debug());
  if (std::strcmp(element.name(), "site") == 0) {
    if (site_line_ != 0) {
      return Fail(
          line,
          "second site element, first on line " + std::to_string(site_line_),
          "<site>");
    }
    site_line_ = line;
  }
  return AddClusterObject(path_, element.name(), line, AllAttrs(element), &db_,
                          &error_);
}

int XmlLoader::LineOf(ptrdiff_t offset) const {
  if (offset < 0) return 0;
  return 1 +
         std::lower_bound(newlines_.begin(), newlines_.end(),
                          static_cast<size_t>(offset)) -
         newlines_.begin();
}

// XML if the first character that is neither blank nor on a '#' line (a
// stanza comment) opens a tag. A file with no such character goes to the
// XML parser too, whose "No document element found" names the problem.
bool LooksLikeXml(const std::string& text) {
  static const char kBom[] = "\xEF\xBB\xBF";
  size_t pos = text.compare(0, 3, kBom) == 0 ? 3 : 0;
  while (pos < text.size()) {
    pos = text.find_first_not_of(" \t\r\n\f\v", pos);
    if (pos == std::string::npos) break;
    if (text[pos] != '#') return text[pos] == '<';
    pos = text.find('\n', pos);
  }
  return true;
}

std::string JoinEnvironVar(
    const std::vector<std::pair<std::string, std::string>>& vars) {
  std::vector<std::string> items;
  for (const auto& [name, value] : vars) items.push_back(name + "=" + value);
  return Join(items, ",");
}

// A known attribute is written from its parsed field; also when empty if it
// was written empty, so that its attrs entry survives the round trip.
void SetKnown(pugi::xml_node* element, const Attrs& attrs, const char* name,
              const std::string& value) {
  if (value.empty() && attrs.count(name) == 0) return;
  element->append_attribute(name) = value.c_str();
}

// Then the attributes xdcp does not interpret, in name order.
void SetOthers(pugi::xml_node* element, const Attrs& attrs) {
  for (const auto& [name, value] : attrs) {
    if (!element->attribute(name.c_str())) {
      element->append_attribute(name.c_str()) = value.c_str();
    }
  }
}

void WriteSite(const Site& site, pugi::xml_node* cluster) {
  pugi::xml_node element = cluster->append_child("site");
  SetKnown(&element, site.attrs, "master", site.master);
  SetKnown(&element, site.attrs, "installdir", site.installdir);
  SetKnown(&element, site.attrs, "SNsyncfiledir", site.sn_sync_file_dir);
  SetKnown(&element, site.attrs, "nodesyncfiledir", site.node_sync_file_dir);
  SetOthers(&element, site.attrs);
}

void WriteOsImage(const OsImage& image, pugi::xml_node* cluster) {
  pugi::xml_node element = cluster->append_child("osimage");
  element.append_attribute("name") = image.name.c_str();
  SetKnown(&element, image.attrs, "provmethod", image.provmethod);
  SetKnown(&element, image.attrs, "rootimgdir", image.rootimgdir);
  SetKnown(&element, image.attrs, "synclists", Join(image.synclists, ","));
  SetKnown(&element, image.attrs, "environvar",
           JoinEnvironVar(image.environvar));
  SetOthers(&element, image.attrs);
}

void WriteOsDistro(const OsDistro& distro, pugi::xml_node* cluster) {
  pugi::xml_node element = cluster->append_child("osdistro");
  element.append_attribute("name") = distro.name.c_str();
  SetKnown(&element, {}, "dirpaths", Join(distro.dirpaths, ","));
}

void WriteGroup(const Group& group, pugi::xml_node* cluster) {
  pugi::xml_node element = cluster->append_child("group");
  element.append_attribute("name") = group.name.c_str();
  SetKnown(&element, {}, "members", group.members);
}

// `groups` is the node's whole membership, so the node says it all even
// where a <group members> also does; loading adds no group twice.
void WriteNode(const Node& node, pugi::xml_node* cluster) {
  pugi::xml_node element = cluster->append_child("node");
  element.append_attribute("name") = node.name.c_str();
  SetKnown(&element, node.attrs, "groups", Join(node.groups, ","));
  SetKnown(&element, node.attrs, "servicenode", Join(node.servicenodes, ","));
  SetKnown(&element, node.attrs, "xcatmaster", node.xcatmaster);
  SetKnown(&element, node.attrs, "provmethod", node.provmethod);
  SetOthers(&element, node.attrs);
}

}  // namespace

bool AddClusterObject(const std::string& path, const std::string& type,
                      int line, const std::map<std::string, std::string>& attrs,
                      ClusterDb* db, std::string* error) {
  return Builder(path, db, error).Add(type, line, attrs);
}

bool FinishClusterDb(const std::string& path, ClusterDb* db,
                     std::string* error) {
  return Builder(path, db, error).Finish();
}

bool LoadClusterDb(const std::string& path, ClusterDb* db, std::string* error) {
  std::string text;
  if (!ReadWholeFile(path, &text)) {
    *error = path + ": cannot read: " + std::strerror(errno);
    return false;
  }
  if (!LooksLikeXml(text)) return LoadStanzaDb(path, text, db, error);
  return XmlLoader(path, text).Load(db, error);
}

std::string ClusterDbToXml(const ClusterDb& db) {
  pugi::xml_document doc;
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node cluster = doc.append_child("cluster");
  WriteSite(db.site, &cluster);
  for (const auto& [name, image] : db.osimages) WriteOsImage(image, &cluster);
  for (const auto& [name, distro] : db.osdistros) {
    WriteOsDistro(distro, &cluster);
  }
  for (const Group& group : db.groups) WriteGroup(group, &cluster);
  for (const Node& node : db.nodes) WriteNode(node, &cluster);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

}  // namespace xdcp
