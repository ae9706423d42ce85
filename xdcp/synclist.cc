// The synclist parser. The grammar and the reasons for its departures from
// xCAT are in xdcp-synclist(5); this file follows that page.
//
// A line goes through three steps: the header check on its raw text, the
// lexer (words, the `->` arrow, a `(noderange)` right after the arrow), and
// the parser for the section the line is in (sync lines before the first
// clause header, then the entries of the current clause).
#include "synclist.h"

#include <string>
#include <utility>
#include <vector>

#include "merge.h"
#include "printable.h"
#include "text.h"

namespace xdcp {
namespace {

// ---------------------------------------------------------------- clauses

struct Clause {
  const char* header;  // the line that opens it
  const char* name;    // for messages
  std::vector<ClauseEntry> SyncList::*entries;
  bool has_target;  // `path -> target` entries
};

const Clause kClauses[] = {
    {"EXECUTE:", "EXECUTE", &SyncList::execute, false},
    {"EXECUTEALWAYS:", "EXECUTEALWAYS", &SyncList::execute_always, false},
    {"APPEND:", "APPEND", &SyncList::append, true},
    {"MERGE:", "MERGE", &SyncList::merge, true},
};

const Clause* FindHeader(const std::string& line) {
  for (const Clause& clause : kClauses) {
    if (line == clause.header) return &clause;
  }
  return nullptr;
}

// xCAT switches clauses on any line that merely contains a header word, so
// such a line is either exactly a header or an error here: a synclist never
// means one thing to xCAT and another to xdcp.
bool MentionsHeader(const std::string& line) {
  for (const Clause& clause : kClauses) {
    if (line.find(clause.header) != std::string::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------- text

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

constexpr char kLineBlanks[] = " \t\v\f\r";  // IsBlank's characters

std::string RemoveBlanks(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (!IsBlank(c)) out += c;
  }
  return out;
}

size_t SkipBlanks(const std::string& text, size_t pos) {
  while (pos < text.size() && IsBlank(text[pos])) ++pos;
  return pos;
}

size_t SkipNonBlanks(const std::string& text, size_t pos) {
  while (pos < text.size() && !IsBlank(text[pos])) ++pos;
  return pos;
}

// The tail of a message that names the offending text: escaped, and cut
// (a binary file given as a synclist must not fill the terminal).
constexpr size_t kQuotedMax = 160;
std::string Quoted(const std::string& text) {
  return ": '" + Printable(text, kQuotedMax) + "'";
}

// A $VAR may supply the leading slash; it is checked after substitution,
// when the path is used.
bool IsAbsolute(const std::string& path) {
  return !path.empty() && (path[0] == '/' || path[0] == '$');
}

// ---------------------------------------------------------------- lexer

struct Token {
  enum Kind { kWord, kArrow, kNodeRange };
  Kind kind = kWord;
  std::string text;  // quotes and escapes removed; noderange unblanked
  size_t begin = 0;  // the raw text in the line, for messages
  size_t end = 0;
  bool has_arrow = false;  // an unquoted "->" inside a longer word
};

// Reads the double-quoted part that starts at line[*pos], which is '"'.
// Only \" and \\ are escapes inside quotes; any other backslash is kept.
bool ReadQuoted(const std::string& line, size_t* pos, std::string* out,
                std::string* error) {
  const size_t open = *pos;
  for (size_t i = open + 1; i < line.size(); ++i) {
    if (line[i] == '"') {
      *pos = i + 1;
      return true;
    }
    if (line[i] == '\\' && i + 1 < line.size() &&
        (line[i + 1] == '"' || line[i + 1] == '\\')) {
      ++i;
    }
    *out += line[i];
  }
  *error = "unterminated quote" + Quoted(line.substr(open));
  return false;
}

// Reads a word that starts at line[*pos]; a word ends at unquoted blank.
bool ReadWord(const std::string& line, size_t* pos, Token* token,
              std::string* error) {
  token->begin = *pos;
  bool quoted = false;
  size_t i = *pos;
  while (i < line.size() && !IsBlank(line[i])) {
    const char c = line[i];
    if (c == '"') {
      if (!ReadQuoted(line, &i, &token->text, error)) return false;
      quoted = true;
    } else if (c == '\\') {
      if (i + 1 == line.size()) {
        *error = "line ends with a backslash" + Quoted(line);
        return false;
      }
      token->text += line[i + 1];
      i += 2;
      quoted = true;
    } else {
      if (c == '-' && i + 1 < line.size() && line[i + 1] == '>') {
        token->has_arrow = true;
      }
      token->text += c;
      ++i;
    }
  }
  token->end = *pos = i;
  if (!quoted && token->text == "->") {
    token->kind = Token::kArrow;
    token->has_arrow = false;
  }
  return true;
}

// Reads `(noderange)` at line[*pos] up to the matching ')'. The destination
// must follow after white space, as in xCAT's `-> +\((.+)\) +` form.
bool ReadNodeRange(const std::string& line, size_t* pos, Token* token,
                   std::string* error) {
  const size_t open = *pos;
  int depth = 0;
  size_t close = open;
  for (; close < line.size(); ++close) {
    if (line[close] == '(') ++depth;
    if (line[close] == ')' && --depth == 0) break;
  }
  if (close == line.size()) {
    *error = "noderange has no closing ')'" + Quoted(line.substr(open));
    return false;
  }
  const size_t after = close + 1;
  if (after < line.size() && !IsBlank(line[after])) {
    const std::string text =
        line.substr(open, SkipNonBlanks(line, after) - open);
    *error =
        "expected white space between noderange and destination" + Quoted(text);
    return false;
  }
  token->kind = Token::kNodeRange;
  token->text = RemoveBlanks(line.substr(open + 1, close - open - 1));
  token->begin = open;
  token->end = *pos = after;
  return true;
}

// Splits a trimmed line into tokens. A '(' opens a noderange only as the
// first thing after the arrow; anywhere else it is an ordinary character.
bool Tokenize(const std::string& line, std::vector<Token>* tokens,
              std::string* error) {
  size_t pos = SkipBlanks(line, 0);
  while (pos < line.size()) {
    Token token;
    const bool after_arrow =
        !tokens->empty() && tokens->back().kind == Token::kArrow;
    if (after_arrow && line[pos] == '(') {
      if (!ReadNodeRange(line, &pos, &token, error)) return false;
    } else if (!ReadWord(line, &pos, &token, error)) {
      return false;
    }
    tokens->push_back(std::move(token));
    pos = SkipBlanks(line, pos);
  }
  return true;
}

// The raw text from token `first` through token `last`, as written.
std::string RawText(const std::string& line, const Token& first,
                    const Token& last) {
  return line.substr(first.begin, last.end - first.begin);
}

const Token* FindWordWithArrow(const std::vector<Token>& tokens) {
  for (const Token& token : tokens) {
    if (token.has_arrow) return &token;
  }
  return nullptr;
}

// ---------------------------------------------------------------- lines

// Finds the single arrow of `SRC... -> [(NODERANGE)] DEST`.
bool FindArrow(const std::string& line, const std::vector<Token>& tokens,
               size_t* arrow, std::string* error) {
  size_t count = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].kind != Token::kArrow) continue;
    if (count++ == 0) *arrow = i;
  }
  if (count > 1) {
    *error = "more than one ' -> '" + Quoted(line);
  } else if (count == 1) {
    return true;
  } else if (FindWordWithArrow(tokens) != nullptr) {
    *error = "expected ' -> ' between sources and destination" + Quoted(line);
  } else {
    *error = "not a synclist line" + Quoted(line);
  }
  return false;
}

// Fills in the destination (and noderange) from the tokens after the arrow.
bool ParseDestination(const std::string& line, const std::vector<Token>& tokens,
                      size_t first, SyncLine* sync, std::string* error) {
  if (first < tokens.size() && tokens[first].kind == Token::kNodeRange) {
    if (tokens[first].text.empty()) {
      *error = "empty noderange" +
               Quoted(RawText(line, tokens[first], tokens[first]));
      return false;
    }
    sync->noderange = tokens[first++].text;
  }
  if (first == tokens.size()) {
    *error = "no destination after ' -> '" + Quoted(line);
    return false;
  }
  if (first + 1 < tokens.size()) {
    *error = "destination has white space: quote it" +
             Quoted(RawText(line, tokens[first], tokens.back()));
    return false;
  }
  sync->dest = tokens[first].text;
  return true;
}

bool CheckPaths(const SyncLine& sync, std::string* error) {
  for (const std::string& source : sync.sources) {
    if (!IsAbsolute(source)) {
      *error = "source is not an absolute path" + Quoted(source);
      return false;
    }
  }
  if (!IsAbsolute(sync.dest)) {
    *error = "destination is not an absolute path" + Quoted(sync.dest);
    return false;
  }
  return true;
}

// Parses `SRC... -> DEST` or `SRC... -> (NODERANGE) DEST`.
bool ParseArrowLine(const std::string& line, SyncLine* sync,
                    std::string* error) {
  std::vector<Token> tokens;
  if (!Tokenize(line, &tokens, error)) return false;
  size_t arrow = 0;
  if (!FindArrow(line, tokens, &arrow, error)) return false;
  // With the arrow found, "a->b" would be a path that merely looks like a
  // mistyped arrow; insisting on quotes keeps typos from becoming paths.
  if (const Token* token = FindWordWithArrow(tokens)) {
    *error =
        "'->' inside a path: quote it" + Quoted(RawText(line, *token, *token));
    return false;
  }
  if (arrow == 0) {
    *error = "no source before ' -> '" + Quoted(line);
    return false;
  }
  for (size_t i = 0; i < arrow; ++i) sync->sources.push_back(tokens[i].text);
  if (!ParseDestination(line, tokens, arrow + 1, sync, error)) return false;
  return CheckPaths(*sync, error);
}

// EXECUTE and EXECUTEALWAYS: one path.
bool ParseScriptEntry(const Clause& clause, const std::string& line,
                      ClauseEntry* entry, std::string* error) {
  std::vector<Token> tokens;
  if (!Tokenize(line, &tokens, error)) return false;
  for (const Token& token : tokens) {
    if (token.kind == Token::kArrow || token.has_arrow) {
      *error = std::string("sync line inside the ") + clause.name + " clause" +
               Quoted(line);
      return false;
    }
  }
  if (tokens.size() > 1) {
    *error = std::string(clause.name) + " entry has white space: quote it" +
             Quoted(line);
    return false;
  }
  entry->path = tokens[0].text;
  if (!IsAbsolute(entry->path)) {
    *error = std::string(clause.name) + " entry is not an absolute path" +
             Quoted(entry->path);
    return false;
  }
  return true;
}

// APPEND and MERGE: `SRC -> TARGET`, one file onto one file on every node.
bool ParseFileEntry(const Clause& clause, const std::string& line,
                    ClauseEntry* entry, std::string* error) {
  SyncLine sync;
  if (!ParseArrowLine(line, &sync, error)) return false;
  const std::string name = clause.name;
  if (!sync.noderange.empty()) {
    *error = "noderange is not supported in " + name + Quoted(line);
    return false;
  }
  if (sync.sources.size() > 1) {
    *error = name + " takes one source" + Quoted(line);
    return false;
  }
  if (sync.dest.back() == '/') {
    *error = name + " target must be a file" + Quoted(sync.dest);
    return false;
  }
  if (clause.entries == &SyncList::merge && !IsMergeTarget(sync.dest)) {
    *error =
        "MERGE supports only /etc/passwd, /etc/shadow, /etc/group and "
        "/etc/gshadow" +
        Quoted(sync.dest);
    return false;
  }
  entry->path = sync.sources[0];
  entry->target = sync.dest;
  return true;
}

// ---------------------------------------------------------------- file

class Parser {
 public:
  Parser(const std::string& path, SyncList* list) : path_(path), list_(list) {}

  // Takes one line of the file, `number` counted from 1.
  bool AddLine(int number, const std::string& raw, std::string* error) {
    if (raw.find('\0') != std::string::npos) {
      return Fail(number, "NUL byte in line", error);
    }
    const std::string line = Trim(raw, kLineBlanks);
    if (line.empty() || line[0] == '#') return true;
    if (const Clause* clause = FindHeader(line)) {
      return Open(clause, number, error);
    }
    if (MentionsHeader(line)) {
      return Fail(number, "header must be alone on its line" + Quoted(line),
                  error);
    }
    std::string message;
    if (!(clause_ ? AddEntry(number, line, &message)
                  : AddSyncLine(number, line, &message))) {
      return Fail(number, message, error);
    }
    return true;
  }

  // Checks what only the end of the file can tell.
  bool Finish(std::string* error) {
    if (!CloseClause(error)) return false;
    if (list_->lines.empty() && list_->execute.empty() &&
        list_->execute_always.empty() && list_->append.empty() &&
        list_->merge.empty()) {
      *error = path_ + ": no lines to process";
      return false;
    }
    return true;
  }

 private:
  bool Fail(int number, const std::string& message, std::string* error) {
    *error = path_ + ":" + std::to_string(number) + ": " + message;
    return false;
  }

  bool Open(const Clause* clause, int number, std::string* error) {
    if (!CloseClause(error)) return false;
    clause_ = clause;
    clause_line_ = number;
    clause_entries_ = 0;
    return true;
  }

  // A header with nothing under it is most likely a misplaced line.
  bool CloseClause(std::string* error) {
    if (clause_ == nullptr || clause_entries_ > 0) return true;
    return Fail(clause_line_,
                std::string(clause_->header) + " clause has no entries", error);
  }

  bool AddSyncLine(int number, const std::string& line, std::string* error) {
    SyncLine sync;
    sync.line = number;
    if (!ParseArrowLine(line, &sync, error)) return false;
    list_->lines.push_back(std::move(sync));
    return true;
  }

  bool AddEntry(int number, const std::string& line, std::string* error) {
    ClauseEntry entry;
    entry.line = number;
    const bool ok = clause_->has_target
                        ? ParseFileEntry(*clause_, line, &entry, error)
                        : ParseScriptEntry(*clause_, line, &entry, error);
    if (!ok) return false;
    (list_->*clause_->entries).push_back(std::move(entry));
    ++clause_entries_;
    return true;
  }

  const std::string& path_;
  SyncList* list_;
  const Clause* clause_ = nullptr;  // null: still among the sync lines
  int clause_line_ = 0;
  int clause_entries_ = 0;
};

// ---------------------------------------------------------------- vars

bool IsVarNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool IsVarNameChar(char c) { return IsVarNameStart(c) || (c >= '0' && c <= '9'); }

size_t NameLength(const std::string& text, size_t pos) {
  if (pos >= text.size() || !IsVarNameStart(text[pos])) return 0;
  size_t end = pos + 1;
  while (end < text.size() && IsVarNameChar(text[end])) ++end;
  return end - pos;
}

// Recognizes $NAME or ${NAME} at text[pos] (a '$'): sets the name and the
// length of the whole reference. Anything else is a literal '$'.
bool ReadReference(const std::string& text, size_t pos, std::string* name,
                   size_t* length) {
  const bool braced = pos + 1 < text.size() && text[pos + 1] == '{';
  const size_t start = pos + (braced ? 2 : 1);
  const size_t n = NameLength(text, start);
  if (n == 0) return false;
  if (braced && (start + n == text.size() || text[start + n] != '}')) {
    return false;
  }
  *name = text.substr(start, n);
  *length = n + (braced ? 3 : 1);
  return true;
}

// A later definition wins, as with environvar's comma list in xCAT.
const std::string* Lookup(
    const std::vector<std::pair<std::string, std::string>>& vars,
    const std::string& name) {
  const std::string* value = nullptr;
  for (const auto& var : vars) {
    if (var.first == name) value = &var.second;
  }
  return value;
}

void NoteUnknown(const std::string& name, std::vector<std::string>* unknown) {
  if (unknown == nullptr) return;
  for (const std::string& known : *unknown) {
    if (known == name) return;
  }
  unknown->push_back(name);
}

}  // namespace

bool ParseSyncList(const std::string& path, const std::string& text,
                   SyncList* list, std::string* error) {
  *list = SyncList();
  list->path = path;
  Parser parser(path, list);
  int number = 0;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    if (!parser.AddLine(++number, text.substr(begin, end - begin), error)) {
      return false;
    }
    begin = end + 1;
  }
  return parser.Finish(error);
}

// Values are inserted as they are, never scanned again for references.
std::string SubstituteVars(
    const std::string& text,
    const std::vector<std::pair<std::string, std::string>>& vars,
    std::vector<std::string>* unknown) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    std::string name;
    size_t length = 0;
    if (text[pos] != '$' || !ReadReference(text, pos, &name, &length)) {
      out += text[pos++];
      continue;
    }
    if (const std::string* value = Lookup(vars, name)) {
      out += *value;
    } else {
      out.append(text, pos, length);
      NoteUnknown(name, unknown);
    }
    pos += length;
  }
  return out;
}

std::string LineRef(const SyncList& list, int line) {
  return list.path + ":" + std::to_string(line) + ": ";
}

}  // namespace xdcp
