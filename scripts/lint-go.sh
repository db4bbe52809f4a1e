#!/usr/bin/env bash
# Lints the Go client of `serve` (clients/go) and its Ginkgo example: gofmt and go vet, with the
# module cache the e2e test and .ci/run use (~/.cache/pycov-harvest/go/mod).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
export PATH="/usr/local/go/bin:$PATH" GOMODCACHE="${GOMODCACHE:-$cache/go/mod}" GOFLAGS=-modcacherw
cd "$root/clients/go"
unformatted="$(gofmt -l .)"
if [[ -n "$unformatted" ]]; then
  echo "lint-go: not gofmt-formatted (run \`gofmt -w clients/go\`):" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
(cd example && go vet ./...)
echo "lint-go: gofmt and go vet clean (clients/go)"
