#!/usr/bin/env bash
# Lints every Python file of the repository (ruff: pyflakes, bugbear, syntax) and type-checks the
# programs the action runs in targets with the agent modules they share, and the agent package itself
# (mypy --check-untyped-defs), and the tests of those programs and test/stacks. Pinned tools in a
# venv cached under ~/.cache/pycov-harvest/venvs/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
python="${PYENV_ROOT:-$HOME/.pyenv}/versions/3.11.7/bin/python"
[[ -x "$python" ]] || python="$(command -v python3)"
tools=(ruff==0.17.6 mypy==2.4.1 coverage==7.18.0)
key="$( { "$python" -VV; printf '%s\n' "${tools[@]}"; } | sha256sum | cut -c1-16)"
venv="$cache/venvs/lint-$key"
mkdir -p "$cache/venvs"
# Two checkouts linting at once would delete each other's half-built venv.
exec 9>"$cache/venvs/.lint.lock"
flock 9
if [[ ! -f "$venv/.ready" ]]; then
  # Older keys only when unused for a day: another checkout may still pin other tools.
  find "$cache/venvs" -maxdepth 1 -name 'lint-*' -mtime +1 -exec rm -rf {} +
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${tools[@]}"
  touch "$venv/.ready"
fi
# The pytest plugin (clients/pytest) is type-checked against pytest itself, in a venv of its own
# (other checkouts share the first venv under its key).
client_tools=(mypy==2.4.1 pytest==9.2.0 types-requests==2.33.0.20261030)
client_key="$( { "$python" -VV; printf '%s\n' "${client_tools[@]}"; } | sha256sum | cut -c1-16)"
client_venv="$cache/venvs/clients-lint-$client_key"
if [[ ! -f "$client_venv/.ready" ]]; then
  rm -rf "$cache/venvs/clients-lint-"*
  "$python" -m venv "$client_venv"
  "$client_venv/bin/python" -m pip install -q --disable-pip-version-check "${client_tools[@]}"
  touch "$client_venv/.ready"
fi
flock -u 9
cd "$root"
"$venv/bin/ruff" check --no-cache --select F,E9,B --target-version py38 src/remote agent clients/pytest test/remote-py test/stacks test/attach
# One run per folder: tests/ and example/ each have a conftest.py.
for dir in src/pytest_pycov_harvest tests example; do
  (cd clients/pytest && MYPYPATH=src "$client_venv/bin/mypy" --no-incremental --check-untyped-defs \
    --python-executable "$client_venv/bin/python" "$dir")
done
(cd src/remote && MYPYPATH="$root/agent" "$venv/bin/mypy" --no-incremental --check-untyped-defs \
  --python-executable "$venv/bin/python" -p pycov_harvest_remote)
(cd agent && "$venv/bin/mypy" --no-incremental --check-untyped-defs --python-executable "$venv/bin/python" \
  -p pycov_harvest)
# The tests of the in-target programs and the stacks scripts (pytest is not in this venv).
MYPYPATH="$root/src/remote:$root/agent:$root/test/remote-py" "$venv/bin/mypy" --no-incremental \
  --check-untyped-defs --ignore-missing-imports --python-executable "$venv/bin/python" \
  test/remote-py/test_connections.py test/remote-py/test_sigterm.py test/stacks/*.py
echo "lint-python: ruff and mypy clean (src/remote, agent, clients/pytest, test/remote-py, test/stacks, test/attach: ruff)"
