#!/usr/bin/env bash
# Runs the agent's tests against real servers from PyPI, over a deliberate matrix:
#   Python 3.11 + uvicorn 0.30.6 + coverage 7.4   (CTracer; PyTracer for the save/reset tests)
#   Python 3.12 + uvicorn 0.28.1 + coverage 7.16  (sys.monitoring core; pre-capture_signals uvicorn)
#   Python 3.13 + latest uvicorn/gunicorn/hypercorn + latest coverage (CTracer, then sys.monitoring)
#   Python 3.14 + the latest of everything (sys.monitoring, coverage's default core from 3.14;
#                 then CTracer)
#   Python 3.15 + the latest of everything (sys.monitoring, the default core)
# 3.11-3.13 come from pyenv. 3.14 and 3.15 are Debian forky's python3.14/python3.15: the tests
# run as root in a forky minbase root (test/images/make-root.sh, the one the 3.14/3.15 service
# images use) through chroot, in a private mount namespace; their wheels are downloaded on this
# host for that Python and installed offline.
# Venvs are cached under ~/.cache/pycov-harvest/venvs/ (PYCOV_HARVEST_CACHE), keyed on the
# Python version and the pinned requirement file; the forky root under roots/ (the tar) and
# chroots/ (unpacked). The agent wheel is rebuilt and reinstalled on every run. Exits non-zero
# when any run fails.
# Usage: bash agent/run-tests.sh [extra pytest args, e.g. -k sse]
#   AGENT_TESTS_ONLY=py3.14: only the runs whose label contains that text.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
mkdir -p "$cache/venvs"
# ensure_root, pip_target_flags and the forky settings (NEWEST_*, DEBIAN_MIRROR).
# shellcheck source=../test/images/lib.sh
source "$here/../test/images/lib.sh"
# shellcheck source=../test/images/versions.env
source "$here/../test/images/versions.env"

python_for() {
  local version="$1" candidate="$pyenv_root/versions/$1/bin/python"
  if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
  candidate="$(command -v "python${version%.*}" || true)"
  [[ -n "$candidate" ]] || { echo "run-tests.sh: Python $version not found (install it with pyenv)" >&2; exit 2; }
  echo "$candidate"
}

# The forky root, unpacked once per root key into $cache/chroots/; sets forky_dir.
forky_dir=""
forky_key=""
forky_root() {
  [[ -z "$forky_dir" ]] || return 0
  [[ "$(id -u)" == 0 ]] || { echo "run-tests.sh: the Python 3.14/3.15 runs chroot into a Debian forky root; run as root" >&2; exit 2; }
  ensure_root "$NEWEST_DEBIAN_SUITE" "$NEWEST_DEBIAN_SUITE" "$DEBIAN_MIRROR" "$NEWEST_ROOT_PACKAGES" \
    "$NEWEST_DEBOOTSTRAP_SCRIPT" >&2
  forky_key="$ROOT_KEY"
  forky_dir="$cache/chroots/$NEWEST_DEBIAN_SUITE-$ROOT_KEY"
  mkdir -p "$cache/chroots"
  (
    flock 7  # one unpack at a time
    if [[ ! -f "$forky_dir.ready" ]]; then
      echo "== unpacking $ROOT_TAR into $forky_dir" >&2
      rm -rf "$cache/chroots/$NEWEST_DEBIAN_SUITE-"*  # roots of older keys
      mkdir -p "$forky_dir"
      tar --numeric-owner -C "$forky_dir" -xpf "$ROOT_TAR"
      touch "$forky_dir.ready"
    fi
  ) 7>"$cache/chroots/.lock"
}

# in_root CMD...: runs CMD in the forky root, in the agent directory, in a private mount
# namespace (so nothing stays mounted when it ends): /proc, the host's /dev, a fresh /tmp, and
# the agent directory, the venvs and the agent wheel at their own paths. A clean environment,
# plus COVERAGE_CORE and PYCOV_TEST_EXPECT_CORE when set.
in_root() {
  local envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
  [[ -z "${COVERAGE_CORE:-}" ]] || envs+=("COVERAGE_CORE=$COVERAGE_CORE")
  [[ -z "${PYCOV_TEST_EXPECT_CORE:-}" ]] || envs+=("PYCOV_TEST_EXPECT_CORE=$PYCOV_TEST_EXPECT_CORE")
  local binds=("$here" "$cache/venvs" "$wheel_dir")
  # shellcheck disable=SC2016 # the variables belong to the inner bash
  unshare --mount --propagation private -- bash -c '
    set -e
    root=$1 here=$2 n=$3; shift 3
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs tmpfs "$root/tmp"
    for ((i = 0; i < n; i++)); do
      mkdir -p "$root$1"
      mount --bind "$1" "$root$1"
      shift
    done
    exec chroot "$root" /bin/bash -c "cd \"\$0\" && exec \"\$@\"" "$here" "$@"
  ' _ "$forky_dir" "$here" "${#binds[@]}" "${binds[@]}" /usr/bin/env -i "${envs[@]}" "$@"
}

# venv_for <python version> <requirements file> -> prints the venv path
# The version is a pyenv one (3.11.7) or forky:3.X for Debian forky's python3.X.
venv_for() {
  local version="$1" reqs="$2" python key venv wheels
  if [[ "$version" == forky:* ]]; then
    forky_root
    python="/usr/bin/python${version#forky:}"
    key="$( { in_root "$python" -VV; echo "$forky_key"; cat "$reqs"; } | sha256sum | cut -c1-16)"
  else
    python="$(python_for "$version")"
    key="$( { "$python" -VV; cat "$reqs"; } | sha256sum | cut -c1-16)"
  fi
  venv="$cache/venvs/$(basename "$reqs" .txt)-$key"
  if [[ ! -f "$venv/.ready" ]]; then
    echo "== creating $venv" >&2
    rm -rf "$cache/venvs/$(basename "$reqs" .txt)-"*  # older keys of the same requirement set
    if [[ "$version" == forky:* ]]; then
      # Wheels for that Python from PyPI on this host, installed offline in the root.
      wheels="$cache/venvs/.wheels-$key"
      rm -rf "$wheels"
      mapfile -t flags < <(pip_target_flags "${version#forky:}")
      python3 -m pip download -q --disable-pip-version-check --dest "$wheels" "${flags[@]}" -r "$reqs" >&2
      in_root "$python" -m venv "$venv"
      in_root "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-index \
        --find-links "$wheels" -r "$reqs" >&2
      rm -rf "$wheels"
    else
      "$python" -m venv "$venv"
      "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs" >&2
    fi
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
  local label="$1" version="$2" reqs="$here/tests/requirements/$3" core="$4" venv log default_core=ctrace
  shift 4
  [[ -z "${AGENT_TESTS_ONLY:-}" || "$label" == *"$AGENT_TESTS_ONLY"* ]] || return 0
  # forky:3.X runs in the forky root (see in_root); from 3.14 coverage's default core is sysmon.
  local exec=()
  if [[ "$version" == forky:* ]]; then
    forky_root  # here, not only in venv_for's subshell: in_root needs forky_dir
    exec=(in_root)
    [[ "${version#forky:3.}" -lt 14 ]] || default_core=sysmon
  fi
  venv="$(venv_for "$version" "$reqs")"
  "${exec[@]}" "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall "$wheel" >&2
  log="$(mktemp)"
  echo "== $label"
  # The default core runs without COVERAGE_CORE, as users have it.
  if [[ "$core" != "$default_core" ]]; then export COVERAGE_CORE="$core"; else unset COVERAGE_CORE; fi
  export PYCOV_TEST_EXPECT_CORE="$core"
  set +e
  (cd "$here" && "${exec[@]}" "$venv/bin/python" -m pytest -q -p no:cacheprovider tests "$@") >"$log" 2>&1
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
run "py3.14 latest sysmon (default core)" forky:3.14 py314-latest.txt sysmon "$@"
run "py3.14 latest ctrace" forky:3.14 py314-latest.txt ctrace "$@"
run "py3.15 latest sysmon (default core)" forky:3.15 py315-latest.txt sysmon "$@"
exit $status
