// Noderange expansion and folding, following xCAT's NodeRange.pm (see
// xcat-xdcp.md section 7 and xdcp(1)).
//
// Theory of operation. A noderange is evaluated by Expander::EvalRange:
//   1. quotes are stripped;
//   2. the first balanced "( ... )" group is evaluated as its own noderange
//      and combined with the text before it ('-' before it excludes, '@'
//      intersects, anything else unites); evaluation goes on with the text
//      after it;
//   3. the rest is split on ',' outside brackets (or, when there is no such
//      comma, on '@'), and the elements are applied left to right: ',' unites,
//      '@' intersects with the set so far, and a leading '-' puts the
//      element's nodes in a delete set applied when this noderange is done,
//      so that exclusion wins wherever it is written;
//   4. an element is a `^file` or an atom; ExpandAtom tries, in xCAT's order,
//      node, '@' sub-range, group, attribute selection, digits, /regex,
//      brackets, name+N, a-b / a:b range, and finally a plain name.
// Generated names go through ResolveName, which is the one place that looks
// names up and validates them. Errors stop the evaluation at once; unknown
// names are only collected and reported together at the end.
#include "noderange.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <re2/re2.h>

namespace xdcp {
namespace {

constexpr int kMaxDepth = 64;
constexpr int kMaxFileReads = 1000;
constexpr size_t kMaxUnknownListed = 20;
// Numbers longer than this do not fit in 64 bits; such a "range" is a name.
constexpr size_t kMaxNumberDigits = 18;

using NameSet = std::set<std::string>;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

bool ParseNumber(const std::string& s, unsigned long long* value) {
  if (!IsDigits(s) || s.size() > kMaxNumberDigits) return false;
  *value = std::stoull(s);
  return true;
}

// xCAT keeps the width of a number written with a leading zero ("08").
size_t PadWidth(const std::string& digits) {
  return digits.size() > 1 && digits[0] == '0' ? digits.size() : 0;
}

std::string Pad(unsigned long long value, size_t width) {
  std::string s = std::to_string(value);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

std::string StripQuotes(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(),
                         [](char c) { return c == '\'' || c == '"'; }),
          s.end());
  return s;
}

// Splits at `sep` where it is not inside [...] or (...); keeps empty pieces.
std::vector<std::string> SplitTopLevel(const std::string& text, char sep) {
  std::vector<std::string> pieces(1);
  int nesting = 0;
  for (char c : text) {
    if (c == '[' || c == '(') ++nesting;
    if ((c == ']' || c == ')') && nesting > 0) --nesting;
    if (c == sep && nesting == 0) {
      pieces.emplace_back();
    } else {
      pieces.back() += c;
    }
  }
  return pieces;
}

// Index of the ')' that closes the '(' at `open`, or npos.
size_t MatchingParen(const std::string& text, size_t open) {
  int nesting = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '(') ++nesting;
    if (text[i] == ')' && --nesting == 0) return i;
  }
  return std::string::npos;
}

// Digit and non-digit runs: "f1n10" -> {"f", "1", "n", "10"}.
std::vector<std::string> SplitRuns(const std::string& s) {
  std::vector<std::string> runs;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 0 || IsDigit(s[i]) != IsDigit(s[i - 1])) runs.emplace_back();
    runs.back() += s[i];
  }
  return runs;
}

// Names prefix + Pad(n, width) + suffix for n in [first, last].
struct Series {
  std::string prefix;
  unsigned long long first = 0;
  unsigned long long last = 0;
  size_t width = 0;
  std::string suffix;
};

// Splits a range atom at its ':' or at its middle '-' (the count of '-' must
// be odd, so "a-b-1-a-b-3" splits in the middle).
bool SplitRangeSides(const std::string& atom, std::string* left,
                     std::string* right) {
  size_t colons = std::count(atom.begin(), atom.end(), ':');
  size_t dashes = std::count(atom.begin(), atom.end(), '-');
  size_t at;
  if (colons == 1) {
    at = atom.find(':');
  } else if (colons == 0 && dashes % 2 == 1) {
    at = 0;
    for (size_t seen = 0; seen <= dashes / 2; ++seen) {
      at = atom.find('-', at) + 1;
    }
    --at;
  } else {
    return false;
  }
  *left = atom.substr(0, at);
  *right = atom.substr(at + 1);
  return true;
}

// Recognizes `left-right` / `left:right` where the two sides differ in their
// first differing part, which is numeric, and agree on everything else.
bool ParseRange(const std::string& atom, Series* series) {
  std::string left, right;
  if (!SplitRangeSides(atom, &left, &right)) return false;
  std::vector<std::string> l = SplitRuns(left), r = SplitRuns(right);
  if (l.empty() || l.size() != r.size()) return false;
  size_t i = 0;
  while (i < l.size() && l[i] == r[i]) ++i;
  if (i == l.size()) {  // "node1-node1": a range of one, on its last number
    while (i > 0 && !IsDigit(l[i - 1][0])) --i;
    if (i-- == 0) return false;
  }
  if (!std::equal(l.begin() + i + 1, l.end(), r.begin() + i + 1)) return false;
  if (!ParseNumber(l[i], &series->first) || !ParseNumber(r[i], &series->last)) {
    return false;
  }
  series->width = PadWidth(l[i]);
  series->prefix.clear();
  series->suffix.clear();
  for (size_t j = 0; j < i; ++j) series->prefix += l[j];
  for (size_t j = i + 1; j < l.size(); ++j) series->suffix += l[j];
  return true;
}

// Recognizes `name10+3`: the last digit run before '+' and a count.
bool ParsePlus(const std::string& atom, Series* series) {
  size_t plus = atom.find('+');
  if (plus == std::string::npos ||
      atom.find('+', plus + 1) != std::string::npos) {
    return false;
  }
  unsigned long long count;
  if (!ParseNumber(atom.substr(plus + 1), &count)) return false;
  size_t start = plus;
  while (start > 0 && IsDigit(atom[start - 1])) --start;
  std::string digits = atom.substr(start, plus - start);
  if (!ParseNumber(digits, &series->first)) return false;
  series->prefix = atom.substr(0, start);
  series->last = series->first + count;
  series->width = PadWidth(digits);
  series->suffix.clear();
  return true;
}

class Expander {
 public:
  Expander(const ClusterDb& db, const NodeRangeEnv& env, std::string range)
      : db_(db), env_(env), range_(std::move(range)) {}

  bool Run(std::vector<std::string>* nodes, std::string* error);

 private:
  bool EvalRange(const std::string& text, int depth, NameSet* out);
  bool EvalParens(std::string text, int depth, NameSet* acc, NameSet* deletes);
  bool EvalElements(const std::string& text, int depth, NameSet* acc,
                    NameSet* deletes);
  bool EvalElement(std::string elem, char op, int depth, NameSet* acc,
                   NameSet* deletes);
  bool Combine(char op, const NameSet& set, const std::string& token,
               NameSet* acc, NameSet* deletes);
  bool EvalFile(const std::string& path, int depth, NameSet* out);
  bool ExpandAtom(const std::string& atom, int depth, NameSet* out);
  bool ExpandRegex(const std::string& atom, NameSet* out);
  bool ExpandBrackets(const std::string& atom, size_t open, size_t close,
                      int depth, NameSet* out);
  bool ExpandSeries(const Series& series, NameSet* out);
  bool ResolveName(std::string name, NameSet* out);
  bool Count(size_t names);
  bool TooMany();
  bool TooDeep();
  const std::vector<std::string>* FindGroup(const std::string& name);
  std::string UnknownMessage() const;
  bool Fail(const std::string& message, const std::string& token);

  const ClusterDb& db_;
  const NodeRangeEnv& env_;
  const std::string range_;
  std::string error_;
  bool error_located_ = false;  // error_ already carries a file:line
  NameSet unknown_;
  size_t names_ = 0;
  size_t steps_ = 0;
  int file_reads_ = 0;
  bool groups_built_ = false;
  std::map<std::string, std::vector<std::string>> groups_;
};

bool Expander::Run(std::vector<std::string>* nodes, std::string* error) {
  NameSet result;
  bool ok = EvalRange(range_, 0, &result);
  if (ok && !unknown_.empty()) ok = Fail(UnknownMessage(), "");
  // Whatever the database holds, nothing unsafe reaches an argv.
  for (auto it = result.begin(); ok && it != result.end(); ++it) {
    if (!IsValidNodeName(*it)) ok = Fail("invalid node name in noderange", *it);
  }
  if (!ok) {
    *error = error_;
    return false;
  }
  nodes->assign(result.begin(), result.end());
  return true;
}

// One noderange, with its own delete set (so an exclusion inside parentheses
// or on a file line stays there).
bool Expander::EvalRange(const std::string& text, int depth, NameSet* out) {
  if (depth > kMaxDepth) return TooDeep();
  NameSet acc, deletes;
  if (!EvalParens(StripQuotes(text), depth, &acc, &deletes)) return false;
  for (const std::string& name : deletes) acc.erase(name);
  out->insert(acc.begin(), acc.end());
  return true;
}

bool Expander::EvalParens(std::string text, int depth, NameSet* acc,
                          NameSet* deletes) {
  for (;;) {
    size_t open = text.find_first_of("()");
    if (open == std::string::npos) {
      return EvalElements(text, depth, acc, deletes);
    }
    size_t close =
        text[open] == '(' ? MatchingParen(text, open) : std::string::npos;
    if (close == std::string::npos) {
      return Fail("Unbalanced parentheses in noderange", text);
    }
    std::string start = text.substr(0, open);
    char op = ',';
    if (!start.empty() && (start.back() == '-' || start.back() == '@')) {
      op = start.back();
      start.pop_back();
    }
    NameSet inner;
    if (!EvalElements(start, depth, acc, deletes) ||
        !EvalRange(text.substr(open + 1, close - open - 1), depth + 1,
                   &inner)) {
      return false;
    }
    // xCAT subtracts "-( ... )" at once; deferring it like any other
    // exclusion keeps the rule simple: exclusion wins wherever it is.
    if (!Combine(op, inner, text, acc, deletes)) return false;
    text.erase(0, close + 1);
  }
}

bool Expander::EvalElements(const std::string& text, int depth, NameSet* acc,
                            NameSet* deletes) {
  std::vector<std::string> elems = SplitTopLevel(text, ',');
  char sep = ',';
  if (elems.size() == 1 && SplitTopLevel(text, '@').size() > 1) {
    if (!db_.loaded) {
      return Fail("an @ intersection needs a cluster database", text);
    }
    elems = SplitTopLevel(text, '@');
    sep = '@';
  }
  for (size_t i = 0; i < elems.size(); ++i) {
    if (!EvalElement(elems[i], i == 0 ? ',' : sep, depth, acc, deletes)) {
      return false;
    }
  }
  return true;
}

bool Expander::EvalElement(std::string elem, char op, int depth, NameSet* acc,
                           NameSet* deletes) {
  const std::string token = elem;
  if (!elem.empty() && (elem[0] == '-' || elem[0] == '@')) {
    op = elem[0];
    elem.erase(0, 1);
  }
  if (elem.empty()) return true;  // "node1,", ",node1", "node1,,node2"
  NameSet set;
  bool ok = elem[0] == '^' ? EvalFile(elem.substr(1), depth, &set)
                           : ExpandAtom(elem, depth, &set);
  return ok && Combine(op, set, token, acc, deletes);
}

bool Expander::Combine(char op, const NameSet& set, const std::string& token,
                       NameSet* acc, NameSet* deletes) {
  if (op == '-') {
    deletes->insert(set.begin(), set.end());
  } else if (op == '@') {
    if (!db_.loaded) {
      return Fail("an @ intersection needs a cluster database", token);
    }
    NameSet both;
    std::set_intersection(acc->begin(), acc->end(), set.begin(), set.end(),
                          std::inserter(both, both.end()));
    acc->swap(both);
  } else {
    acc->insert(set.begin(), set.end());
  }
  return true;
}

// Each line of the file is a noderange of its own, united with the rest. The
// file is only read, never run: "^cmd |" is just a file name.
bool Expander::EvalFile(const std::string& path, int depth, NameSet* out) {
  if (++file_reads_ > kMaxFileReads) {
    return Fail(
        "noderange reads more than " + std::to_string(kMaxFileReads) + " files",
        range_);
  }
  std::string content;
  if (!env_.read_file || !env_.read_file(path, &content)) {
    return Fail("cannot read noderange file", path);
  }
  size_t begin = 0;
  for (int line_no = 1; begin < content.size(); ++line_no) {
    size_t end = std::min(content.find('\n', begin), content.size());
    std::string line = content.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == '^') continue;
    std::string text = line.substr(0, line.find_first_of(": \t\r"));
    if (text.empty() || EvalRange(text, depth + 1, out)) continue;
    if (!error_located_) {
      error_ = path + ":" + std::to_string(line_no) + ": " + error_;
      error_located_ = true;
    }
    return false;
  }
  return true;
}

bool Expander::ExpandAtom(const std::string& atom, int depth, NameSet* out) {
  if (depth > kMaxDepth) return TooDeep();
  // Atoms looked at, including the intermediate ones of bracket products.
  if (++steps_ > 4 * env_.max_names) return TooMany();
  if (atom.empty()) return true;
  if (db_.loaded && db_.FindNode(atom)) return ResolveName(atom, out);
  if (SplitTopLevel(atom, '@').size() > 1) {
    return EvalRange(atom, depth + 1, out);
  }
  if (db_.loaded && FindGroup(atom)) return ResolveName(atom, out);
  if (atom.find_first_of("=~") != std::string::npos) {
    return Fail("attribute selection is not supported", atom);
  }
  if (IsDigits(atom)) return ResolveName(atom, out);
  if (atom[0] == '/') return ExpandRegex(atom, out);
  size_t open = atom.find('[');
  size_t close = atom.find(']', open == std::string::npos ? 0 : open);
  if (open != std::string::npos && close != std::string::npos) {
    return ExpandBrackets(atom, open, close, depth, out);
  }
  Series series;
  if (ParsePlus(atom, &series) || ParseRange(atom, &series)) {
    return ExpandSeries(series, out);
  }
  return ResolveName(atom, out);
}

// "/re" matches node names (not groups) against ^re$.
bool Expander::ExpandRegex(const std::string& atom, NameSet* out) {
  if (!db_.loaded) {
    return Fail("a /regex noderange needs a cluster database", atom);
  }
  // RE2 matches in time linear in the name, whatever the pattern: no
  // noderange can make xdcp hang. It has no backreferences or lookaround.
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(atom.substr(1), options);
  if (!re.ok()) return Fail("invalid regular expression in noderange", atom);
  for (const Node& node : db_.nodes) {
    if (RE2::FullMatch(node.name, re) && !ResolveName(node.name, out)) {
      return false;
    }
  }
  return true;
}

// pre[1-3,5]post: each item is a number range or a literal; what comes out is
// expanded again, which handles more bracket groups (a cartesian product).
bool Expander::ExpandBrackets(const std::string& atom, size_t open,
                              size_t close, int depth, NameSet* out) {
  const std::string pre = atom.substr(0, open), post = atom.substr(close + 1);
  for (const std::string& item :
       SplitTopLevel(atom.substr(open + 1, close - open - 1), ',')) {
    std::string left, right;
    Series series;
    bool numeric = SplitRangeSides(item, &left, &right) &&
                   ParseNumber(left, &series.first) &&
                   ParseNumber(right, &series.last);
    if (!numeric) {
      if (!ExpandAtom(pre + item + post, depth + 1, out)) return false;
      continue;
    }
    if (series.first <= series.last &&
        series.last - series.first >= env_.max_names) {
      return TooMany();
    }
    for (unsigned long long n = series.first; n <= series.last; ++n) {
      if (!ExpandAtom(pre + Pad(n, PadWidth(left)) + post, depth + 1, out)) {
        return false;
      }
    }
  }
  return true;
}

// Left greater than right is an empty range, as in xCAT.
bool Expander::ExpandSeries(const Series& series, NameSet* out) {
  if (series.first > series.last) return true;
  if (series.last - series.first >= env_.max_names) return TooMany();
  for (unsigned long long n = series.first; n <= series.last; ++n) {
    if (!ResolveName(series.prefix + Pad(n, series.width) + series.suffix,
                     out)) {
      return false;
    }
  }
  return true;
}

// The one place where a name becomes nodes: a node, bare digits with the
// prefix and suffix, a group's members, an unknown name, or (without a
// database) a host name. Invalid names stop here.
bool Expander::ResolveName(std::string name, NameSet* out) {
  if (!Count(1)) return false;
  if (db_.loaded && db_.FindNode(name)) {
    out->insert(name);
    return true;
  }
  if (IsDigits(name)) name = env_.prefix + name + env_.suffix;
  if (!IsValidNodeName(name)) {
    return Fail("invalid node name in noderange", name);
  }
  if (!db_.loaded || db_.FindNode(name)) {
    out->insert(name);
  } else if (const std::vector<std::string>* members = FindGroup(name)) {
    if (!Count(members->size())) return false;
    out->insert(members->begin(), members->end());
  } else {
    unknown_.insert(name);
  }
  return true;
}

// Guards against ranges like node1-node999999999 and their products.
bool Expander::Count(size_t names) {
  names_ += names;
  return names_ <= env_.max_names || TooMany();
}

bool Expander::TooMany() {
  return Fail(
      "noderange expands to more than " + std::to_string(env_.max_names) + " names",
      range_);
}

bool Expander::TooDeep() {
  return Fail("noderange nested more than " + std::to_string(kMaxDepth) +
                  " levels deep",
              range_);
}

// Built on first use: most noderanges name nodes only.
const std::vector<std::string>* Expander::FindGroup(const std::string& name) {
  if (!groups_built_) {
    groups_built_ = true;
    for (const Group& group : db_.groups) groups_[group.name];
    for (const Node& node : db_.nodes) {
      for (const std::string& group : node.groups) {
        groups_[group].push_back(node.name);
      }
    }
  }
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

std::string Expander::UnknownMessage() const {
  std::string message = "unknown nodes or groups in noderange: ";
  size_t listed = 0;
  for (const std::string& name : unknown_) {
    if (listed == kMaxUnknownListed) {
      return message + ",... (" + std::to_string(unknown_.size() - listed) +
             " more)";
    }
    message += (listed++ ? "," : "") + name;
  }
  return message;
}

// Keeps the first error; `token` empty means the message is complete.
bool Expander::Fail(const std::string& message, const std::string& token) {
  if (error_.empty()) {
    error_ = token.empty() ? message : message + ": '" + token + "'";
  }
  return false;
}

// A name split around its last digit run: "f1n10a" -> {"f1n", "10", "a"}.
struct NameParts {
  std::string prefix, digits, suffix;
};

NameParts SplitLastNumber(const std::string& name) {
  size_t end = name.size();
  while (end > 0 && !IsDigit(name[end - 1])) --end;
  size_t start = end;
  while (start > 0 && IsDigit(name[start - 1])) --start;
  if (end - start > kMaxNumberDigits) return {name, "", ""};
  return {name.substr(0, start), name.substr(start, end - start),
          name.substr(end)};
}

// {"01","02","03","07"} -> "01-03,07". A run keeps the width of its first
// number, the way the range "08-12" expands to 08..12, so the result expands
// back to exactly these numbers.
std::string FoldNumbers(std::vector<std::string> numbers) {
  std::sort(numbers.begin(), numbers.end(),
            [](const std::string& a, const std::string& b) {
              unsigned long long x = std::stoull(a), y = std::stoull(b);
              return x != y ? x < y : a.size() < b.size();
            });
  std::set<std::string> unused(numbers.begin(), numbers.end());
  std::string folded;
  for (const std::string& first : numbers) {
    if (unused.erase(first) == 0) continue;
    unsigned long long n = std::stoull(first);
    const size_t width = PadWidth(first);
    std::string last = first;
    while (unused.erase(Pad(n + 1, width)) > 0) last = Pad(++n, width);
    if (!folded.empty()) folded += ',';
    folded += last == first ? first : first + "-" + last;
  }
  return folded;
}

struct FoldGroup {
  std::string prefix, suffix;
  std::vector<std::string> numbers;  // empty: `prefix` is a whole name
};

std::string FoldGroupText(const FoldGroup& group) {
  if (group.numbers.empty()) return group.prefix;
  if (group.numbers.size() == 1) {
    return group.prefix + group.numbers[0] + group.suffix;
  }
  return group.prefix + "[" + FoldNumbers(group.numbers) + "]" + group.suffix;
}

}  // namespace

bool ExpandNodeRange(const std::string& range, const ClusterDb& db,
                     const NodeRangeEnv& env, std::vector<std::string>* nodes,
                     std::string* error) {
  return Expander(db, env, range).Run(nodes, error);
}

// Groups names by the text around their last number, in order of first
// appearance, and folds each group's numbers into one bracket.
std::string FoldNodeRange(const std::vector<std::string>& nodes) {
  std::vector<FoldGroup> groups;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const std::string& name : nodes) {
    NameParts parts = SplitLastNumber(name);
    if (parts.digits.empty()) {
      groups.push_back({name, "", {}});
      continue;
    }
    auto key = std::make_pair(parts.prefix, parts.suffix);
    auto it = index.emplace(key, groups.size()).first;
    if (it->second == groups.size()) {
      groups.push_back({key.first, key.second, {}});
    }
    groups[it->second].numbers.push_back(parts.digits);
  }
  std::string folded;
  for (const FoldGroup& group : groups) {
    folded += (folded.empty() ? "" : ",") + FoldGroupText(group);
  }
  return folded;
}

}  // namespace xdcp
