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

# Every file under a directory, sorted, skipping caches and build output.
list_files() {
  find "$@" -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*/build/*' \
    ! -path '*/dist/*' ! -path '*.egg-info/*' ! -path '*/.venv*' ! -path '*/.pytest_cache/*' | LC_ALL=C sort
}

# The pip flags that fetch wheels for the images' Python (Debian bookworm, x86_64).
pip_target_flags() {
  printf '%s\n' --only-binary=:all: --implementation cp --python-version "$PYTHON_MINOR" --abi "$PYTHON_ABI" \
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
}
