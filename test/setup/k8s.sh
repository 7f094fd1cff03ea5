#!/usr/bin/env bash
# The Kubernetes tier's tools, built from Go modules (no other download site is reachable here): helm, and a real
# control plane without nodes — etcd, kube-apiserver and kubectl — for `kubectl apply --dry-run=server` of the chart.
# Cached under ${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}/k8s; each build's output is kept in k8s/<tool>-build.log.
#
#   k8s.sh install   builds what is missing (idempotent; cold: helm ~3 min, etcd ~3 min, kube-apiserver and kubectl
#                    10-20 min on 2 shared cores, all under `nice`)
#   k8s.sh env       the PATH the tier runs with
#
# k8s.io/kubernetes cannot be `go install`ed at a version: its go.mod replaces the staging k8s.io/* modules with
# ./staging paths. A throwaway module requires it and replaces each staging module with its published v0.Y.Z.
set -euo pipefail

HELM_VERSION=v3.22.0
# The oldest Kubernetes the chart declares (kubeVersion ">=1.34.0-0" in deploy/helm/o11y-lab/Chart.yaml): the dry
# run checks the manifests against the floor; every API they use is GA and unchanged since.
KUBERNETES_VERSION=v1.34.4
ETCD_VERSION=v3.6.16 # Kubernetes 1.34's go.mod requires the etcd 3.6 client

CACHE="${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}"
K="$CACHE/k8s"
BIN="$K/bin"
mkdir -p "$BIN"

log() { printf 'k8s: %s\n' "$*"; }
die() { printf 'k8s: %s\n' "$*" >&2; exit 1; }

gobuild() { # gobuild <log> <go args…>: the Go environment every build here shares
  GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build-cache" GOFLAGS=-buildvcs=false GOTOOLCHAIN=local \
    GOPROXY="${GOPROXY:-https://proxy.golang.org}" CGO_ENABLED=0 nice -n 10 go "${@:2}" >>"$1" 2>&1
}

# A throwaway module under $K/src/<name> requiring <module>@<version>, so that its go.mod's replace lines do not apply.
throwaway() {
  local dir="$K/src/$1" module=$2 version=$3
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'module o11y-lab.local/%s\n\ngo 1.26.0\n\nrequire %s %s\n' "$1" "$module" "$version" >"$dir/go.mod"
  printf '%s\n' "$dir"
}

stamp_ok() { [ -x "$BIN/$1" ] && [ "$(cat "$K/$1.version" 2>/dev/null)" = "$2" ]; }

install_helm() {
  stamp_ok helm "$HELM_VERSION" && { log "helm $HELM_VERSION: cached"; return; }
  local logf="$K/helm-build.log" start=$SECONDS
  : >"$logf"
  log "building helm $HELM_VERSION from helm.sh/helm/v3…"
  GOBIN="$BIN" gobuild "$logf" install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" || { tail -n 20 "$logf" >&2; die "helm build failed ($logf)"; }
  printf '%s\n' "$HELM_VERSION" >"$K/helm.version"
  log "helm $HELM_VERSION built in $((SECONDS - start)) s"
}

install_etcd() {
  stamp_ok etcd "$ETCD_VERSION" && { log "etcd $ETCD_VERSION: cached"; return; }
  local logf="$K/etcd-build.log" start=$SECONDS dir
  : >"$logf"
  log "building etcd $ETCD_VERSION from go.etcd.io/etcd/server/v3…"
  dir=$(throwaway etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION")
  (cd "$dir" && gobuild "$logf" get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
    && gobuild "$logf" build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3) \
    || { tail -n 20 "$logf" >&2; die "etcd build failed ($logf)"; }
  printf '%s\n' "$ETCD_VERSION" >"$K/etcd.version"
  log "etcd $ETCD_VERSION built in $((SECONDS - start)) s"
}

install_kubernetes() {
  stamp_ok kube-apiserver "$KUBERNETES_VERSION" && stamp_ok kubectl "$KUBERNETES_VERSION" \
    && { log "kube-apiserver, kubectl $KUBERNETES_VERSION: cached"; return; }
  local logf="$K/kubernetes-build.log" start=$SECONDS dir staging minor
  : >"$logf"
  log "building kube-apiserver and kubectl $KUBERNETES_VERSION from k8s.io/kubernetes (10-20 min cold)…"
  dir=$(throwaway kubernetes k8s.io/kubernetes "$KUBERNETES_VERSION")
  minor=${KUBERNETES_VERSION#v1.}
  (cd "$dir" && gobuild "$logf" mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION") \
    || { tail -n 20 "$logf" >&2; die "k8s.io/kubernetes $KUBERNETES_VERSION download failed ($logf)"; }
  # Every module its go.mod points at ./staging/src/k8s.io/<name>, at the matching published v0.<minor>.
  staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/src/k8s.io/.*#\1#p' \
    "$CACHE/go/mod/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod")
  [ -n "$staging" ] || die "no staging modules found in k8s.io/kubernetes $KUBERNETES_VERSION's go.mod"
  for m in $staging; do printf 'replace %s => %s v0.%s\n' "$m" "$m" "$minor" >>"$dir/go.mod"; done
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*}"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION"
  (cd "$dir" && gobuild "$logf" get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kubectl@$KUBERNETES_VERSION" \
    && gobuild "$logf" build -trimpath -ldflags "$ldflags" -o "$BIN/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver \
    && gobuild "$logf" build -trimpath -ldflags "$ldflags" -o "$BIN/kubectl" k8s.io/kubernetes/cmd/kubectl) \
    || { tail -n 20 "$logf" >&2; die "kubernetes build failed ($logf)"; }
  printf '%s\n' "$KUBERNETES_VERSION" >"$K/kube-apiserver.version"
  printf '%s\n' "$KUBERNETES_VERSION" >"$K/kubectl.version"
  log "kube-apiserver and kubectl $KUBERNETES_VERSION built in $((SECONDS - start)) s"
}

case "${1:-}" in
  install)
    command -v go >/dev/null || die "go is not installed"
    install_helm
    install_etcd
    install_kubernetes
    ;;
  env) printf 'export PATH=%q\n' "$BIN:$PATH" ;;
  *) die "usage: k8s.sh install|env" ;;
esac
