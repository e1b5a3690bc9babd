#!/usr/bin/env bash
# Deletes the kind cluster made by scripts/kind/up.sh (and with it every Snip object and Secret).
set -euo pipefail
# shellcheck source=scripts/kind/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_args "$@"
require kind
run kind delete cluster --name "$CLUSTER_NAME"
