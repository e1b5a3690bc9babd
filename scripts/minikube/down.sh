#!/usr/bin/env bash
# Deletes the minikube profile made by scripts/minikube/up.sh.
set -euo pipefail
# shellcheck source=scripts/kind/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../kind/lib.sh"
parse_args "$@"
require minikube
run minikube delete --profile "$CLUSTER_NAME"
