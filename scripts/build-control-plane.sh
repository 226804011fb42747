#!/usr/bin/env bash
# Builds the real Kubernetes control plane (kube-apiserver, kube-controller-manager,
# kube-scheduler, etcd, kwok) from the Go modules pinned in controlplane/, into
# controlplane/bin. Rebuilds only when the pins or this script change (a stamp of their hash).
# Without Go it fails, or with --if-go (npm's pretest) says loudly that it built nothing and
# exits 0: vitest then leaves test/real out and says so too.
set -euo pipefail
cd "$(dirname "$0")/../controlplane"

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$GO" ]]; then
  if [[ "${1:-}" == "--if-go" ]]; then
    bar="$(printf '!%.0s' {1..100})"
    printf '%s\n!! Go is not installed: the real Kubernetes control plane is not built, and test/real\n!! (nodeplan against kube-apiserver, etcd, controllers and kwok) WILL BE SKIPPED.\n%s\n' "$bar" "$bar" >&2
    exit 0
  fi
  echo "build-control-plane: Go is not installed (see README, Proven against real Kubernetes)" >&2
  exit 1
fi

stamp="$(cat go.mod go.sum kwok/go.mod kwok/go.sum etcd/main.go ../scripts/build-control-plane.sh \
  | sha256sum | cut -d' ' -f1)"
if [[ -f bin/.stamp && "$(cat bin/.stamp)" == "$stamp" ]]; then
  echo "build-control-plane: up to date (bin/.stamp $stamp)"
  exit 0
fi

mkdir -p bin
rm -f bin/.stamp
export GOFLAGS="-trimpath -mod=readonly"
export CGO_ENABLED=0
release="$(awk '$1 == "k8s.io/kubernetes" {print $2}' go.mod | head -1)"
minor="${release#v1.}"; minor="${minor%%.*}"
# Without these the binaries report v0.0.0-master to /version and to kubectl.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$release -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
start=$SECONDS
"$GO" build -ldflags="$ldflags" -o bin/ \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler
"$GO" build -ldflags="$ldflags" -o bin/etcd ./etcd
(cd kwok && "$GO" build -ldflags="-s -w" -o ../bin/kwok sigs.k8s.io/kwok/cmd/kwok)
echo "$stamp" > bin/.stamp
echo "build-control-plane: built in $((SECONDS - start))s"
