# Source this to run one e2e test by hand:
#   . t/e2e/env.sh && t/cluster/cluster.sh on "$XDCP_CLUSTER" mn t/e2e/010-push-pull.sh
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export XDCP=$top/build/xdcp XDCP_CLUSTER=$top/build/cluster XDCP_SOURCE_DIR=$top
export XDCP_TEST_CHILD=$top/build/t/xdcp_test_child
export XDCP_LOCK_DIR=$top/build/cluster/locks
