// Reads the xCAT stanza format, as `lsdef -a -l -z` writes it and
// xcatstanzafile(5) describes it, into a ClusterDb: the second format of
// the cluster database besides XML (xdcp-nodelist(5), STANZA FORMAT).
// LoadClusterDb calls it for files that do not start with '<'.
#ifndef XDCP_STANZA_H_
#define XDCP_STANZA_H_

#include <string>

#include "cluster_db.h"

namespace xdcp {

// Loads `text`, the content of the stanza file `path`, into `db`. Objects
// of type node, group, osimage, osdistro and site are read; other types
// are skipped. `default-TYPE:` stanzas supply attributes to the stanzas of
// that type that follow them. The result is what an XML file with the same
// objects and attributes gives. On failure returns false, leaves `db`
// alone and sets `error` to "PATH:LINE: what is wrong: 'token'".
bool LoadStanzaDb(const std::string& path, const std::string& text,
                  ClusterDb* db, std::string* error);

}  // namespace xdcp

#endif  // XDCP_STANZA_H_
