#!/usr/bin/env bash
# Prints the image tag of the source tree: the first 12 hex digits of a SHA-256 over the path
# and contents of every file the Dockerfile copies from the build context (the sources of its
# COPY/ADD lines, read from the Dockerfile), the Dockerfile and .dockerignore themselves, and
# every PATH given (relative to the repository root; the quickstart passes the profile's
# migrate/ folder so a changed migration Job template also gets a new Job name).
# A file counts when git tracks it or when it is untracked but not ignored
# (git ls-files -co --exclude-standard); deleted files drop out. Any change to those files gives
# a new tag; an unchanged tree gives the same tag.
# Usage: scripts/image-tag.sh [PATH...]      e.g. scripts/image-tag.sh deploy/kind/migrate
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C

# COPY/ADD sources, continuation lines joined; --from= copies come from a build stage, and the
# last word of a line is the destination.
mapfile -t sources < <(awk '
  /\\$/ { buf = buf substr($0, 1, length($0) - 1) " "; next }
  { $0 = buf $0; buf = "" }
  (toupper($1) == "COPY" || toupper($1) == "ADD") && $0 !~ /--from=/ {
    for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i
  }' Dockerfile)
[ "${#sources[@]}" -gt 0 ] || { echo "image-tag: no COPY sources found in Dockerfile" >&2; exit 1; }
for path in "${sources[@]}" "$@"; do
  [ -e "$path" ] || { echo "image-tag: $path not found (named by the Dockerfile or the caller)" >&2; exit 1; }
done
git rev-parse --is-inside-work-tree >/dev/null 2>&1 \
  || { echo "image-tag: $(pwd) is not a git work tree; set SNIP_TAG to choose a tag" >&2; exit 1; }

if command -v sha256sum >/dev/null 2>&1; then hash=(sha256sum); else hash=(shasum -a 256); fi
# One "<sha256>  <path>" line per file, sorted by path, hashed again.
git ls-files -z -co --exclude-standard -- Dockerfile .dockerignore "${sources[@]}" "$@" \
  | sort -zu \
  | while IFS= read -r -d '' file; do if [ -f "$file" ]; then printf '%s\0' "$file"; fi; done \
  | xargs -0 "${hash[@]}" -- \
  | "${hash[@]}" \
  | cut -c1-12
