#!/usr/bin/env bash
# Build a Debian minbase root with python3 and python3-venv and save it as a tar
# archive (numeric owners). Also writes <out>.python with the root's Python version.
#
# Usage: make-root.sh SUITE MIRROR OUT.tar
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

suite=$1 mirror=$2 out=$3
# Keep in sync with ROOT_PACKAGES in build.sh (part of the root's cache key).
packages=python3,python3-venv

work=$(mktemp -d /var/tmp/pycov-harvest-root.XXXXXX)
trap 'rm -rf "$work"' EXIT

log "debootstrap --variant=minbase --include=$packages $suite (about a minute)"
# A private mount namespace: whatever debootstrap mounts inside the root (proc,
# sys) disappears with it, even when it fails half-way, so rm -rf stays safe.
if ! unshare --mount --propagation private -- \
    debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" \
    >"$work/debootstrap.log" 2>&1; then
  tail -20 "$work/debootstrap.log" >&2
  cp "$work/debootstrap.log" /tmp/pycov-harvest-debootstrap.log
  die "debootstrap of $suite from $mirror failed (log: /tmp/pycov-harvest-debootstrap.log); check that the Debian mirror is reachable"
fi

# Package caches are not needed in the images.
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"* "$work/root/var/log/"*
python_version=$(chroot "$work/root" python3 -c 'import platform; print(platform.python_version())') ||
  die "python3 does not run inside the new root"

mkdir -p "$(dirname "$out")"
tar --numeric-owner -C "$work/root" -cf "$out.partial" .
printf '%s\n' "$python_version" >"$out.python"
mv "$out.partial" "$out"
log "root saved: $out ($(du -h "$out" | cut -f1), python $python_version)"
