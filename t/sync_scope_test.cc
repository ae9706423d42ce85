// Which synclist lines apply to which node, and the local files a node
// needs: the decision that staging on service nodes and delivery share.
#include "sync_scope.h"

#include <sys/stat.h>

#include <set>
#include <string>

#include "scratch_dir.h"

namespace xdcp {
namespace {

class SyncScopeTest : public ScratchDirTest {
 protected:
  void SetUp() override {
    db_.loaded = true;
    OsImage cpu, gpu;
    cpu.name = "img-cpu";
    gpu.name = "img-gpu";
    gpu.environvar = {{"ARCH", "sm90"}};
    db_.osimages = {{cpu.name, cpu}, {gpu.name, gpu}};
    for (const char* name : {"cpu1", "cpu2", "gpu1", "sn1"}) {
      Node n;
      n.name = name;
      if (name[0] == 'g') n.groups = {"gpu"}, n.provmethod = "img-gpu";
      if (name[0] == 'c') n.provmethod = "img-cpu";
      db_.nodes.push_back(n);
    }
    Write("common", "c");
    Write("only-cpu1", "1");
    mkdir((dir_ + "/sm90").c_str(), 0700);
    Write("sm90/kernel", "k");
    Write("sn-own", "s");
  }

  // Parses `text` with @ standing for the scratch directory.
  SyncList List(std::string text) {
    for (size_t at; (at = text.find('@')) != std::string::npos;) text.replace(at, 1, dir_);
    SyncList list;
    std::string error;
    EXPECT_TRUE(ParseSyncList("sl", text, &list, &error)) << error;
    return list;
  }

  std::set<std::string> Needs(const SyncList& list, const std::string& node,
                              std::string* error) {
    SyncScope scope;
    std::set<std::string> files;
    NodeRangeEnv env;
    if (!scope.Init(list, db_, env, error)) return {"init failed"};
    if (!SourcesForNode(list, scope, db_, node, &files, error)) return {"failed"};
    for (auto& f : std::set<std::string>(files)) {
      files.erase(f);
      files.insert(f.substr(dir_.size()));
    }
    return files;
  }

  ClusterDb db_;
};

TEST_F(SyncScopeTest, EachNodeNeedsOnlyTheLinesOfItsRanges) {
  SyncList list = List(
      "@/common -> /etc/common\n"
      "@/only-cpu1 -> (cpu1) /etc/x\n"
      "@/$ARCH/kernel -> (gpu) /lib/kernel\n"
      "@/sn-own -> (sn1) /etc/sn\n"
      "@/sm90/ -> (gpu1,cpu2) /opt/\n");
  std::string error;
  const struct {
    std::string node;
    std::set<std::string> files;
  } cases[] = {
      {"cpu1", {"/common", "/only-cpu1"}},
      {"cpu2", {"/common", "/sm90"}},
      // $ARCH is defined for the GPU image only, and only GPU nodes need it
      {"gpu1", {"/common", "/sm90/kernel", "/sm90"}},
      // an SN's own line is for the SN, never staged for its nodes
      {"sn1", {"/common", "/sn-own"}},
  };
  for (const auto& c : cases) EXPECT_EQ(Needs(list, c.node, &error), c.files) << c.node << error;
}

TEST_F(SyncScopeTest, AppliesFollowsTheExpandedNoderange) {
  SyncList list = List("@/common -> /a\n@/common -> (gpu,cpu2) /b\n");
  SyncScope scope;
  std::string error;
  ASSERT_TRUE(scope.Init(list, db_, NodeRangeEnv(), &error)) << error;
  EXPECT_TRUE(scope.Applies(list.lines[0], "anything"));
  EXPECT_TRUE(scope.Applies(list.lines[1], "gpu1"));
  EXPECT_TRUE(scope.Applies(list.lines[1], "cpu2"));
  EXPECT_FALSE(scope.Applies(list.lines[1], "cpu1"));
}

TEST_F(SyncScopeTest, ErrorsNameFileAndLine) {
  std::string error;
  Needs(List("@/common -> /a\n@/$ARCH/kernel -> /lib/kernel\n"), "cpu1", &error);
  EXPECT_EQ(error, "sl:2: source not found: '" + dir_ + "/$ARCH/kernel'");
  Needs(List("@/common -> (nosuchgroup) /a\n"), "cpu1", &error);
  EXPECT_EQ(error.substr(0, 5), "sl:1:");
}

}  // namespace
}  // namespace xdcp
