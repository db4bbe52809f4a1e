#!/usr/bin/env bash
# forky.sh CMD...: runs CMD as root in a Debian forky root (python3.14, python3.15) in a private
# mount namespace: /proc, the host's /dev and /tmp, and this checkout at its own path. The PID and
# network namespaces are the host's, so pids and ports are the same on both sides.
# First use: unpacks the cached forky root (test/images/build.sh makes it) and builds a venv with
# coverage 7.18.0, uvicorn 0.30.6 and gunicorn for python3.14 at /opt/attach-venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${PYCOV_HARVEST_CACHE:-$HOME/.cache/pycov-harvest}"
dir="$cache/attach-forky"
tar_file="$(ls "$cache"/roots/forky-minbase-*.tar | head -1)"
run() {
  # shellcheck disable=SC2016 # the variables belong to the inner bash
  ${RUN_EXEC:+exec} unshare --mount --propagation private -- bash -c '
    set -e
    root=$1 here=$2; shift 2
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --bind /tmp "$root/tmp"
    mkdir -p "$root$here"
    mount --bind "$here" "$root$here"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"
  ' _ "$dir/root" "$here" "$@"
}
if [[ ! -f "$dir/root.ready" ]]; then
  mkdir -p "$dir/root"
  tar --numeric-owner -C "$dir/root" -xpf "$tar_file"
  touch "$dir/root.ready"
fi
if [[ ! -f "$dir/venv.ready" ]]; then
  mkdir -p "$dir/wheels"
  python3 -m pip download -q --disable-pip-version-check --dest "$dir/wheels" --only-binary=:all: \
    --python-version 3.14 --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    coverage==7.18.0 uvicorn==0.30.6 gunicorn
  mkdir -p "$dir/root/opt/wheels" && cp "$dir"/wheels/*.whl "$dir/root/opt/wheels/"
  run /usr/bin/python3.14 -m venv /opt/attach-venv
  run /opt/attach-venv/bin/python -m pip install -q --disable-pip-version-check --no-index \
    --find-links /opt/wheels coverage==7.18.0 uvicorn==0.30.6 gunicorn
  touch "$dir/venv.ready"
fi
RUN_EXEC=1 run "$@"
