#!/usr/bin/env bash
# Runs the agent benchmarks in the cached latest venv (Python 3.13, coverage 7.18,
# uvicorn latest; created by agent/run-tests.sh if missing). Prints ratios, never fails on numbers.
# Usage: bash bench/agent/run.sh   (BENCH_SAMPLES, BENCH_ROUNDS, BENCH_SECONDS tune the effort)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
reqs="$repo/agent/tests/requirements/py313-latest.txt"
python="${PYENV_ROOT:-$HOME/.pyenv}/versions/3.13.0/bin/python"
key="$( { "$python" -VV; cat "$reqs"; } | sha256sum | cut -c1-16)"
venv="$cache/venvs/py313-latest-$key"
if [[ ! -f "$venv/.ready" ]]; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs"
  touch "$venv/.ready"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall "$repo/agent"
cd "$here"
"$venv/bin/python" flush_latency.py
"$venv/bin/python" throughput.py
if command -v wrk >/dev/null; then "$venv/bin/python" flush_under_load.py; else echo "flush_under_load.py skipped: wrk is not installed (apt-get install -y wrk)"; fi
