#!/usr/bin/env bash
# Runs the conversion's Python tests (test_equivalence.py: the reports equal coverage.py's own CLI;
# test_hostile_data.py: hostile data files never fail the conversion) on the coverage.py versions
# the project supports: in venvs of the pyenv Pythons (cached under ~/.cache/pycov-harvest/venvs/)
# and inside the conversion images of versions.env (podman, no network, user 1001, read-only).
#   bash test/conversion/run.sh [ci|venvs|images|all]   (default: all)
# `ci` (what `npm test` runs): the agent's floor (coverage 7.4 on the oldest Python), the newest
# coverage.py on PyPI, and the three conversion images; `all` adds the versions in between.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}
pyenv=${PYENV_ROOT:-$HOME/.pyenv}/versions
# shellcheck source=../images/versions.env
source "$repo/test/images/versions.env"
# shellcheck source=../images/lib.sh
source "$repo/test/images/lib.sh"
suffix_image_tags
what=${1:-all}
status=0
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cd "$repo"
# Runs one unittest discovery (its command line as arguments), counting its tests for the closing line.
run_tests() {
  local rc=0 ran bad
  "$@" >"$log" 2>&1 || rc=$?
  cat "$log"
  ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$log" | tail -n1)
  bad=$(sed -n 's/^FAILED (\(.*\))$/\1/p' "$log" | { grep -o '[0-9]\+' || true; } | awk '{ n += $1 } END { print n + 0 }')
  if [ -z "$ran" ]; then ran=0; bad=1; fi
  passed=$((passed + ran - ${bad:-0})); failed=$((failed + ${bad:-0}))
  [ "$rc" -eq 0 ] || status=1
}
# The newest coverage.py on PyPI when this list was last checked (versions.env pins the images').
NEWEST_ON_PYPI=7.18.0
FLOOR="3.8.18 7.4.4"
NEWEST="3.13.0 $NEWEST_ON_PYPI"
BETWEEN=("3.11.7 7.4.4" "3.12.1 7.16.1" "3.13.0 $NEWEST_COVERAGE_VERSION")
case "$what" in
  ci) VENVS=("$FLOOR" "$NEWEST") ;;
  images) VENVS=() ;;
  venvs | all) VENVS=("$FLOOR" "${BETWEEN[@]}" "$NEWEST") ;;
  *) echo "usage: run.sh [ci|venvs|images|all]" >&2; exit 64 ;;
esac

for pair in ${VENVS[@]+"${VENVS[@]}"}; do
  read -r python coverage <<<"$pair"
  venv=$cache/venvs/conversion-$python-$coverage
  [ -x "$pyenv/$python/bin/python" ] || venv=$cache/venvs/conversion-system-$coverage
  if [ ! -x "$venv/bin/python" ]; then
    interpreter=$pyenv/$python/bin/python
    # Without pyenv (a fresh machine): the same minor from PATH, else Debian's python3.
    [ -x "$interpreter" ] || interpreter=$(command -v "python${python%.*}" || command -v python3 || true)
    if [ -z "$interpreter" ]; then
      echo "== python $python: not found (install it with pyenv, or python3 and python3-venv)"; status=1; continue
    fi
    rm -rf "$venv.partial"
    "$interpreter" -m venv "$venv.partial"
    "$venv.partial/bin/pip" install -q --disable-pip-version-check "coverage==$coverage"
    mv "$venv.partial" "$venv"
  fi
  echo "== python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'), coverage $coverage"
  run_tests env PYTHONPATH=src/remote:agent:test/conversion PYTHONDONTWRITEBYTECODE=1 \
    timeout 600 "$venv/bin/python" -m unittest discover -s test/conversion -p 'test_*.py'
done
if [ "$what" != venvs ]; then
  for image in "$COVERAGE_IMAGE" "$COVERAGE_PY314_IMAGE" "$COVERAGE_PY315_IMAGE"; do
    if ! podman image exists "$image"; then
      echo "== $image: not built (bash test/images/build.sh)"; status=1; continue
    fi
    echo "== $image"
    run_tests timeout 600 podman run --rm --network none --user 1001 --read-only --tmpfs /tmp -v "$repo:/repo:ro" -w /repo \
      -e PYTHONPATH=src/remote:agent:test/conversion -e PYTHONDONTWRITEBYTECODE=1 -e HOME=/tmp \
      --entrypoint python3 "$image" -m unittest discover -s test/conversion -p 'test_*.py'
  done
fi
# The closing line .ci/run's totals count (scripts/ci-totals.mjs reads pytest's form).
echo "$passed passed, $failed failed in ${SECONDS}s (conversion tests)"
exit "$status"
