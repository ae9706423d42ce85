#include "noderange.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

// A case: `nodes` is the expected result joined with ',', used when `error`
// is empty; otherwise the whole error message is expected.
struct Case {
  std::string range;
  std::string nodes;
  std::string error;
};

std::string Join(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    joined += (joined.empty() ? "" : ",") + name;
  }
  return joined;
}

// Adds `name` with `groups` to a test database; Sort() must follow.
void AddNode(ClusterDb* db, const std::string& name,
             std::vector<std::string> groups) {
  Node node;
  node.name = name;
  node.groups = std::move(groups);
  db->nodes.push_back(node);
}

void Sort(ClusterDb* db) {
  db->loaded = true;
  std::sort(db->nodes.begin(), db->nodes.end(),
            [](const Node& a, const Node& b) { return a.name < b.name; });
}

// The stub of xcat-xdcp.md table 7.3, plus a group "all".
ClusterDb StubDb() {
  ClusterDb db;
  for (int i = 1; i <= 5; ++i) {
    std::vector<std::string> groups = {"compute", "all"};
    if (i <= 2) groups.push_back("rack1");
    if (i == 3 || i == 4) groups.push_back("rack2");
    AddNode(&db, "node" + std::to_string(i), groups);
  }
  for (const char* name : {"node10", "node001", "node002", "node003", "node010",
                           "f1n1", "f1n2", "f2n1", "f2n2"}) {
    AddNode(&db, name, {"all"});
  }
  Sort(&db);
  return db;
}

// The setups of xCAT's noderange/cases0 (xcat-xdcp.md 9.3).
ClusterDb TnrDb() {
  ClusterDb db;
  AddNode(&db, "testnode01", {"nrtestgrp", "nrtestgrp1"});
  AddNode(&db, "testnode02", {"nrtestgrp", "nrtestgrp2"});
  AddNode(&db, "testnode03", {"nrtestgrp3"});
  for (int i = 1; i <= 13; ++i) {
    AddNode(&db, (i < 10 ? "nrtestnode0" : "nrtestnode") + std::to_string(i),
            {});
  }
  for (const char* name : {"nrtestnode2", "nrtestnode3"}) {
    AddNode(&db, name, {"group1"});
  }
  AddNode(&db, "nrtestnode1", {"group1", "group2"});
  for (const char* f : {"f1n1", "f1n2", "f1n3", "f2n1", "f2n2", "f2n3"}) {
    AddNode(&db, f, {});
  }
  for (int i = 10; i <= 20; ++i) AddNode(&db, "node" + std::to_string(i), {});
  for (int i = 1; i <= 5; ++i) AddNode(&db, "exnode" + std::to_string(i), {});
  AddNode(&db, "nrnode1", {});
  AddNode(&db, "nrnode2", {});
  Sort(&db);
  return db;
}

std::string Repeat(const std::string& text, int times) {
  std::string repeated;
  for (int i = 0; i < times; ++i) repeated += text;
  return repeated;
}

// Noderange files for `^file`; any other path cannot be read.
const std::map<std::string, std::string>& Files() {
  static const std::map<std::string, std::string> files = {
      {"/tmp/nodelist", "nrnode1\nnrnode2\n"},
      {"/comments", "# only comments\n\n#node1\n^node2\n"},
      {"/columns", "node1:the rest\nnode2 the rest\nnode3\tx\n node4\r\n"},
      {"/local-exclusion", "node1-node3,-node2\nnode2\n"},
      {"/ranges", "node[1-2]\n/f1n.*\r\n"},
      {"/bad", "node1\nnode;2\n"},
      {"/self", "node1,^/self\n"},
      {"/many", Repeat("node1,^/ranges\n", 1001)},
  };
  return files;
}

NodeRangeEnv FakeEnv() {
  NodeRangeEnv env;
  env.read_file = [](const std::string& path, std::string* content) {
    auto it = Files().find(path);
    if (it == Files().end()) return false;
    *content = it->second;
    return true;
  };
  return env;
}

void Check(const std::vector<Case>& cases, const ClusterDb& db,
           const NodeRangeEnv& env) {
  for (const Case& c : cases) {
    SCOPED_TRACE("noderange: " + c.range);
    std::vector<std::string> nodes;
    std::string error;
    bool ok = ExpandNodeRange(c.range, db, env, &nodes, &error);
    EXPECT_EQ(ok, c.error.empty());
    EXPECT_EQ(error, c.error);
    EXPECT_EQ(Join(nodes), ok ? c.nodes : "");
  }
}

TEST(NodeRangeTest, VerifiedExamplesOfXcat) {  // xcat-xdcp.md table 7.3
  Check(
      {
          {"node1-node4", "node1,node2,node3,node4", ""},
          {"node[1-3]", "node1,node2,node3", ""},
          {"node1:node3", "node1,node2,node3", ""},
          {"node[1:3]", "node1,node2,node3", ""},
          {"node[1,3,5]", "node1,node3,node5", ""},
          {"node[1-2,4]", "node1,node2,node4", ""},
          {"f[1-2]n[1-2]", "f1n1,f1n2,f2n1,f2n2", ""},
          {"compute@rack1", "node1,node2", ""},
          {"rack1,rack2@compute", "node1,node2,node3,node4", ""},
          {"(rack1,rack2)@compute", "node1,node2,node3,node4", ""},
          {"all,-(rack1,rack2)",
           "f1n1,f1n2,f2n1,f2n2,node001,node002,node003,node010,node10,node5",
           ""},
          {"node1-node5,-node3-node5,node4", "node1,node2", ""},
          {"-node1,compute", "node2,node3,node4,node5", ""},
          {"/node[1-3]", "node1,node2,node3", ""},
          {"/f", "", ""},
          {"node001+2", "node001,node002,node003", ""},
          {"1-3", "node1,node2,node3", ""},
          {"2+1", "node2,node3", ""},
          {"node1, node2", "", "invalid node name in noderange: ' node2'"},
          {"node1,", "node1", ""},
          {",node1", "node1", ""},
          {"node1,,node2", "node1,node2", ""},
          {"'node1'", "node1", ""},
          {"\"node1\"", "node1", ""},
          {"compute,@rack1", "node1,node2", ""},
          {"compute@rack1@rack2", "", ""},
          {"node001-node010", "",
           "unknown nodes or groups in noderange: "
           "node004,node005,node006,node007,node008,node009"},
      },
      StubDb(), FakeEnv());
}

TEST(NodeRangeTest, XcatNoderangeTestCases) {  // xcat-xdcp.md 9.3 (T-nr0)
  Check(
      {
          {"testnode01", "testnode01", ""},
          {"nrtestgrp", "testnode01,testnode02", ""},
          {"nrtestnode01-nrtestnode10",
           "nrtestnode01,nrtestnode02,nrtestnode03,nrtestnode04,nrtestnode05,"
           "nrtestnode06,nrtestnode07,nrtestnode08,nrtestnode09,nrtestnode10",
           ""},
          {"nrtestnode[01-03]", "nrtestnode01,nrtestnode02,nrtestnode03", ""},
          {"nrtestnode[08:10]", "nrtestnode08,nrtestnode09,nrtestnode10", ""},
          {"f[1-2]n[1-3]", "f1n1,f1n2,f1n3,f2n1,f2n2,f2n3", ""},
          {"nrtestgrp1-nrtestgrp3", "testnode01,testnode02,testnode03", ""},
          {"nrtestnode10+3",
           "nrtestnode10,nrtestnode11,nrtestnode12,nrtestnode13", ""},
          {"10-20",
           "node10,node11,node12,node13,node14,node15,node16,node17,node18,"
           "node19,node20",
           ""},
          {"/nrtestnode.", "nrtestnode1,nrtestnode2,nrtestnode3", ""},
          {"^/tmp/nodelist", "nrnode1,nrnode2", ""},
          {"exnode1-exnode5,-exnode3,-exnode4", "exnode1,exnode2,exnode5", ""},
          {"group1@group2", "nrtestnode1", ""},
          {"10-15,-13", "node10,node11,node12,node14,node15", ""},
      },
      TnrDb(), FakeEnv());
}

TEST(NodeRangeTest, PrefixAndSuffixForBareNumbers) {
  NodeRangeEnv env;
  env.prefix = "abc";
  Check({{"10-12", "abc10,abc11,abc12", ""}, {"7", "abc7", ""}}, ClusterDb(),
        env);
  env.suffix = "def";
  Check({{"10-12", "abc10def,abc11def,abc12def", ""}}, ClusterDb(), env);
}

TEST(NodeRangeTest, NoderangeFiles) {
  Check(
      {
          {"^/columns", "node1,node2,node3", ""},
          {"^/comments", "", ""},
          {"^/comments,node5", "node5", ""},
          {"^/local-exclusion", "node1,node2,node3", ""},
          {"^/local-exclusion,-node1", "node2,node3", ""},
          {"-^/ranges,compute", "node3,node4,node5", ""},
          {"^/ranges", "f1n1,f1n2,node1,node2", ""},
          {"compute@^/ranges", "node1,node2", ""},
          {"^/nosuch", "", "cannot read noderange file: '/nosuch'"},
          {"^/bad", "", "/bad:2: invalid node name in noderange: 'node;2'"},
          {"^/self", "",
           "/self:1: noderange nested more than 64 levels deep: '^/self'"},
          {"^/many", "",
           "/many:1000: noderange reads more than 1000 files: '^/many'"},
      },
      StubDb(), FakeEnv());
}

// U-nrfile: "^cmd |" is a file name, never a command. With a reader that
// fails, it is an error (xCAT skipped unreadable files silently).
TEST(NodeRangeTest, FileOperatorNeverRunsAnything) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  const std::string marker = dir + "/marker";
  std::vector<std::string> paths_read;
  NodeRangeEnv env;
  env.read_file = [&](const std::string& path, std::string* content) {
    paths_read.push_back(path);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    *content = text.str();
    return static_cast<bool>(in);
  };
  std::vector<std::string> nodes;
  std::string error;
  const std::string path = "touch " + marker + " |";
  EXPECT_FALSE(ExpandNodeRange("^" + path, ClusterDb(), env, &nodes, &error));
  EXPECT_EQ(error, "cannot read noderange file: '" + path + "'");
  EXPECT_EQ(paths_read, std::vector<std::string>{path});
  struct stat st;
  EXPECT_NE(stat(marker.c_str(), &st), 0);

  // A file of comments and blank lines is no nodes and no error.
  const std::string comments = dir + "/comments";
  std::ofstream(comments) << "# a comment\n\n#node1\n";
  EXPECT_TRUE(
      ExpandNodeRange("^" + comments, ClusterDb(), env, &nodes, &error));
  EXPECT_TRUE(nodes.empty());
}

TEST(NodeRangeTest, RangesWithoutDatabase) {
  Check(
      {
          {"", "", ""},
          {",,", "", ""},
          {"compute", "compute", ""},
          {"cn1,cn2", "cn1,cn2", ""},
          {"node08-node12", "node08,node09,node10,node11,node12", ""},
          {"node1-node010",
           "node1,node10,node2,node3,node4,node5,node6,node7,node8,node9", ""},
          {"node98-node101", "node100,node101,node98,node99", ""},
          {"node098-node101", "node098,node099,node100,node101", ""},
          {"node[3-1]", "", ""},
          {"node10-node1", "", ""},
          {"node5-node5", "node5", ""},
          {"node-foo-001-bar-node-foo-002-bar",
           "node-foo-001-bar,node-foo-002-bar", ""},
          {"cn-01", "cn-01", ""},
          {"rack1-cn[1-2]", "rack1-cn1,rack1-cn2", ""},
          {"f[1-2]n[01-02]", "f1n01,f1n02,f2n01,f2n02", ""},
          {"cn[1,3-4,x]", "cn1,cn3,cn4,cnx", ""},
          {"node10+2", "node10,node11,node12", ""},
          {"node09+2", "node09,node10,node11", ""},
          {"(cn1,cn2),cn3", "cn1,cn2,cn3", ""},
          {"cn[1-5],-(cn2,cn3)", "cn1,cn4,cn5", ""},
          {"-(cn2,cn3),cn[1-5]", "cn1,cn4,cn5", ""},
          {"cn[1-5],-cn[2-4]", "cn1,cn5", ""},
          {"host.example.com", "host.example.com", ""},
          {"cn1,-oProxyCommand", "cn1", ""},
          {"/cn.*", "", "a /regex noderange needs a cluster database: '/cn.*'"},
          {"cn1@cn2", "",
           "an @ intersection needs a cluster database: 'cn1@cn2'"},
          {"cn1,@cn2", "",
           "an @ intersection needs a cluster database: '@cn2'"},
          {"(cn1)@(cn2)", "",
           "an @ intersection needs a cluster database: '@(cn2)'"},
      },
      ClusterDb(), FakeEnv());
}

TEST(NodeRangeTest, HostileNamesNeverGetThrough) {
  const std::vector<Case> cases = {
      {"a;b", "", "invalid node name in noderange: 'a;b'"},
      {"-oProxyCommand=x", "",
       "attribute selection is not supported: 'oProxyCommand=x'"},
      {"$(x)", "", "invalid node name in noderange: '$'"},
      {"`x`", "", "invalid node name in noderange: '`x`'"},
      {"a b", "", "invalid node name in noderange: 'a b'"},
      {"cn1\ncn2", "", "invalid node name in noderange: 'cn1\ncn2'"},
      {".hidden", "", "invalid node name in noderange: '.hidden'"},
      {"cn[1-2];x", "", "invalid node name in noderange: 'cn1;x'"},
      {"x&y", "", "invalid node name in noderange: 'x&y'"},
      {"cn1+", "", "invalid node name in noderange: 'cn1+'"},
      {"cn/x", "", "invalid node name in noderange: 'cn/x'"},
      {"[1-2]", "node1,node2", ""},
      {std::string(256, 'a'), "",
       "invalid node name in noderange: '" + std::string(256, 'a') + "'"},
  };
  Check(cases, ClusterDb(), FakeEnv());
  Check(cases, StubDb(), FakeEnv());
}

TEST(NodeRangeTest, ErrorsWithDatabase) {
  std::string unknown25;
  for (const char* n :
       {"1",  "10", "11", "12", "13", "14", "15", "16", "17", "18",
        "19", "2",  "20", "21", "22", "23", "24", "25", "3",  "4"}) {
    unknown25 += std::string(unknown25.empty() ? "" : ",") + "x" + n;
  }
  Check(
      {
          {"nosuch,node1,other", "",
           "unknown nodes or groups in noderange: nosuch,other"},
          {"node1,-node99", "", "unknown nodes or groups in noderange: node99"},
          {"x1-x25", "",
           "unknown nodes or groups in noderange: " + unknown25 +
               ",... (5 more)"},
          {"groups==compute", "",
           "attribute selection is not supported: 'groups==compute'"},
          {"nodelist.status=~booted", "",
           "attribute selection is not supported: 'nodelist.status=~booted'"},
          {"/[", "", "invalid regular expression in noderange: '/['"},
          // RE2: a quantifier on a quantifier is not in its syntax.
          {"/s?+++++++sn", "", "invalid regular expression in noderange: '/s?+++++++sn'"},
          {"/node1*{2}", "", "invalid regular expression in noderange: '/node1*{2}'"},
          {"(node1", "", "Unbalanced parentheses in noderange: '(node1'"},
          {"node1)", "", "Unbalanced parentheses in noderange: 'node1)'"},
          {"(node1))", "", "Unbalanced parentheses in noderange: ')'"},
          {"compute&rack1", "",
           "invalid node name in noderange: 'compute&rack1'"},
      },
      StubDb(), FakeEnv());
}

// xcat-xdcp.md 7.2 steps 1 and 3.
TEST(NodeRangeTest, NodesHideGroupsAndEmptyGroupsAreEmpty) {
  ClusterDb db = StubDb();
  AddNode(&db, "rack2", {"compute"});
  Sort(&db);
  db.groups.push_back(Group{"emptygrp", "", 1});
  Check(
      {
          {"rack2", "rack2", ""},
          {"rack1,rack2", "node1,node2,rack2", ""},
          {"emptygrp", "", ""},
          {"emptygrp,node1", "node1", ""},
          {"compute,-emptygrp", "node1,node2,node3,node4,node5,rack2", ""},
      },
      db, FakeEnv());
}

TEST(NodeRangeTest, GuardsAgainstHugeAndDeepRanges) {
  const std::string deep = std::string(70, '(') + "cn1" + std::string(70, ')');
  Check(
      {
          {"cn1-cn1000001", "",
           "noderange expands to more than 1000000 names: 'cn1-cn1000001'"},
          {"cn1-cn99999999999999999", "",
           "noderange expands to more than 1000000 names: "
           "'cn1-cn99999999999999999'"},
          {"cn[1-1000]n[1-1001]", "",
           "noderange expands to more than 1000000 names: "
           "'cn[1-1000]n[1-1001]'"},
          {"cn1+999999999999", "",
           "noderange expands to more than 1000000 names: 'cn1+999999999999'"},
          {deep, "",
           "noderange nested more than 64 levels deep: '" + deep + "'"},
          {std::string(100000, '(') + std::string(100000, ')'), "",
           "noderange nested more than 64 levels deep: '" +
               std::string(100000, '(') + std::string(100000, ')') + "'"},
      },
      ClusterDb(), FakeEnv());
}

// Patterns that make a backtracking matcher take exponential or high
// polynomial time against long names: RE2 answers in linear time (a hang
// here is a failure by the test's timeout).
TEST(NodeRangeTest, RegexesMatchInLinearTime) {
  ClusterDb db;
  db.loaded = true;
  for (int i = 0; i < 2000; ++i) {
    Node n;
    n.name = std::string(240, 'a') + std::to_string(10000 + i);
    db.nodes.push_back(n);
  }
  Node last;
  last.name = std::string(250, 'a') + "b";
  db.nodes.push_back(last);
  Check(
      {
          {"/a*a*a*a*a*a*a*a*a*a*a*a*b", last.name, ""},
          {"/a*a*a*a*a*a*a*a*a*a*a*a*c", "", ""},
          {"/.*.*.*.*.*x", "", ""},
          {"/[ab]*[ab]*[ab]*[ab]*[ab]*[ab]*[ab]*c", "", ""},
          {"/a*.*a*.*a*.*a*.*a*.*9x", "", ""},
          {"/a+11999", std::string(240, 'a') + "11999", ""},
      },
      db, FakeEnv());
}

TEST(NodeRangeTest, AMillionNamesIsTheLimit) {
  std::vector<std::string> nodes;
  std::string error;
  EXPECT_TRUE(ExpandNodeRange("cn1-cn1000000", ClusterDb(), NodeRangeEnv(),
                              &nodes, &error));
  EXPECT_EQ(nodes.size(), 1000000u);
}

TEST(FoldNodeRangeTest, FoldsAndRoundTrips) {
  struct FoldCase {
    std::vector<std::string> names;
    std::string folded;
  };
  const FoldCase cases[] = {
      {{}, ""},
      {{"node1"}, "node1"},
      {{"node1", "node2", "node3"}, "node[1-3]"},
      {{"cn01", "cn02", "cn03", "cn07"}, "cn[01-03,07]"},
      {{"node1", "node10", "node2"}, "node[1-2,10]"},
      {{"node001", "node002", "node003"}, "node[001-003]"},
      {{"node08", "node09", "node10", "node100"}, "node[08-10,100]"},
      {{"node01", "node1"}, "node[1,01]"},
      {{"n0", "n00", "n1"}, "n[0-1,00]"},
      {{"f1n1", "f1n2", "f2n1", "f2n2"}, "f1n[1-2],f2n[1-2]"},
      {{"a", "b", "node1"}, "a,b,node1"},
      {{"cn1a", "cn2a", "cn3b"}, "cn[1-2]a,cn3b"},
      {{"rack1-cn1", "rack1-cn2", "rack2-cn1"}, "rack1-cn[1-2],rack2-cn1"},
      {{"db.example.com", "web1.example.com", "web2.example.com"},
       "db.example.com,web[1-2].example.com"},
  };
  for (const FoldCase& c : cases) {
    EXPECT_EQ(FoldNodeRange(c.names), c.folded);
    std::vector<std::string> sorted = c.names, back;
    std::sort(sorted.begin(), sorted.end());
    std::string error;
    EXPECT_TRUE(
        ExpandNodeRange(c.folded, ClusterDb(), NodeRangeEnv(), &back, &error))
        << error;
    EXPECT_EQ(back, sorted) << c.folded;
  }
}

// A bigger set with gaps, mixed widths and several prefixes.
TEST(FoldNodeRangeTest, RoundTripsAMixedCluster) {
  std::vector<std::string> names;
  for (int i = 1; i <= 300; ++i) {
    if (i % 7 != 0) names.push_back("cn" + std::to_string(i));
    if (i % 5 != 0) {
      names.push_back("gpu" +
                      std::string(i < 10    ? "00"
                                  : i < 100 ? "0"
                                            : "") +
                      std::to_string(i) + "-ib");
    }
  }
  names.push_back("mn");
  std::sort(names.begin(), names.end());
  std::vector<std::string> back;
  std::string error;
  const std::string folded = FoldNodeRange(names);
  EXPECT_TRUE(
      ExpandNodeRange(folded, ClusterDb(), NodeRangeEnv(), &back, &error));
  EXPECT_EQ(back, names);
  EXPECT_LT(folded.size(), 1200u) << folded;
}

}  // namespace
}  // namespace xdcp
