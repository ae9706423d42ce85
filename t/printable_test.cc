// Escaping node- and file-supplied text for terminals and JSON.
#include "printable.h"

#include "gtest/gtest.h"

namespace xdcp {
namespace {

TEST(PrintableTest, EscapesWhatATerminalWouldActOn) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"plain text", "plain text"},
      {"tab\tkept", "tab\tkept"},
      {"\x1b]0;owned\x07title", "\\x1b]0;owned\\x07title"},
      {"\x1b[2J", "\\x1b[2J"},
      {std::string("nul\0byte", 8), "nul\\x00byte"},
      {"cr\r\nlf", "cr\\x0d\\x0alf"},
      {"del\x7f", "del\\x7f"},
      {"caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93"},  // UTF-8 kept
      {"c1 \xc2\x9b" "31m", "c1 \\xc2\\x9b31m"},                 // CSI as U+009B
      {"bad \xff\xc3", "bad \\xff\\xc3"},                       // not UTF-8
      {"overlong \xc0\xaf", "overlong \\xc0\\xaf"},
      {"back\\slash \\x1b", "back\\slash \\x1b"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Printable(c.in), c.out) << c.in;
    EXPECT_EQ(Printable(Printable(c.in)), c.out) << "twice: " << c.in;
  }
}

TEST(PrintableTest, CutsLongTextBetweenEscapes) {
  EXPECT_EQ(Printable("abcdefghij", 10), "abcdefghij");
  EXPECT_EQ(Printable("abcdefghijk", 10), "abcdefg...");
  EXPECT_EQ(Printable("abcdef\x01xyz", 10), "abcdef...");  // not inside "\x01"
  EXPECT_EQ(Printable("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8), "\xc3\xa9\xc3\xa9...");
  std::string binary(1400, '\x01');
  EXPECT_EQ(Printable(binary, 200).size(), 199u);  // 49 escapes of 4, "..."
}

TEST(PrintableTest, ALineLosesTheCarriageReturnSshEndsItWith) {
  EXPECT_EQ(PrintableLine("Connection to cn1 closed by remote host.\r"),
            "Connection to cn1 closed by remote host.");
  EXPECT_EQ(PrintableLine("a\rb\r"), "a\\x0db");
}

}  // namespace
}  // namespace xdcp
