#!/bin/bash
# Runs inside the Flask and Django images' root (chroot) at build time. Expects:
#   /tmp/build/wheels/  wheels for the venv (and the agent wheel, if any)
#   /tmp/build/requirements.txt  what to install
#   $1  the framework module whose version is printed (flask or django)
# Creates the venv /opt/venv, user 1001, /coverdata (0777) and /data (the sqlite database, 1001's).
set -euo pipefail
framework=$1

python3 -m venv /opt/venv
/opt/venv/bin/pip install --quiet --no-index --no-cache-dir --disable-pip-version-check \
  --find-links /tmp/build/wheels -r /tmp/build/requirements.txt

groupadd --gid 1001 app
useradd --uid 1001 --gid 1001 --home-dir /home/app --create-home --shell /bin/bash app
mkdir -p /coverdata /data
chown 1001:1001 /coverdata /data
chmod 0777 /coverdata

/opt/venv/bin/python - "$framework" <<'PY'
import importlib, platform, sys
from importlib.metadata import version
names = [sys.argv[1], "gunicorn", "coverage"]
for optional in ("django_coverage_plugin", "pycov_harvest"):
    try:
        importlib.import_module(optional)
        names.append(optional.replace("_", "-") if optional != "pycov_harvest" else "pycov-harvest")
    except ImportError:
        pass
print("venv: python %s, %s" % (platform.python_version(), ", ".join("%s %s" % (n, version(n)) for n in names)))
PY
rm -rf /tmp/build /root/.cache
