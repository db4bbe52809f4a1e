#!/bin/bash
# Runs inside the service image's root (chroot) at build time. Expects:
#   /tmp/build/wheels/  wheels for the venv (and the agent wheel, if any)
#   /tmp/build/requirements.txt  what to install
# Creates the venv /opt/venv (with $1, default python3), user 1001 and /coverdata.
set -euo pipefail
python=${1:-python3}

"$python" -m venv /opt/venv
/opt/venv/bin/pip install --quiet --no-index --no-cache-dir --disable-pip-version-check \
  --find-links /tmp/build/wheels -r /tmp/build/requirements.txt

groupadd --gid 1001 app
useradd --uid 1001 --gid 1001 --home-dir /home/app --create-home --shell /bin/bash app

# Writable by 1001 (its owner) and, like a hostPath mount, by anyone.
mkdir -p /coverdata
chown 1001:1001 /coverdata
chmod 0777 /coverdata

/opt/venv/bin/python - <<'PY'
import coverage, fastapi, platform, uvicorn
print(f"venv: python {platform.python_version()}, fastapi {fastapi.__version__}, uvicorn {uvicorn.__version__}, coverage {coverage.__version__}")
try:
    import pycov_harvest
    print("venv: pycov_harvest", getattr(pycov_harvest, "__version__", "(no __version__)"))
except ImportError:
    print("venv: pycov_harvest not installed")
PY
rm -rf /tmp/build /root/.cache
