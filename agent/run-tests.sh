#!/usr/bin/env bash
# Runs the agent's tests against real servers from PyPI, over a deliberate matrix:
#   Python 3.11 + uvicorn 0.30.6 + coverage 7.4   (CTracer; PyTracer for the save/reset tests)
#   Python 3.12 + uvicorn 0.28.1 + coverage 7.16  (sys.monitoring core; pre-capture_signals uvicorn)
#   Python 3.13 + latest uvicorn/gunicorn/hypercorn + latest coverage (CTracer, then sys.monitoring)
# Venvs are cached under ~/.cache/pycov-harvest/venvs/, keyed on the Python
# version and the pinned requirement file; the agent wheel is rebuilt and
# reinstalled on every run. Exits non-zero when any run fails.
# Usage: bash agent/run-tests.sh [extra pytest args, e.g. -k sse]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
mkdir -p "$cache/venvs"

python_for() {
  local version="$1" candidate="$pyenv_root/versions/$1/bin/python"
  if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
  candidate="$(command -v "python${version%.*}" || true)"
  [[ -n "$candidate" ]] || { echo "run-tests.sh: Python $version not found (install it with pyenv)" >&2; exit 2; }
  echo "$candidate"
}

# venv_for <python version> <requirements file> -> prints the venv path
venv_for() {
  local version="$1" reqs="$2" python key venv
  python="$(python_for "$version")"
  key="$( { "$python" -VV; cat "$reqs"; } | sha256sum | cut -c1-16)"
  venv="$cache/venvs/$(basename "$reqs" .txt)-$key"
  if [[ ! -f "$venv/.ready" ]]; then
    echo "== creating $venv" >&2
    rm -rf "$cache/venvs/$(basename "$reqs" .txt)-"*  # older keys of the same requirement set
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs" >&2
    touch "$venv/.ready"
  fi
  echo "$venv"
}

wheel_dir="$(mktemp -d)"
trap 'rm -rf "$wheel_dir"' EXIT
builder="$(venv_for 3.11.7 "$here/tests/requirements/py311-uvicorn0306-cov74.txt")"
"$builder/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps -w "$wheel_dir" "$here" >&2
wheel="$(ls "$wheel_dir"/pycov_harvest-*.whl)"

status=0
run() {  # run <label> <python version> <requirements> <core: ctrace|pytrace|sysmon> [pytest args...]
  local label="$1" version="$2" reqs="$here/tests/requirements/$3" core="$4" venv log
  shift 4
  venv="$(venv_for "$version" "$reqs")"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall "$wheel" >&2
  log="$(mktemp)"
  echo "== $label"
  if [[ "$core" != ctrace ]]; then export COVERAGE_CORE="$core"; else unset COVERAGE_CORE; fi
  export PYCOV_TEST_EXPECT_CORE="$core"
  set +e
  (cd "$here" && "$venv/bin/python" -m pytest -q -p no:cacheprovider tests "$@") >"$log" 2>&1
  local rc=$?
  set -e
  unset COVERAGE_CORE PYCOV_TEST_EXPECT_CORE
  if [[ $rc -ne 0 ]]; then
    status=1
    grep -E '^(FAILED|ERROR)' "$log" || true
  fi
  tail -n 1 "$log"
  cp "$log" "$cache/last-agent-tests-${label// /_}.log"
  rm -f "$log"
}

run "py3.11 uvicorn 0.30.6 coverage 7.4 ctrace" 3.11.7 py311-uvicorn0306-cov74.txt ctrace "$@"
# The pure-Python tracer: the save, reset and context paths and the hanging-shutdown proofs only.
run "py3.11 uvicorn 0.30.6 coverage 7.4 pytrace" 3.11.7 py311-uvicorn0306-cov74.txt pytrace -k "processes or reset or hanging or contexts" "$@"
run "py3.12 uvicorn 0.28.1 coverage 7.16 sysmon" 3.12.1 py312-uvicorn0281-cov716.txt sysmon "$@"
run "py3.13 latest ctrace" 3.13.0 py313-latest.txt ctrace "$@"
run "py3.13 latest sysmon" 3.13.0 py313-latest.txt sysmon "$@"
exit $status
