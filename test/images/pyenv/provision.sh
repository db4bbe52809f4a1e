#!/bin/bash
# Runs inside a bookworm root (chroot) at build time, after build.sh has copied a pyenv-built
# CPython (shared build) into /usr/local, the layout of the python:3.X-slim images: makes the
# loader find libpython (pyenv's RUNPATH points at its own prefix on the host), checks that every
# extension module finds its shared libraries in this root, and installs the Python's bundled pip.
# Expects the Python's name as $1 (python3.12).
set -euo pipefail
python=$1

ldconfig
# Bytecode for the standard library (the copy has none: the host's could be stale; a few
# lib2to3 test inputs are not Python on purpose, hence the `|| true`).
"$python" -m compileall -q -j 2 "/usr/local/lib/${python}" >/dev/null || true
ln -sf "$python" /usr/local/bin/python3
ln -sf "$python" /usr/local/bin/python
missing=$(for so in "/usr/local/bin/$python" /usr/local/lib/python3.*/lib-dynload/*.so; do
  ldd "$so" | sed -n "s|^\s*\(\S*\) => not found|${so##*/}: \1|p"
done)
[ -z "$missing" ] || { echo "shared libraries missing in the root:" >&2; echo "$missing" >&2; exit 1; }
PIP_ROOT_USER_ACTION=ignore "$python" -m ensurepip --default-pip >/dev/null
rm -rf /root/.cache
echo "$("$python" -VV | head -n1) in /usr/local ($(find /usr/local/lib/python3.*/lib-dynload -name "*.so" | wc -l) extension modules, all linked), $("$python" -m pip --version | cut -d' ' -f1-2)"
