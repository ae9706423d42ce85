// Service nodes: which node is served by which service node (SN), what each
// SN needs staged, and the plans of the --sn mirror and of hierarchical
// delivery (see "SERVICE NODES" in xdcp(1)).
//
// Theory of operation. A compute node (CN) whose `servicenode` is set is
// reached through the first SN of that pool. For `xdcp CNS -F LIST` the
// management node (MN) makes, per SN, one job of three steps: check that
// the SN runs this same xdcp (`xdcp --require-version`); stage, in one
// rsync run, every local file the SN's CNs need under SNsyncfiledir + its
// full path (synclist sources after each CN's variables, clause scripts and
// files, the synclist and the cluster database); then run xdcp on the SN
// with --source-prefix SNsyncfiledir, so that the SN plans and delivers
// exactly as the MN would in flat mode, with the fan-out running on the SN.
// The SN prints one "xdcp-result:" record per CN (--report-results), which
// the MN turns back into that CN's result, accepting records only for the
// CNs that SN serves; a CN its SN gave no record for is "blocked by SN",
// with the SN's error if its job failed. The MN thus makes a number of
// connections that grows with the SNs, not with the CNs.
#ifndef XDCP_SERVICE_NODES_H_
#define XDCP_SERVICE_NODES_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cluster_db.h"
#include "noderange.h"
#include "options.h"
#include "plan.h"
#include "result.h"
#include "run_context.h"
#include "synclist.h"

namespace xdcp {

constexpr char kResultMarker[] = "xdcp-result: ";

// Nodes grouped by the SN that serves them: the first member of the pool
// that is not in `down`; nodes served by the management node are under "".
std::map<std::string, std::vector<std::string>> NodesByServiceNode(
    const ClusterDb& db, const std::vector<std::string>& nodes,
    const std::set<std::string>& down = {});

// The SNs worth checking before choosing: members of pools of `nodes` that
// have more than one member.
std::vector<std::string> PooledServiceNodes(const ClusterDb& db,
                                            const std::vector<std::string>& nodes);

// Every node of the database that `sn` serves (any member of its pool).
std::vector<std::string> NodesServedBy(const ClusterDb& db, const std::string& sn);

// The local files `nodes` need from `lists` (only the lines that apply to
// each node, globs expanded, each node's variables applied: see
// SourcesForNode), plus the lists themselves and their clause files.
// Sorted, unique. A missing source is an error "LIST:LINE: ...".
bool FilesToStage(const ClusterDb& db, const NodeRangeEnv& env,
                  const std::vector<std::string>& nodes,
                  const std::vector<const SyncList*>& lists,
                  std::vector<std::string>* files, std::string* error);

// One rsync run that copies `files` (absolute paths) to SN:DIR/PATH. The
// NUL-separated file list is written to `list_file`.
bool StagingStep(const Options& o, const RunContext& run, const std::string& sn,
                 const std::string& dir,
                 const std::vector<std::string>& files,
                 const std::string& list_file, Step* step, std::string* error);

// The staging of `files` on `sn`: StagingStep, plus a second run for the
// files that are symlinks, staged as the files they point to.
bool StagingSteps(const Options& o, const RunContext& run, const std::string& sn,
                  const std::string& dir,
                  const std::vector<std::string>& files, const std::string& list_file,
                  std::vector<Step>* steps, std::string* error);

// --for: the SNs that serve `nodes`, every member of each node's pool (any
// of them may serve it at install time), each with the nodes of `nodes` it
// serves. A node served by the management node is in `direct`.
std::map<std::string, std::vector<std::string>> ServiceNodesFor(
    const ClusterDb& db, const std::vector<std::string>& nodes,
    std::vector<std::string>* direct);

// What a service node is given of the database to deliver to `cns`: the
// site's known settings; every node's name and groups (so that a synclist
// line's noderange expands there as here); the other fields of `cns`
// only, and the osimages they use (known fields); no osdistros, no
// attribute xdcp does not know. The MN stages this, not its database.
ClusterDb DatabaseForServiceNode(const ClusterDb& db, const std::vector<std::string>& cns);

// The remote delivery step of hierarchical -F, run on `sn` for `cns`.
Step DeliveryStep(const Options& o, const RunContext& run, const std::string& sn,
                  const std::vector<std::string>& cns, const std::string& sndir,
                  const std::string& synclist, const std::string& nodelist);

// The remote delivery step of a hierarchical plain push, run on `sn` for
// `cns`: `sources` (absolute paths, staged under `sndir`) to `target`.
Step CopyDeliveryStep(const Options& o, const RunContext& run, const std::string& sn,
                      const std::vector<std::string>& cns, const std::string& sndir,
                      const std::vector<std::string>& sources, const std::string& target);

// A hierarchical pull (-P) of `source` from `cns` through `sn` into the
// local `dir`: the SN's xdcp pulls into a private directory on the SN, the
// management node brings its NAME._NODE files back, and the SN's copy is
// removed.
std::vector<Step> PullThroughSteps(const Options& o, const RunContext& run,
                                   const std::string& sn, const std::vector<std::string>& cns,
                                   const std::string& sndir, const std::string& source,
                                   const std::string& dir);

// Seconds added per wave of an SN's job to the nodes' own -t: the logins,
// the kill grace of a node timed out on the SN, its result record.
constexpr int kServiceNodeSlack = 5;

// The -t budget of the management node's job for an SN that delivers to
// `nodes` nodes: -t is each node's own budget, enforced by the SN's xdcp;
// the SN runs them in waves of fanout, so its job gets one budget for the
// version check and the staging and one per wave, each plus
// kServiceNodeSlack. No node is cut short of its own -t. 0 (no limit)
// without -t.
int ServiceNodeJobTimeout(const Options& o, size_t nodes);

// The version check step: the SN must run this xdcp.
Step VersionStep(const Options& o, const RunContext& run, const std::string& sn);

// The results of `cns`, the nodes `sn` serves in this run, from the
// records `relayed` of the whole run (each with service_node set to the SN
// whose job printed it). Only `sn`'s own records count, the first for a
// node; an SN cannot report a node of another SN. A node without a record,
// or every node when the SN's job was interrupted (or failed, with
// `sn_must_succeed`: a pull whose files did not come back), is "blocked by
// SN" with the SN's error (or "SN: no result for this node").
std::vector<NodeResult> ResultsBehind(const std::string& sn, const NodeResult& sn_result,
                                      const std::vector<std::string>& cns,
                                      const std::vector<NodeResult>& relayed,
                                      bool sn_must_succeed = false);

// A result record line for --report-results, and its inverse.
std::string ResultRecord(const NodeResult& r);
bool ParseResultRecord(const std::string& line, NodeResult* r);

}  // namespace xdcp

#endif  // XDCP_SERVICE_NODES_H_
