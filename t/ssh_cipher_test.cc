// ConfigNamesCiphers and CpuHasAes (ssh_cipher.cc).
#include "ssh_cipher.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

TEST(SshCipherTest, ACiphersLineInAnyBlockCounts) {
  std::vector<std::string> inc;
  EXPECT_TRUE(ConfigNamesCiphers("Host sn*\n    Ciphers aes256-ctr\n", &inc));
  EXPECT_TRUE(ConfigNamesCiphers("ciphers=aes256-gcm@openssh.com\n", &inc));
  EXPECT_TRUE(ConfigNamesCiphers("  CIPHERS +aes128-cbc\n", &inc));
}

TEST(SshCipherTest, CommentsAndOtherKeywordsDoNot) {
  std::vector<std::string> inc;
  // Debian's /etc/ssh/ssh_config has the default list commented out.
  EXPECT_FALSE(ConfigNamesCiphers(
      "Host *\n#   Ciphers aes128-ctr,aes192-ctr\n    SendEnv LANG LC_*\n"
      "    HashKnownHosts yes\n    GSSAPIAuthentication yes\n    CiphersX no\n",
      &inc));
  EXPECT_TRUE(inc.empty());
}

TEST(SshCipherTest, IncludePatternsAreCollected) {
  std::vector<std::string> inc;
  EXPECT_FALSE(ConfigNamesCiphers(
      "Include /etc/ssh/ssh_config.d/*.conf\ninclude=local.conf ~/.ssh/more\n", &inc));
  EXPECT_EQ(inc, (std::vector<std::string>{"/etc/ssh/ssh_config.d/*.conf", "local.conf",
                                           "~/.ssh/more"}));
}

TEST(SshCipherTest, AesFromCpuFlags) {
  EXPECT_TRUE(CpuHasAes("processor\t: 0\nflags\t\t: fpu sse2 aes avx2 vaes\n"));
  EXPECT_TRUE(CpuHasAes("Features\t: fp asimd aes pmull sha1\n"));  // arm64
  EXPECT_FALSE(CpuHasAes("flags\t\t: fpu sse2 avx2 vaes\n"));       // vaes alone
  EXPECT_FALSE(CpuHasAes("processor\t: 0\nmodel name\t: something\n"));
}

TEST(SshCipherTest, PreferredListIsTheDefaultSetReordered) {
  std::string list = kAesFirstCiphers;
  EXPECT_EQ(list.find("aes128-gcm@openssh.com"), 0u);
  for (const char* c : {"chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr",
                        "aes256-ctr", "aes256-gcm@openssh.com"}) {
    EXPECT_NE(list.find(c), std::string::npos) << c;
  }
  EXPECT_EQ(list.find("cbc"), std::string::npos);
}

}  // namespace
}  // namespace xdcp
