#!/usr/bin/env bash
# Install and configure rootful podman for the container e2e tests, then prove
# it works: run, port publishing on 127.0.0.1, exec, exec as user 1001.
# Idempotent: installs only what is missing, rewrites config only when it differs.
#
# Usage: sudo-less, as root:  bash test/images/setup-podman.sh [--no-check]
# The whole script is one { } block: bash reads it completely before running
# it, so editing this file while a run is in progress cannot break that run.
{
set -euo pipefail

log() { printf '[setup-podman] %s\n' "$*"; }
die() { printf '[setup-podman] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (podman is used rootful here); re-run as root"

# Packages podman needs on Debian bookworm. runc instead of crun: crun fails on
# this machine's cgroup v1 hybrid layout ("cgroups in hybrid mode").
# catatonit is podman's init for pods and --init. busybox-static only feeds the
# tiny smoke-test image below. cmark-gfm renders job summaries as GitHub does
# (test/support/gfm.ts). Installed with recommends, as on the machines where
# this was proven.
PACKAGES=(podman runc conmon catatonit debootstrap uidmap slirp4netns fuse-overlayfs
          netavark aardvark-dns containernetworking-plugins iptables busybox-static
          cmark-gfm)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y "${missing[@]}" >/tmp/setup-podman-apt.log 2>&1 || {
    log "apt-get install failed; refreshing package lists and retrying"
    apt-get update >>/tmp/setup-podman-apt.log 2>&1 || true
    apt-get install -y "${missing[@]}" >>/tmp/setup-podman-apt.log 2>&1 ||
      die "apt-get install ${missing[*]} failed; see /tmp/setup-podman-apt.log"
  }
else
  log "packages already installed"
fi

# Writes $2 to $1 only when the content differs (keeps the file's mtime stable).
write_if_changed() {
  local path=$1 content=$2
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then
    log "$path is up to date"
  else
    mkdir -p "$(dirname "$path")"
    printf '%s\n' "$content" >"$path"
    log "wrote $path"
  fi
}

# default_ulimits: runc cannot raise rlimits to podman's defaults here and the
# container fails to start without an explicit, modest limit.
write_if_changed /etc/containers/containers.conf '# Written by pycov-harvest test/images/setup-podman.sh
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"'

# podman's own storage default is overlay, which needs a backing filesystem that
# supports it (ext4/xfs). On overlay-on-overlay (podman inside a container) fall
# back to vfs, which always works, only slower.
if [ ! -f /etc/containers/storage.conf ]; then
  backing=$(stat -f -c %T /var/lib/containers 2>/dev/null || stat -f -c %T /var/lib)
  driver=overlay
  [ "$backing" = overlayfs ] && driver=vfs
  write_if_changed /etc/containers/storage.conf "# Written by pycov-harvest test/images/setup-podman.sh
[storage]
driver = \"$driver\"
runroot = \"/run/containers/storage\"
graphroot = \"/var/lib/containers/storage\""
fi

podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} {{.Host.CgroupsVersion}} {{.Store.GraphDriverName}}' >/tmp/setup-podman-info.txt 2>&1 ||
  die "podman info failed: $(tail -3 /tmp/setup-podman-info.txt)"
log "podman $(podman --version | awk '{print $3}'): runtime/cgroup-manager/cgroups/storage = $(cat /tmp/setup-podman-info.txt)"

[ "${1:-}" = "--no-check" ] && exit 0

# ---- smoke test: a tiny image from the static busybox binary ----
SMOKE_IMAGE=localhost/pycov-harvest/smoke:busybox
if ! podman image exists "$SMOKE_IMAGE"; then
  tmp=$(mktemp -d)
  mkdir -p "$tmp/bin" "$tmp/tmp" "$tmp/www"
  cp /bin/busybox "$tmp/bin/busybox"
  for applet in sh true id cat httpd sleep; do ln -s busybox "$tmp/bin/$applet"; done
  echo 'pycov-harvest smoke ok' >"$tmp/www/index.html"
  tar -C "$tmp" -cf "$tmp.tar" .
  podman import --quiet --change 'CMD ["/bin/sh"]' "$tmp.tar" "$SMOKE_IMAGE" >/dev/null ||
    die "podman import of the smoke image failed"
  rm -rf "$tmp" "$tmp.tar"
fi

podman run --rm "$SMOKE_IMAGE" true || die "'podman run --rm $SMOKE_IMAGE true' failed (runtime or cgroup setup)"
log "ok: podman run --rm"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
name=pycov-harvest-smoke-$$
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() { podman rm -f -t 0 "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
podman run -d --name "$name" -p "127.0.0.1:$port:8000" "$SMOKE_IMAGE" \
  httpd -f -p 8000 -h /www >/dev/null || die "podman run -d -p 127.0.0.1:$port:8000 failed"

body=""
for _ in $(seq 1 50); do
  body=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2).read().decode().strip())" 2>/dev/null) && break
  sleep 0.2
done
[ "$body" = "pycov-harvest smoke ok" ] || die "port publishing 127.0.0.1:$port -> 8000 does not answer (got '$body'); check netavark/iptables"
log "ok: port publishing on 127.0.0.1:$port"

[ "$(podman exec "$name" cat /www/index.html)" = "pycov-harvest smoke ok" ] || die "podman exec failed"
log "ok: podman exec"
uid=$(podman exec --user 1001 "$name" id -u) || die "podman exec --user 1001 failed"
[ "$uid" = 1001 ] || die "podman exec --user 1001 ran as uid '$uid'"
log "ok: podman exec --user 1001"
log "podman is ready"
exit
}
