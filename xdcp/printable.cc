#include "printable.h"

#include <cstdio>

namespace xdcp {
namespace {

// The length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(const std::string& s, size_t i) {
  unsigned char c = s[i];
  size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                                                : (c & 0xf8) == 0xf0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  unsigned long cp = n == 1 ? c : c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static const unsigned long kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  if (cp >= 0x80 && cp <= 0x9f) return 0;  // C1 controls: escaped
  return n;
}

}  // namespace

std::string Printable(const std::string& text, size_t max) {
  std::string out;
  size_t cut = 0;  // the longest prefix, ending between pieces, that fits "..."
  for (size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    size_t n = Utf8Length(text, i);
    if (n == 1 && ((c < 0x20 && c != '\t') || c == 0x7f)) n = 0;
    if (n == 0) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      n = 1;
    } else {
      out.append(text, i, n);
    }
    i += n;
    if (max != 0 && out.size() + 3 <= max) cut = out.size();
    if (max != 0 && out.size() > max) return out.substr(0, cut) + "...";
  }
  return out;
}

std::string PrintableLine(const std::string& line) {
  if (!line.empty() && line.back() == '\r') return Printable(line.substr(0, line.size() - 1));
  return Printable(line);
}

}  // namespace xdcp
