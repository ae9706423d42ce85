#include "options.h"

#include <strings.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <sstream>

#include "paths.h"

namespace po = boost::program_options;

namespace xdcp {
namespace {

// Long names are case-insensitive in xCAT (--PULL works); Boost's own
// case-insensitive style also folds short options (-R == -r), so we fold
// long names ourselves against this table instead.
const char* const kLongNames[] = {"fanout",       "File",           "help",
                                  "rootimg",      "user",           "monitor",
                                  "node-options", "preserve",       "pull",
                                  "show-config",  "silent",         "node-rcp",
                                  "recursive",    "timeout",        "trace",
                                  "verify",       "version",        "bypass",
                                  "nodestatus",   "exclude-from",   "nodelist",
                                  "sn",           "servicenodes",   "expand",
                                  "dry-run",      "connect-timeout",
                                  "delete", "force", "no-default-excludes",
                                  "remote-xdcp", "source-prefix",
                                  "report-results", "require-version",
                                  "fold", "json", "io-timeout", "delay-updates",
                                  "export-xml", "resume", "for", "checksum",
                                  "tree-digest", "relay"};

std::string FoldLongName(const std::string& arg) {
  if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) return arg;
  size_t eq = arg.find('=');
  std::string name = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
  for (const char* known : kLongNames) {
    if (strcasecmp(known, name.c_str()) == 0) {
      return "--" + std::string(known) +
             (eq == std::string::npos ? "" : arg.substr(eq));
    }
  }
  return arg;
}

po::options_description OptionTable(Options* o) {
  po::options_description d;
  // clang-format off
  d.add_options()
      ("fanout,f",       po::value<int>())
      ("File,F",         po::value(&o->synclist))
      ("help,h",         po::bool_switch(&o->help))
      ("rootimg,i",      po::value(&o->rootimg))
      ("user,l",         po::value(&o->user))
      ("monitor,m",      po::bool_switch())  // accepted: results always stream
      ("node-options,o", po::value<std::string>())
      ("preserve,p",     po::bool_switch(&o->preserve))
      ("pull,P",         po::bool_switch(&o->pull))
      ("show-config,q",  po::bool_switch(&o->show_config))
      ("silent,Q",       po::bool_switch(&o->silent))
      ("node-rcp,r",     po::value<std::string>())
      ("c-alias,c",      po::value<std::string>())  // xCAT's silent -r alias
      ("recursive,R",    po::bool_switch(&o->recursive))
      (",s",             po::bool_switch(&o->stage_only))
      ("timeout,t",      po::value<int>())
      ("trace,T",        po::bool_switch(&o->trace))
      ("verify,v",       po::bool_switch(&o->verify))
      ("version,V",      po::bool_switch(&o->version))
      ("bypass,B",       po::bool_switch())  // no daemon: nothing to bypass
      ("nodestatus",     po::bool_switch(&o->nodestatus))
      ("exclude-from,X", po::value(&o->exclude_from))
      ("nodelist",       po::value(&o->nodelist))
      ("sn",             po::value<std::string>())
      ("servicenodes",   po::value<std::string>())
      ("for",            po::value(&o->for_range))
      ("expand",         po::bool_switch(&o->expand))
      ("dry-run",        po::bool_switch(&o->dry_run))
      ("fold",           po::bool_switch(&o->fold))
      ("export-xml",     po::bool_switch(&o->export_xml))
      ("json",           po::value(&o->json)->implicit_value("-"))
      ("connect-timeout", po::value(&o->connect_timeout))
      ("io-timeout",     po::value(&o->io_timeout))
      ("delay-updates",  po::bool_switch(&o->delay_updates))
      ("resume",         po::bool_switch(&o->resume))
      ("checksum",       po::bool_switch(&o->checksum))
      ("tree-digest",    po::value(&o->tree_digest))
      ("delete",         po::bool_switch(&o->delete_extra))
      ("force",          po::bool_switch(&o->force))
      ("relay",          po::bool_switch(&o->relay))
      ("no-default-excludes", po::bool_switch())
      ("remote-xdcp",    po::value(&o->remote_xdcp))
      ("source-prefix",  po::value(&o->source_prefix))
      ("report-results", po::bool_switch(&o->report_results))
      ("require-version", po::value(&o->require_version))
      ("persist",        po::value<int>())
      ("close-connections", po::value(&o->close_connections))
      ("operands",       po::value(&o->operands));
  // clang-format on
  return d;
}

std::string Env(const std::map<std::string, std::string>& env,
                std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = env.find(n);
    if (it != env.end() && !it->second.empty()) return it->second;
  }
  return "";
}

// Reads an integer environment variable; false if it is set but not one.
bool EnvInt(const std::map<std::string, std::string>& env, const char* name,
            int* out, std::string* error) {
  std::string v = Env(env, {name});
  if (v.empty()) return true;
  char* end = nullptr;
  long n = strtol(v.c_str(), &end, 10);
  if (*end != '\0' || n < 0 || n > 1000000) {
    *error = std::string(name) + " must be a non-negative integer: '" + v + "'";
    return false;
  }
  *out = static_cast<int>(n);
  return true;
}

// Fills the options that have an environment variable, flag first.
bool ApplyValueOptions(const po::variables_map& vm,
                       const std::map<std::string, std::string>& env,
                       Options* o, std::string* error) {
  if (!EnvInt(env, "DSH_FANOUT", &o->fanout, error)) return false;
  if (!EnvInt(env, "DSH_TIMEOUT", &o->timeout, error)) return false;
  if (vm.count("fanout")) o->fanout = vm["fanout"].as<int>();
  if (vm.count("timeout")) o->timeout = vm["timeout"].as<int>();
  if (!EnvInt(env, "XDCP_PERSIST", &o->persist, error)) return false;
  if (vm.count("persist")) o->persist = vm["persist"].as<int>();
  if (o->persist < 0) return *error = "--persist must not be negative", false;
  if (o->fanout < 0) return *error = "-f must not be negative", false;
  if (o->fanout == 0) o->fanout = kDefaultFanout;  // as xCAT: 0 is unset
  if (o->timeout < 0) return *error = "-t must not be negative", false;
  if (o->io_timeout < 0) return *error = "--io-timeout must not be negative", false;
  if (o->connect_timeout <= 0)
    return *error = "--connect-timeout must be positive", false;

  o->node_opts = Env(env, {"DCP_NODE_OPTS", "DSH_NODE_OPTS"});
  if (vm.count("node-options"))
    o->node_opts = vm["node-options"].as<std::string>();
  std::string rcp = Env(env, {"DCP_NODE_RCP", "DSH_NODE_RCP"});
  if (!rcp.empty()) o->rcp = rcp;
  if (vm.count("c-alias")) o->rcp = vm["c-alias"].as<std::string>();
  if (vm.count("node-rcp")) o->rcp = vm["node-rcp"].as<std::string>();
  o->default_excludes = !vm["no-default-excludes"].as<bool>();
  std::string lock_dir = Env(env, {"XDCP_LOCK_DIR"});
  if (!lock_dir.empty()) o->lock_dir = lock_dir;
  std::string remote = Env(env, {"XDCP_REMOTE_XDCP"});
  if (!remote.empty() && !vm.count("remote-xdcp")) o->remote_xdcp = remote;
  if (vm.count("sn")) o->sn_range = vm["sn"].as<std::string>();
  if (vm.count("servicenodes"))
    o->sn_range = vm["servicenodes"].as<std::string>();
  if (o->nodelist.empty()) o->nodelist = Env(env, {"XDCP_NODELIST"});
  o->nodelist_named = !o->nodelist.empty();
  if (o->nodelist.empty()) o->nodelist = "/etc/xcat/nodelist.xml";
  std::string prefix = Env(env, {"XCAT_NODE_PREFIX"});
  if (!prefix.empty()) o->node_prefix = prefix;
  o->node_suffix = Env(env, {"XCAT_NODE_SUFFIX"});
  return true;
}

// The checks that need no filesystem: which operands each mode takes.
bool CheckModes(Options* o, std::string* error) {
  std::string copier = Basename(o->rcp);
  if (copier != "rsync" && copier != "scp") {
    return *error =
               "remote copy command must be rsync or scp: '" + o->rcp + "'",
           false;
  }
  if (!o->exclude_from.empty() && copier != "rsync")
    return *error = "-X needs rsync as the remote copy command", false;
  if (!o->close_connections.empty()) {
    if (!o->operands.empty())
      return *error = "--close-connections takes no other operands: '" + o->operands[0] + "'",
             false;
    o->noderange = o->close_connections;
    return true;
  }
  if (o->stage_only && o->synclist.empty())
    return *error = "-s needs -F SYNCLIST", false;
  if (!o->rootimg.empty()) {
    if (o->synclist.empty()) return *error = "-i needs -F SYNCLIST", false;
    if (!o->operands.empty())
      return *error = "-i takes no noderange or file operands", false;
    return true;
  }
  if (!o->sn_range.empty() || !o->for_range.empty()) {  // operands: paths to mirror
    const char* mode = o->sn_range.empty() ? "--for" : "--sn";
    if (copier != "rsync")
      return *error = std::string(mode) + " needs rsync as the remote copy command", false;
    if (!o->synclist.empty() || o->pull || o->recursive || o->stage_only || o->expand)
      return *error = std::string(mode) + " takes no -F, -P, -R, -s or --expand", false;
    return true;
  }
  if (o->relay) return *error = "--relay needs --sn or --for", false;
  if (o->operands.empty())
    return *error = "node range not specified, see xdcp(1)", false;
  o->noderange = o->operands.front();
  o->operands.erase(o->operands.begin());
  if (o->expand) return true;
  if (!o->synclist.empty()) {
    if (!o->operands.empty())
      return *error = "-F takes no file operands: '" + o->operands[0] + "'",
             false;
    return true;
  }
  if (o->operands.empty()) return *error = "missing file arguments", false;
  if (o->operands.size() == 1) return *error = "missing target path", false;
  if (o->pull && o->operands.size() > 2)
    return *error = "cannot pull more than one file from the nodes", false;
  return true;
}

// Boost would read "-o -t" as two options; xCAT reads -t as the value.
// Options that take a value get it attached, whatever it looks like.
std::vector<std::string> AttachValues(const std::vector<std::string>& args) {
  static const std::string kShortWithValue = "fFilorctX";
  static const char* const kLongWithValue[] = {
      "--fanout",       "--File",     "--rootimg",      "--user",
      "--node-options", "--node-rcp", "--timeout",      "--exclude-from",
      "--nodelist",     "--sn",       "--servicenodes", "--connect-timeout", "--remote-xdcp",
      "--source-prefix", "--require-version", "--io-timeout", "--for", "--tree-digest",
      "--persist", "--close-connections"};
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_next = i + 1 < args.size();
    if (a == "--") {
      out.insert(out.end(), args.begin() + i, args.end());
      break;
    }
    if (a == "--json") {  // a file only as --json=FILE: never the next word
      out.push_back("--json=-");
      continue;
    }
    if (has_next && a.size() == 2 && a[0] == '-' &&
        kShortWithValue.find(a[1]) != std::string::npos) {
      out.push_back(a + args[++i]);
      continue;
    }
    bool long_value = false;
    for (const char* l : kLongWithValue) long_value = long_value || a == l;
    out.push_back(long_value && has_next ? a + "=" + args[++i] : a);
  }
  return out;
}

}  // namespace

ParsedCommandLine ParseCommandLine(
    const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env) {
  ParsedCommandLine r;
  if (args.empty()) {
    r.error = "no parameters were supplied; run xdcp -h";
    return r;
  }
  std::vector<std::string> folded;
  for (const auto& a : args) folded.push_back(FoldLongName(a));
  folded = AttachValues(folded);
  po::options_description table = OptionTable(&r.options);
  po::positional_options_description positional;
  positional.add("operands", -1);
  po::variables_map vm;
  try {
    int style = po::command_line_style::unix_style &
                ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(folded)
                  .options(table)
                  .positional(positional)
                  .style(style)
                  .run(),
              vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    r.error = e.what();
    return r;
  }
  Options& o = r.options;
  if (o.help || o.version || o.show_config || o.export_xml ||
      !o.require_version.empty()) {
    r.ok = ApplyValueOptions(vm, env, &o, &r.error);
    return r;
  }
  r.ok = ApplyValueOptions(vm, env, &o, &r.error) && CheckModes(&o, &r.error);
  return r;
}

std::string UsageText() {
  return "Usage: xdcp NODERANGE [-f fanout] [-l user] [-o node_options] [-p] "
         "[-P]\n"
         "            [-r node_remote_copy] [-R] [-t timeout] [-T] [-v] [-Q]\n"
         "            [-X exclude_file]... sourcefile... targetpath\n"
         "       xdcp NODERANGE [-s] -F synclist [-r node_remote_copy] "
         "[options]\n"
         "       xdcp -i imagepath -F synclist\n"
         "       xdcp --sn SNRANGE [-X exclude_file]... [--relay] [--dry-run] [path...]\n"
         "       xdcp --for NODERANGE [--sn SNRANGE] [-X exclude_file]... [path...]\n"
         "       xdcp --expand NODERANGE\n"
         "       xdcp --close-connections NODERANGE\n"
      "       xdcp [--nodelist FILE] --export-xml\n"
         "       xdcp [-h | -V | -q]\n"
         "Copies files to or from the nodes of NODERANGE with rsync (default) "
         "or\n"
         "scp over ssh. See xdcp(1).\n";
}

std::string ShowConfig(const Options& o) {
  std::ostringstream s;
  s << "fanout=" << o.fanout << "\n"
    << "timeout=" << o.timeout << "\n"
    << "connect-timeout=" << o.connect_timeout << "\n"
    << "node-rcp=" << o.rcp << "\n"
    << "node-options=" << o.node_opts << "\n"
    << "user=" << o.user << "\n"
    << "nodelist=" << o.nodelist << "\n"
    << "node-prefix=" << o.node_prefix << "\n"
    << "node-suffix=" << o.node_suffix << "\n"
    << "persist=" << o.persist << "\n"
    << "remote-shell=/usr/bin/ssh\n";
  return s.str();
}

}  // namespace xdcp
