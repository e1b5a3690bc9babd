#!/usr/bin/env bash
# Shared steps of the kind and minikube quickstarts: argument parsing, command echoing with
# --dry-run, dev Secrets created at deploy time, the kind profile applied and rollouts awaited.
# Sourced by scripts/kind/*.sh and scripts/minikube/*.sh; not run directly.

SNIP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SNIP_NAMESPACE="snip"
SNIP_PROFILE_DIR="$SNIP_ROOT/deploy/kind"
SNIP_TAG="${SNIP_TAG:-dev}"
DRY_RUN=0
# Read by the scripts that source this file.
# shellcheck disable=SC2034
SKIP_BUILD=0

usage() {
  cat <<USAGE
Usage: $0 [--dry-run] [--skip-build] [--name CLUSTER]
  --dry-run     print every command instead of running it
  --skip-build  do not build the images (they must already be loaded)
  --name NAME   cluster/profile name (default: snip)
USAGE
}

# shellcheck disable=SC2034 # SKIP_BUILD and CLUSTER_NAME are read by the sourcing scripts.
parse_args() {
  CLUSTER_NAME="${CLUSTER_NAME:-snip}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --skip-build) SKIP_BUILD=1 ;;
      --name) CLUSTER_NAME="$2"; shift ;;
      -h|--help) usage; exit 0 ;;
      *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
  done
}

# Prints a command, then runs it unless --dry-run.
run() {
  printf '+ %s\n' "$*"
  if [ "$DRY_RUN" -eq 0 ]; then
    "$@"
  fi
}

require() {
  [ "$DRY_RUN" -eq 1 ] && return 0
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing required tool: $tool" >&2; exit 1; }
  done
}

random_secret() {
  # 24 URL-safe characters from the kernel's CSPRNG.
  LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24
}

# Dev credentials for the in-cluster PostgreSQL, made once per cluster and never written to disk.
create_dev_secrets() {
  if [ "$DRY_RUN" -eq 0 ] && kubectl -n "$SNIP_NAMESPACE" get secret snip-postgres >/dev/null 2>&1; then
    echo "Secret $SNIP_NAMESPACE/snip-postgres exists: keeping its password (the database was initialised with it)"
    return 0
  fi
  local password
  if [ "$DRY_RUN" -eq 1 ]; then password='<generated>'; else password="$(random_secret)"; fi
  printf '+ kubectl -n %s create secret generic snip-postgres --from-literal=POSTGRES_PASSWORD=*** --from-literal=DATABASE_URL=postgres://snip:***@snip-postgres:5432/snip\n' "$SNIP_NAMESPACE"
  if [ "$DRY_RUN" -eq 0 ]; then
    kubectl -n "$SNIP_NAMESPACE" create secret generic snip-postgres \
      --from-literal=POSTGRES_PASSWORD="$password" \
      --from-literal=DATABASE_URL="postgres://snip:${password}@snip-postgres:5432/snip" >/dev/null
  fi
}

build_args() {
  # Prints the image build arguments for one service.
  printf '%s\n' --build-arg "SERVICE=$1" -t "snip-$1:$SNIP_TAG" "$SNIP_ROOT"
}

deploy_and_wait() {
  run kubectl apply -f "$SNIP_PROFILE_DIR/namespace.yaml"
  create_dev_secrets
  run kubectl apply -k "$SNIP_PROFILE_DIR"
  run kubectl -n "$SNIP_NAMESPACE" rollout status statefulset/snip-postgres --timeout=300s
  run kubectl -n "$SNIP_NAMESPACE" wait --for=condition=complete job -l app.kubernetes.io/name=migrate --timeout=600s
  local d
  for d in snip-redis snip-jaeger snip-collector snip-redirector snip-shortener; do
    run kubectl -n "$SNIP_NAMESPACE" rollout status "deployment/$d" --timeout=300s
  done
}

print_next_steps() {
  cat <<NEXT

Snip is running in namespace $SNIP_NAMESPACE.
  Snip:    kubectl -n $SNIP_NAMESPACE port-forward svc/snip-shortener 8080:3000   -> http://localhost:8080/
  Jaeger:  kubectl -n $SNIP_NAMESPACE port-forward svc/snip-jaeger-query 16686:16686 -> http://localhost:16686/
  Check that spans carry Kubernetes metadata (with both port-forwards running):
           npm run enrichment:check -- --jaeger http://localhost:16686 --snip http://localhost:8080
NEXT
}
