#!/usr/bin/env bash
# Creates a kind cluster, builds and loads both Snip images, creates dev Secrets, applies the
# kind profile (deploy/kind) and waits for every rollout. --dry-run prints the commands only.
set -euo pipefail
# shellcheck source=scripts/kind/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_args "$@"
require kind kubectl docker

if [ "$DRY_RUN" -eq 0 ] && kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
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
run kind load docker-image --name "$CLUSTER_NAME" "snip-shortener:$SNIP_TAG" "snip-redirector:$SNIP_TAG"

deploy_and_wait
print_next_steps
