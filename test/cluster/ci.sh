#!/usr/bin/env bash
# The Kubernetes tier: build the cluster binaries (cached), bring the cluster up, run
# `npm run test:cluster`, and always tear the cluster down. Exits non-zero when any step fails.
# Needs the service image in podman storage (test/images/build.sh) and a bundled dist/.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."
# shellcheck source=env.sh
source "$here/env.sh"

started=$SECONDS
bin="$(bash "$here/build.sh")" || {
  echo "ci.sh: build failed" >&2
  exit 1
}
echo "ci.sh: binaries ready in $((SECONDS - started)) s" >&2

# A cluster left over from an interrupted run would make up.sh refuse to start.
bash "$here/down.sh" >&2 || true
trap 'bash "$here/down.sh" >&2 || echo "ci.sh: teardown failed" >&2' EXIT

up_started=$SECONDS
if ! bash "$here/up.sh" "$bin"; then
  echo "ci.sh: cluster did not come up" >&2
  exit 1
fi
echo "ci.sh: cluster up in $((SECONDS - up_started)) s" >&2

if [[ -n "${VITEST_JSON_DIR:-}" ]]; then
  reporter=(--reporter=default --reporter=json "--outputFile.json=$VITEST_JSON_DIR/cluster.json")
else
  reporter=()
fi
PYCOV_HARVEST_KUBECONFIG="$CLUSTER_KUBECONFIG" npm run test:cluster -- "${reporter[@]}"
status=$?
echo "ci.sh: cluster tests exited with $status after $((SECONDS - started)) s" >&2
exit "$status"
