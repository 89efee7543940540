#!/usr/bin/env bash
# The S3- and SQS-compatible test server: moto's standalone server from PyPI, in a
# virtualenv cached by version. Prints the path of the moto_server executable.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${VIDEOFORGE_CACHE:-$HOME/.cache/videoforge}"
venv="$cache/moto-$MOTO_VERSION"
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "installing moto[server] $MOTO_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
fi
echo "$venv/bin/moto_server"
