// ParseSyncList and SubstituteVars (synclist.cc).
#include "synclist.h"

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace xdcp {
namespace {

using Vars = std::vector<std::pair<std::string, std::string>>;
using Names = std::vector<std::string>;

const char kPath[] = "/etc/sl";

// One line per parsed item, so that a failing case shows the whole result:
//   "3: [/a] [/b] -> (cn1) [/d]" for a sync line, "EXECUTE 5: [/x]" and
//   "APPEND 7: [/s] -> [/t]" for clause entries.
std::string Describe(const SyncList& list) {
  std::ostringstream out;
  for (const SyncLine& sync : list.lines) {
    out << sync.line << ":";
    for (const std::string& source : sync.sources) out << " [" << source << "]";
    out << " ->";
    if (!sync.noderange.empty()) out << " (" << sync.noderange << ")";
    out << " [" << sync.dest << "]\n";
  }
  const std::pair<const char*, const std::vector<ClauseEntry>*> clauses[] = {
      {"EXECUTE", &list.execute},
      {"EXECUTEALWAYS", &list.execute_always},
      {"APPEND", &list.append},
      {"MERGE", &list.merge},
  };
  for (const auto& clause : clauses) {
    for (const ClauseEntry& entry : *clause.second) {
      out << clause.first << " " << entry.line << ": [" << entry.path << "]";
      if (!entry.target.empty()) out << " -> [" << entry.target << "]";
      out << "\n";
    }
  }
  return out.str();
}

struct GoodCase {
  const char* what;
  std::string text;
  std::string parsed;  // Describe() of the result
};

void ExpectParses(const GoodCase& c) {
  SCOPED_TRACE(std::string(c.what) + ": " + c.text);
  SyncList list;
  std::string error;
  ASSERT_TRUE(ParseSyncList(kPath, c.text, &list, &error)) << error;
  EXPECT_EQ(list.path, kPath);
  EXPECT_EQ(Describe(list), c.parsed);
}

TEST(ParseSyncListTest, EveryLineForm) {
  const GoodCase cases[] = {
      {"single file", "/etc/hosts -> /etc/hosts",
       "1: [/etc/hosts] -> [/etc/hosts]\n"},
      {"rename", "/etc/file2 -> /etc/file3",
       "1: [/etc/file2] -> [/etc/file3]\n"},
      {"into a directory", "/etc/hosts -> /etc/",
       "1: [/etc/hosts] -> [/etc/]\n"},
      {"contents of a directory", "/d/testdir1/ -> /tmp/",
       "1: [/d/testdir1/] -> [/tmp/]\n"},
      {"directory into a directory", "/d/testdir3 -> /tmp/dst/",
       "1: [/d/testdir3] -> [/tmp/dst/]\n"},
      {"glob", "/d/* -> /t/", "1: [/d/*] -> [/t/]\n"},
      {"several sources", "/etc/f1 /etc/f2 /etc/f3 -> /tmp/etc",
       "1: [/etc/f1] [/etc/f2] [/etc/f3] -> [/tmp/etc]\n"},
      {"noderange", "/etc/hosts -> (cn[1-3],-cn2) /etc/hosts",
       "1: [/etc/hosts] -> (cn[1-3],-cn2) [/etc/hosts]\n"},
      {"noderange with white space", "/a -> ( cn1 ,\tcn2 ) /b",
       "1: [/a] -> (cn1,cn2) [/b]\n"},
      {"noderange with parentheses", "/a -> (/cn(1|2)) /b",
       "1: [/a] -> (/cn(1|2)) [/b]\n"},
      {"noderange with several sources", "/a /b -> (grp@rack1) /c/",
       "1: [/a] [/b] -> (grp@rack1) [/c/]\n"},
      {"parenthesis inside paths", "/a(1) -> /b(2)", "1: [/a(1)] -> [/b(2)]\n"},
      {"quoted paths", R"("/srv/my file" -> "/etc/my file")",
       "1: [/srv/my file] -> [/etc/my file]\n"},
      {"quoted part of a path", R"(/srv/"my file" -> (cn1) /d/"x y"/)",
       "1: [/srv/my file] -> (cn1) [/d/x y/]\n"},
      {"escapes inside quotes", R"("/a \"q\" \\ \n" -> /b)",
       R"(1: [/a "q" \ \n] -> [/b])"
       "\n"},
      {"escaped spaces", R"(/srv/my\ file -> /etc/my\ file)",
       "1: [/srv/my file] -> [/etc/my file]\n"},
      {"escaped characters", R"(/a\\b\"c -> /d)",
       R"(1: [/a\b"c] -> [/d])"
       "\n"},
      {"shell characters are plain",
       R"x("/srv/my file;$(touch /tmp/pwned)" -> /etc/'x;`y`')x",
       "1: [/srv/my file;$(touch /tmp/pwned)] -> [/etc/'x;`y`']\n"},
      {"quoted or escaped arrow inside a path", R"("/a->b" /c\->d -> /e)",
       "1: [/a->b] [/c->d] -> [/e]\n"},
      {"variables", "$SYNCDIR/a ${SRC}/b -> ${XRDIR}/h_env",
       "1: [$SYNCDIR/a] [${SRC}/b] -> [${XRDIR}/h_env]\n"},
      {"# after content is not a comment", "/srv/a#b -> /c#d",
       "1: [/srv/a#b] -> [/c#d]\n"},
      {"comment and blank lines",
       "# comment\n\n   \t\n   # indented comment\n/a -> /b\n#/c -> /d\n",
       "5: [/a] -> [/b]\n"},
      {"CRLF", "# c\r\n/a -> /b\r\n\r\n/c -> /d\r\n",
       "2: [/a] -> [/b]\n4: [/c] -> [/d]\n"},
      {"blanks around and between", "\t /a \t->\t (cn1)\t/b \t\n",
       "1: [/a] -> (cn1) [/b]\n"},
      {"no newline at the end", "/a -> /b\n/c -> /d",
       "1: [/a] -> [/b]\n2: [/c] -> [/d]\n"},
      {"all four clauses",
       "/a -> /b\n"
       "/a.post -> /a.post\n"
       "EXECUTE:\n"
       "/a.post\n"
       "EXECUTEALWAYS:\n"
       "/a.post\n"
       "\"/srv/my script\"\n"
       "APPEND:\n"
       "/app -> /etc/app\n"
       "MERGE:\n"
       "/m/passwd -> /etc/passwd\n"
       "/m/shadow -> /etc/shadow\n"
       "/m/group -> /etc/group\n"
       "/m/gshadow -> /etc/gshadow\n",
       "1: [/a] -> [/b]\n"
       "2: [/a.post] -> [/a.post]\n"
       "EXECUTE 4: [/a.post]\n"
       "EXECUTEALWAYS 6: [/a.post]\n"
       "EXECUTEALWAYS 7: [/srv/my script]\n"
       "APPEND 9: [/app] -> [/etc/app]\n"
       "MERGE 11: [/m/passwd] -> [/etc/passwd]\n"
       "MERGE 12: [/m/shadow] -> [/etc/shadow]\n"
       "MERGE 13: [/m/group] -> [/etc/group]\n"
       "MERGE 14: [/m/gshadow] -> [/etc/gshadow]\n"},
      {"repeated clause headers",
       "EXECUTE:\n/x\nEXECUTEALWAYS:\n/y\n  EXECUTE:  \n# c\n\n/z\n"
       "APPEND:\n/s -> $T/t\n",
       "EXECUTE 2: [/x]\n"
       "EXECUTE 8: [/z]\n"
       "EXECUTEALWAYS 4: [/y]\n"
       "APPEND 10: [/s] -> [$T/t]\n"},
      {"clauses only", "MERGE:\n/m/passwd -> /etc/passwd\n",
       "MERGE 2: [/m/passwd] -> [/etc/passwd]\n"},
      {"header words in comments", "# EXECUTE: later\n/a -> /b\n",
       "2: [/a] -> [/b]\n"},
  };
  for (const GoodCase& c : cases) ExpectParses(c);
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  while (n-- > 0) out += s;
  return out;
}

struct BadCase {
  std::string text;
  std::string error;  // the whole message
};

TEST(ParseSyncListTest, EveryError) {
  const BadCase cases[] = {
      // The shape of a sync line.
      {"/a /b", "/etc/sl:1: not a synclist line: '/a /b'"},
      {"/a => /b", "/etc/sl:1: not a synclist line: '/a => /b'"},
      {"/a ->/b",
       "/etc/sl:1: expected ' -> ' between sources and destination: "
       "'/a ->/b'"},
      {"/a-> /b",
       "/etc/sl:1: expected ' -> ' between sources and destination: "
       "'/a-> /b'"},
      {"/a->/b",
       "/etc/sl:1: expected ' -> ' between sources and destination: "
       "'/a->/b'"},
      {"/a -> /b -> /c", "/etc/sl:1: more than one ' -> ': '/a -> /b -> /c'"},
      {"/a ->b -> /c", "/etc/sl:1: '->' inside a path: quote it: '->b'"},
      {"/a -> /b->c", "/etc/sl:1: '->' inside a path: quote it: '/b->c'"},
      {"  -> /b", "/etc/sl:1: no source before ' -> ': '-> /b'"},
      {"-> (cn1) /b", "/etc/sl:1: no source before ' -> ': '-> (cn1) /b'"},
      {"/a ->  ", "/etc/sl:1: no destination after ' -> ': '/a ->'"},
      {"/a -> (cn1)", "/etc/sl:1: no destination after ' -> ': '/a -> (cn1)'"},
      // The destination is one token.
      {"/a -> /b /c",
       "/etc/sl:1: destination has white space: quote it: '/b /c'"},
      {"/a -> (cn1) /my dir/x",
       "/etc/sl:1: destination has white space: quote it: '/my dir/x'"},
      {"/a -> /b # note",
       "/etc/sl:1: destination has white space: quote it: '/b # note'"},
      // The noderange.
      {"/a -> (cn1)/b",
       "/etc/sl:1: expected white space between noderange and destination: "
       "'(cn1)/b'"},
      {"/a -> (cn(1)) /b (x",
       "/etc/sl:1: destination has white space: quote it: '/b (x'"},
      {"/a -> (cn1 /b", "/etc/sl:1: noderange has no closing ')': '(cn1 /b'"},
      {"/a -> (cn(1) /b",
       "/etc/sl:1: noderange has no closing ')': '(cn(1) /b'"},
      {"/a -> () /b", "/etc/sl:1: empty noderange: '()'"},
      {"/a -> ( \t) /b", "/etc/sl:1: empty noderange: '( \t)'"},
      // Absolute paths.
      {"a -> /b", "/etc/sl:1: source is not an absolute path: 'a'"},
      {"/a b -> /c", "/etc/sl:1: source is not an absolute path: 'b'"},
      {"/a # c -> /d", "/etc/sl:1: source is not an absolute path: '#'"},
      {"/a \"->\" -> /b", "/etc/sl:1: source is not an absolute path: '->'"},
      {"\"\" -> /b", "/etc/sl:1: source is not an absolute path: ''"},
      {"/a -> b", "/etc/sl:1: destination is not an absolute path: 'b'"},
      {"/a -> (cn1) ~/b",
       "/etc/sl:1: destination is not an absolute path: '~/b'"},
      // Quoting.
      {"\"/a -> /b", "/etc/sl:1: unterminated quote: '\"/a -> /b'"},
      {"/a -> \"/b\\\"", "/etc/sl:1: unterminated quote: '\"/b\\\"'"},
      {"/a -> /b\\", "/etc/sl:1: line ends with a backslash: '/a -> /b\\'"},
      {"\"/a\n\" -> /b", "/etc/sl:1: unterminated quote: '\"/a'"},
      {std::string("/a -> /b\0c", 10), "/etc/sl:1: NUL byte in line"},
      {std::string("# \0", 3), "/etc/sl:1: NUL byte in line"},
      // Headers and clauses.
      {"EXECUTE: /x",
       "/etc/sl:1: header must be alone on its line: "
       "'EXECUTE: /x'"},
      {"/a -> /b MERGE:",
       "/etc/sl:1: header must be alone on its line: '/a -> /b MERGE:'"},
      {"\"/srv/APPEND:\" -> /b",
       "/etc/sl:1: header must be alone on its line: "
       "'\"/srv/APPEND:\" -> /b'"},
      {"EXECUTE:\n/a -> /b",
       "/etc/sl:2: sync line inside the EXECUTE clause: '/a -> /b'"},
      {"EXECUTEALWAYS:\n/a ->/b",
       "/etc/sl:2: sync line inside the EXECUTEALWAYS clause: '/a ->/b'"},
      {"EXECUTE:\n/a /b",
       "/etc/sl:2: EXECUTE entry has white space: quote it: '/a /b'"},
      {"EXECUTE:\nscript.post",
       "/etc/sl:2: EXECUTE entry is not an absolute path: 'script.post'"},
      {"EXECUTEALWAYS:\n\"\"",
       "/etc/sl:2: EXECUTEALWAYS entry is not an absolute path: ''"},
      {"APPEND:\n/a -> (cn1) /b",
       "/etc/sl:2: noderange is not supported in APPEND: '/a -> (cn1) /b'"},
      {"MERGE:\n/a -> (cn1) /etc/passwd",
       "/etc/sl:2: noderange is not supported in MERGE: "
       "'/a -> (cn1) /etc/passwd'"},
      {"APPEND:\n/a /b -> /c",
       "/etc/sl:2: APPEND takes one source: '/a /b -> /c'"},
      {"APPEND:\n/a -> /etc/",
       "/etc/sl:2: APPEND target must be a file: "
       "'/etc/'"},
      {"APPEND:\n/a", "/etc/sl:2: not a synclist line: '/a'"},
      {"APPEND:\na -> /b", "/etc/sl:2: source is not an absolute path: 'a'"},
      {"MERGE:\n/a -> /etc/hosts",
       "/etc/sl:2: MERGE supports only /etc/passwd, /etc/shadow, /etc/group "
       "and /etc/gshadow: '/etc/hosts'"},
      {"MERGE:\n/a -> $ETC/passwd",
       "/etc/sl:2: MERGE supports only /etc/passwd, /etc/shadow, /etc/group "
       "and /etc/gshadow: '$ETC/passwd'"},
      // Empty clauses and empty files.
      {"EXECUTE:\n", "/etc/sl:1: EXECUTE: clause has no entries"},
      {"/a -> /b\nEXECUTE:\n# only a comment\nMERGE:\n/m -> /etc/group",
       "/etc/sl:2: EXECUTE: clause has no entries"},
      {"EXECUTE:\n/x\nEXECUTE:\n\n",
       "/etc/sl:3: EXECUTE: clause has no entries"},
      {"APPEND:\nMERGE:\n/m -> /etc/group",
       "/etc/sl:1: APPEND: clause has no entries"},
      {"", "/etc/sl: no lines to process"},
      {"# only a comment\n\n  \r\n", "/etc/sl: no lines to process"},
      // Line numbers count every line; the first error wins.
      {"# c\r\n\r\n/a\r\n", "/etc/sl:3: not a synclist line: '/a'"},
      {"/a -> /b\n/c\n/d", "/etc/sl:2: not a synclist line: '/c'"},
      // Offending text is escaped, and cut when long.
      {"/a\x1b]0;title\x07 -> /b\x1b[2J x",
       "/etc/sl:1: destination has white space: quote it: '/b\\x1b[2J x'"},
      {std::string(300, '\x01'),
       "/etc/sl:1: not a synclist line: '" + Repeat("\\x01", 39) + "...'"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.text);
    SyncList list;
    std::string error;
    EXPECT_FALSE(ParseSyncList(kPath, c.text, &list, &error));
    EXPECT_EQ(error, c.error);
  }
}

TEST(ParseSyncListTest, StartsFromAnEmptyList) {
  SyncList list;
  list.lines.resize(3);
  list.merge.resize(1);
  std::string error;
  ASSERT_TRUE(ParseSyncList("other", "/a -> /b", &list, &error)) << error;
  EXPECT_EQ(list.path, "other");
  EXPECT_EQ(Describe(list), "1: [/a] -> [/b]\n");
}

// The synclists of xCAT's own test suite (xcat-xdcp.md 9.2, with $$CN=cn1
// and $$SN=sn1) and of xcat-observed.md 4.2 parse as xCAT read them.
TEST(ParseSyncListTest, XcatTestSynclists) {
  const GoodCase cases[] = {
      {"multi_files",
       "/etc/common_hosts -> /etc/hosts\n"
       "/etc/common_hosts -> /tmp/etc/hosts\n"
       "/tmp/prog1/conf1.tmpl -> /prog1/conf1\n"
       "/tmp/prog1/conf2.tmpl -> /prog1/conf2\n"
       "/tmp/prog2/conf1 /tmp/prog2/conf2 -> /prog2\n"
       "/etc/common_hosts -> /home/\n",
       "1: [/etc/common_hosts] -> [/etc/hosts]\n"
       "2: [/etc/common_hosts] -> [/tmp/etc/hosts]\n"
       "3: [/tmp/prog1/conf1.tmpl] -> [/prog1/conf1]\n"
       "4: [/tmp/prog1/conf2.tmpl] -> [/prog1/conf2]\n"
       "5: [/tmp/prog2/conf1] [/tmp/prog2/conf2] -> [/prog2]\n"
       "6: [/etc/common_hosts] -> [/home/]\n"},
      {"syncfile_EXECUTE",
       "/tmp/file -> /tmp/file\n"
       "/tmp/file.post -> /tmp/file.post\n"
       "EXECUTE:\n"
       "/tmp/file.post\n",
       "1: [/tmp/file] -> [/tmp/file]\n"
       "2: [/tmp/file.post] -> [/tmp/file.post]\n"
       "EXECUTE 4: [/tmp/file.post]\n"},
      {"syncfile_EXECUTEALWAYS",
       "/tmp/file.post -> /tmp/file.post\n"
       "EXECUTEALWAYS:\n"
       "/tmp/file.post\n",
       "1: [/tmp/file.post] -> [/tmp/file.post]\n"
       "EXECUTEALWAYS 3: [/tmp/file.post]\n"},
      {"syncfile_APPEND",
       "/tmp/append1 -> /append1\n"
       "APPEND:\n"
       "/tmp/append2 -> /tmp/append1\n",
       "1: [/tmp/append1] -> [/append1]\n"
       "APPEND 3: [/tmp/append2] -> [/tmp/append1]\n"},
      {"syncfile_MERGE",
       "MERGE:\n"
       "/tmp/updatenode_syncfile_MERGE/passwd -> /etc/passwd\n"
       "/tmp/updatenode_syncfile_MERGE/shadow -> /etc/shadow\n"
       "/tmp/updatenode_syncfile_MERGE/group -> /etc/group\n",
       "MERGE 2: [/tmp/updatenode_syncfile_MERGE/passwd] -> [/etc/passwd]\n"
       "MERGE 3: [/tmp/updatenode_syncfile_MERGE/shadow] -> [/etc/shadow]\n"
       "MERGE 4: [/tmp/updatenode_syncfile_MERGE/group] -> [/etc/group]\n"},
      {"updatenode_f_F_hierarchy",
       "/tmp/updatenode_f_F_hierarchy.dir//testdir1/ -> (cn1) /tmp/\n"
       "/tmp/updatenode_f_F_hierarchy.dir//testdir2/* -> (cn1) /tmp/\n"
       "/tmp/updatenode_f_F_hierarchy.dir//testdir3 -> (cn1) /tmp/\n"
       "/tmp/updatenode_f_F_hierarchy.dir//testdir4/testfile4 -> (cn1) /tmp/\n"
       "/tmp/updatenode_f_F_hierarchy.dir//testdir5/testfile5 -> /tmp/\n"
       "/tmp/updatenode_f_F_hierarchy.dir//testdir6/testfile6 -> (sn1) /tmp/\n",
       "1: [/tmp/updatenode_f_F_hierarchy.dir//testdir1/] -> (cn1) [/tmp/]\n"
       "2: [/tmp/updatenode_f_F_hierarchy.dir//testdir2/*] -> (cn1) [/tmp/]\n"
       "3: [/tmp/updatenode_f_F_hierarchy.dir//testdir3] -> (cn1) [/tmp/]\n"
       "4: [/tmp/updatenode_f_F_hierarchy.dir//testdir4/testfile4] -> (cn1) "
       "[/tmp/]\n"
       "5: [/tmp/updatenode_f_F_hierarchy.dir//testdir5/testfile5] -> "
       "[/tmp/]\n"
       "6: [/tmp/updatenode_f_F_hierarchy.dir//testdir6/testfile6] -> (sn1) "
       "[/tmp/]\n"},
      {"EXECUTEALWAYS_src_dst_diff",
       "/etc/hosts -> (cn1) /tmp/h\n"
       "/tmp/script.sh -> (cn1) /tmp/script.sh\n"
       "/root/script1.sh -> (cn1) /root/script2.sh\n"
       "/tmp/script2.sh -> (cn1) /tmp/script2.sh\n"
       "/root/script3.sh -> (cn1) /tmp/script3.sh\n"
       "EXECUTEALWAYS:\n"
       "/tmp/script.sh\n"
       "/root/script1.sh\n"
       "/tmp/script2.sh\n"
       "/root/script3.sh\n",
       "1: [/etc/hosts] -> (cn1) [/tmp/h]\n"
       "2: [/tmp/script.sh] -> (cn1) [/tmp/script.sh]\n"
       "3: [/root/script1.sh] -> (cn1) [/root/script2.sh]\n"
       "4: [/tmp/script2.sh] -> (cn1) [/tmp/script2.sh]\n"
       "5: [/root/script3.sh] -> (cn1) [/tmp/script3.sh]\n"
       "EXECUTEALWAYS 7: [/tmp/script.sh]\n"
       "EXECUTEALWAYS 8: [/root/script1.sh]\n"
       "EXECUTEALWAYS 9: [/tmp/script2.sh]\n"
       "EXECUTEALWAYS 10: [/root/script3.sh]\n"},
      {"f01 basic.synclist",
       "# comment line\n"
       "/srv/ref/hosts.txt -> /tmp/sl/hosts.txt\n"
       "/srv/ref/hosts.txt -> /tmp/sl/renamed_hosts\n"
       "/srv/ref/prog1/conf1.tmpl -> /prog1/conf1\n"
       "/srv/ref/prog1/conf2.tmpl -> /prog1/conf2\n"
       "/srv/ref/prog2/conf1 /srv/ref/prog2/conf2 -> /tmp/sl/prog2\n"
       "/srv/ref/flat/* -> /tmp/sl/glob/\n"
       "/srv/ref/dir1/ -> /tmp/sl/d1/\n"
       "/srv/ref/dir3 -> /tmp/sl/d3/\n"
       "/srv/ref/hosts.txt -> /tmp/sl/sub/deeper/h2\n"
       "/srv/ref/hosts.txt -> ${XRDIR}/h_env\n",
       "2: [/srv/ref/hosts.txt] -> [/tmp/sl/hosts.txt]\n"
       "3: [/srv/ref/hosts.txt] -> [/tmp/sl/renamed_hosts]\n"
       "4: [/srv/ref/prog1/conf1.tmpl] -> [/prog1/conf1]\n"
       "5: [/srv/ref/prog1/conf2.tmpl] -> [/prog1/conf2]\n"
       "6: [/srv/ref/prog2/conf1] [/srv/ref/prog2/conf2] -> [/tmp/sl/prog2]\n"
       "7: [/srv/ref/flat/*] -> [/tmp/sl/glob/]\n"
       "8: [/srv/ref/dir1/] -> [/tmp/sl/d1/]\n"
       "9: [/srv/ref/dir3] -> [/tmp/sl/d3/]\n"
       "10: [/srv/ref/hosts.txt] -> [/tmp/sl/sub/deeper/h2]\n"
       "11: [/srv/ref/hosts.txt] -> [${XRDIR}/h_env]\n"},
      {"f02 nr.synclist",
       "/srv/ref/hosts.txt -> (cn1) /tmp/nr/a/only_cn1\n"
       "/srv/ref/hosts.txt -> (cn2,cn3) /tmp/nr/b/cn2_cn3\n"
       "/srv/ref/hosts.txt -> (c4,-cn1) /tmp/nr/c/c4_minus_cn1\n"
       "/srv/ref/flat/test1.txt -> (cn[3-4]) /tmp/nr/d/\n"
       "/srv/ref/flat/test2.txt -> (/cn[12]) /tmp/nr/e/\n"
       "/srv/ref/hosts.txt -> /tmp/nr/everyone\n",
       "1: [/srv/ref/hosts.txt] -> (cn1) [/tmp/nr/a/only_cn1]\n"
       "2: [/srv/ref/hosts.txt] -> (cn2,cn3) [/tmp/nr/b/cn2_cn3]\n"
       "3: [/srv/ref/hosts.txt] -> (c4,-cn1) [/tmp/nr/c/c4_minus_cn1]\n"
       "4: [/srv/ref/flat/test1.txt] -> (cn[3-4]) [/tmp/nr/d/]\n"
       "5: [/srv/ref/flat/test2.txt] -> (/cn[12]) [/tmp/nr/e/]\n"
       "6: [/srv/ref/hosts.txt] -> [/tmp/nr/everyone]\n"},
  };
  for (const GoodCase& c : cases) ExpectParses(c);
}

struct VarCase {
  std::string text;
  std::string want;
  Names unknown;
};

TEST(SubstituteVarsTest, Table) {
  const Vars vars = {{"XRDIR", "/tmp/xr"}, {"A", "1"},     {"A_B", "2"},
                     {"EMPTY", ""},        {"REF", "$A"},  {"_x9", "u"},
                     {"DUP", "first"},     {"DUP", "last"}};
  const VarCase cases[] = {
      {"/srv/hosts", "/srv/hosts", {}},
      {"$XRDIR/h_env", "/tmp/xr/h_env", {}},
      {"${XRDIR}/h_env", "/tmp/xr/h_env", {}},
      {"/a/${XRDIR}b", "/a//tmp/xrb", {}},
      {"$A_B", "2", {}},
      {"$A-x $A.y", "1-x 1.y", {}},
      {"${A}_B", "1_B", {}},
      {"$_x9/$_x9", "u/u", {}},
      {"$EMPTY/x", "/x", {}},
      {"$REF", "$A", {}},
      {"$DUP", "last", {}},
      {"$$A", "$1", {}},
      {"$AB", "$AB", {"AB"}},
      {"${NOPE}/$NOPE/$OTHER/${A}",
       "${NOPE}/$NOPE/$OTHER/1",
       {"NOPE", "OTHER"}},
      {"$1 $- $/ $ $", "$1 $- $/ $ $", {}},
      {"${", "${", {}},
      {"${A", "${A", {}},
      {"${A/x}", "${A/x}", {}},
      {"${}", "${}", {}},
      {"${1}", "${1}", {}},
      {"${ A}", "${ A}", {}},
      {"a$", "a$", {}},
  };
  for (const VarCase& c : cases) {
    SCOPED_TRACE(c.text);
    Names unknown;
    EXPECT_EQ(SubstituteVars(c.text, vars, &unknown), c.want);
    EXPECT_EQ(unknown, c.unknown);
  }
}

TEST(SubstituteVarsTest, ListsEachUnknownNameOnceAcrossCalls) {
  Names unknown = {"OLD"};
  EXPECT_EQ(SubstituteVars("$OLD/$NEW", {}, &unknown), "$OLD/$NEW");
  EXPECT_EQ(SubstituteVars("${NEW}", {}, &unknown), "${NEW}");
  EXPECT_EQ(unknown, (Names{"OLD", "NEW"}));
}

TEST(SubstituteVarsTest, UnknownListIsOptional) {
  EXPECT_EQ(SubstituteVars("$X/$Y", {{"Y", "y"}}, nullptr), "$X/y");
}

TEST(LineRefTest, ListAndLine) {
  SyncList list;
  list.path = "/install/custom/a b.synclist";
  EXPECT_EQ(LineRef(list, 12), "/install/custom/a b.synclist:12: ");
}

}  // namespace
}  // namespace xdcp
