#!/usr/bin/env bash
# Runs the attach method's mechanics tests against real processes (test/attach/README.md):
# test_attach_units.py and test_attach_host.py, on pyenv's CPython 3.8, 3.11, 3.12 and 3.13 and on
# Debian forky's 3.14 (forky.sh, from the root test/images/build.sh caches). The venvs (uvicorn
# 0.30.6, the newest coverage, 7.6.1 on 3.8, gunicorn) are cached under
# ~/.cache/pycov-harvest/attach-venvs/ (PYCOV_HARVEST_CACHE). Runs as root (ptrace, chroot).
# Usage: bash test/attach/run.sh [pytest args]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
pyenv="${PYENV_ROOT:-$HOME/.pyenv}/versions"
venvs="$cache/attach-venvs"
mkdir -p "$venvs"
exec 9>"$venvs/.lock"
flock 9
for version in 3.8.18 3.11.7 3.12.1 3.13.0; do
  python="$pyenv/$version/bin/python"
  [[ -x "$python" ]] || { echo "run.sh: $python not found; install it with \`pyenv install $version\`" >&2; exit 2; }
  pins=(coverage==7.18.0 uvicorn==0.30.6 gunicorn==27.0.1)
  [[ $version == 3.8.* ]] && pins=(coverage==7.6.1 uvicorn==0.30.6 gunicorn==23.0.0)
  [[ $version == 3.11.* ]] && pins+=(pytest==9.2.0)
  venv="$venvs/py$version" key="${pins[*]}"
  if [[ "$(cat "$venv/.ready" 2>/dev/null)" != "$key" ]]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${pins[@]}"
    printf '%s' "$key" >"$venv/.ready"
  fi
done
flock -u 9
cd "$here"
exec "$venvs/py3.11.7/bin/python" -m pytest -q -p no:cacheprovider "$@" test_attach_units.py test_attach_host.py
