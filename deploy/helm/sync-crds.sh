#!/usr/bin/env bash
# Copies the CRDs from crds/ (the single source of the schema) into the chart, where
# templates/crds.yaml renders them behind crds.enabled. Run after editing crds/;
# deploy/helm/chart.integration.test.ts fails while the copies differ.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/deploy/helm/videoforge/files/crds"
mkdir -p "$dest"
rm -f "$dest"/*.yaml
cp "$root"/crds/*.yaml "$dest"/
echo "synced $(ls "$root"/crds/*.yaml | wc -l) CRD file(s) into ${dest#"$root"/}"
