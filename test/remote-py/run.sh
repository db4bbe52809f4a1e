#!/usr/bin/env bash
# Runs the Python tests of the programs the action runs inside targets (src/remote), against real
# processes: test_connections.py starts uvicorn on loopback and reads its connections from /proc,
# and checks one container of the service image on Python 3.12 (podman; build it first with
# `bash test/images/build.sh service-py312`). The venv (pyenv's 3.12.1, requirements.txt) is cached
# under ~/.cache/pycov-harvest/venvs/ (PYCOV_HARVEST_CACHE).
# Usage: bash test/remote-py/run.sh [pytest args]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
python="${PYENV_ROOT:-$HOME/.pyenv}/versions/3.12.1/bin/python"
[[ -x "$python" ]] || { echo "run.sh: $python not found; install it with \`pyenv install 3.12.1\`" >&2; exit 2; }
key="$( { "$python" -VV; cat "$here/requirements.txt"; } | sha256sum | cut -c1-16)"
venv="$cache/venvs/remote-py-$key"
mkdir -p "$cache/venvs"
exec 9>"$cache/venvs/.remote-py.lock"
flock 9
if [[ ! -f "$venv/.ready" ]]; then
  rm -rf "$cache/venvs/remote-py-"*
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
  touch "$venv/.ready"
fi
flock -u 9
cd "$here"
PYTHONPATH="$root/src/remote:$root/agent" exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" .
