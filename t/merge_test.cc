#include "merge.h"

#include <string>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

struct MergeCase {
  const char* name;
  std::string current;
  std::string merge;
  std::string want;
  int added;
  int updated;
  int unchanged;
};

const char kRoot[] = "root:x:0:0:root:/root:/bin/bash\n";
const char kBin[] = "bin:x:1:1:bin:/bin:/sbin/nologin\n";
const char kBogusUser[] = "bogususer:x:19999:19999::/home/bogususer:/bin/bash\n";
const char kBogusUser1[] =
    "bogususer1:x:1001:19998::/home/bogususer1:/bin/bash\n";
const char kNewUser[] = "newuser:x:1001:1001::/home/newuser:/bin/bash\n";
const char kD1Merge[] =
    "+@sysadmins::::::\n"
    "a.b:x:1001:1001::/h:/bin/sh\n"
    "axb:x:1002:1002::/h2:/bin/sh\n";

// Lets a table entry start a concatenation with a string literal.
std::string Str(const char* s) { return s; }

// Every case is also checked for idempotence below, so each one doubles as
// a second-run test.
const MergeCase kMergeCases[] = {
    // xCAT's syncfile_MERGE data (xcat-xdcp.md 9.2).
    {"xcat_passwd", Str(kRoot) + kBogusUser, kBogusUser1,
     Str(kRoot) + kBogusUser + kBogusUser1, 1, 0, 0},
    {"xcat_shadow", "root:*:17000:0:99999:7:::\nbogususer:!!:17000::::::\n",
     "bogususer1:!!:17000::::::\n",
     "root:*:17000:0:99999:7:::\nbogususer:!!:17000::::::\n"
     "bogususer1:!!:17000::::::\n",
     1, 0, 0},
    {"xcat_group", "root:x:0:\nbogusgroup:x:19999:\nusers:x:100:\n",
     "bogusgroup:x:29999:\nbogusgroup1:x:19998:\n",
     "root:x:0:\nbogusgroup:x:29999:\nusers:x:100:\nbogusgroup1:x:19998:\n", 1,
     1, 0},
    {"gshadow", "root:::\nwheel:::root\n", "wheel:::root,admin\n",
     "root:::\nwheel:::root,admin\n", 0, 1, 0},
    // D1: keys are exact strings, a NIS key is new and goes last.
    {"d1_regex_chars", kRoot, kD1Merge,
     Str(kRoot) + "a.b:x:1001:1001::/h:/bin/sh\naxb:x:1002:1002::/h2:/bin/sh\n" +
         "+@sysadmins::::::\n",
     3, 0, 0},
    {"d1_dot_is_no_wildcard", Str(kRoot) + "axb:x:7:7::/old:/bin/sh\n",
     "a.b:x:1001:1001::/h:/bin/sh\n",
     Str(kRoot) + "axb:x:7:7::/old:/bin/sh\na.b:x:1001:1001::/h:/bin/sh\n", 1, 0,
     0},
    {"key_is_not_a_prefix", "ab:x:1:\na:x:9:\n", "a:x:2:\n", "ab:x:1:\na:x:2:\n",
     0, 1, 0},
    // D2: new records before the trailing NIS block, block order kept.
    {"d2_before_nis_block",
     Str(kRoot) + kBin + "+@g1::::::\n+:*:::::/sbin/nologin\n", kNewUser,
     Str(kRoot) + kBin + kNewUser + "+@g1::::::\n+:*:::::/sbin/nologin\n", 1, 0,
     0},
    {"new_nis_key_after_block", Str(kRoot) + "+@g1::::::\n",
     Str("-baduser::::::\n") + kNewUser,
     Str(kRoot) + kNewUser + "+@g1::::::\n-baduser::::::\n", 2, 0, 0},
    {"nis_record_updated_in_place",
     Str(kRoot) + "+@g1::::::\n+:*:::::/sbin/nologin\n",
     "+:*:::::/bin/false\n",
     Str(kRoot) + "+@g1::::::\n+:*:::::/bin/false\n", 0, 1, 0},
    {"bare_plus_is_a_key", Str(kRoot) + "+\n", "+::::::\n",
     Str(kRoot) + "+::::::\n", 0, 1, 0},
    {"nis_line_mid_file_is_not_the_block", Str(kRoot) + "+@g1::::::\n" + kBin,
     kNewUser, Str(kRoot) + "+@g1::::::\n" + kBin + kNewUser, 1, 0, 0},
    // D3: an update replaces the line in place.
    {"d3_update_gid",
     Str(kRoot) + "testuser:x:10007:10007::/home/testuser:/bin/bash\n" + kBin,
     "testuser:x:10007:1::/home/testuser:/bin/bash\n",
     Str(kRoot) + "testuser:x:10007:1::/home/testuser:/bin/bash\n" + kBin, 0, 1,
     0},
    {"identical_record_unchanged", Str(kRoot) + kBin, kBin, Str(kRoot) + kBin, 0, 0,
     1},
    // Broken node files: duplicates of a merged key go, others stay.
    {"duplicates_in_current_same_text", "a:x:1:\nb:x:2:\na:x:1:\n", "a:x:1:\n",
     "a:x:1:\nb:x:2:\n", 0, 1, 0},
    {"duplicates_in_current_new_text", "a:x:1:\nb:x:2:\na:x:3:\n", "a:x:4:\n",
     "a:x:4:\nb:x:2:\n", 0, 1, 0},
    {"unmerged_duplicates_untouched", "a:x:1:\na:x:1:\n", "b:x:2:\n",
     "a:x:1:\na:x:1:\nb:x:2:\n", 1, 0, 0},
    {"dropped_duplicate_uncovers_nis_block", "a:x:1:\n+::::::\na:x:1:\n",
     "a:x:1:\nb:x:2:\n", "a:x:1:\nb:x:2:\n+::::::\n", 1, 1, 0},
    // Bytes of untouched lines, and the final newline.
    {"missing_final_newline_added", "root:x:0:0::/root:/bin/bash", "",
     "root:x:0:0::/root:/bin/bash\n", 0, 0, 0},
    {"missing_final_newline_then_new", "root:x:0:0::/root:/bin/bash",
     "u:x:5:5::/u:/bin/sh\n",
     "root:x:0:0::/root:/bin/bash\nu:x:5:5::/u:/bin/sh\n", 1, 0, 0},
    {"crlf_lines_kept", "root:x:0:0::/root:/bin/bash\r\nbin:x:1:1::/:/x\r\n",
     "u:x:5:5::/u:/bin/sh\n",
     "root:x:0:0::/root:/bin/bash\r\nbin:x:1:1::/:/x\r\nu:x:5:5::/u:/bin/sh\n",
     1, 0, 0},
    {"comments_blanks_spaces_kept",
     "# local users\n\nroot:x:0:0::/root:/bin/bash  \n \t\nold:x:9:9::/:/x\n",
     "old:x:9:9::/:/y\n",
     "# local users\n\nroot:x:0:0::/root:/bin/bash  \n \t\nold:x:9:9::/:/y\n", 0,
     1, 0},
    {"comment_with_colon_has_no_key", "# a: note\n", "# a: other\nb:x:1:\n",
     "# a: note\nb:x:1:\n", 1, 0, 0},
    {"merge_blanks_and_comments_ignored", kRoot,
     "# users to add\n\n   \n\r\nu:x:5:5::/u:/bin/sh\n  # indented\n",
     Str(kRoot) + "u:x:5:5::/u:/bin/sh\n", 1, 0, 0},
    {"merge_without_final_newline", kRoot, "u:x:5:5::/u:/bin/sh",
     Str(kRoot) + "u:x:5:5::/u:/bin/sh\n", 1, 0, 0},
    {"new_records_in_merge_order", kRoot, "z:x:3:\na:x:1:\nm:x:2:\n",
     Str(kRoot) + "z:x:3:\na:x:1:\nm:x:2:\n", 3, 0, 0},
    {"empty_current", "", "+::::::\nu:x:5:5::/u:/bin/sh\n",
     "u:x:5:5::/u:/bin/sh\n+::::::\n", 2, 0, 0},
    {"both_empty", "", "", "", 0, 0, 0},
    // A merge file written on Windows: the CR is a line ending, never part
    // of the shell field.
    {"crlf_merge_input_stripped", kRoot,
     "u:x:5:5::/u:/bin/bash\r\nroot:x:0:0:root:/root:/bin/bash\r\n",
     Str(kRoot) + "u:x:5:5::/u:/bin/bash\n", 1, 0, 1},
};

TEST(MergeRecordsTest, Table) {
  for (const MergeCase& c : kMergeCases) {
    std::string got;
    MergeCounts counts;
    std::string error;
    ASSERT_TRUE(MergeRecords(c.current, c.merge, &got, &counts, &error))
        << c.name << ": " << error;
    EXPECT_EQ(got, c.want) << c.name;
    EXPECT_EQ(counts.added, c.added) << c.name;
    EXPECT_EQ(counts.updated, c.updated) << c.name;
    EXPECT_EQ(counts.unchanged, c.unchanged) << c.name;
  }
}

TEST(MergeRecordsTest, SecondRunChangesNothing) {
  for (const MergeCase& c : kMergeCases) {
    std::string once, twice;
    MergeCounts counts;
    std::string error;
    ASSERT_TRUE(MergeRecords(c.current, c.merge, &once, nullptr, &error));
    ASSERT_TRUE(MergeRecords(once, c.merge, &twice, &counts, &error));
    EXPECT_EQ(twice, once) << c.name;
    EXPECT_EQ(counts.added, 0) << c.name;
    EXPECT_EQ(counts.updated, 0) << c.name;
    EXPECT_EQ(counts.unchanged, c.added + c.updated + c.unchanged) << c.name;
  }
}

int CountLinesStartingWith(const std::string& text, const std::string& prefix) {
  int n = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (text.compare(pos, prefix.size(), prefix) == 0) ++n;
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return n;
}

// D1 exactly as reported: three runs, one result, axb never removed.
TEST(MergeRecordsTest, D1ThreeRunsAreIdentical) {
  std::string file = Str(kRoot) + "axb:x:7:7::/old:/bin/sh\n";
  std::string first;
  for (int run = 1; run <= 3; ++run) {
    std::string next, error;
    ASSERT_TRUE(MergeRecords(file, kD1Merge, &next, nullptr, &error)) << error;
    if (run == 1) first = next;
    EXPECT_EQ(next, first) << "run " << run;
    EXPECT_EQ(CountLinesStartingWith(next, "axb:"), 1) << "run " << run;
    EXPECT_EQ(CountLinesStartingWith(next, "a.b:"), 1) << "run " << run;
    EXPECT_EQ(CountLinesStartingWith(next, "+@sysadmins:"), 1) << "run " << run;
    file = next;
  }
}

// D3 as reported: add testuser, change its gid, merge again.
TEST(MergeRecordsTest, D3UpdateLeavesOneLine) {
  std::string added, updated, error;
  ASSERT_TRUE(MergeRecords(Str(kRoot) + kBin,
                           "testuser:x:10007:10007::/home/t:/bin/bash\n",
                           &added, nullptr, &error));
  MergeCounts counts;
  ASSERT_TRUE(MergeRecords(added, "testuser:x:10007:1::/home/t:/bin/bash\n",
                           &updated, &counts, &error));
  EXPECT_EQ(updated,
            Str(kRoot) + kBin + "testuser:x:10007:1::/home/t:/bin/bash\n");
  EXPECT_EQ(CountLinesStartingWith(updated, "testuser:"), 1);
  EXPECT_EQ(counts.updated, 1);
}

struct ErrorCase {
  std::string merge;
  std::string error;
};

TEST(MergeRecordsTest, MalformedMergeInput) {
  const ErrorCase cases[] = {
      {Str(kRoot) + "bogus line\n",
       "line 2: not a passwd/group record: 'bogus line'"},
      {"+\n", "line 1: not a passwd/group record: '+'"},
      {"a:x:1:\n\n# comment\na:x:2:\n", "line 4: duplicate entry 'a'"},
      {"+@g::::::\nb:x:1:\n+@g::::::\n", "line 3: duplicate entry '+@g'"},
      {"a.b:x:1:\nok:x:2:\nalso bad", "line 3: not a passwd/group record: "
                                      "'also bad'"},
  };
  for (const ErrorCase& c : cases) {
    std::string result = "untouched", error;
    MergeCounts counts;
    EXPECT_FALSE(MergeRecords(kRoot, c.merge, &result, &counts, &error))
        << c.merge;
    EXPECT_EQ(error, c.error);
    EXPECT_EQ(result, "untouched") << c.error;
  }
}

struct CheckCase {
  const char* target;
  std::string merge;
  int line;           // 0: accepted
  std::string error;
};

TEST(CheckMergeInputTest, FieldCountsControlCharactersDuplicates) {
  const CheckCase cases[] = {
      {"/etc/passwd", Str(kRoot) + kBin, 0, ""},
      {"/etc/passwd", "u:x:5:5::/u:/bin/bash\r\n", 0, ""},
      {"/etc/passwd", "# c\n\nu:x:5:5:/u:/bin/sh\n", 3,
       "6 fields where /etc/passwd has 7"},
      {"/etc/passwd", Str(kRoot) + "u:x:5:5::/u:/bin/sh:x\n", 2,
       "8 fields where /etc/passwd has 7"},
      {"/etc/passwd", "u:x:5:5::/u:/bin/b\rash\n", 1,
       "control character in a /etc/passwd record"},
      {"/etc/passwd", "u:x:5:5::/u:/bin/sh\r\r\n", 1,
       "control character in a /etc/passwd record"},
      {"/etc/passwd", "u:x:5:5::\x1b[2J:/bin/sh\n", 1,
       "control character in a /etc/passwd record"},
      {"/etc/passwd", "+@g::::::\n-bad\n", 2, "1 fields where /etc/passwd has 7"},
      {"/etc/passwd", "+@g:\n-bad::::::\n", 0, ""},
      {"/etc/passwd", "a:x:1:1::/:/x\nb:x:2:2::/:/x\na:x:3:3::/:/x\n", 3,
       "duplicate entry 'a', first on line 1"},
      {"/etc/shadow", "u:!:19000:0:99999:7:::\n", 0, ""},
      {"/etc/shadow", "u:!:19000:0:99999:7::\n", 1,
       "8 fields where /etc/shadow has 9"},
      {"/etc/shadow", "bogususer1:!!:17000::::::\n", 0, ""},
      {"/etc/group", "g:x:5:a,b\r\n", 0, ""},
      {"/etc/group", "g:x:5\n", 1, "3 fields where /etc/group has 4"},
      {"/etc/gshadow", "g:!::a\n", 0, ""},
      {"/etc/gshadow", "g:!:::a\n", 1, "5 fields where /etc/gshadow has 4"},
      {"/etc/group", "bogus line\n", 1, "1 fields where /etc/group has 4"},
  };
  for (const CheckCase& c : cases) {
    int line = -1;
    std::string error;
    EXPECT_EQ(CheckMergeInput(c.target, c.merge, &line, &error), c.line == 0)
        << c.merge;
    EXPECT_EQ(line, c.line) << c.merge;
    EXPECT_EQ(error, c.error) << c.merge;
  }
}

TEST(CksumTest, MatchesPosixCksum) {
  // What coreutils' and busybox's `cksum <FILE` print.
  EXPECT_EQ(Cksum(""), "4294967295 0");
  EXPECT_EQ(Cksum("abc"), "1219131554 3");
  EXPECT_EQ(Cksum(kRoot), "2951410203 32");
  EXPECT_EQ(Cksum(std::string(300, 'x')), "3786917833 300");  // 2 length bytes
}

struct AppendCase {
  const char* name;
  std::string current;
  std::string source;
  std::string content;
  std::string want;
};

const char kSrc[] = "/srv/app/append2";
const char kBegin[] = "# xdcp APPEND begin /srv/app/append2\n";
const char kEnd[] = "# xdcp APPEND end /srv/app/append2\n";
const char kBeginB[] = "# xdcp APPEND begin /srv/b\n";
const char kEndB[] = "# xdcp APPEND end /srv/b\n";

TEST(AppendBlockTest, Table) {
  const AppendCase cases[] = {
      {"first_append", "line1 original\n", kSrc, "line2 appended v1\n",
       Str("line1 original\n") + kBegin + "line2 appended v1\n" + kEnd},
      {"same_again_is_identical",
       Str("line1 original\n") + kBegin + "line2 appended v1\n" + kEnd, kSrc,
       "line2 appended v1\n",
       Str("line1 original\n") + kBegin + "line2 appended v1\n" + kEnd},
      {"changed_content_replaced",
       Str("line1 original\n") + kBegin + "line2 appended v1\n" + kEnd, kSrc,
       "line2 appended v2\n",
       Str("line1 original\n") + kBegin + "line2 appended v2\n" + kEnd},
      // D7: local edits outside the block survive a changed append.
      {"local_edits_survive",
       Str("line1 original\nlocal before\n") + kBegin + "v1\n" + kEnd +
           "local after\n",
       kSrc, "v2\n",
       Str("line1 original\nlocal before\n") + kBegin + "v2\n" + kEnd +
           "local after\n"},
      {"second_source_appended", Str("base\n") + kBegin + "a\n" + kEnd, "/srv/b",
       "b\n", Str("base\n") + kBegin + "a\n" + kEnd + kBeginB + "b\n" + kEndB},
      {"other_source_untouched",
       Str("base\n") + kBegin + "a\n" + kEnd + kBeginB + "b\n" + kEndB, kSrc,
       "a2\n", Str("base\n") + kBegin + "a2\n" + kEnd + kBeginB + "b\n" + kEndB},
      {"begin_without_end_heals", Str("base\n") + kBegin + "a tru", kSrc, "a\n",
       Str("base\n") + kBegin + "a\n" + kEnd},
      {"end_before_begin_ignored", Str(kEnd) + "base\n", kSrc, "a\n",
       Str(kEnd) + "base\n" + kBegin + "a\n" + kEnd},
      {"end_marker_without_newline", Str("base\n") + kBegin + "a\n" +
                                         "# xdcp APPEND end /srv/app/append2",
       kSrc, "a\n", Str("base\n") + kBegin + "a\n" + kEnd},
      {"content_without_final_newline", "base\n", kSrc, "a\nb",
       Str("base\n") + kBegin + "a\nb\n" + kEnd},
      {"current_without_final_newline", "base", kSrc, "a\n",
       Str("base\n") + kBegin + "a\n" + kEnd},
      {"empty_current", "", kSrc, "a\n", Str(kBegin) + "a\n" + kEnd},
      {"empty_content", "base\n", kSrc, "", Str("base\n") + kBegin + kEnd},
      {"marker_must_be_whole_line",
       Str("x # xdcp APPEND begin /srv/app/append2\n") + kEnd, kSrc, "a\n",
       Str("x # xdcp APPEND begin /srv/app/append2\n") + kEnd + kBegin + "a\n" +
           kEnd},
      {"source_prefix_is_other_source",
       "# xdcp APPEND begin /srv/app/append\nold\n"
       "# xdcp APPEND end /srv/app/append\n",
       kSrc, "a\n",
       Str("# xdcp APPEND begin /srv/app/append\nold\n"
         "# xdcp APPEND end /srv/app/append\n") +
           kBegin + "a\n" + kEnd},
      {"crlf_outside_block_kept", "a\r\nb\r\n", kSrc, "c\n",
       Str("a\r\nb\r\n") + kBegin + "c\n" + kEnd},
      {"newline_in_source_neutralised", "", "/x\ny", "c\n",
       "# xdcp APPEND begin /x?y\nc\n# xdcp APPEND end /x?y\n"},
  };
  for (const AppendCase& c : cases) {
    std::string got = AppendBlock(c.current, c.source, c.content);
    EXPECT_EQ(got, c.want) << c.name;
    EXPECT_EQ(AppendBlock(got, c.source, c.content), got)
        << c.name << " (second run)";
  }
}

// D7 as reported: append A, edit the node, append A', run again.
TEST(AppendBlockTest, D7Sequence) {
  std::string file = AppendBlock("base\n", kSrc, "A\n");
  file = "L before\n" + file + "L after\n";
  file = AppendBlock(file, kSrc, "A'\n");
  const std::string want =
      Str("L before\nbase\n") + kBegin + "A'\n" + kEnd + "L after\n";
  EXPECT_EQ(file, want);
  EXPECT_EQ(AppendBlock(file, kSrc, "A'\n"), want);
}

TEST(IsMergeTargetTest, Table) {
  const struct {
    const char* path;
    bool want;
  } cases[] = {
      {"/etc/passwd", true},    {"/etc/shadow", true},
      {"/etc/group", true},     {"/etc/gshadow", true},
      {"/etc/hosts", false},    {"/etc/passwd-", false},
      {"/etc/passwd/", false},  {"etc/passwd", false},
      {"/tmp/etc/passwd", false}, {"/etc/group.bak", false},
      {"/ETC/PASSWD", false},   {"", false},
      {"passwd", false},        {"/etc/sudoers", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsMergeTarget(c.path), c.want) << c.path;
  }
}

}  // namespace
}  // namespace xdcp
