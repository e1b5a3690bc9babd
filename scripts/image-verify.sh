#!/usr/bin/env bash
# Proves the Dockerfile without a Docker engine or registry: builds a local Node 24 base image
# (debootstrap'd Debian bookworm + the Node binary Snip ships on + npm), builds both service
# images from it with buildah (chroot isolation, vfs storage), prints their sizes, then runs
# each image's command with `buildah run` against a throwaway PostgreSQL and Redis and checks
# migrations, health endpoints and a shorten + redirect (scripts/image-verify-run.mts).
#
#   npm run image:verify            # needs root, buildah and debootstrap (apt-get install buildah debootstrap)
#   KEEP_STORAGE=0 npm run image:verify   # also delete the image store afterwards
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${SNIP_IMAGE_WORK:-$root/.data/image-verify}"
node_bin_dir="$("$root/scripts/node-runtime.sh")"
node_version="$("$node_bin_dir/node" -p 'process.versions.node')"
base_tag="localhost/snip-node-base:$node_version-2"
tag="${SNIP_IMAGE_TAG:-verify}"
started=$SECONDS

for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool: apt-get install -y buildah debootstrap" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "image verification needs root (debootstrap, buildah chroot isolation)" >&2; exit 1; }

mkdir -p "$work"
bah() { buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs "$@"; }
step() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - started))"; }

# Debian mirror apt already uses (no other download source).
mirror() {
  local m
  m="$(grep -rhoE '^(deb|URIs:) +[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
    | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)"
  echo "${m:-http://deb.debian.org/debian}"
}

if bah inspect --type image "$base_tag" >/dev/null 2>&1; then
  step "base image $base_tag exists"
else
  step "debootstrap bookworm (minbase)"
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$(mirror)" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  # Node (the release Snip ships on) and the machine's npm, laid out as in the official image.
  install -m 0755 "$node_bin_dir/node" "$rootfs/usr/local/bin/node"
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # This machine reaches the registry through a TLS-inspecting proxy: give the base image's npm
  # the host's CA bundle (the official node image is not affected; this base is local only).
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/local/etc"
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    echo 'cafile=/etc/ssl/certs/ca-certificates.crt' >"$rootfs/usr/local/etc/npmrc"
  fi
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  step "commit $base_tag"
  ctr="$(bah from scratch)"
  bah copy --quiet "$ctr" "$rootfs" /
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --workingdir / "$ctr"
  bah commit --quiet "$ctr" "$base_tag" >/dev/null
  bah rm "$ctr" >/dev/null
  rm -rf "$rootfs"
fi

for svc in shortener redirector; do
  step "build localhost/snip-$svc:$tag"
  bah bud --isolation chroot --pull=never \
    --build-arg "NODE_IMAGE=$base_tag" --build-arg "SERVICE=$svc" \
    -t "localhost/snip-$svc:$tag" -f "$root/Dockerfile" "$root" >"$work/build-$svc.log" 2>&1 \
    || { tail -n 40 "$work/build-$svc.log" >&2; exit 1; }
done

step "image sizes"
bah images --format '{{.Name}}:{{.Tag}} {{.Size}}' | grep -E "snip-(shortener|redirector|node-base)" | tee "$work/sizes.txt"

step "run the images against throwaway PostgreSQL and Redis"
SNIP_IMAGE_WORK="$work" SNIP_IMAGE_TAG="$tag" \
  "$root/scripts/with-node.sh" npx tsx "$root/scripts/image-verify-run.mts"

if [ "${KEEP_STORAGE:-1}" = 0 ]; then
  bah rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work"
fi
step "image verification passed"
