#!/usr/bin/env bash
# Shared steps of the kind and minikube quickstarts: argument parsing, command echoing with
# --dry-run, the image tag, dev Secrets created at deploy time, and the kind profile
# (deploy/kind) applied in stages (platform, migration Job, apps) or the Helm chart installed.
# Sourced by scripts/kind/*.sh and scripts/minikube/*.sh; not run directly.

SNIP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SNIP_NAMESPACE="snip"
# The kustomize profile applied (relative to SNIP_ROOT): namespace, platform/, migrate/, apps/ and
# the image/ component that holds the tag.
SNIP_PROFILE="deploy/kind"
SNIP_PROFILE_DIR="$SNIP_ROOT/$SNIP_PROFILE"
SNIP_CHART_DIR="$SNIP_ROOT/charts/snip"
DRY_RUN=0
# Read by the scripts that source this file.
# shellcheck disable=SC2034
SKIP_BUILD=0
USE_HELM=0
# Set by compute_tag.
TAG=""
STAGE_DIR=""

usage() {
  cat <<USAGE
Usage: $0 [--dry-run] [--skip-build] [--helm] [--name CLUSTER]
  --dry-run     print every command instead of running it
  --skip-build  do not build the images (snip-shortener:TAG and snip-redirector:TAG must exist)
  --helm        install charts/snip with Helm instead of applying deploy/kind with kustomize
  --name NAME   cluster/profile name (default: snip)
The image tag is a hash of the sources the images are built from (scripts/image-tag.sh), so a
code change deploys new images; set SNIP_TAG to choose it yourself.
USAGE
}

# shellcheck disable=SC2034 # SKIP_BUILD and CLUSTER_NAME are read by the sourcing scripts.
parse_args() {
  CLUSTER_NAME="${CLUSTER_NAME:-snip}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --skip-build) SKIP_BUILD=1 ;;
      --helm) USE_HELM=1 ;;
      --name)
        if [ $# -lt 2 ] || [ -z "$2" ]; then echo "--name needs a value" >&2; usage >&2; exit 2; fi
        CLUSTER_NAME="$2"; shift ;;
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

# TAG: SNIP_TAG, or the hash of the image sources and the migration Job template. It also
# names the migration Job (snip-migrate-TAG), so it must be a DNS label of at most 50 characters.
compute_tag() {
  if [ -n "${SNIP_TAG:-}" ]; then
    TAG="$SNIP_TAG"
  else
    TAG="$(bash "$SNIP_ROOT/scripts/image-tag.sh" "$SNIP_PROFILE/migrate")"
  fi
  if ! [[ "$TAG" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || [ "${#TAG}" -gt 50 ]; then
    echo "invalid image tag '$TAG': use lowercase letters, digits and '-' (at most 50; it names the migration Job)" >&2
    exit 2
  fi
  echo "Image tag: $TAG"
}

random_secret() {
  # 24 characters [A-Za-z0-9] from the kernel's CSPRNG. Every command reads its whole input
  # (no `tr </dev/urandom | head`, whose writer dies of SIGPIPE and fails under pipefail).
  local chars
  chars="$(head -c 48 /dev/urandom | base64 | LC_ALL=C tr -dc 'A-Za-z0-9')"
  [ "${#chars}" -ge 24 ] || { echo "could not generate a password" >&2; return 1; }
  printf '%s' "${chars:0:24}"
}

# The dev Secret as JSON on stdout. printf is a builtin: the password is in no process's argv.
dev_secret_manifest() {
  printf '{"apiVersion":"v1","kind":"Secret","type":"Opaque","metadata":{"name":"snip-postgres","namespace":"%s","labels":{"app.kubernetes.io/part-of":"snip"}},"stringData":{"POSTGRES_PASSWORD":"%s","DATABASE_URL":"postgres://snip:%s@snip-postgres:5432/snip"}}\n' \
    "$SNIP_NAMESPACE" "$1" "$1"
}

# Dev credentials for the in-cluster PostgreSQL, made once per cluster; the password is never
# printed, never written to disk and never passed on a command line (kubectl reads stdin).
create_dev_secrets() {
  if [ "$DRY_RUN" -eq 0 ]; then
    local existing
    existing="$(kubectl -n "$SNIP_NAMESPACE" get secret snip-postgres --ignore-not-found -o name)"
    if [ -n "$existing" ]; then
      echo "Secret $SNIP_NAMESPACE/snip-postgres exists: keeping its password (the database was initialised with it)"
      return 0
    fi
  fi
  printf '+ kubectl -n %s create -f -   # Secret snip-postgres: POSTGRES_PASSWORD=***, DATABASE_URL=postgres://snip:***@snip-postgres:5432/snip\n' "$SNIP_NAMESPACE"
  [ "$DRY_RUN" -eq 1 ] && return 0
  local password
  password="$(random_secret)"
  dev_secret_manifest "$password" | kubectl -n "$SNIP_NAMESPACE" create -f - >/dev/null
}

build_args() {
  # Prints the image build arguments for one service.
  printf '%s\n' --build-arg "SERVICE=$1" -t "snip-$1:$TAG" "$SNIP_ROOT"
}

# A temporary copy of the profile whose image component carries TAG (the repository is not
# edited); removed when the script exits.
stage_profile() {
  STAGE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/snip-deploy.XXXXXX")"
  trap 'rm -rf "$STAGE_DIR"' EXIT
  cp -R "$SNIP_PROFILE_DIR/." "$STAGE_DIR/"
  cat >"$STAGE_DIR/image/kustomization.yaml" <<IMAGES
# Staged by scripts/kind/lib.sh from deploy/kind/image: the images built for this deployment.
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
images:
  - name: snip-shortener
    newTag: "$TAG"
  - name: snip-redirector
    newTag: "$TAG"
IMAGES
  echo "Staged $SNIP_PROFILE with image tag $TAG in $STAGE_DIR"
}

rollout() {
  local target
  for target in "$@"; do
    run kubectl -n "$SNIP_NAMESPACE" rollout status "$target" --timeout=300s
  done
}

# Stores and telemetry first, then the schema migration of this tag (a Job named after it, so a
# new tag never re-applies a finished Job's immutable template), then the services.
deploy_kustomize() {
  local job="snip-migrate-$TAG"
  stage_profile
  run kubectl apply -k "$STAGE_DIR/platform"
  rollout statefulset/snip-postgres deployment/snip-redis deployment/snip-jaeger deployment/snip-collector
  run kubectl apply -k "$STAGE_DIR/migrate"
  run kubectl -n "$SNIP_NAMESPACE" wait --for=condition=complete "job/$job" --timeout=600s
  run kubectl -n "$SNIP_NAMESPACE" delete job -l app.kubernetes.io/name=migrate \
    --field-selector "metadata.name!=$job" --ignore-not-found
  run kubectl apply -k "$STAGE_DIR/apps"
  rollout deployment/snip-redirector deployment/snip-shortener
}

deploy_helm() {
  run helm upgrade --install snip "$SNIP_CHART_DIR" --namespace "$SNIP_NAMESPACE" \
    --set "image.tag=$TAG" --set image.shortenerRepository=snip-shortener \
    --set image.redirectorRepository=snip-redirector --wait --timeout 10m
}

deploy_and_wait() {
  # The namespace first (Pod Security labels included), so the Secret can be created before the stores start.
  run kubectl apply -f "$SNIP_PROFILE_DIR/platform/namespace.yaml"
  create_dev_secrets
  if [ "$USE_HELM" -eq 1 ]; then deploy_helm; else deploy_kustomize; fi
}

print_next_steps() {
  cat <<NEXT

Snip ($TAG) is running in namespace $SNIP_NAMESPACE.
  Snip:    kubectl -n $SNIP_NAMESPACE port-forward svc/snip-shortener 8080:3000   -> http://localhost:8080/
  Jaeger:  kubectl -n $SNIP_NAMESPACE port-forward svc/snip-jaeger-query 16686:16686 -> http://localhost:16686/
  Check that spans carry Kubernetes metadata (with both port-forwards running):
           npm run enrichment:check -- --jaeger http://localhost:16686 --snip http://localhost:8080
NEXT
}
