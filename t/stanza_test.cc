// The stanza format of the cluster database (stanza.cc), LoadClusterDb's
// choice between it and XML, and the shipped examples exported to XML.
#include "stanza.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cluster_db.h"
#include "gtest/gtest.h"
#include "noderange.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

using Names = std::vector<std::string>;
using Attrs = std::map<std::string, std::string>;

std::string Join(const Names& items) {
  std::string joined;
  for (const std::string& item : items) {
    joined += (joined.empty() ? "" : ",") + item;
  }
  return joined;
}

std::string JoinAttrs(const Attrs& attrs, const Names& leave_out) {
  std::string joined;
  for (const auto& [name, value] : attrs) {
    bool left_out = false;
    for (const std::string& other : leave_out) left_out |= name == other;
    if (!left_out) joined += " " + name + "=" + value;
  }
  return joined;
}

// The objects of `db` with their attributes as read, one per line, for the
// parsing tables: "TYPE NAME (groups):" then every attribute but the name.
std::string Objects(const ClusterDb& db) {
  std::ostringstream out;
  if (!db.site.attrs.empty()) {
    out << "site " << db.site.attrs.at("name") << ":"
        << JoinAttrs(db.site.attrs, {"name"}) << "\n";
  }
  for (const auto& [name, image] : db.osimages) {
    out << "osimage " << name << ":" << JoinAttrs(image.attrs, {"name"})
        << "\n";
  }
  for (const auto& [name, distro] : db.osdistros) {
    out << "osdistro " << name << ": dirpaths=" << Join(distro.dirpaths)
        << "\n";
  }
  for (const Group& group : db.groups) {
    out << "group " << group.name << ": members=" << group.members << "\n";
  }
  for (const Node& node : db.nodes) {
    out << "node " << node.name;
    if (!node.groups.empty()) out << " (" << Join(node.groups) << ")";
    out << ":" << JoinAttrs(node.attrs, {"name"}) << "\n";
  }
  return out.str();
}

// Everything xdcp uses of `db`, one object per line: the parsed fields,
// then the attributes it keeps without interpreting them. Lines in the
// file are left out: equivalent files put objects on different lines.
std::string Fields(const ClusterDb& db) {
  std::ostringstream out;
  const Site& site = db.site;
  out << "site master=" << site.master << " installdir=" << site.installdir
      << " SNsyncfiledir=" << site.sn_sync_file_dir
      << " nodesyncfiledir=" << site.node_sync_file_dir << " |"
      << JoinAttrs(site.attrs,
                   {"master", "installdir", "SNsyncfiledir", "nodesyncfiledir"})
      << "\n";
  for (const auto& [name, image] : db.osimages) {
    out << "osimage " << name << " provmethod=" << image.provmethod
        << " rootimgdir=" << image.rootimgdir
        << " synclists=" << Join(image.synclists) << " environvar=";
    for (const auto& [var, value] : image.environvar) {
      out << var << "=" << value << ";";
    }
    out << " |"
        << JoinAttrs(image.attrs, {"name", "provmethod", "rootimgdir",
                                   "synclists", "environvar"})
        << "\n";
  }
  for (const auto& [name, distro] : db.osdistros) {
    out << "osdistro " << name << " dirpaths=" << Join(distro.dirpaths) << "\n";
  }
  for (const Group& group : db.groups) {
    out << "group " << group.name << " members=" << group.members << "\n";
  }
  for (const Node& node : db.nodes) {
    out << "node " << node.name << " groups=" << Join(node.groups)
        << " servicenode=" << Join(node.servicenodes)
        << " xcatmaster=" << node.xcatmaster
        << " provmethod=" << node.provmethod << " |"
        << JoinAttrs(node.attrs, {"name", "groups", "servicenode", "xcatmaster",
                                  "provmethod"})
        << "\n";
  }
  return out.str();
}

// Loads stanza text as the file "PATH"; an error comes back as the result.
std::string LoadStanzaText(const std::string& text, ClusterDb* db) {
  std::string error;
  if (!LoadStanzaDb("PATH", text, db, &error)) return "error: " + error;
  return "";
}

class StanzaFileTest : public ScratchDirTest {
 protected:
  // Loads `text` from a file with LoadClusterDb, as xdcp does.
  ClusterDb LoadFile(const std::string& name, const std::string& text) {
    ClusterDb db;
    std::string error;
    EXPECT_TRUE(LoadClusterDb(Write(name, text), &db, &error)) << error;
    return db;
  }
};

struct ParseCase {
  std::string text;
  std::string objects;  // Objects() of the result
};

TEST(StanzaTest, ParsesLinesAsXcatstanzafileSays) {
  const ParseCase cases[] = {
      // Comments, blank lines, spaces and tabs around everything, CRLF.
      {"# <xCAT data object stanza file>\n\ncn01:\n\tobjtype=node\n"
       "   groups = compute , all \t\n  # a comment\n\n  ip=10.0.0.1\r\n",
       "node cn01 (compute,all): groups=compute , all ip=10.0.0.1\n"},
      {"cn01:\r\n    objtype=node\r\n    mgt=ipmi\r\n",
       "node cn01: mgt=ipmi\n"},
      {"  cn01 :\nobjtype=node\n", "node cn01:\n"},
      {"\xEF\xBB\xBF"
       "cn01:\n objtype=node\n",
       "node cn01:\n"},
      // An '=' makes an attribute line, even one that ends in ':'.
      {"cn01:\n objtype=node\n mac=aa:bb:cc:\n usercomment=a=b: c\n",
       "node cn01: mac=aa:bb:cc: usercomment=a=b: c\n"},
      {"cn01:\n objtype=node\n xcatmaster=\n groups=\n",
       "node cn01: groups= xcatmaster=\n"},
      {"cn01:\n objtype=node\n ip=1\n ip=2\n", "node cn01: ip=2\n"},
      {"cn01:\n objtype=node\n passwd.HMC=x\n nicips.eth0=10.1.0.1\n",
       "node cn01: nicips.eth0=10.1.0.1 passwd.HMC=x\n"},
      // The header names the object, whatever a name= line says.
      {"cn01:\n objtype=node\n name=cn99\n", "node cn01:\n"},
      // Other object types are skipped, with all their attributes.
      {"10_0_0_0-255_255_0_0:\n objtype=network\n net=10.0.0.0\n"
       "x y:\n objtype=policy\n rule=a;b\ncn01:\n objtype=node\n",
       "node cn01:\n"},
      {"clustersite:\n objtype=site\n master=mn\n domain=example.com\n",
       "site clustersite: domain=example.com master=mn\n"},
      {"img:\n objtype=osimage\n synclists=/a, /b\n"
       " environvar=A=1,B=x=y\n profile=compute\n",
       "osimage img: environvar=A=1,B=x=y profile=compute synclists=/a, /b\n"},
      {"d:\n objtype=osdistro\n dirpaths=/x, /y\n arch=x86_64\n",
       "osdistro d: dirpaths=/x,/y\n"},
      // A group object's members join the nodes to it, as <group> does.
      {"rack1:\n objtype=group\n grouptype=static\n members=cn01,cn02\n"
       "cn02:\n objtype=node\n groups=all\ncn01:\n objtype=node\n"
       "cn03:\n objtype=node\n",
       "group rack1: members=cn01,cn02\nnode cn01 (rack1):\n"
       "node cn02 (all,rack1): groups=all\nnode cn03:\n"},
      {"", ""},
      {"# only a comment\n\n", ""},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    ClusterDb db;
    EXPECT_EQ(LoadStanzaText(c.text, &db), "");
    EXPECT_EQ(Objects(db), c.objects);
  }
}

TEST(StanzaTest, DefaultStanzasAccumulateAndClear) {
  const ParseCase cases[] = {
      // Defaults apply to the stanzas after them only.
      {"cn01:\n objtype=node\ndefault-node:\n groups=all\n"
       "cn02:\n objtype=node\n",
       "node cn01:\nnode cn02 (all): groups=all\n"},
      // A value in the stanza beats the default; so does an empty one.
      {"default-node:\n groups=all\n arch=x86_64\n"
       "cn01:\n objtype=node\n groups=compute\ncn02:\n objtype=node\n"
       " groups=\n",
       "node cn01 (compute): arch=x86_64 groups=compute\n"
       "node cn02: arch=x86_64 groups=\n"},
      // Cumulative: a later default stanza adds and overrides...
      {"default-node:\n groups=all\n arch=x86_64\n"
       "default-node:\n arch=ppc64le\n mgt=ipmi\ncn01:\n objtype=node\n",
       "node cn01 (all): arch=ppc64le groups=all mgt=ipmi\n"},
      // ...and an empty value, with or without blanks, clears a default.
      {"default-node:\n groups=all\n arch=x86_64\n mgt=ipmi\n"
       "cn01:\n objtype=node\ndefault-node:\n groups=\n arch= \t\n"
       "cn02:\n objtype=node\n",
       "node cn01 (all): arch=x86_64 groups=all mgt=ipmi\n"
       "node cn02: mgt=ipmi\n"},
      // Each type has its own defaults; objtype in one names its type.
      {"default-node:\n provmethod=img\ndefault-osimage:\n objtype=osimage\n"
       " provmethod=netboot\nimg:\n objtype=osimage\n"
       "cn01:\n objtype=node\n",
       "osimage img: provmethod=netboot\nnode cn01: provmethod=img\n"},
      {"default-group:\n members=cn01\nr:\n objtype=group\n"
       "cn01:\n objtype=node\n",
       "group r: members=cn01\nnode cn01 (r):\n"},
      {"default-site:\n installdir=/srv/install\ns:\n objtype=site\n",
       "site s: installdir=/srv/install\n"},
      {"default-network:\n gateway=10.0.0.1\ncn01:\n objtype=node\n",
       "node cn01:\n"},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    ClusterDb db;
    EXPECT_EQ(LoadStanzaText(c.text, &db), "");
    EXPECT_EQ(Objects(db), c.objects);
  }
}

struct BadCase {
  std::string text;
  std::string error;  // "PATH" stands for the file's path
};

const BadCase kBadStanzas[] = {
    {"cn01:\n  objtype=node\n  this is junk\n",
     "PATH:3: not a stanza line: 'this is junk'"},
    {"cn01: objtype=node\n", "PATH:1: not a stanza line: 'cn01: objtype=node'"},
    {"cn01:\n objtype=node\n\tgroups \t\n",
     "PATH:3: not a stanza line: 'groups'"},
    {"cn01:\n objtype=node\n =x\n", "PATH:3: not a stanza line: '=x'"},
    {"cn01:\n objtype=node\n 1st=x\n", "PATH:3: not a stanza line: '1st=x'"},
    {"cn01:\n objtype=node\n a b=x\n", "PATH:3: not a stanza line: 'a b=x'"},
    {"\n  :\n", "PATH:2: not a stanza line: ':'"},
    {"cn01:\r\n objtype=node\r\n junk\r\n",
     "PATH:3: not a stanza line: 'junk'"},
    {"<cluster/>\n", "PATH:1: not a stanza line: '<cluster/>'"},
    {"# header\n\n  objtype=node\ncn01:\n",
     "PATH:3: attribute before any stanza header: 'objtype=node'"},
    {"cn01:\n groups=all\ncn02:\n objtype=node\n",
     "PATH:1: stanza without objtype: 'cn01'"},
    {"cn01:\n objtype=\n", "PATH:1: stanza without objtype: 'cn01'"},
    {"cn01:\n objtype=node\ncn02:\n", "PATH:3: stanza without objtype: 'cn02'"},
    {"default-node:\n objtype=group\n",
     "PATH:2: objtype differs from the type of default-node: 'group'"},
    {"a;b:\n objtype=node\n", "PATH:1: invalid node name: 'a;b'"},
    {"-oProxyCommand=x:\n objtype=node\n",
     "PATH:1: not a stanza line: '-oProxyCommand=x:'"},
    {"cn 01:\n objtype=node\n", "PATH:1: invalid node name: 'cn 01'"},
    {"cn01:\n objtype=node\ncn02:\n objtype=node\n\ncn01:\n objtype=node\n",
     "PATH:6: duplicate node, first on line 1: 'cn01'"},
    {"cn01:\n objtype=node\n servicenode=sn1,bad name\n",
     "PATH:1: invalid service node name: 'bad name'"},
    {"cn01:\n objtype=node\n xcatmaster=$(reboot)\n",
     "PATH:1: invalid xcatmaster name: '$(reboot)'"},
    // A default is checked where it is applied.
    {"default-node:\n groups=all,a b\n\ncn01:\n objtype=node\n",
     "PATH:4: invalid group name: 'a b'"},
    {"r;m:\n objtype=group\n", "PATH:1: invalid group name: 'r;m'"},
    {"r:\n objtype=group\nr:\n objtype=group\n",
     "PATH:3: duplicate group, first on line 1: 'r'"},
    {"cn1:\n objtype=node\nrack1:\n objtype=group\n members=cn1,cn2\n",
     "PATH:3: unknown nodes or groups in noderange: cn2"},
    {"i:\n objtype=osimage\n environvar=A=1,B\n",
     "PATH:1: environvar entry is not NAME=VALUE: 'B'"},
    {"i:\n objtype=osimage\n\ni:\n objtype=osimage\n",
     "PATH:4: duplicate osimage, first on line 1: 'i'"},
    {"d:\n objtype=osdistro\nd:\n objtype=osdistro\n",
     "PATH:3: duplicate osdistro, first on line 1: 'd'"},
    {"clustersite:\n objtype=site\nother:\n objtype=site\n",
     "PATH:3: second site object, first on line 1: 'other'"},
    {"clustersite:\n objtype=site\n master=mn;x\n",
     "PATH:1: invalid master name: 'mn;x'"},
};

TEST(StanzaTest, BadStanzasAreWholeMessages) {
  for (const BadCase& c : kBadStanzas) {
    SCOPED_TRACE(c.text);
    ClusterDb db;
    EXPECT_EQ(LoadStanzaText(c.text, &db), "error: " + c.error);
    EXPECT_FALSE(db.loaded);
    EXPECT_TRUE(db.nodes.empty());
  }
}

// The same, through LoadClusterDb: every one of them is taken as a stanza
// file, and the message names the file.
TEST_F(StanzaFileTest, BadStanzaFilesAreWholeMessages) {
  for (const BadCase& c : kBadStanzas) {
    if (c.text[0] == '<') continue;  // that one is XML, by content
    SCOPED_TRACE(c.text);
    const std::string path = Write("bad.stanza", c.text);
    ClusterDb db;
    std::string error;
    EXPECT_FALSE(LoadClusterDb(path, &db, &error));
    EXPECT_EQ(error, path + c.error.substr(4));
    EXPECT_FALSE(db.loaded);
  }
}

TEST_F(StanzaFileTest, FormatIsChosenByContent) {
  ClusterDb db = LoadFile("a.xml", "# x\ncn01:\n objtype=node\n");
  EXPECT_TRUE(db.loaded);
  EXPECT_EQ(db.path, dir_ + "/a.xml");
  EXPECT_EQ(Objects(db), "node cn01:\n");
  db = LoadFile("b", "\n \t\n  <cluster><node name=\"cn01\"/></cluster>\n");
  EXPECT_EQ(Objects(db), "node cn01:\n");
  db = LoadFile("c", "\xEF\xBB\xBF<cluster><node name=\"cn01\"/></cluster>");
  EXPECT_EQ(Objects(db), "node cn01:\n");
  db = LoadFile("d",
                "\xEF\xBB\xBF"
                "cn01:\n objtype=node\n");
  EXPECT_EQ(Objects(db), "node cn01:\n");

  // A stanza file that starts with an XML tag is XML, and says so.
  const std::string path = Write("e", "  # x\n<cn01>:\n");
  std::string error;
  EXPECT_FALSE(LoadClusterDb(path, &db, &error));
  EXPECT_EQ(error, path + ":2: invalid XML: 'Start-end tags mismatch'");
}

struct SameCase {
  std::string xml;
  std::string stanza;
};

TEST_F(StanzaFileTest, EquivalentFilesGiveTheSameDatabase) {
  const SameCase cases[] = {
      {R"(<cluster>
  <site name="clustersite" master="mn" installdir="/srv/install"
        SNsyncfiledir="/var/sn" nodesyncfiledir="" color="blue"/>
  <osimage name="img1" provmethod="netboot" rootimgdir="/install/img1"
           synclists="/a.synclist, /b.synclist"
           environvar="A=1,B=/x=y,C=" future="yes"/>
  <osdistro name="distro1" dirpaths="/install/d1,/install/d2"/>
  <group name="rack1" members="cn[1-2]"/>
  <group name="empty"/>
  <node name="cn2" groups="compute,rack1" servicenode="sn1,sn2"
        xcatmaster="sn1" provmethod="img1" mac="aa:bb"/>
  <node name="sn1" groups="service"/>
  <node name="cn1" groups="compute" xcatmaster=""/>
</cluster>
)",
       R"(# <xCAT data object stanza file>
clustersite:
    objtype=site
    master=mn
    installdir=/srv/install
    SNsyncfiledir=/var/sn
    nodesyncfiledir=
    color=blue

img1:
    objtype=osimage
    provmethod=netboot
    rootimgdir=/install/img1
    synclists=/a.synclist, /b.synclist
    environvar=A=1,B=/x=y,C=
    future=yes

distro1:
    objtype=osdistro
    dirpaths=/install/d1,/install/d2

rack1:
    objtype=group
    grouptype=static
    members=cn[1-2]
empty:
    objtype=group

cn2:
    objtype=node
    groups=compute,rack1
    servicenode=sn1,sn2
    xcatmaster=sn1
    provmethod=img1
    mac=aa:bb
sn1:
    objtype=node
    groups=service
cn1:
    objtype=node
    groups=compute
    xcatmaster=
)"},
      // Defaults stand for the attributes they supply.
      {R"(<cluster>
  <node name="cn1" groups="compute,all" servicenode="sn1" mgt="ipmi"/>
  <node name="cn2" groups="compute,all" servicenode="sn1,sn2" mgt="ipmi"/>
  <node name="sn1" groups="service" mgt="ipmi"/>
</cluster>
)",
       R"(default-node:
    groups=compute,all
    servicenode=sn1
    mgt=ipmi
cn1:
    objtype=node
cn2:
    objtype=node
    servicenode=sn1,sn2
default-node:
    servicenode=
sn1:
    objtype=node
    groups=service
)"},
  };
  for (const SameCase& c : cases) {
    SCOPED_TRACE(c.stanza);
    ClusterDb from_xml = LoadFile("db.xml", c.xml);
    ClusterDb from_stanza = LoadFile("db.stanza", c.stanza);
    EXPECT_EQ(Fields(from_stanza), Fields(from_xml));
    EXPECT_EQ(Objects(from_stanza), Objects(from_xml));
  }
}

// Loads a shipped example, and the XML that ClusterDbToXml makes of it.
class ExportTest : public StanzaFileTest {
 protected:
  void LoadBoth(const std::string& example) {
    std::string error;
    ASSERT_TRUE(LoadClusterDb(XDCP_SOURCE_DIR "/nodelist/" + example,
                              &original_, &error))
        << error;
    ASSERT_TRUE(LoadClusterDb(Write("export.xml", ClusterDbToXml(original_)),
                              &exported_, &error))
        << error;
  }

  static std::string Expand(const std::string& range, const ClusterDb& db) {
    std::vector<std::string> nodes;
    std::string error;
    if (!ExpandNodeRange(range, db, NodeRangeEnv(), &nodes, &error)) {
      return "error: " + error;
    }
    return Join(nodes);
  }

  // The nodes of each service node pool, as the service node planning
  // groups them: "sn1,sn2" -> "cn16"; "" is the management node's.
  static std::map<std::string, std::string> ByServiceNode(const ClusterDb& db) {
    std::map<std::string, Names> pools;
    for (const Node& node : db.nodes) {
      pools[Join(node.servicenodes)].push_back(node.name);
    }
    std::map<std::string, std::string> joined;
    for (const auto& [pool, nodes] : pools) joined[pool] = Join(nodes);
    return joined;
  }

  ClusterDb original_;
  ClusterDb exported_;
};

TEST_F(ExportTest, ShippedStanzaExample) {
  LoadBoth("example.stanza");
  const ClusterDb& db = original_;
  EXPECT_EQ(db.site.master, "mn");
  EXPECT_EQ(db.site.attrs.at("domain"), "cluster.example.com");
  EXPECT_EQ(db.nodes.size(), 35u);
  EXPECT_EQ(db.osimages.size(), 2u);
  EXPECT_EQ(db.osdistros.size(), 1u);
  EXPECT_EQ(db.groups.size(), 6u);
  const Node* cn05 = db.FindNode("cn05");
  ASSERT_NE(cn05, nullptr);
  EXPECT_EQ(cn05->groups, (Names{"compute", "all", "gpu", "rack1"}));
  EXPECT_EQ(cn05->servicenodes, (Names{"sn1"}));
  EXPECT_EQ(cn05->xcatmaster, "sn1");
  EXPECT_EQ(cn05->attrs.at("mac"), "52:54:00:00:01:05");
  EXPECT_EQ(db.FindNode("cn16")->servicenodes, (Names{"sn1", "sn2"}));
  EXPECT_EQ(db.FindNode("cn20")->xcatmaster, "sn2");
  EXPECT_EQ(db.FindNode("sn1")->groups, (Names{"service", "all"}));
  EXPECT_EQ(db.FindNode("sn1")->attrs.count("cons"), 0u);  // cleared
  EXPECT_EQ(db.FindNode("mn")->attrs.at("mgt"), "ipmi");   // kept
  const OsImage* image = db.FindOsImage(cn05->provmethod);
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->rootimgdir, "/install/netboot/rhels9/x86_64/compute");
  EXPECT_EQ(image->synclists.size(), 2u);
  EXPECT_EQ(image->environvar.size(), 2u);
  EXPECT_EQ(db.osdistros.at("rhels9-x86_64").dirpaths.size(), 2u);
  EXPECT_EQ(ByServiceNode(db),
            (std::map<std::string, std::string>{
                {"", "mn,sn1,sn2"},
                {"sn1",
                 "cn01,cn02,cn03,cn04,cn05,cn06,cn07,cn08,cn09,cn10,"
                 "cn11,cn12,cn13,cn14,cn15"},
                {"sn1,sn2", "cn16"},
                {"sn2",
                 "cn17,cn18,cn19,cn20,cn21,cn22,cn23,cn24,cn25,cn26,"
                 "cn27,cn28,cn29,cn30,cn31"},
                {"sn2,sn1", "cn32"}}));

  // Its XML export says the same.
  EXPECT_EQ(Fields(exported_), Fields(original_));
  EXPECT_EQ(ByServiceNode(exported_), ByServiceNode(original_));
  const std::pair<std::string, std::string> ranges[] = {
      {"all", ""},
      {"compute", ""},
      {"cn[01-04]", "cn01,cn02,cn03,cn04"},
      {"/cn0.*", "cn01,cn02,cn03,cn04,cn05,cn06,cn07,cn08,cn09"},
      {"compute@rack1", ""},
      {"rack2,-cn[18-31]", "cn17,cn32"},
      {"gpu", "cn05,cn06,cn21,cn22"},
      {"gpu@rack2", "cn21,cn22"},
      {"service", "sn1,sn2"},
      {"all,-compute", "sn1,sn2"},
      {"mgmt", "mn"},
      {"cn30+2", "cn30,cn31,cn32"},
      {"rack3", "error: unknown nodes or groups in noderange: rack3"},
  };
  for (const auto& [range, expected] : ranges) {
    SCOPED_TRACE(range);
    EXPECT_EQ(Expand(range, exported_), Expand(range, original_));
    if (!expected.empty()) {
      EXPECT_EQ(Expand(range, original_), expected);
    }
  }
  EXPECT_EQ(Expand("all", db), Expand("cn[01-32],sn1,sn2", db));
  EXPECT_EQ(Expand("compute", db), Expand("cn[01-32]", db));
  EXPECT_EQ(Expand("compute@rack1", db), Expand("cn[01-16]", db));
}

TEST_F(ExportTest, ShippedXmlExampleSurvivesTheRoundTrip) {
  LoadBoth("example.xml");
  EXPECT_EQ(original_.nodes.size(), 19u);
  EXPECT_EQ(Fields(exported_), Fields(original_));
  EXPECT_EQ(ClusterDbToXml(exported_), ClusterDbToXml(original_));
}

}  // namespace
}  // namespace xdcp
