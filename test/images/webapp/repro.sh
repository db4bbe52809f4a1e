#!/usr/bin/env bash
# Runs one harvest of the Flask or Django image with the bundled action (dist/index.js) on podman
# (or, with ENGINE=docker, on the private Docker engine of setup-docker.sh, images copied in),
# as a new user would: the app's own boot script, gunicorn workers recycled by --max-requests,
# the agent on, the app's sources checked out as the workspace.
#   bash test/images/webapp/repro.sh flask|django|django-plugin [WORKSPACE_RC_FILE]
# WORKSPACE_RC_FILE (optional) is copied into the workspace under its own name (.coveragerc,
# setup.cfg, tox.ini or pyproject.toml). Prints the action's exit status and its last lines;
# leaves the workspace (with coverage-harvest/) in $OUT (default /tmp/pycov-webapp-<kind>-<engine>).
set -euo pipefail
kind=$1
rcfile=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
# shellcheck source=../versions.env
source "$here/../versions.env"
case "$kind" in
  flask) image=$FLASK_IMAGE src=flask ;;
  django) image=$DJANGO_IMAGE src=django ;;
  django-plugin) image=$DJANGO_PLUGIN_IMAGE src=django ;;
  *) echo "usage: repro.sh flask|django|django-plugin [rcfile]" >&2; exit 64 ;;
esac
engine=${ENGINE:-podman}
if [ "$engine" = docker ]; then
  export DOCKER_HOST=unix:///run/pycov-harvest-docker.sock
  bash "$here/../setup-docker.sh" --load "$image" "$COVERAGE_IMAGE" >/dev/null
fi
out=${OUT:-/tmp/pycov-webapp-$kind-$engine}
name=webapp-repro-$kind-$$
label=pycov-webapp-repro=$$
rm -rf "$out"; mkdir -p "$out/workspace" "$out/runner-temp"
cp -r "$here/../$src/." "$out/workspace/"
rm -f "$out/workspace/coveragerc" "$out/workspace/coveragerc-plugin" "$out/workspace/boot.sh"
[ -z "$rcfile" ] || cp "$rcfile" "$out/workspace/"
trap '"$engine" rm -f "$name" >/dev/null 2>&1 || true' EXIT
"$engine" run -d --name "$name" --label "$label" -p 127.0.0.1::8000 "$image" >/dev/null
port=$("$engine" port "$name" 8000 | head -n1 | sed 's/.*://')
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break
  sleep 0.5
done
python3 "$here/drive.py" "$src" "$port" "${ROUNDS:-20}" | sed 's/^/drive: /'
: >"$out/runner-temp/output"; : >"$out/runner-temp/summary.md"
set +e
(cd "$out/workspace" && env -i PATH="$PATH" HOME="$HOME" ${DOCKER_HOST:+DOCKER_HOST="$DOCKER_HOST"} GITHUB_ACTIONS=true CI=true \
  GITHUB_WORKSPACE="$out/workspace" RUNNER_TEMP="$out/runner-temp" GITHUB_OUTPUT="$out/runner-temp/output" \
  GITHUB_STEP_SUMMARY="$out/runner-temp/summary.md" GITHUB_REPOSITORY=example/webapp GITHUB_RUN_ID=1 \
  INPUT_TARGET=docker INPUT_SELECTOR="$label" INPUT_DOCKER-COMMAND="$engine" \
  INPUT_COVERAGE-IMAGE="$COVERAGE_IMAGE" INPUT_PATH-MAP=/app=. INPUT_FORMATS="${FORMATS:-lcov,xml,json,html}" \
  INPUT_UPLOAD=false timeout 600 node "$repo/dist/index.js") >"$out/action.log" 2>&1
status=$?
set -e
echo "action exit status: $status"
grep -E '::error|::warning|flush|copied|conver' "$out/action.log" | tail -15
"$engine" logs "$name" 2>&1 | grep -cE 'Booting worker' | sed 's/^/gunicorn workers booted: /'
