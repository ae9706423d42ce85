// Local source operands: globs expanded by xdcp itself (no shell), each
// checked before anything is transferred.
#ifndef XDCP_SOURCES_H_
#define XDCP_SOURCES_H_

#include <string>
#include <vector>

#include "plan.h"

namespace xdcp {

// Expands `operands` (glob patterns are expanded; a pattern that matches
// nothing stays as written) and checks that each exists. A directory needs
// `recursive`. Returns false with `error` naming the first bad source.
bool ExpandSources(const std::vector<std::string>& operands, bool recursive,
                   std::vector<LocalSource>* sources, std::string* error);

// Appends the paths `pattern` names: itself if it exists as written, else
// its glob matches. False if there are none.
bool GlobExisting(const std::string& pattern, std::vector<std::string>* paths);

// The source, as written, names a symbolic link (no trailing slash, which
// would name the directory it points to): it is delivered as what it
// points to.
bool IsNamedSymlink(const std::string& path);

}  // namespace xdcp

#endif  // XDCP_SOURCES_H_
