#!/usr/bin/env bash
# Build a Debian minbase root with the given packages and save it as a tar archive
# (numeric owners). Also writes <out>.python with the version of each Python in the
# root, one per line (`python3` first when the root has it, then each `python3.X`).
#
# Usage: make-root.sh SUITE MIRROR OUT.tar [PACKAGES [SCRIPT]]
#   PACKAGES  comma-separated --include list (default python3,python3-venv)
#   SCRIPT    debootstrap's suite script, for a suite that this debootstrap does not
#             know yet (forky: /usr/share/debootstrap/scripts/sid)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

suite=$1 mirror=$2 out=$3
# Part of the root's cache key in build.sh and agent/run-tests.sh (root_key).
packages=${4:-python3,python3-venv}
script=${5:-}

work=$(mktemp -d /var/tmp/pycov-harvest-root.XXXXXX)
trap 'rm -rf "$work"' EXIT

log "debootstrap --variant=minbase --include=$packages $suite (a minute or two)"
# A private mount namespace: whatever debootstrap mounts inside the root (proc,
# sys) disappears with it, even when it fails half-way, so rm -rf stays safe.
if ! unshare --mount --propagation private -- \
    debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" ${script:+"$script"} \
    >"$work/debootstrap.log" 2>&1; then
  tail -20 "$work/debootstrap.log" >&2
  cp "$work/debootstrap.log" /tmp/pycov-harvest-debootstrap.log
  die "debootstrap of $suite from $mirror failed (log: /tmp/pycov-harvest-debootstrap.log); check that the Debian mirror is reachable"
fi

# Package caches are not needed in the images.
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"* "$work/root/var/log/"*
pythons=()
[ -e "$work/root/usr/bin/python3" ] && pythons+=(python3)
for python in "$work"/root/usr/bin/python3.[0-9]*; do
  [[ "$python" =~ /python3\.[0-9]+$ ]] && pythons+=("${python##*/}")
done
[ "${#pythons[@]}" -gt 0 ] || die "the new root has no python3 (packages: $packages); include python3 or python3.X"
versions=()
for python in "${pythons[@]}"; do
  versions+=("$(chroot "$work/root" "$python" -c 'import platform; print(platform.python_version())')") ||
    die "$python does not run inside the new root"
done

mkdir -p "$(dirname "$out")"
tar --numeric-owner -C "$work/root" -cf "$out.partial" .
printf '%s\n' "${versions[@]}" | awk '!seen[$0]++' >"$out.python"
mv "$out.partial" "$out"
log "root saved: $out ($(du -h "$out" | cut -f1), python $(paste -sd' ' "$out.python"))"
