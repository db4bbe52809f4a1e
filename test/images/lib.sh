# Shared helpers for the test image scripts (sourced, not run).
# shellcheck shell=bash

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$IMAGES_DIR/../.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
CACHE_DIR=${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}

log() { printf '[images %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }

# sha256 (first 16 hex digits) of the arguments' text.
hash_text() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# sha256 (first 16 hex digits) of files: their paths relative to $REPO_DIR and contents.
hash_files() {
  local f
  for f in "$@"; do
    printf '%s\n' "${f#"$REPO_DIR"/}"
    sha256sum <"$f"
  done | sha256sum | cut -c1-16
}

# Every file under a directory, sorted, skipping caches and build output (scripts/lint-python.sh
# leaves agent/.mypy_cache behind: hashing it would rebuild the images after every lint).
list_files() {
  find "$@" -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*/build/*' \
    ! -path '*/dist/*' ! -path '*.egg-info/*' ! -path '*/.venv*' ! -path '*/.pytest_cache/*' \
    ! -path '*/.mypy_cache/*' ! -path '*/.ruff_cache/*' | LC_ALL=C sort
}

# The pip flags that fetch wheels for the images' Python (Debian bookworm's, or Python X.Y
# when given), x86_64: pip_target_flags [X.Y]
pip_target_flags() {
  local minor=${1:-$PYTHON_MINOR} abi=$PYTHON_ABI
  [ -z "${1:-}" ] || abi=cp${1/./}
  printf '%s\n' --only-binary=:all: --implementation cp --python-version "$minor" --abi "$abi" \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64
}

# PYCOV_HARVEST_IMAGE_TAG_SUFFIX=-x gives the images of one checkout tags of their own
# (service:py3.11-x), so two checkouts testing different agents on one machine do not replace
# each other's images. Unset in CI.
suffix_image_tags() {
  local suffix=${PYCOV_HARVEST_IMAGE_TAG_SUFFIX:-}
  [ -n "$suffix" ] || return 0
  SERVICE_IMAGE+=$suffix
  SERVICE_LATEST_IMAGE+=$suffix
  COVERAGE_IMAGE+=$suffix
  SERVICE_PY314_IMAGE+=$suffix
  SERVICE_PY315_IMAGE+=$suffix
  COVERAGE_PY314_IMAGE+=$suffix
  COVERAGE_PY315_IMAGE+=$suffix
  FLASK_IMAGE+=$suffix
  DJANGO_IMAGE+=$suffix
  DJANGO_PLUGIN_IMAGE+=$suffix
  SERVICE_PY312_IMAGE+=$suffix
  SERVICE_PY313_IMAGE+=$suffix
  COVERAGE_PY312_IMAGE+=$suffix
  COVERAGE_PY313_IMAGE+=$suffix
}

# ensure_root NAME SUITE MIRROR PACKAGES [SCRIPT]: the debootstrap root NAME as a cached tar,
# built by make-root.sh when missing; sets ROOT_TAR (the tar; ROOT_TAR.python lists its Pythons)
# and ROOT_KEY (suite, mirror, packages and make-root.sh). Older roots of the same NAME are
# removed (170-330 MB each); other names are kept. One build per NAME at a time (build.sh and
# agent/run-tests.sh may both ask).
ensure_root() {
  local name=$1 suite=$2 mirror=$3 packages=$4 script=${5:-} old
  ROOT_KEY=$(hash_text "$suite" "$mirror" "$packages" "$script" "$(hash_files "$IMAGES_DIR/make-root.sh")")
  ROOT_TAR=$CACHE_DIR/roots/$name-minbase-$ROOT_KEY.tar
  mkdir -p "$CACHE_DIR/roots"
  (
    exec 8>"$CACHE_DIR/roots/.$name.lock"
    flock -n 8 || { log "root $name: another build holds $CACHE_DIR/roots/.$name.lock; waiting"; flock 8; }
    if [ -f "$ROOT_TAR" ] && [ -f "$ROOT_TAR.python" ]; then
      log "root $name: cached $ROOT_TAR"
    else
      bash "$IMAGES_DIR/make-root.sh" "$suite" "$mirror" "$ROOT_TAR" "$packages" "$script"
    fi
    for old in "$CACHE_DIR/roots/$name-minbase-"*.tar; do
      [ "$old" = "$ROOT_TAR" ] || [ ! -e "$old" ] || { rm -f "$old" "$old.python"; log "root $name: removed outdated $old"; }
    done
  )
}

# The version (X.Y.Z) of Python X.Y in a root built by ensure_root: root_python_version TAR X.Y
root_python_version() {
  grep -m1 "^${2//./\\.}\." "$1.python" || die "$1 has no Python $2 (it has: $(paste -sd' ' "$1.python"))"
}
