// The command line and the DSH_* environment, turned into typed options.
// This is the only place that reads either.
#ifndef XDCP_OPTIONS_H_
#define XDCP_OPTIONS_H_

#include <map>
#include <string>
#include <vector>

namespace xdcp {

constexpr int kDefaultFanout = 64;
constexpr int kDefaultConnectTimeout = 10;

struct Options {
  std::string noderange;              // first operand, unless -i or --sn
  std::vector<std::string> operands;  // sources... target (or --sn paths)
  int fanout = kDefaultFanout;        // -f, DSH_FANOUT
  int timeout = 0;                    // -t, DSH_TIMEOUT: seconds per node
  int connect_timeout = kDefaultConnectTimeout;
  int io_timeout = 0;                 // --io-timeout: rsync --timeout, 0 none
  bool delay_updates = false;         // --delay-updates (--sn)
  bool resume = false;                // --resume (--sn): keep partial files
  bool checksum = false;              // --checksum (--sn): compare content
  std::string synclist;               // -F
  std::string rootimg;                // -i
  std::string user;                   // -l
  std::string node_opts;              // -o, DCP_NODE_OPTS / DSH_NODE_OPTS
  std::string rcp = "/usr/bin/rsync";  // -r/-c, DCP_NODE_RCP / DSH_NODE_RCP
  std::vector<std::string> exclude_from;  // -X
  std::string nodelist;               // --nodelist, XDCP_NODELIST
  bool nodelist_named = false;        // given by flag or variable
  std::string sn_range;               // --sn
  std::string for_range;              // --for: nodes about to install (--sn)
  std::string node_prefix = "node";   // XCAT_NODE_PREFIX
  std::string node_suffix;            // XCAT_NODE_SUFFIX
  bool preserve = false;              // -p
  bool pull = false;                  // -P
  bool recursive = false;             // -R
  bool stage_only = false;            // -s
  bool trace = false;                 // -T
  bool verify = false;                // -v
  bool silent = false;                // -Q
  bool show_config = false;           // -q
  bool nodestatus = false;            // --nodestatus
  bool expand = false;                // --expand: print the noderange
  bool export_xml = false;            // --export-xml: the database as XML
  bool dry_run = false;               // --dry-run
  bool fold = false;                  // --fold: identical output once
  std::string json;                   // --json[=FILE]; "-" is stdout
  bool delete_extra = false;          // --delete (--sn)
  bool force = false;                 // --force: --delete without a cap
  bool relay = false;                 // --relay (--sn): SNs seed other SNs
  bool default_excludes = true;       // --no-default-excludes turns off
  std::string remote_xdcp = "xdcp";   // --remote-xdcp, XDCP_REMOTE_XDCP
  std::string lock_dir = "/run/xdcp";  // XDCP_LOCK_DIR; root-only
  // --persist SECONDS, XDCP_PERSIST: each node's ssh connection outlives
  // the run by this long (sockets in LOCK_DIR/ssh); 0: closed at the end.
  int persist = 0;
  std::string close_connections;     // --close-connections NODERANGE
  // Internal, used between xdcp on the management node and on an SN:
  std::string source_prefix;          // --source-prefix: staged sources
  bool report_results = false;        // --report-results: result records
  std::string require_version;        // --require-version V
  std::string tree_digest;            // --tree-digest DIR (with -V check)
  bool help = false;                  // -h
  bool version = false;               // -V
};

struct ParsedCommandLine {
  bool ok = false;
  std::string error;  // one line, for usage errors
  Options options;
};

// Parses argv (argv[0] excluded) with `env` as the environment. Flags beat
// their environment variables. Does not touch the filesystem.
ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env);

// The -h text.
std::string UsageText();

// `key=value` lines for -q: the effective configuration.
std::string ShowConfig(const Options& options);

}  // namespace xdcp

#endif  // XDCP_OPTIONS_H_
