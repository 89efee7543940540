#!/usr/bin/env bash
# Debian packages the tests need: ffmpeg/ffprobe for the transcoder and probe.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
if [ "${#need[@]}" -gt 0 ]; then
  echo "apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
