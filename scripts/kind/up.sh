#!/usr/bin/env bash
# Creates (or reuses) a kind cluster, builds both Snip images tagged with a hash of their sources
# and loads them, creates dev Secrets, then applies the kind profile (deploy/kind) in stages,
# waiting for each: platform, the migration Job of this tag, the apps (or, with --helm, installs
# charts/snip). --dry-run prints the commands only.
set -euo pipefail
# shellcheck source=scripts/kind/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_args "$@"
require kind kubectl docker
if [ "$USE_HELM" -eq 1 ]; then require helm; fi
compute_tag

# grep reads all of kind's output (no -q): an early exit could SIGPIPE kind and, under pipefail,
# turn "exists" into "absent".
if [ "$DRY_RUN" -eq 0 ] && kind get clusters 2>/dev/null | grep -x "$CLUSTER_NAME" >/dev/null; then
  echo "kind cluster $CLUSTER_NAME exists: reusing it"
else
  run kind create cluster --name "$CLUSTER_NAME" --wait 120s
fi
run kubectl config use-context "kind-$CLUSTER_NAME"

if [ "$SKIP_BUILD" -eq 0 ]; then
  for svc in shortener redirector; do
    mapfile -t args < <(build_args "$svc")
    run docker build "${args[@]}"
  done
fi
run kind load docker-image --name "$CLUSTER_NAME" "snip-shortener:$TAG" "snip-redirector:$TAG"

deploy_and_wait
print_next_steps
