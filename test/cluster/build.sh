#!/usr/bin/env bash
# Builds the single-node test cluster's binaries from Go modules (cached) and
# installs containerd, runc and the CNI plugins from Debian.
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, pause
# Output: ~/.cache/pycov-harvest/k8s-<version>-<inputs hash>/bin; the path is
# printed on the last line. A change in go.mod, go.sum, the pause source or the
# Go toolchain rebuilds into a new directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$here/k8s"
export PATH="$PATH:/usr/local/go/bin"

ensure_debian_packages() {
  local missing=()
  local pkg
  for pkg in containerd runc containernetworking-plugins iptables iproute2 openssl curl; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "build.sh: installing ${missing[*]} from apt" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >&2
  fi
  # The Debian package enables a system containerd; the cluster runs its own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet containerd 2>/dev/null; then
    systemctl disable --now containerd >&2 || true
  fi
}

k8s_version="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$module/go.mod")"
inputs_hash="$(cat "$module/go.mod" "$module/go.sum" "$module/pause/main.go" <(go version) | sha256sum | cut -c1-12)"
out="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}/k8s-$k8s_version-$inputs_hash"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubelet pause)

ensure_debian_packages

# One build at a time: CI starts one in the background while the e2e tier runs, and the cluster
# tier's own call then waits for it here instead of building the same binaries again.
mkdir -p "$(dirname "$out")"
exec 8>"$(dirname "$out")/k8s-build.lock"
flock -n 8 || { echo "build.sh: another build holds the lock; waiting for it" >&2; flock 8; }

complete=1
for b in "${binaries[@]}"; do [[ -x "$out/bin/$b" ]] || complete=0; done
if ((complete)); then
  echo "build.sh: cached binaries in $out/bin" >&2
  echo "$out/bin"
  exit 0
fi

started=$SECONDS
staging="$out/bin.partial"
rm -rf "$staging" && mkdir -p "$staging"
minor="${k8s_version#v1.}" && minor="${minor%%.*}"
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  version_flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

cd "$module"
echo "build.sh: building Kubernetes $k8s_version into $staging" >&2
go build -buildvcs=false -trimpath -ldflags="-s -w$version_flags" -o "$staging/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubelet
echo "build.sh: building etcd" >&2
go build -buildvcs=false -trimpath -ldflags="-s -w" -o "$staging/etcd" go.etcd.io/etcd/server/v3
CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags="-s -w" -o "$staging/pause" ./pause

rm -rf "$out/bin" && mv "$staging" "$out/bin"
echo "build.sh: built in $((SECONDS - started)) s" >&2
echo "$out/bin"
