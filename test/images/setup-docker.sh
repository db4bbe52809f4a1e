#!/usr/bin/env bash
# A private Docker engine for the container e2e tests: Debian's docker.io dockerd on a socket of
# its own (never the machine's /var/run/docker.sock), with its own data root, exec root, bridge
# and containerd, so it neither sees nor disturbs any other Docker or podman on the machine.
# Idempotent: installs only what is missing, starts the daemon only when its socket does not
# answer, and leaves it running for the tests.
#
#   bash test/images/setup-docker.sh                 install, start, prove run/-p/exec/--user
#   bash test/images/setup-docker.sh --load IMAGE... also copy podman images in (podman save |
#                                                    docker load), skipped when the engine has
#                                                    the image with the same pycov-harvest.key
#   bash test/images/setup-docker.sh --stop          stop the daemon (its containers go with it)
#
# Clients reach it with DOCKER_HOST=unix:///run/pycov-harvest-docker.sock (the tests set it).
# No iptables rules: containers publish ports on 127.0.0.1 through docker's userland proxy over
# a bridge of their own (pycovh-docker0, 10.213.0.1/24; compose's networks get /24s of
# 10.214.0.0/16); they have no route out, which nothing here needs.
{
set -euo pipefail

SOCKET=/run/pycov-harvest-docker.sock
EXEC_ROOT=/run/pycov-harvest-docker
DATA_ROOT=/var/lib/pycov-harvest-docker
PIDFILE=$EXEC_ROOT/dockerd.pid
LOG=/var/log/pycov-harvest-dockerd.log
BRIDGE=pycovh-docker0
BRIDGE_CIDR=${PYCOV_HARVEST_DOCKER_BRIDGE_CIDR:-10.213.0.1/24}
# The subnets of networks made on it (compose's project networks).
NETWORK_POOL=${PYCOV_HARVEST_DOCKER_NETWORK_POOL:-10.214.0.0/16}
export DOCKER_HOST=unix://$SOCKET

log() { printf '[setup-docker] %s\n' "$*"; }
die() { printf '[setup-docker] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (dockerd is started here); re-run as root"

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

stop_daemon() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && die "dockerd (pid $pid) did not stop within 30 s"
  fi
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
  log "stopped"
}

if [ "${1:-}" = "--stop" ]; then
  stop_daemon
  exit 0
fi

# docker.io brings dockerd, containerd and docker-proxy; docker-compose is compose v1 (Python),
# which labels containers as compose v2 does. policy-rc.d keeps the package from starting a
# system-wide daemon on the default socket.
PACKAGES=(docker.io docker-compose)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    own_policy=1
  fi
  apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/setup-docker-apt.log 2>&1 || {
    apt-get update >>/tmp/setup-docker-apt.log 2>&1 || true
    apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/setup-docker-apt.log 2>&1 ||
      { [ "$own_policy" = 0 ] || rm -f "$policy"; die "apt-get install ${missing[*]} failed; see /tmp/setup-docker-apt.log"; }
  }
  [ "$own_policy" = 0 ] || rm -f "$policy"
else
  log "packages already installed"
fi
command -v docker >/dev/null || die "no docker client on PATH after installing docker.io"

if answers; then
  log "dockerd already answers on $SOCKET"
else
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  mkdir -p "$EXEC_ROOT" "$DATA_ROOT"
  # A pidfile left by a daemon that died (e.g. the machine was not shut down cleanly).
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then rm -f "$PIDFILE"; fi
  log "starting dockerd on $SOCKET (log $LOG)"
  setsid nohup dockerd \
    --host "unix://$SOCKET" \
    --data-root "$DATA_ROOT" \
    --exec-root "$EXEC_ROOT" \
    --pidfile "$PIDFILE" \
    --bridge "$BRIDGE" \
    --default-address-pool "base=$NETWORK_POOL,size=24" \
    --iptables=false --ip-masq=false --ip-forward=false \
    --exec-opt native.cgroupdriver=cgroupfs \
    --default-ulimit nofile=1024:1024 \
    >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 150); do answers && break; sleep 0.2; done
  answers || die "dockerd did not answer on $SOCKET within 30 s; see $LOG: $(tail -3 "$LOG")"
fi
log "dockerd $(docker version --format '{{.Server.Version}}') on $SOCKET, docker client $(docker version --format '{{.Client.Version}}')"

# Copies podman images in when the engine lacks them or has another build (its key label).
load_images() {
  local image want have
  for image in "$@"; do
    want=$(podman image inspect --format '{{index .Labels "pycov-harvest.key"}}' "$image" 2>/dev/null) ||
      die "podman has no image $image; build it first (test/images/build.sh)"
    have=$(docker image inspect --format '{{index .Config.Labels "pycov-harvest.key"}}' "$image" 2>/dev/null || true)
    if [ -n "$want" ] && [ "$want" = "$have" ]; then
      log "$image: up to date (key $want)"
      continue
    fi
    log "$image: podman save | docker load"
    podman save "$image" | docker load >/dev/null || die "podman save $image | docker load failed"
  done
  # Builds replaced by newer ones of the same name are left without a tag: remove them.
  docker image prune -f --filter label=pycov-harvest.key >/dev/null
}

SMOKE_IMAGE=localhost/pycov-harvest/smoke:busybox
if [ "${1:-}" = "--load" ]; then
  shift
  load_images "$@"
  exit 0
fi

# ---- smoke test: run, publish on 127.0.0.1, exec, exec as 1001 ----
if ! docker image inspect "$SMOKE_IMAGE" >/dev/null 2>&1; then
  podman image exists "$SMOKE_IMAGE" || bash "$(dirname "$0")/setup-podman.sh" >/dev/null
  podman save "$SMOKE_IMAGE" | docker load >/dev/null || die "podman save $SMOKE_IMAGE | docker load failed"
fi
docker run --rm "$SMOKE_IMAGE" true || die "'docker run --rm $SMOKE_IMAGE true' failed; see $LOG"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
name=pycov-harvest-docker-smoke-$$
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
docker run -d --name "$name" -p "127.0.0.1:$port:8000" "$SMOKE_IMAGE" httpd -f -p 8000 -h /www >/dev/null ||
  die "docker run -d -p 127.0.0.1:$port:8000 failed; see $LOG"
body=""
for _ in $(seq 1 50); do
  body=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2).read().decode().strip())" 2>/dev/null) && break
  sleep 0.2
done
[ "$body" = "pycov-harvest smoke ok" ] || die "port publishing 127.0.0.1:$port -> 8000 does not answer (got '$body'); see $LOG"
[ "$(docker exec --user 1001 "$name" id -u)" = 1001 ] || die "docker exec --user 1001 failed"
log "ok: run, -p 127.0.0.1:$port, exec --user 1001"
log "docker is ready (DOCKER_HOST=$DOCKER_HOST)"
exit
}
