#!/usr/bin/env bash
# Runs a command with the shipped Node.js major first on PATH (see node-runtime.sh).
set -euo pipefail
bin="$("$(dirname "${BASH_SOURCE[0]}")/node-runtime.sh")"
export PATH="$bin:$PATH"
exec "$@"
