// Hierarchy: what a service node may report, and for which nodes; the
// steps of delivery and pull through a service node.
#include "service_nodes.h"

#include "gtest/gtest.h"

namespace xdcp {
namespace {

// The records as the executor keeps them: parsed from the lines of the
// job of `sn`, marked with the SN that printed them.
void Relay(const std::string& sn, const std::vector<std::string>& lines,
           std::vector<NodeResult>* relayed) {
  for (const auto& line : lines) {
    NodeResult r;
    if (!ParseResultRecord(line, &r)) continue;
    r.service_node = sn;
    relayed->push_back(r);
  }
}

std::string Summary(const NodeResult& r) {
  return r.node + " " + (r.state == NodeState::kOk ? "ok" : ClassName(r.failure)) + " [" +
         r.reason + "] via " + r.service_node;
}

NodeResult SnJob(const std::string& sn, FailureClass failure = FailureClass::kNone,
                 const std::string& reason = "") {
  NodeResult r;
  r.node = sn;
  r.state = failure == FailureClass::kNone ? NodeState::kOk : NodeState::kFailed;
  r.failure = failure;
  r.reason = reason;
  return r;
}

std::vector<std::string> Summaries(const std::vector<NodeResult>& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(Summary(r));
  return out;
}

TEST(ServiceNodesTest, ResultRecordRoundTrip) {
  NodeResult r;
  r.node = "cn5";
  r.state = NodeState::kFailed;
  r.failure = FailureClass::kTransfer;
  r.exit_code = 23;
  r.files_changed = 2;
  r.reason = "partial transfer";
  NodeResult back;
  ASSERT_TRUE(ParseResultRecord(ResultRecord(r), &back));
  EXPECT_EQ(Summary(back), "cn5 transfer [partial transfer] via ");
  EXPECT_EQ(back.exit_code, 23);
  for (const char* bad : {"xdcp-result: cn5 9 0 0 0 x", "xdcp-result: -x 0 0 0 0 ok",
                          "xdcp-result: cn5 0", "cn5: xdcp-result: cn5 0 0 0 0 ok",
                          "xdcp-result: cn5 1 6 1 0 no class 6", "xdcp-result: cn5 1 9 1 0 x",
                          "xdcp-result: cn5 1 -1 1 0 x"}) {
    EXPECT_FALSE(ParseResultRecord(bad, &back)) << bad;
  }
  // The class numbers are what an SN of the same version sends: they stay.
  ASSERT_TRUE(ParseResultRecord("xdcp-result: cn5 1 7 -1 0 sn9: no result", &back));
  EXPECT_EQ(Summary(back), "cn5 blocked by SN [sn9: no result] via ");
  ASSERT_TRUE(ParseResultRecord("xdcp-result: cn5 1 8 -1 0 stopped by Interrupt", &back));
  EXPECT_EQ(Summary(back), "cn5 interrupted [stopped by Interrupt] via ");
}

// sn1 serves cn5 and cn6, sn2 serves cn7 and cn8. A crafted stream from
// sn1 claims success for cn7 and cn8 (sn2's nodes) and reports cn5 twice.
TEST(ServiceNodesTest, AnSnReportsOnlyItsOwnNodes) {
  std::vector<NodeResult> relayed;
  Relay("sn1",
        {"xdcp-result: cn5 0 0 0 1 ", "xdcp-result: cn7 0 0 0 1 ",
         "xdcp-result: cn8 0 0 0 1 ", "cn6: some output", "xdcp-result: cn5 1 4 1 0 late"},
        &relayed);
  NodeResult sn1_ok = SnJob("sn1");
  NodeResult sn2_ok = SnJob("sn2");
  EXPECT_EQ(Summaries(ResultsBehind("sn1", sn1_ok, {"cn5", "cn6"}, relayed)),
            (std::vector<std::string>{
                "cn5 ok [] via sn1",
                "cn6 blocked by SN [sn1: no result for this node] via sn1"}));
  EXPECT_EQ(Summaries(ResultsBehind("sn2", sn2_ok, {"cn7", "cn8"}, relayed)),
            (std::vector<std::string>{
                "cn7 blocked by SN [sn2: no result for this node] via sn2",
                "cn8 blocked by SN [sn2: no result for this node] via sn2"}));
  // sn2's own record counts; its job's failure names the others' reason.
  Relay("sn2", {"xdcp-result: cn8 0 0 0 0 "}, &relayed);
  NodeResult sn2_failed = SnJob("sn2", FailureClass::kTimeout, "timed out");
  EXPECT_EQ(Summaries(ResultsBehind("sn2", sn2_failed, {"cn7", "cn8"}, relayed)),
            (std::vector<std::string>{"cn7 blocked by SN [sn2: timeout: timed out] via sn2",
                                      "cn8 ok [] via sn2"}));
  // An interrupted SN job: nothing it said counts.
  NodeResult sn1_int = SnJob("sn1", FailureClass::kInterrupted, "Interrupt");
  EXPECT_EQ(Summaries(ResultsBehind("sn1", sn1_int, {"cn5"}, relayed)),
            std::vector<std::string>{"cn5 blocked by SN [sn1: interrupted: Interrupt] via sn1"});
}

struct BudgetCase {
  int timeout;
  int fanout;
  size_t nodes;
  int budget;
};

// An SN's job gets one -t for its own steps and one per wave of its
// nodes, each plus kServiceNodeSlack: no node is cut short of its own -t.
TEST(ServiceNodesTest, JobBudgetCoversEveryWaveOfNodes) {
  const BudgetCase cases[] = {
      {0, 64, 100, 0},      // no -t: no limit
      {10, 64, 1, 30},      // staging + 1 wave
      {10, 64, 64, 30},
      {10, 64, 65, 45},     // 2 waves
      {10, 2, 5, 60},       // 3 waves
      {2000000000, 1, 100000, 2147483647},  // capped, never negative
  };
  for (const auto& c : cases) {
    Options o;
    o.timeout = c.timeout;
    o.fanout = c.fanout;
    EXPECT_EQ(ServiceNodeJobTimeout(o, c.nodes), c.budget) << c.timeout << " " << c.nodes;
  }
}

// The delivery runs on a connection of its own (no ControlPath), with a
// stdin xdcp holds open, so the SN's xdcp sees the management node go.
TEST(ServiceNodesTest, DeliveryHoldsTheSnsStdinOnItsOwnConnection) {
  Options o;
  RunContext run;
  run.control_dir = "/tmp/xdcp.x/sn";
  o.timeout = 7;
  Step s = DeliveryStep(o, run, "sn1", {"cn5", "cn6"}, "/var/xcat/syncfiles", "/l", "");
  EXPECT_TRUE(s.stdin_held);
  EXPECT_TRUE(s.relays_results);
  for (const auto& a : s.argv) EXPECT_EQ(a.find("ControlPath"), std::string::npos) << a;
  EXPECT_NE(s.argv.back().find(" -t 7 "), std::string::npos) << s.argv.back();
}

TEST(PullThroughTest, LinksComeBackMungedOnceAndNothingSetId) {
  Options o;
  o.recursive = true;
  std::vector<Step> steps =
      PullThroughSteps(o, RunContext(), "sn1", {"cn5"}, "/var/xcat/syncfiles", "/tmp/pt", "/d");
  ASSERT_EQ(steps.size(), 3u);
  const std::vector<std::string>& back = steps[1].argv;
  ASSERT_GE(back.size(), 5u);
  // The SN's rsync unmunges the links it stored munged; this side munges.
  EXPECT_EQ(std::vector<std::string>(back.end() - 5, back.end()),
            (std::vector<std::string>{"--munge-links", "--chmod=ugo-s",
                                      "--remote-option=--munge-links",
                                      "sn1:/var/xcat/syncfiles/.xdcp-pull/", "/d/"}));
}

TEST(PullThroughTest, WithScpTheFilesComeBackWithRsyncAndItsRules) {
  Options o;
  o.rcp = "/usr/bin/scp";
  o.recursive = true;
  std::vector<Step> steps = PullThroughSteps(o, RunContext(), "sn1", {"cn5", "cn6"},
                                             "/var/xcat/syncfiles", "/tmp/pt/", "/d");
  ASSERT_EQ(steps.size(), 3u);
  const std::vector<std::string>& back = steps[1].argv;
  EXPECT_EQ(back.front(), "rsync");  // scp -r would copy .xdcp-pull itself into /d
  EXPECT_EQ(std::vector<std::string>(back.end() - 5, back.end()),
            (std::vector<std::string>{"--munge-links", "--chmod=ugo-s",
                                      "--remote-option=--munge-links",
                                      "sn1:/var/xcat/syncfiles/.xdcp-pull/", "/d/"}));
  EXPECT_EQ(steps[2].kind, StepKind::kRemote);
}

// An SN is given every node's name and groups (noderanges expand the
// same), but the other fields and images of its own nodes only, and no
// attribute xdcp does not know.
TEST(ServiceNodesTest, AnSnGetsOnlyWhatItsNodesNeedOfTheDatabase) {
  ClusterDb db;
  db.loaded = true;
  db.path = "/etc/xcat/nodelist.xml";
  db.site.master = "mn";
  db.site.attrs = {{"master", "mn"}, {"secret", "s3cret"}};
  auto node = [](const char* name, const char* sn, const char* img) {
    Node n;
    n.name = name;
    n.groups = {"compute", std::string("rack-") + sn};
    n.servicenodes = {sn};
    n.provmethod = img;
    n.attrs = {{"bmcpassword", "hunter2"}};
    return n;
  };
  db.nodes = {node("cn5", "sn1", "img-a"), node("cn7", "sn2", "img-b")};
  for (const char* name : {"img-a", "img-b"}) {
    OsImage img;
    img.name = name;
    img.environvar = {{"K", name}};
    img.attrs = {{"rootimgdir", "/install/x"}, {"secret", "s"}};
    db.osimages[name] = img;
  }
  db.osdistros["rhels9"] = OsDistro{"rhels9", {"/install/rhels9"}, 1};
  db.groups = {Group{"rack-sn1", "cn5", 3}};
  ClusterDb sn1 = DatabaseForServiceNode(db, {"cn5"});
  EXPECT_TRUE(sn1.loaded);
  EXPECT_EQ(sn1.site.master, "mn");
  EXPECT_TRUE(sn1.site.attrs.empty());
  ASSERT_EQ(sn1.nodes.size(), 2u);
  EXPECT_EQ(sn1.nodes[0].provmethod, "img-a");
  EXPECT_EQ(sn1.nodes[0].servicenodes, std::vector<std::string>{"sn1"});
  EXPECT_EQ(sn1.nodes[1].name, "cn7");
  EXPECT_EQ(sn1.nodes[1].groups, (std::vector<std::string>{"compute", "rack-sn2"}));
  EXPECT_EQ(sn1.nodes[1].provmethod, "");
  EXPECT_TRUE(sn1.nodes[1].servicenodes.empty());
  for (const auto& n : sn1.nodes) EXPECT_TRUE(n.attrs.empty()) << n.name;
  ASSERT_EQ(sn1.osimages.size(), 1u);
  EXPECT_EQ(sn1.osimages.begin()->second.environvar,
            (std::vector<std::pair<std::string, std::string>>{{"K", "img-a"}}));
  EXPECT_TRUE(sn1.osimages.begin()->second.attrs.empty());
  EXPECT_TRUE(sn1.osdistros.empty());
  ASSERT_EQ(sn1.groups.size(), 1u);
  EXPECT_EQ(sn1.groups[0].members, "");
  std::string xml = ClusterDbToXml(sn1);
  for (const char* leak : {"s3cret", "hunter2", "img-b", "rhels9", "secret"}) {
    EXPECT_EQ(xml.find(leak), std::string::npos) << leak << " in\n" << xml;
  }
}

}  // namespace
}  // namespace xdcp

