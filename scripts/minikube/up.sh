#!/usr/bin/env bash
# Starts a minikube profile with a NetworkPolicy-enforcing CNI, builds both Snip images inside it
# tagged with a hash of their sources, creates dev Secrets, then applies the kind profile
# (deploy/kind) in stages, waiting for each: platform, the migration Job of this tag, the apps
# (or, with --helm, installs charts/snip). --dry-run prints the commands only.
set -euo pipefail
# shellcheck source=scripts/kind/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../kind/lib.sh"
parse_args "$@"
require minikube kubectl
if [ "$USE_HELM" -eq 1 ]; then require helm; fi
compute_tag

run minikube start --profile "$CLUSTER_NAME" --cni=calico --memory=6g --cpus=2
run kubectl config use-context "$CLUSTER_NAME"

if [ "$SKIP_BUILD" -eq 0 ]; then
  for svc in shortener redirector; do
    run minikube --profile "$CLUSTER_NAME" image build -t "snip-$svc:$TAG" \
      --build-opt="build-arg=SERVICE=$svc" "$SNIP_ROOT"
  done
fi

deploy_and_wait
print_next_steps
