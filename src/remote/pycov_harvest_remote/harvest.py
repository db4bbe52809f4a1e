"""Program `harvest`: what the flush chain needs to know about the target, the
in-target methods of the chain (`http`, `signal`) in the order given until one
is confirmed, then the data files as a tar stream with a manifest. One exec
does what used to take three (docs/protocol.md, "Programs")."""

from __future__ import annotations

import json
import os
import re
import sys
import time

from pycov_harvest import datafiles, signames, tarstream

from pycov_harvest_remote import diagnosis, local_http, output, signal_save
from pycov_harvest_remote.processes import measured_by_coverage, python_processes
from pycov_harvest_remote.registry import registrations

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional

    from pycov_harvest_remote.processes import Process
    from pycov_harvest_remote.registry import Registration

METHODS = ("http", "signal")
PACK = ("always", "if-confirmed", "never")

VERSION_SNIPPET = (
    "import json, sys\n"
    "try:\n    import coverage; v = coverage.__version__\nexcept Exception:\n    v = None\n"
    "print(json.dumps({'python': '%d.%d.%d' % sys.version_info[:3], 'coverage': v}))\n"
)


def interpreter_versions(proc: Process) -> Dict[str, Any]:
    """Python and coverage versions of a server's own interpreter (it inherits
    PYCOV_HARVEST=0 from this program, so the agent stays out of it)."""
    candidate = proc["argv"][0]
    if not candidate.startswith("/"):
        from pycov_harvest import procfs

        path = procfs.environ(proc["pid"]).get("PATH", os.environ.get("PATH", ""))
        for folder in path.split(":"):
            if folder and os.access(os.path.join(folder, candidate), os.X_OK):
                candidate = os.path.join(folder, candidate)
                break
    import subprocess  # only here: its import is a good part of a bare harvest's start

    try:
        out = subprocess.run([candidate, "-c", VERSION_SNIPPET], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=20, check=True).stdout
        found = json.loads(out.decode())
        return {"python": found.get("python"), "coverage": found.get("coverage")}
    except Exception as e:
        return {"python": None, "coverage": None, "error": "%s: %s" % (type(e).__name__, e)}


# A version as a registration should hold it; the runner checks again (src/harvest/versions.ts).
VERSION = re.compile(r"^\d{1,4}(\.\d{1,4}){1,2}([a-z]{1,4}\d{0,4})?(\.(post|dev)\d{1,4})*\+?$")


def versions_of(agents: List[Registration], processes: List[Process]) -> Optional[Dict[str, Any]]:
    """The versions of the first agent whose registration holds versions, else
    of the server's own interpreter. A registration is a file in the target's
    data directory, so a version in it may be anything."""
    for agent in agents:
        if VERSION.match(agent["python"]) and VERSION.match(agent["coverage"]):
            return {"python": agent["python"], "coverage": agent["coverage"]}
    tops = [p for p in processes if p["top"] and (measured_by_coverage(p) or p["server"])]
    return interpreter_versions(tops[0]) if tops else None


def probe(data_dir: str, max_file_bytes: Optional[int] = None, max_files: Optional[int] = None) -> Dict[str, Any]:
    processes = python_processes()
    agents, malformed = registrations(data_dir)
    accepted, skipped = datafiles.scan(data_dir, max_file_bytes, max_files)
    return {
        "time": time.time(),
        "python": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "data_dir_exists": os.path.isdir(data_dir),
        "agents": agents,
        "malformed": malformed,
        "processes": processes,
        "data_files": accepted,
        "skipped_files": skipped,
        "versions": versions_of(agents, processes),
    }


def attempt(method: str, report: Dict[str, Any], data_dir: str, timeout: float, signal_name: str,
            reset: bool = False) -> bool:
    began = time.time()
    agents, processes = report["agents"], report["processes"]
    facts: Dict[str, Any] = {}
    if method == "http":
        if agents:
            confirmed, detail = local_http.flush(agents, timeout, reset)
        else:
            confirmed, detail = False, diagnosis.no_agent(data_dir, processes)
    else:
        confirmed, detail, facts = signal_save.save(data_dir, agents, processes, signal_name, timeout)
    output.emit("attempt", method=method, confirmed=confirmed, detail=detail,
                ms=int(round((time.time() - began) * 1000)), **facts)
    return confirmed


def main(args: Dict[str, Any]) -> int:
    data_dir = output.require(args, "data_dir", str)
    methods = output.require(args, "methods", list)
    timeout = float(output.require(args, "timeout", (int, float)))
    signal_name = output.require(args, "signal", str)
    pack = output.require(args, "pack", str)
    reset = output.require(args, "reset", bool) if "reset" in args else False
    max_file_bytes = output.require(args, "max_file_bytes", int) if "max_file_bytes" in args else None
    max_files = output.require(args, "max_files", int) if "max_files" in args else None
    if any(m not in METHODS for m in methods) or pack not in PACK:
        raise output.BadArguments("methods must be among %s and pack one of %s" % (METHODS, PACK))
    try:
        signames.parse(signal_name)
    except ValueError:
        raise output.BadArguments("unknown signal %r" % signal_name) from None
    report = probe(data_dir, max_file_bytes, max_files)
    output.emit("probe", **report)
    confirmed = False
    for method in methods:
        if attempt(method, report, data_dir, timeout, signal_name, reset):
            confirmed = True
            break
    if pack == "always" or pack == "if-confirmed" and confirmed:
        out = output.start_tar()
        tarstream.write(data_dir, out, max_file_bytes, max_files)
        out.flush()
    return output.EXIT_OK
