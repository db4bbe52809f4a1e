#!/bin/bash
# Runs inside the conversion image's root (chroot) at build time: installs the
# pinned coverage into the system Python (/usr/local/lib/python3.X/dist-packages)
# so that `python3 -m coverage` works for any user and any PATH.
# Expects /tmp/build/wheels/, the coverage version as $1 and optionally the Python as $2
# (default python3; another one, e.g. python3.14, becomes /usr/local/bin/python3). A Python
# copied into /usr/local (pyenv/provision.sh) already is /usr/local/bin/python3 and has its pip.
set -euo pipefail
version=$1
python=${2:-python3}
if [ "$python" != python3 ] && [ ! -e /usr/local/bin/python3 ]; then
  ln -s "/usr/bin/$python" /usr/local/bin/python3
fi

if python3 -m pip --version >/dev/null 2>&1; then
  pip=(python3 -m pip)
else
  pip_wheel=$(ls /usr/share/python-wheels/pip-*.whl)
  pip=(python3 "$pip_wheel/pip")
fi
"${pip[@]}" install --quiet --no-index --no-cache-dir --disable-pip-version-check \
  --break-system-packages --root-user-action=ignore --find-links /tmp/build/wheels "coverage==$version"

installed=$(python3 -m coverage --version | sed -n 's/^Coverage.py, version \([^ ]*\).*/\1/p')
[ "$installed" = "$version" ] || { echo "coverage $version wanted, python3 -m coverage reports '$installed'" >&2; exit 1; }
echo "system python3 ($(python3 -c 'import platform; print(platform.python_version())')): coverage $installed"
mkdir -p /work
chmod 0777 /work
rm -rf /tmp/build /root/.cache
