// -i: local rsync runs into an image, its directories made inside it.
#include "image_plan.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "scratch_dir.h"

namespace xdcp {
namespace {

using Argv = std::vector<std::string>;

class ImagePlanTest : public ScratchDirTest {
 protected:
  Options opts_;
  SyncList list_;
  Plan plan_;
  std::vector<std::string> warnings_;
};

TEST_F(ImagePlanTest, ImageCopiesWithRsyncIntoDirectoriesMadeInsideTheImage) {
  opts_.rcp = "/usr/bin/scp";
  Write("a", "a");
  std::string img = dir_ + "/img";
  mkdir(img.c_str(), 0755);
  mkdir((img + "/run").c_str(), 0755);
  mkdir((img + "/var").c_str(), 0755);
  ASSERT_EQ(symlink("/run", (img + "/var/run").c_str()), 0);
  std::string error;
  ASSERT_TRUE(ParseSyncList("sl", dir_ + "/a -> /var/run/x/a\n", &list_, &error)) << error;
  ASSERT_TRUE(MakeImagePlan(opts_, list_, img, &plan_, &warnings_, &error)) << error;
  const auto& s = plan_.jobs[0].steps;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].kind, StepKind::kLocal);
  EXPECT_EQ(s[0].what, "make " + img + "/run/x");
  EXPECT_EQ(s[1].argv, (std::vector<std::string>{"rsync", "-r", "-l", "-p", "-t", "-o",
                                                 "-g", dir_ + "/a", img + "/run/x/a"}));
  EXPECT_EQ(s[0].local(), "");
  struct stat st;
  EXPECT_EQ(lstat((img + "/run/x").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(ImagePlanTest, NoderangeLinesAndClausesAreLeftOutWithAWarning) {
  Write("a", "a");
  std::string img = scratch_.MakeDir("img");
  std::string error;
  ASSERT_TRUE(ParseSyncList("sl",
                            dir_ + "/a -> (n1) /t/a\n" + dir_ + "/a -> /t/b\nEXECUTE:\n" + dir_ +
                                "/a\n",
                            &list_, &error))
      << error;
  ASSERT_TRUE(MakeImagePlan(opts_, list_, img, &plan_, &warnings_, &error)) << error;
  ASSERT_EQ(plan_.jobs.size(), 1u);
  EXPECT_EQ(plan_.jobs[0].node, img);
  EXPECT_EQ(plan_.fanout, 1);
  ASSERT_EQ(plan_.jobs[0].steps.size(), 2u);
  EXPECT_EQ(plan_.jobs[0].steps[1].argv,
            (Argv{"/usr/bin/rsync", "-r", "-l", "-p", "-t", "-o", "-g", dir_ + "/a", img + "/t/b"}));
  EXPECT_EQ(warnings_,
            (std::vector<std::string>{
                "sl: skipped 1 lines with a noderange (apply them to the nodes with -F)",
                "sl: EXECUTE, EXECUTEALWAYS, APPEND and MERGE are not applied to an image"}));
}

TEST_F(ImagePlanTest, AMissingSourceIsAnErrorWithItsLine) {
  std::string img = scratch_.MakeDir("img");
  std::string error;
  ASSERT_TRUE(ParseSyncList("sl", dir_ + "/none -> /t/b\n", &list_, &error)) << error;
  EXPECT_FALSE(MakeImagePlan(opts_, list_, img, &plan_, &warnings_, &error));
  EXPECT_EQ(error, "sl:1: source not found: '" + dir_ + "/none'");
}

}  // namespace
}  // namespace xdcp
