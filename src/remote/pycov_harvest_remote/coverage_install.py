"""The conversion image's coverage.py: its version, read without importing it; and program
`install`, which installs the version the services measured with into a directory of its own. The
action runs it in a container of its own, the only one with network, with nothing of the workspace
or the harvested data mounted; the conversion then mounts that directory read-only."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any, Dict, Optional

from pycov_harvest_remote import output

# A release version as PyPI spells it (the version a target reports is checked before pip sees it).
VERSION = re.compile(r"^\d{1,4}\.\d{1,4}(\.\d{1,4})?((a|b|rc)\d{1,4})?(\.post\d{1,4})?(\.dev\d{1,4})?$")


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
    # Before 3.11 coverage.py reads a project's pyproject.toml only with tomli (its `toml` extra).
    name = "coverage[toml]" if sys.version_info < (3, 11) else "coverage"
    spec = name + "==" + want if want else name
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "--no-cache-dir", "--retries", "2", "--timeout", "20", "--target", target, spec],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return {"spec": spec, "exit": pip.returncode, "output": pip.stdout.decode("utf-8", "replace")[-2000:]}


def main(args: Dict[str, Any]) -> int:
    want = args.get("version") or None
    target = output.require(args, "target", str)
    if want is not None and not VERSION.match(str(want)):
        raise output.BadArguments("version %r is not a release version" % (want,))
    output.emit("result", **install(want, target))
    return output.EXIT_OK
