#!/usr/bin/env bash
# Build the local podman images of the e2e tests (see README.md beside this file):
#   service:py3.11                 the sample FastAPI service, uvicorn 0.30.6, with the agent
#   service:py3.11-uvicorn-latest  the same with the newest uvicorn
#   coverage:py3.11                coverage.py for combine and reports
#   service:py3.14, service:py3.15 the service on Debian forky's python3.14 / python3.15,
#                                  with the newest uvicorn and coverage
#   coverage:py3.14, coverage:py3.15  their conversion images
#   flask:py3.11                   a Flask app (blueprints, SQLAlchemy, Jinja templates) under
#                                  gunicorn with recycled workers, with the agent
#   django:py3.11, django:py3.11-plugin  a Django app with templates under gunicorn, with the
#                                  agent; the second with django_coverage_plugin
#   service:py3.12, service:py3.13 the first users' stack: uvicorn 0.30.6 and the newest coverage on
#                                  CPython 3.12 (pyenv's build copied into the bookworm root's
#                                  /usr/local) and on Debian trixie's python3.13
#   coverage:py3.12, coverage:py3.13  their conversion images
# Cached under ~/.cache/pycov-harvest (PYCOV_HARVEST_CACHE): the debootstrap roots,
# the wheels, the agent wheel. An image whose inputs hash (label
# pycov-harvest.key) is unchanged is skipped, so a warm run takes seconds.
#
# Usage: bash test/images/build.sh [--force] [IMAGE ...]
#   IMAGE: service, service-latest, coverage, service-py314, service-py315, coverage-py314,
#   coverage-py315, service-py312, service-py313, coverage-py312, coverage-py313, flask, django,
#   django-plugin; none: all.  --force: rebuild the images even when up to date.
#   BUILD_WITHOUT_AGENT=1: build the service images without the agent wheel.
# Needs root and podman: run setup-podman.sh first.
# The whole script is one { } block: bash reads it completely before running
# it, so editing this file while a run is in progress cannot break that run.
{
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=versions.env
source "$IMAGES_DIR/versions.env"
suffix_image_tags

force=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    service | service-latest | coverage | service-py314 | service-py315 | coverage-py314 | coverage-py315 | \
      service-py312 | service-py313 | coverage-py312 | coverage-py313 | flask | django | django-plugin)
      wanted+=("$arg") ;;
    -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
    *) die "unknown argument '$arg'; use --force or image names (see --help)" ;;
  esac
done
[ "${#wanted[@]}" -gt 0 ] ||
  wanted=(service service-latest coverage service-py314 service-py315 coverage-py314 coverage-py315
    service-py312 service-py313 coverage-py312 coverage-py313 flask django django-plugin)

[ "$(id -u)" = 0 ] || die "must run as root (rootful podman, chroot); re-run as root"
for tool in podman debootstrap unshare chroot; do
  command -v "$tool" >/dev/null || die "'$tool' not found; run test/images/setup-podman.sh first"
done
command -v python3 >/dev/null || die "python3 (with pip) is needed on the host to fetch wheels"

mkdir -p "$CACHE_DIR"/roots "$CACHE_DIR"/wheels
# One build at a time (CI and tests may both call this script).
exec 9>"$CACHE_DIR/build.lock"
flock -n 9 || { log "another build.sh holds $CACHE_DIR/build.lock; waiting for it"; flock 9; }

started=$SECONDS
stage=""
trap '[ -z "$stage" ] || rm -rf "$stage"' EXIT
mapfile -t PIP_TARGET < <(pip_target_flags)

# ---- 1. the debootstrap root ------------------------------------------------
ensure_root "$DEBIAN_SUITE" "$DEBIAN_SUITE" "$DEBIAN_MIRROR" python3,python3-venv
root_key=$ROOT_KEY
root_tar=$ROOT_TAR
python_version=$(head -n1 "$root_tar.python")

# ---- 2. wheels from PyPI (for the images' Python, not the host's) -------------
wheels_key=$(hash_text "$PYTHON_ABI" "$UVICORN_VERSION" "$UVICORN_LATEST_VERSION" \
  "$(hash_files "$IMAGES_DIR/requirements-service.txt")" "$(pip_target_flags)")
wheels_dir=$CACHE_DIR/wheels/$PYTHON_ABI-$wheels_key
if [ -d "$wheels_dir" ]; then
  log "wheels: cached $wheels_dir"
else
  log "wheels: pip download for $PYTHON_ABI manylinux x86_64"
  tmp=$(mktemp -d "$CACHE_DIR/wheels/.partial.XXXXXX")
  # Two resolutions: the two uvicorn versions cannot share one.
  for uvicorn in "$UVICORN_VERSION" "$UVICORN_LATEST_VERSION"; do
    python3 -m pip download --quiet --disable-pip-version-check --dest "$tmp" "${PIP_TARGET[@]}" \
      -r "$IMAGES_DIR/requirements-service.txt" "uvicorn==$uvicorn" >"$tmp.log" 2>&1 || {
      cat "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"
      die "pip download of requirements-service.txt + uvicorn==$uvicorn failed (see above); check the pins and PyPI access"
    }
  done
  rm -f "$tmp.log"
  mv "$tmp" "$wheels_dir"
  log "wheels: $(find "$wheels_dir" -name '*.whl' | wc -l) wheels in $wheels_dir"
fi

# ---- 3. the agent wheel, built from agent/ -----------------------------------
agent_dir=$REPO_DIR/agent
agent_key=none
agent_wheels=""
if [ "${BUILD_WITHOUT_AGENT:-0}" = 1 ]; then
  log "agent: BUILD_WITHOUT_AGENT=1, service images get no agent"
elif [ ! -f "$agent_dir/pyproject.toml" ]; then
  log "agent: $agent_dir/pyproject.toml does not exist yet, service images get no agent"
else
  # Tests do not ship in the wheel: changing them must not rebuild the images.
  mapfile -t agent_files < <(list_files "$agent_dir" | grep -v "^$agent_dir/tests/")
  agent_key=$(hash_text "$(hash_files "${agent_files[@]}")" "$wheels_key")
  agent_wheels=$CACHE_DIR/wheels/agent-$agent_key
  if [ -d "$agent_wheels" ]; then
    log "agent: cached wheel $(cd "$agent_wheels" && echo pycov_harvest-*.whl)"
  else
    log "agent: pip wheel --no-deps $agent_dir"
    tmp=$(mktemp -d "$CACHE_DIR/wheels/.partial.XXXXXX")
    # Build from a copy of exactly the hashed files: building in place would
    # leave build/ output in agent/, and a local venv there must not be copied.
    for file in "${agent_files[@]}"; do
      rel=${file#"$agent_dir"/}
      mkdir -p "$tmp/src/$(dirname "$rel")"
      cp -p "$file" "$tmp/src/$rel"
    done
    python3 -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$tmp/out" "$tmp/src" \
      >"$tmp/log" 2>&1 || {
      cat "$tmp/log" >&2; rm -rf "$tmp"
      die "building the agent wheel from $agent_dir failed (see above); fix agent/ or set BUILD_WITHOUT_AGENT=1"
    }
    agent_whl=$(ls "$tmp"/out/*.whl)
    # The agent's own dependencies, for the images' Python, within our pins.
    python3 -m pip download --quiet --disable-pip-version-check --dest "$tmp/out" "${PIP_TARGET[@]}" \
      -c "$IMAGES_DIR/requirements-service.txt" "$agent_whl" >"$tmp/log" 2>&1 || {
      cat "$tmp/log" >&2; rm -rf "$tmp"
      die "pip download of the agent's dependencies failed (see above); they must fit requirements-service.txt"
    }
    mv "$tmp/out" "$agent_wheels"
    rm -rf "$tmp"
    log "agent: built $(basename "$agent_whl")"
  fi
fi

# ---- 4. images ----------------------------------------------------------------

# Prints the pycov-harvest.key label of an image, or nothing when it is absent.
image_key() {
  podman image inspect --format '{{index .Labels "pycov-harvest.key"}}' "$1" 2>/dev/null || true
}

# Imports $stage/root as image NAME with the given --change instructions.
# Usage: import_image NAME KEY CHANGE...
import_image() {
  local name=$1 key=$2; shift 2
  local old_id changes=() change
  old_id=$(podman image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
  for change in "$@" "LABEL pycov-harvest.key=$key"; do changes+=(--change "$change"); done
  tar --numeric-owner -C "$stage/root" -cf - . | podman import --quiet "${changes[@]}" - "$name" >/dev/null ||
    die "podman import of $name failed"
  # Drop the image this one replaced, unless a container still uses it.
  if [ -n "$old_id" ] && [ "$old_id" != "$(podman image inspect --format '{{.Id}}' "$name")" ]; then
    podman rmi "$old_id" >/dev/null 2>&1 || true
  fi
}

# A fresh copy of the root (default: bookworm's; or the tar given) in $stage/root, with
# /tmp/build/wheels to fill.
new_stage() {
  stage=$(mktemp -d /var/tmp/pycov-harvest-image.XXXXXX)
  mkdir -p "$stage/root"
  tar --numeric-owner -C "$stage/root" -xpf "${1:-$root_tar}"
  mkdir -p "$stage/root/tmp/build/wheels"
}

# Runs a provision script inside $stage/root: chroot in a private mount
# namespace with /proc, so nothing stays mounted when it ends, and with a clean
# environment (the host's PIP_*/PYTHON* variables must not leak in).
run_provision() {
  local script=$1; shift
  cp "$script" "$stage/root/tmp/build/provision.sh"
  # shellcheck disable=SC2016 # $1 and $@ belong to the inner bash
  unshare --mount --propagation private -- bash -c \
    'mount -t proc proc "$1/proc" && exec chroot "$@"' _ "$stage/root" \
    /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    /bin/bash /tmp/build/provision.sh "$@" >"$stage/provision.log" 2>&1
  local status=$?
  # On failure the output goes to stderr: callers may discard stdout.
  if [ "$status" = 0 ]; then sed 's/^/    /' "$stage/provision.log"; else sed 's/^/    /' "$stage/provision.log" >&2; fi
  return "$status"
}

mapfile -t app_files < <(list_files "$IMAGES_DIR/app")
service_recipe_key=$(hash_files "$IMAGES_DIR/build.sh" "$IMAGES_DIR/lib.sh" "$IMAGES_DIR/service/"* "${app_files[@]}")

build_service() {
  local name=$1 uvicorn=$2 key
  key=$(hash_text "$root_key" "$wheels_key" "$agent_key" "$uvicorn" "$COVERAGE_VERSION" "$service_recipe_key")
  if [ "$force" = 0 ] && [ "$(image_key "$name")" = "$key" ]; then
    log "$name: up to date (key $key)"
    return
  fi
  log "$name: building (uvicorn $uvicorn, agent $agent_key, key $key)"
  new_stage
  cp "$wheels_dir"/*.whl "$stage/root/tmp/build/wheels/"
  {
    grep -v '^#' "$IMAGES_DIR/requirements-service.txt"
    echo "uvicorn==$uvicorn"
  } >"$stage/root/tmp/build/requirements.txt"
  if [ -n "$agent_wheels" ]; then
    cp "$agent_wheels"/*.whl "$stage/root/tmp/build/wheels/"
    echo "pycov-harvest" >>"$stage/root/tmp/build/requirements.txt"
  fi
  mkdir -p "$stage/root/app/src"
  cp "$IMAGES_DIR"/app/src/*.py "$stage/root/app/src/"
  cp "$IMAGES_DIR/service/coveragerc" "$stage/root/app/.coveragerc"
  cp "$IMAGES_DIR/service/coveragerc-sigterm" "$stage/root/app/.coveragerc-sigterm"
  install -m 0755 "$IMAGES_DIR/service/entrypoint.sh" "$stage/root/entrypoint.sh"
  install -m 0755 "$IMAGES_DIR/service/first-users-entrypoint.sh" "$stage/root/first-users-entrypoint.sh"
  run_provision "$IMAGES_DIR/service/provision.sh" || die "provisioning $name failed (output above)"
  import_image "$name" "$key" \
    "USER 1001" "WORKDIR /app" 'ENTRYPOINT ["/entrypoint.sh"]' "EXPOSE 8000" \
    "ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV PYTHONUNBUFFERED=1" "ENV COVERAGE_MODE=agent" \
    "LABEL pycov-harvest.python=$python_version" "LABEL pycov-harvest.uvicorn=$uvicorn" \
    "LABEL pycov-harvest.coverage=$COVERAGE_VERSION" "LABEL pycov-harvest.agent=$agent_key" \
    "LABEL app=pycov-harvest-e2e"
  rm -rf "$stage"
  log "$name: built"
}

build_coverage() {
  local name=$COVERAGE_IMAGE key
  key=$(hash_text "$root_key" "$wheels_key" "$COVERAGE_VERSION" \
    "$(hash_files "$IMAGES_DIR/build.sh" "$IMAGES_DIR/lib.sh" "$IMAGES_DIR/coverage/provision.sh")")
  if [ "$force" = 0 ] && [ "$(image_key "$name")" = "$key" ]; then
    log "$name: up to date (key $key)"
    return
  fi
  log "$name: building (coverage $COVERAGE_VERSION, key $key)"
  new_stage
  cp "$wheels_dir"/coverage-"$COVERAGE_VERSION"-*.whl "$stage/root/tmp/build/wheels/"
  run_provision "$IMAGES_DIR/coverage/provision.sh" "$COVERAGE_VERSION" ||
    die "provisioning $name failed (output above)"
  import_image "$name" "$key" \
    "WORKDIR /work" 'CMD ["python3", "-m", "coverage", "--version"]' "ENV HOME=/tmp" \
    "ENV PYTHONDONTWRITEBYTECODE=1" \
    "LABEL pycov-harvest.python=$python_version" "LABEL pycov-harvest.coverage=$COVERAGE_VERSION"
  rm -rf "$stage"
  log "$name: built"
}

# ---- 5. the other Pythons: forky's 3.14 and 3.15, trixie's 3.13, pyenv's 3.12 ---------------
# Each root is made only when one of its images is wanted (a debootstrap takes ~2 minutes, then
# it is cached). python_root KIND MINOR sets py_root_tar, py_root_key, py_version and py_pyenv
# (the pyenv build to copy into /usr/local, or empty):
#   forky   Debian forky's python3.MINOR (3.14, 3.15; one root holds both)
#   trixie  Debian trixie's python3.13
#   pyenv   the bookworm root plus this host's pyenv build of PY312_PYENV_VERSION, copied into
#           /usr/local as the python:3.X-slim images have their Python (see README.md)
python_root() {
  local kind=$1 minor=$2
  py_pyenv=""
  case "$kind" in
    forky)
      ensure_root "$NEWEST_DEBIAN_SUITE" "$NEWEST_DEBIAN_SUITE" "$DEBIAN_MIRROR" "$NEWEST_ROOT_PACKAGES" \
        "$NEWEST_DEBOOTSTRAP_SCRIPT"
      py_root_tar=$ROOT_TAR py_root_key=$ROOT_KEY ;;
    trixie)
      ensure_root "$TRIXIE_DEBIAN_SUITE" "$TRIXIE_DEBIAN_SUITE" "$DEBIAN_MIRROR" python3,python3-venv
      py_root_tar=$ROOT_TAR py_root_key=$ROOT_KEY ;;
    pyenv)
      py_pyenv=${PYENV_ROOT:-$HOME/.pyenv}/versions/$PY312_PYENV_VERSION
      [ -x "$py_pyenv/bin/python$minor" ] ||
        die "$py_pyenv/bin/python$minor not found; install it with \`pyenv install $PY312_PYENV_VERSION\`"
      py_root_tar=$root_tar
      py_root_key=$(hash_text "$root_key" "$(pyenv_key "$py_pyenv" "$minor")")
      py_version=$PY312_PYENV_VERSION
      return ;;
  esac
  py_version=$(root_python_version "$py_root_tar" "$minor")
}

# What pyenv_copy takes from a pyenv build, for the cache key: the interpreter's -VV and the
# names, sizes and times of the copied files.
pyenv_key() {
  local src=$1 minor=$2
  hash_text "$("$src/bin/python$minor" -VV)" "$(pyenv_files "$src" "$minor" | sort | sha256sum)"
}
pyenv_files() {
  (cd "$1" && find "bin/python$2" lib include -type f ! -path '*/__pycache__/*' ! -name '*.a' \
    ! -path "lib/python$2/test/*" ! -path "lib/python$2/idlelib/*" ! -path "lib/python$2/tkinter/*" \
    ! -path "lib/python$2/turtledemo/*" ! -path "lib/python$2/site-packages/*" ! -name '_tkinter*' \
    -printf '%p %s %T@\n')
}

# pyenv_copy SRC MINOR: the interpreter, its libraries, headers and standard library (no test
# suite, Tk, static library, bytecode or site-packages: whatever this host installed there stays
# here) into $stage/root/usr/local; pyenv/provision.sh then links and checks it.
pyenv_copy() {
  local src=$1 minor=$2
  (cd "$src" && pyenv_files "$src" "$minor" | cut -d' ' -f1 | tar --numeric-owner -cf - -T -) |
    tar --numeric-owner -C "$stage/root/usr/local" -xf -
  mkdir -p "$stage/root/usr/local/lib/python$minor/site-packages"
  run_provision "$IMAGES_DIR/pyenv/provision.sh" "python$minor" || die "copying $src into the image failed (output above)"
}

# other_wheels MINOR UVICORN: the wheels of requirements-service-newest.txt + uvicorn UVICORN for
# Python MINOR in $other_wheels_dir (cached, keyed like the bookworm wheels).
other_wheels() {
  local minor=$1 uvicorn=$2 abi=cp${1/./} tmp
  other_wheels_key=$(hash_text "$abi" "$uvicorn" \
    "$(hash_files "$IMAGES_DIR/requirements-service-newest.txt")" "$(pip_target_flags "$minor")")
  other_wheels_dir=$CACHE_DIR/wheels/$abi-$other_wheels_key
  [ ! -d "$other_wheels_dir" ] || return 0
  log "wheels: pip download for $abi manylinux x86_64 (uvicorn $uvicorn)"
  tmp=$(mktemp -d "$CACHE_DIR/wheels/.partial.XXXXXX")
  mapfile -t flags < <(pip_target_flags "$minor")
  python3 -m pip download --quiet --disable-pip-version-check --dest "$tmp" "${flags[@]}" \
    -r "$IMAGES_DIR/requirements-service-newest.txt" "uvicorn==$uvicorn" >"$tmp.log" 2>&1 || {
    cat "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"
    die "pip download of requirements-service-newest.txt for $abi failed (see above); check the pins and PyPI access"
  }
  rm -f "$tmp.log"
  mv "$tmp" "$other_wheels_dir"
  log "wheels: $(find "$other_wheels_dir" -name '*.whl' | wc -l) wheels in $other_wheels_dir"
}

newest_recipe_key=$(hash_files "$IMAGES_DIR/requirements-service-newest.txt" "$IMAGES_DIR/pyenv/provision.sh")

# build_service_on NAME KIND MINOR UVICORN: the service image on python3.MINOR of root KIND (see
# python_root), same app, entrypoint, user and layout as service:py3.11, with uvicorn UVICORN and
# the newest coverage.
build_service_on() {
  local name=$1 kind=$2 minor=$3 uvicorn=$4 key
  python_root "$kind" "$minor"
  other_wheels "$minor" "$uvicorn"
  key=$(hash_text "$py_root_key" "$other_wheels_key" "$agent_key" "$minor" "$uvicorn" \
    "$NEWEST_COVERAGE_VERSION" "$service_recipe_key" "$newest_recipe_key")
  if [ "$force" = 0 ] && [ "$(image_key "$name")" = "$key" ]; then
    log "$name: up to date (key $key)"
    return
  fi
  log "$name: building (python $py_version from $kind, uvicorn $uvicorn, agent $agent_key, key $key)"
  new_stage "$py_root_tar"
  [ -z "$py_pyenv" ] || pyenv_copy "$py_pyenv" "$minor"
  mkdir -p "$stage/root/tmp/build/wheels"
  cp "$other_wheels_dir"/*.whl "$stage/root/tmp/build/wheels/"
  {
    grep -v '^#' "$IMAGES_DIR/requirements-service-newest.txt"
    echo "uvicorn==$uvicorn"
  } >"$stage/root/tmp/build/requirements.txt"
  if [ -n "$agent_wheels" ]; then
    # The agent's own wheel only: its dependency (coverage) is in these wheels.
    cp "$agent_wheels"/pycov_harvest-*.whl "$stage/root/tmp/build/wheels/"
    echo "pycov-harvest" >>"$stage/root/tmp/build/requirements.txt"
  fi
  mkdir -p "$stage/root/app/src"
  cp "$IMAGES_DIR"/app/src/*.py "$stage/root/app/src/"
  cp "$IMAGES_DIR/service/coveragerc" "$stage/root/app/.coveragerc"
  cp "$IMAGES_DIR/service/coveragerc-sigterm" "$stage/root/app/.coveragerc-sigterm"
  install -m 0755 "$IMAGES_DIR/service/entrypoint.sh" "$stage/root/entrypoint.sh"
  install -m 0755 "$IMAGES_DIR/service/first-users-entrypoint.sh" "$stage/root/first-users-entrypoint.sh"
  run_provision "$IMAGES_DIR/service/provision.sh" "python$minor" || die "provisioning $name failed (output above)"
  import_image "$name" "$key" \
    "USER 1001" "WORKDIR /app" 'ENTRYPOINT ["/entrypoint.sh"]' "EXPOSE 8000" \
    "ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV PYTHONUNBUFFERED=1" "ENV COVERAGE_MODE=agent" \
    "LABEL pycov-harvest.python=$py_version" "LABEL pycov-harvest.uvicorn=$uvicorn" \
    "LABEL pycov-harvest.coverage=$NEWEST_COVERAGE_VERSION" "LABEL pycov-harvest.agent=$agent_key" \
    "LABEL app=pycov-harvest-e2e"
  rm -rf "$stage"
  log "$name: built"
}

# build_coverage_on NAME KIND MINOR: the conversion image on python3.MINOR of root KIND (`python3`
# is that Python), with the newest coverage.
build_coverage_on() {
  local name=$1 kind=$2 minor=$3 key
  python_root "$kind" "$minor"
  # The wheels of the newest uvicorn: coverage is the same in every set of this Python.
  other_wheels "$minor" "$UVICORN_LATEST_VERSION"
  key=$(hash_text "$py_root_key" "$other_wheels_key" "$minor" "$NEWEST_COVERAGE_VERSION" \
    "$(hash_files "$IMAGES_DIR/build.sh" "$IMAGES_DIR/lib.sh" "$IMAGES_DIR/coverage/provision.sh" \
      "$IMAGES_DIR/pyenv/provision.sh")")
  if [ "$force" = 0 ] && [ "$(image_key "$name")" = "$key" ]; then
    log "$name: up to date (key $key)"
    return
  fi
  log "$name: building (python $py_version from $kind, coverage $NEWEST_COVERAGE_VERSION, key $key)"
  new_stage "$py_root_tar"
  [ -z "$py_pyenv" ] || pyenv_copy "$py_pyenv" "$minor"
  mkdir -p "$stage/root/tmp/build/wheels"
  cp "$other_wheels_dir"/coverage-"$NEWEST_COVERAGE_VERSION"-*.whl "$stage/root/tmp/build/wheels/"
  run_provision "$IMAGES_DIR/coverage/provision.sh" "$NEWEST_COVERAGE_VERSION" "python$minor" ||
    die "provisioning $name failed (output above)"
  import_image "$name" "$key" \
    "WORKDIR /work" 'CMD ["python3", "-m", "coverage", "--version"]' "ENV HOME=/tmp" \
    "ENV PYTHONDONTWRITEBYTECODE=1" \
    "LABEL pycov-harvest.python=$py_version" "LABEL pycov-harvest.coverage=$NEWEST_COVERAGE_VERSION"
  rm -rf "$stage"
  log "$name: built"
}

# ---- 6. the web-framework apps: Flask and Django under gunicorn -------------------
# Their wheels (requirements-flask.txt, requirements-django.txt, django-coverage-plugin) for the
# bookworm Python, fetched only when one of these images is wanted.
webapp_wheels_dir=""
webapp_wheels() {
  [ -z "$webapp_wheels_dir" ] || return 0
  local tmp req
  webapp_wheels_key=$(hash_text "$PYTHON_ABI" "$DJANGO_COVERAGE_PLUGIN_VERSION" \
    "$(hash_files "$IMAGES_DIR/requirements-flask.txt" "$IMAGES_DIR/requirements-django.txt")" "$(pip_target_flags)")
  webapp_wheels_dir=$CACHE_DIR/wheels/webapps-$PYTHON_ABI-$webapp_wheels_key
  [ ! -d "$webapp_wheels_dir" ] || { log "wheels: cached $webapp_wheels_dir"; return 0; }
  log "wheels: pip download of the Flask and Django apps for $PYTHON_ABI manylinux x86_64"
  tmp=$(mktemp -d "$CACHE_DIR/wheels/.partial.XXXXXX")
  for req in "-r $IMAGES_DIR/requirements-flask.txt" \
    "-r $IMAGES_DIR/requirements-django.txt django-coverage-plugin==$DJANGO_COVERAGE_PLUGIN_VERSION"; do
    # shellcheck disable=SC2086 # $req is two or three words on purpose
    python3 -m pip download --quiet --disable-pip-version-check --dest "$tmp" "${PIP_TARGET[@]}" $req \
      >"$tmp.log" 2>&1 || {
      cat "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"
      die "pip download for the web apps ($req) failed (see above); check the pins and PyPI access"
    }
  done
  rm -f "$tmp.log"
  mv "$tmp" "$webapp_wheels_dir"
  log "wheels: $(find "$webapp_wheels_dir" -name '*.whl' | wc -l) wheels in $webapp_wheels_dir"
}

# build_webapp NAME KIND [plugin]: KIND is flask or django (the folder beside this script with
# the app, boot.sh and coveragerc); `plugin` adds django-coverage-plugin and coveragerc-plugin.
build_webapp() {
  local name=$1 kind=$2 plugin=${3:-} key rc=coveragerc plugin_label=none
  local -a files
  webapp_wheels
  mapfile -t files < <(list_files "$IMAGES_DIR/$kind" "$IMAGES_DIR/webapp")
  key=$(hash_text "$root_key" "$webapp_wheels_key" "$agent_key" "$plugin" \
    "$(hash_files "$IMAGES_DIR/build.sh" "$IMAGES_DIR/lib.sh" "$IMAGES_DIR/requirements-$kind.txt" "${files[@]}")")
  if [ "$force" = 0 ] && [ "$(image_key "$name")" = "$key" ]; then
    log "$name: up to date (key $key)"
    return
  fi
  log "$name: building ($kind${plugin:+ with django-coverage-plugin}, agent $agent_key, key $key)"
  new_stage
  cp "$webapp_wheels_dir"/*.whl "$stage/root/tmp/build/wheels/"
  grep -v '^#' "$IMAGES_DIR/requirements-$kind.txt" >"$stage/root/tmp/build/requirements.txt"
  if [ -n "$plugin" ]; then
    echo "django-coverage-plugin==$DJANGO_COVERAGE_PLUGIN_VERSION" >>"$stage/root/tmp/build/requirements.txt"
    rc=coveragerc-plugin
    plugin_label=$DJANGO_COVERAGE_PLUGIN_VERSION
  fi
  if [ -n "$agent_wheels" ]; then
    cp "$agent_wheels"/pycov_harvest-*.whl "$stage/root/tmp/build/wheels/"
    echo "pycov-harvest" >>"$stage/root/tmp/build/requirements.txt"
  fi
  mkdir -p "$stage/root/app"
  (cd "$IMAGES_DIR/$kind" && list_files . | grep -v -e '^./boot.sh$' -e '^./coveragerc' |
    while read -r file; do install -D -m 0644 "$file" "$stage/root/app/${file#./}"; done)
  cp "$IMAGES_DIR/$kind/$rc" "$stage/root/app/.coveragerc"
  install -m 0755 "$IMAGES_DIR/$kind/boot.sh" "$stage/root/boot.sh"
  run_provision "$IMAGES_DIR/webapp/provision.sh" "$kind" || die "provisioning $name failed (output above)"
  import_image "$name" "$key" \
    "USER 1001" "WORKDIR /app" 'ENTRYPOINT ["/boot.sh"]' "EXPOSE 8000" \
    "ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV PYTHONUNBUFFERED=1" "ENV COVERAGE_MODE=agent" \
    "LABEL pycov-harvest.python=$python_version" "LABEL pycov-harvest.coverage=$COVERAGE_VERSION" \
    "LABEL pycov-harvest.agent=$agent_key" "LABEL pycov-harvest.framework=$kind" \
    "LABEL pycov-harvest.django-coverage-plugin=$plugin_label" "LABEL app=pycov-harvest-e2e"
  rm -rf "$stage"
  log "$name: built"
}

for image in "${wanted[@]}"; do
  case "$image" in
    service) build_service "$SERVICE_IMAGE" "$UVICORN_VERSION" ;;
    service-latest) build_service "$SERVICE_LATEST_IMAGE" "$UVICORN_LATEST_VERSION" ;;
    coverage) build_coverage ;;
    service-py314) build_service_on "$SERVICE_PY314_IMAGE" forky 3.14 "$UVICORN_LATEST_VERSION" ;;
    service-py315) build_service_on "$SERVICE_PY315_IMAGE" forky 3.15 "$UVICORN_LATEST_VERSION" ;;
    coverage-py314) build_coverage_on "$COVERAGE_PY314_IMAGE" forky 3.14 ;;
    coverage-py315) build_coverage_on "$COVERAGE_PY315_IMAGE" forky 3.15 ;;
    service-py312) build_service_on "$SERVICE_PY312_IMAGE" pyenv 3.12 "$UVICORN_VERSION" ;;
    service-py313) build_service_on "$SERVICE_PY313_IMAGE" trixie 3.13 "$UVICORN_VERSION" ;;
    coverage-py312) build_coverage_on "$COVERAGE_PY312_IMAGE" pyenv 3.12 ;;
    coverage-py313) build_coverage_on "$COVERAGE_PY313_IMAGE" trixie 3.13 ;;
    flask) build_webapp "$FLASK_IMAGE" flask ;;
    django) build_webapp "$DJANGO_IMAGE" django ;;
    django-plugin) build_webapp "$DJANGO_PLUGIN_IMAGE" django plugin ;;
  esac
done
# Older builds that were still used by a container when they were replaced.
for id in $(podman images --filter dangling=true --filter label=pycov-harvest.key --quiet); do
  podman rmi "$id" >/dev/null 2>&1 || true
done
log "done in $((SECONDS - started)) s"
exit
}
