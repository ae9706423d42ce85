// Text from nodes and from files, made safe to print on a terminal.
#ifndef XDCP_PRINTABLE_H_
#define XDCP_PRINTABLE_H_

#include <cstddef>
#include <string>

namespace xdcp {

// `text` with every byte a terminal could act on written as \xHH: control
// characters (tab excepted), DEL, C1 controls (U+0080..U+009F) and bytes
// that are not valid UTF-8. Printable UTF-8 is kept. When `max` is not 0
// and the result is longer, it is cut to at most `max` bytes (never inside
// an escape or a character) and ends in "...". Escaping twice changes
// nothing more. Used for every text a node or a file supplied, in messages,
// node output and JSON.
std::string Printable(const std::string& text, size_t max = 0);

// A line of a node's output: one trailing carriage return (ssh ends some
// lines in "\r\n") dropped, the rest Printable.
std::string PrintableLine(const std::string& line);

}  // namespace xdcp

#endif  // XDCP_PRINTABLE_H_
