"""The conversion image's coverage.py: its version, read without importing it, and a pip
install of the version the services measured with, when the image has another."""

from __future__ import annotations

import subprocess
import sys
from typing import Any, Dict, Optional


def coverage_version() -> Optional[str]:
    """The installed coverage.py version, read without importing it (the import comes once the
    right version is on the path)."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # Python < 3.8 has no importlib.metadata
        return None
    try:
        return version("coverage")
    except PackageNotFoundError:
        return None


def install(want: Optional[str], target: str) -> Dict[str, Any]:
    spec = "coverage==" + want if want else "coverage"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "--no-cache-dir", "--retries", "2", "--timeout", "20", "--target", target, spec],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return {"spec": spec, "exit": pip.returncode, "output": pip.stdout.decode("utf-8", "replace")[-2000:]}
