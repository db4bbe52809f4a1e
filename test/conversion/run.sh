#!/usr/bin/env bash
# Runs the conversion's equivalence tests (test_equivalence.py) on every coverage.py version the
# project supports: in venvs of the pyenv Pythons (cached under ~/.cache/pycov-harvest/venvs/) and
# inside the conversion images of versions.env (podman, no network, user 1001).
#   bash test/conversion/run.sh [venvs|images]   (default: both)
# The oldest supported coverage is agent/pyproject.toml's floor (7.4); the newest is PyPI's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}
pyenv=${PYENV_ROOT:-$HOME/.pyenv}/versions
# shellcheck source=../images/versions.env
source "$repo/test/images/versions.env"
what=${1:-all}
status=0
# Python (pyenv) and coverage pairs: the floor on the oldest Python, the agent tests' versions, the newest.
VENVS=("3.8.18 7.4.4" "3.11.7 7.4.4" "3.12.1 7.16.1" "3.13.0 $NEWEST_COVERAGE_VERSION" "3.13.0 7.18.0")


if [ "$what" != images ]; then
  for pair in "${VENVS[@]}"; do
    read -r python coverage <<<"$pair"
    venv=$cache/venvs/conversion-$python-$coverage
    if [ ! -x "$venv/bin/python" ]; then
      "$pyenv/$python/bin/python" -m venv "$venv.partial"
      "$venv.partial/bin/pip" install -q --disable-pip-version-check "coverage==$coverage"
      mv "$venv.partial" "$venv"
    fi
    echo "== python $python, coverage $coverage"
    (cd "$repo" && PYTHONPATH=src/remote:agent:test/conversion timeout 600 \
      "$venv/bin/python" -m unittest discover -s test/conversion -p 'test_*.py') || status=1
  done
fi
if [ "$what" != venvs ]; then
  for image in "$COVERAGE_IMAGE" "$COVERAGE_PY314_IMAGE" "$COVERAGE_PY315_IMAGE"; do
    if ! podman image exists "$image"; then
      echo "== $image: not built (bash test/images/build.sh), skipped"; status=1; continue
    fi
    echo "== $image"
    podman run --rm --network none --user 1001 -v "$repo:/repo:ro" -w /repo -e PYTHONPATH=src/remote:agent:test/conversion \
      -e PYTHONDONTWRITEBYTECODE=1 --entrypoint python3 "$image" \
      -m unittest discover -s test/conversion -p 'test_*.py' || status=1
  done
fi
exit "$status"
