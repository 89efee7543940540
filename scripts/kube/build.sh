#!/usr/bin/env bash
# Builds the Kubernetes control plane used by the integration tests from the Go
# module proxy: kube-apiserver, kube-controller-manager, kubectl, etcd and helm.
# No release binaries and no Docker: everything is compiled from modules.
#
#   scripts/kube/build.sh            build what is missing, reuse the cache
#   scripts/kube/build.sh --print-bin-dir
#
# Output: ${VIDEOFORGE_CACHE:-~/.cache/videoforge}/k8s-$K8S_VERSION/bin
set -euo pipefail

# --- pins (test/kube/control-plane.ts reads K8S_VERSION from this line) -------
K8S_VERSION=v1.37.2 # newest k8s.io/kubernetes release; its go.mod says go 1.26.0
ETCD_VERSION=v3.7.0 # kubeadm's DefaultEtcdVersion for v1.37 (constants.go: "3.7.0-0")
HELM_VERSION=v3.22.0 # newest helm v3; built against k8s.io/client-go v0.37
# ------------------------------------------------------------------------------

CACHE_ROOT="${VIDEOFORGE_CACHE:-$HOME/.cache/videoforge}"
BIN_DIR="$CACHE_ROOT/k8s-$K8S_VERSION/bin"

if [[ "${1:-}" == "--print-bin-dir" ]]; then
  echo "$BIN_DIR"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: Go is not installed (need go >= 1.26); see https://go.dev/doc/install" >&2
  exit 1
fi

# The staging modules carry the release's minor as v0.MINOR.PATCH.
K8S_STAGING_VERSION="v0.${K8S_VERSION#v1.}"
K8S_MINOR="${K8S_VERSION#v1.}"
K8S_MINOR="${K8S_MINOR%%.*}"

# -mod=mod lets `go build pkg` add requirements to the throwaway go.mod on the fly;
# the scratch modules are no VCS checkout, so there is nothing to stamp from one.
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
# Never let a go.mod toolchain line fetch another Go behind our back; a pin that
# needs a newer Go fails loudly instead (export GOTOOLCHAIN=goX.Y.Z to allow one).
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

log() { printf '[kube-build %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

log "$(go version); output $BIN_DIR"
mkdir -p "$BIN_DIR"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/videoforge-kube-build.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
TOTAL_START=$SECONDS

# cached NAME EXPECTED_SUBSTRING VERSION_ARGS... — true when the binary exists
# and reports the pinned version, so a bump of a pin rebuilds only what changed.
cached() {
  local name="$1" want="$2"
  shift 2
  local bin="$BIN_DIR/$name" out
  [[ -x "$bin" ]] || return 1
  out="$("$bin" "$@" 2>/dev/null)" || return 1
  [[ "$out" == *"$want"* ]]
}

# timed NAME CMD... — runs a build step, prints how long it took.
timed() {
  local name="$1"
  shift
  local start=$SECONDS
  log "building $name"
  "$@"
  log "built $name in $((SECONDS - start))s"
}

# go_build MODULE_DIR PACKAGE OUTPUT LDFLAGS — builds into a temp name and renames,
# so an interrupted build never leaves a binary that looks cached.
go_build() {
  local dir="$1" pkg="$2" out="$3" ldflags="$4"
  (cd "$dir" && nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$out.partial" "$pkg")
  mv -f "$out.partial" "$out"
}

# --- Kubernetes ----------------------------------------------------------------
# k8s.io/kubernetes' go.mod points every staging module (k8s.io/api, k8s.io/client-go
# ...) at ./staging/src, which `go install` refuses. A throwaway module requires the
# release and replaces each staging module with its published v0.MINOR.PATCH tag.
k8s_module() {
  local dir="$SCRATCH/kubernetes"
  [[ -f "$dir/go.mod" ]] && { echo "$dir"; return; }
  mkdir -p "$dir"
  local gomod
  gomod="$(cd "$SCRATCH" && GOFLAGS= go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$gomod" ]] || { echo "build.sh: cannot download k8s.io/kubernetes@$K8S_VERSION" >&2; return 1; }
  local staging
  staging="$(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/src/.*#\1#p' "$gomod" | sort -u)"
  [[ -n "$staging" ]] || { echo "build.sh: no staging replaces found in $gomod" >&2; return 1; }
  {
    echo "module videoforge.local/kube-build"
    echo
    echo "go 1.26.0"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    while read -r m; do echo "	$m => $m $K8S_STAGING_VERSION"; done <<<"$staging"
    echo ")"
  } >"$dir/go.mod"
  log "throwaway module replaces $(wc -l <<<"$staging") staging modules with $K8S_STAGING_VERSION" >&2
  echo "$dir"
}

k8s_ldflags() {
  local flags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$K8S_VERSION"
    flags+=" -X $pkg.gitMajor=1 -X $pkg.gitMinor=$K8S_MINOR"
    flags+=" -X $pkg.gitCommit=0000000000000000000000000000000000000000"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$BUILD_DATE"
  done
  echo "$flags"
}

for component in kube-apiserver kube-controller-manager kubectl; do
  if [[ "$component" == kubectl ]]; then
    version_args=(version --client)
  else
    version_args=(--version)
  fi
  if cached "$component" "$K8S_VERSION" "${version_args[@]}"; then
    log "$component $K8S_VERSION cached"
    continue
  fi
  dir="$(k8s_module)"
  timed "$component $K8S_VERSION" go_build "$dir" "k8s.io/kubernetes/cmd/$component" \
    "$BIN_DIR/$component" "$(k8s_ldflags)"
done

# --- etcd ------------------------------------------------------------------------
# The server module's go.mod replaces its siblings (api, client, pkg) with ../paths;
# the throwaway module pins each to the same tag so all four agree.
if cached etcd "${ETCD_VERSION#v}" --version; then
  log "etcd $ETCD_VERSION cached"
else
  dir="$SCRATCH/etcd"
  mkdir -p "$dir"
  {
    echo "module videoforge.local/etcd-build"
    echo
    echo "go 1.26.0"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    echo
    echo "replace ("
    for m in api/v3 client/pkg/v3 client/v3 pkg/v3; do
      echo "	go.etcd.io/etcd/$m => go.etcd.io/etcd/$m $ETCD_VERSION"
    done
    echo ")"
  } >"$dir/go.mod"
  timed "etcd $ETCD_VERSION" go_build "$dir" go.etcd.io/etcd/server/v3 "$BIN_DIR/etcd" \
    "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION"
fi

# --- helm ------------------------------------------------------------------------
if cached helm "$HELM_VERSION" version --short; then
  log "helm $HELM_VERSION cached"
else
  helm_ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  helm_ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  # Helm otherwise assumes Kubernetes 1.20 for .Capabilities and deprecation lint.
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    helm_ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$K8S_MINOR"
  done
  helm_install() {
    # go install pkg@version ignores the local go.mod; GOFLAGS=-mod=mod is not allowed there.
    (cd "$SCRATCH" && GOFLAGS= GOBIN="$SCRATCH/helm-bin" nice -n 10 \
      go install -trimpath -ldflags "$helm_ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
    # Copy then rename inside BIN_DIR: the scratch dir may be on another filesystem.
    cp "$SCRATCH/helm-bin/helm" "$BIN_DIR/helm.partial"
    mv -f "$BIN_DIR/helm.partial" "$BIN_DIR/helm"
  }
  timed "helm $HELM_VERSION" helm_install
fi

for b in kube-apiserver kube-controller-manager kubectl etcd helm; do
  [[ -x "$BIN_DIR/$b" ]] || { echo "build.sh: $b missing after build" >&2; exit 1; }
done
log "all binaries in $BIN_DIR (total $((SECONDS - TOTAL_START))s)"
