// LoadClusterDb and ClusterDbToXml (nodelist.cc), and the ClusterDb
// lookups (cluster_db.cc) on a loaded file.
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <algorithm>

#include "cluster_db.h"
#include "gtest/gtest.h"
#include "noderange.h"
#include "scratch_dir.h"
#include "stanza.h"

namespace xdcp {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using Names = std::vector<std::string>;

class NodeListTest : public ScratchDirTest {};

const char kGoodFile[] = R"(<?xml version="1.0"?>
<cluster>
  <site master="mn" installdir="/srv/install" SNsyncfiledir="/var/sn"
        nodesyncfiledir="/var/node" color="blue"/>
  <osimage name="img1" provmethod="netboot" rootimgdir="/install/img1"
           synclists="/a.synclist, /b.synclist"
           environvar="A=1,B=/x=y,C=" future="yes"/>
  <osdistro name="distro1" dirpaths="/install/d1,/install/d2"/>
  <group name="rack1" members="cn[1-2]"/>
  <group name="empty"/>
  <whatever name="ignored"><node name="nested;ignored"/></whatever>
  <node name="cn2" groups="compute,rack1" servicenode="sn1,sn2"
        xcatmaster="sn1" provmethod="img1" mac="aa:bb"/>
  <node name="sn1" groups="service"/>
  <!-- a comment -->
  <node name="cn1" groups="compute"/>
</cluster>
)";

TEST_F(NodeListTest, LoadsEveryField) {
  const std::string path = Write("good.xml", kGoodFile);
  ClusterDb db;
  std::string error;
  ASSERT_TRUE(LoadClusterDb(path, &db, &error)) << error;
  EXPECT_TRUE(db.loaded);
  EXPECT_EQ(db.path, path);

  EXPECT_EQ(db.site.master, "mn");
  EXPECT_EQ(db.site.installdir, "/srv/install");
  EXPECT_EQ(db.site.sn_sync_file_dir, "/var/sn");
  EXPECT_EQ(db.site.node_sync_file_dir, "/var/node");
  EXPECT_EQ(db.site.attrs.at("color"), "blue");
  EXPECT_EQ(db.site.attrs.size(), 5u);

  ASSERT_EQ(db.osimages.size(), 1u);
  const OsImage* image = db.FindOsImage("img1");
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->name, "img1");
  EXPECT_EQ(image->provmethod, "netboot");
  EXPECT_EQ(image->rootimgdir, "/install/img1");
  EXPECT_EQ(image->synclists, (Names{"/a.synclist", "/b.synclist"}));
  EXPECT_EQ(image->environvar, (Pairs{{"A", "1"}, {"B", "/x=y"}, {"C", ""}}));
  EXPECT_EQ(image->line, 5);
  EXPECT_EQ(image->attrs.at("future"), "yes");
  EXPECT_EQ(db.FindOsImage("nosuch"), nullptr);

  ASSERT_EQ(db.osdistros.count("distro1"), 1u);
  EXPECT_EQ(db.osdistros.at("distro1").dirpaths,
            (Names{"/install/d1", "/install/d2"}));
  EXPECT_EQ(db.osdistros.at("distro1").line, 8);

  ASSERT_EQ(db.groups.size(), 2u);
  EXPECT_EQ(db.groups[0].name, "rack1");
  EXPECT_EQ(db.groups[0].members, "cn[1-2]");
  EXPECT_EQ(db.groups[0].line, 9);
  EXPECT_EQ(db.groups[1].name, "empty");
  EXPECT_EQ(db.groups[1].members, "");
}

TEST_F(NodeListTest, NodesAreSortedWithGroupMembership) {
  const std::string path = Write("good.xml", kGoodFile);
  ClusterDb db;
  std::string error;
  ASSERT_TRUE(LoadClusterDb(path, &db, &error)) << error;

  ASSERT_EQ(db.nodes.size(), 3u);
  EXPECT_EQ(db.nodes[0].name, "cn1");
  EXPECT_EQ(db.nodes[1].name, "cn2");
  EXPECT_EQ(db.nodes[2].name, "sn1");
  const Node* cn1 = db.FindNode("cn1");
  ASSERT_NE(cn1, nullptr);
  EXPECT_EQ(cn1->groups, (Names{"compute", "rack1"}));
  EXPECT_EQ(cn1->line, 16);
  EXPECT_TRUE(cn1->servicenodes.empty());
  const Node* cn2 = db.FindNode("cn2");
  ASSERT_NE(cn2, nullptr);
  EXPECT_EQ(cn2->groups, (Names{"compute", "rack1"}));  // not twice
  EXPECT_EQ(cn2->servicenodes, (Names{"sn1", "sn2"}));
  EXPECT_EQ(cn2->xcatmaster, "sn1");
  EXPECT_EQ(cn2->provmethod, "img1");
  EXPECT_EQ(cn2->attrs.at("mac"), "aa:bb");
  EXPECT_EQ(cn2->line, 12);
  EXPECT_EQ(db.FindNode("nested;ignored"), nullptr);
  EXPECT_EQ(db.FindNode("cn3"), nullptr);
  EXPECT_EQ(db.FindNode("a"), nullptr);
  EXPECT_EQ(db.FindNode("zz"), nullptr);

  // A node's groups: its own `groups` plus every <group> naming it.
  auto members = [&db](const std::string& group) {
    Names out;
    for (const Node& n : db.nodes) {
      if (std::find(n.groups.begin(), n.groups.end(), group) != n.groups.end())
        out.push_back(n.name);
    }
    return out;
  };
  EXPECT_EQ(members("rack1"), (Names{"cn1", "cn2"}));
  EXPECT_EQ(members("service"), (Names{"sn1"}));
  EXPECT_TRUE(members("empty").empty());
}

TEST_F(NodeListTest, DefaultsWithoutSite) {
  ClusterDb db;
  std::string error;
  ASSERT_TRUE(LoadClusterDb(Write("min.xml", "<cluster/>"), &db, &error));
  EXPECT_TRUE(db.loaded);
  EXPECT_TRUE(db.nodes.empty());
  EXPECT_EQ(db.site.master, "");
  EXPECT_EQ(db.site.installdir, "/install");
  EXPECT_EQ(db.site.sn_sync_file_dir, "/var/xcat/syncfiles");
  EXPECT_EQ(db.site.node_sync_file_dir, "/var/xcat/node/syncfiles");
}

struct BadFile {
  std::string text;
  std::string error;  // "PATH" stands for the file's path
};

TEST_F(NodeListTest, BadFilesAreWholeMessages) {
  const BadFile cases[] = {
      {"", "PATH:1: invalid XML: 'No document element found'"},
      {"<cluster>\n  <node name=\"a\">\n</cluster>\n",
       "PATH:3: invalid XML: 'Start-end tags mismatch'"},
      {"<cluster>\n  <node name=\"a\"\n</cluster>\n",
       "PATH:3: invalid XML: 'Error parsing start element tag'"},
      {"<nodes>\n</nodes>\n", "PATH:1: root element is not <cluster>: 'nodes'"},
      {"<cluster>\n\n  <node groups=\"all\"/>\n</cluster>",
       "PATH:3: node without a name: '<node>'"},
      {"<cluster>\n  <node name=\"a;b\"/>\n</cluster>",
       "PATH:2: invalid node name: 'a;b'"},
      {"<cluster>\n  <node name=\"-oProxyCommand=x\"/>\n</cluster>",
       "PATH:2: invalid node name: '-oProxyCommand=x'"},
      {"<cluster>\n  <node name=\"b\"/>\n  <node name=\"a\"/>\n"
       "  <node name=\"b\"/>\n</cluster>",
       "PATH:4: duplicate node, first on line 2: 'b'"},
      {"<cluster>\n  <node name=\"cn1\" servicenode=\"sn1,bad name\"/>\n"
       "</cluster>",
       "PATH:2: invalid service node name: 'bad name'"},
      {"<cluster>\n  <node name=\"cn1\" xcatmaster=\"$(reboot)\"/>\n</cluster>",
       "PATH:2: invalid xcatmaster name: '$(reboot)'"},
      {"<cluster>\n  <node name=\"cn1\" groups=\"all,a b\"/>\n</cluster>",
       "PATH:2: invalid group name: 'a b'"},
      {"<cluster>\n  <osimage provmethod=\"netboot\"/>\n</cluster>",
       "PATH:2: osimage without a name: '<osimage>'"},
      {"<cluster>\n  <osimage name=\"i\"/>\n  <osimage name=\"i\"/>\n"
       "</cluster>",
       "PATH:3: duplicate osimage, first on line 2: 'i'"},
      {"<cluster>\n  <osimage name=\"i\" environvar=\"A=1,B\"/>\n</cluster>",
       "PATH:2: environvar entry is not NAME=VALUE: 'B'"},
      {"<cluster>\n  <osdistro dirpaths=\"/x\"/>\n</cluster>",
       "PATH:2: osdistro without a name: '<osdistro>'"},
      {"<cluster>\n  <group members=\"cn1\"/>\n</cluster>",
       "PATH:2: group without a name: '<group>'"},
      {"<cluster>\n  <group name=\"r\"/>\n  <group name=\"r\"/>\n</cluster>",
       "PATH:3: duplicate group, first on line 2: 'r'"},
      {"<cluster>\n  <node name=\"cn1\"/>\n  <node name=\"cn2\"/>\n"
       "  <group name=\"rack1\"\n         members=\"cn1-cn3\"/>\n</cluster>",
       "PATH:4: unknown nodes or groups in noderange: cn3"},
      {"<cluster>\n  <node name=\"cn1\" groups=\"compute\"/>\n"
       "  <group name=\"rack1\" members=\"compute\"/>\n</cluster>",
       "PATH:3: unknown nodes or groups in noderange: compute"},
      {"<cluster>\n  <group name=\"r\" members=\"cn(1\"/>\n</cluster>",
       "PATH:2: Unbalanced parentheses in noderange: 'cn(1'"},
      {"<cluster>\n  <site/>\n  <site master=\"mn\"/>\n</cluster>",
       "PATH:3: second site element, first on line 2: '<site>'"},
      {"<cluster>\n  <site master=\"mn;x\"/>\n</cluster>",
       "PATH:2: invalid master name: 'mn;x'"},
  };
  for (const BadFile& c : cases) {
    const std::string path = Write("bad.xml", c.text);
    SCOPED_TRACE(c.text);
    ClusterDb db;
    std::string error;
    EXPECT_FALSE(LoadClusterDb(path, &db, &error));
    std::string expected = c.error;
    expected.replace(0, 4, path);
    EXPECT_EQ(error, expected);
    EXPECT_FALSE(db.loaded);
  }
}

TEST_F(NodeListTest, UnreadableFiles) {
  ClusterDb db;
  std::string error;
  EXPECT_FALSE(LoadClusterDb(dir_ + "/nosuch.xml", &db, &error));
  EXPECT_EQ(error,
            dir_ + "/nosuch.xml: cannot read: No such file or directory");
  EXPECT_FALSE(LoadClusterDb(dir_, &db, &error));
  EXPECT_EQ(error, dir_ + ": cannot read: Is a directory");
}

TEST(NodeListExampleTest, ShippedExampleLoads) {
  const std::string path = XDCP_SOURCE_DIR "/nodelist/example.xml";
  ClusterDb db;
  std::string error;
  ASSERT_TRUE(LoadClusterDb(path, &db, &error)) << error;
  EXPECT_EQ(db.site.master, "mn");
  EXPECT_EQ(db.nodes.size(), 19u);
  EXPECT_EQ(db.osimages.size(), 2u);
  EXPECT_EQ(db.osdistros.size(), 1u);
  ASSERT_NE(db.FindNode("cn16"), nullptr);
  EXPECT_EQ(db.FindNode("cn16")->servicenodes, (Names{"sn2", "sn1"}));
  EXPECT_EQ(db.FindNode("cn08")->servicenodes, (Names{"sn1"}));
  EXPECT_EQ(db.FindNode("cn09")->xcatmaster, "sn2");
  EXPECT_EQ(db.FindNode("cn09")->groups, (Names{"compute", "all", "rack2"}));
  const OsImage* image = db.FindOsImage(db.FindNode("cn01")->provmethod);
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->synclists.size(), 2u);
  EXPECT_EQ(image->environvar.size(), 2u);

  const std::pair<std::string, std::string> ranges[] = {
      {"service", "sn1,sn2"},
      {"rack1@compute", "cn01,cn02,cn03,cn04,cn05,cn06,cn07,cn08"},
      {"compute,-rack1,-cn[10-16]", "cn09"},
      {"all,-compute", "sn1,sn2"},
  };
  for (const auto& [range, expected] : ranges) {
    std::vector<std::string> nodes;
    ASSERT_TRUE(ExpandNodeRange(range, db, NodeRangeEnv(), &nodes, &error))
        << error;
    std::string joined;
    for (const std::string& node : nodes)
      joined += (joined.empty() ? "" : ",") + node;
    EXPECT_EQ(joined, expected) << range;
  }
}

// ClusterDbToXml (nodelist.cc): what an SN's xdcp gets as its database.
TEST(ClusterDbToXmlTest, WritesEveryFieldAndEscapes) {
  ClusterDb db;
  std::string error;
  ASSERT_TRUE(LoadStanzaDb("PATH", R"(clustersite:
  objtype=site
  master=mn
img:
  objtype=osimage
  synclists=/a, /b
  environvar=A=1, B=2
d:
  objtype=osdistro
  dirpaths=/d
r:
  objtype=group
  members=cn1
cn1:
  objtype=node
  groups=compute
  servicenode=sn1 ,sn2
  xcatmaster=
  usercomment=a<b & "c" 'd'
)",
                           &db, &error))
      << error;
  EXPECT_EQ(ClusterDbToXml(db),
            R"(<?xml version="1.0" encoding="UTF-8"?>
<cluster>
  <site master="mn" installdir="/install" SNsyncfiledir="/var/xcat/syncfiles" nodesyncfiledir="/var/xcat/node/syncfiles" name="clustersite" />
  <osimage name="img" synclists="/a,/b" environvar="A=1,B=2" />
  <osdistro name="d" dirpaths="/d" />
  <group name="r" members="cn1" />
  <node name="cn1" groups="compute,r" servicenode="sn1,sn2" xcatmaster="" usercomment="a&lt;b &amp; &quot;c&quot; 'd'" />
</cluster>
)");
}

TEST(ClusterDbToXmlTest, EmptyDatabaseHasTheDefaultSite) {
  EXPECT_EQ(ClusterDbToXml(ClusterDb()),
            R"(<?xml version="1.0" encoding="UTF-8"?>
<cluster>
  <site installdir="/install" SNsyncfiledir="/var/xcat/syncfiles" nodesyncfiledir="/var/xcat/node/syncfiles" />
</cluster>
)");
}

}  // namespace
}  // namespace xdcp
