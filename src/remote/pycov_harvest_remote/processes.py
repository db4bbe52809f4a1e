"""The Python processes of the target, read from /proc: which is a server,
which runs under `coverage run` and how each would save its coverage."""

from __future__ import annotations

import os

from pycov_harvest import procfs

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional, Union

    Process = Dict[str, Any]

SERVERS = ("uvicorn", "gunicorn", "hypercorn")
# Environment variables with which coverage.py starts itself in a process
# (coverage.process_startup() from a .pth or sitecustomize).
COVERAGE_STARTUP_ENV = ("COVERAGE_PROCESS_START",)


def is_python(pid: int, argv: List[str]) -> bool:
    names = [os.path.basename(argv[0])] if argv else []
    exe = procfs.exe(pid)
    if exe:
        names.append(os.path.basename(exe))
    return any(n.startswith("python") or n.startswith("pypy") for n in names)


def option(argv: List[str], flag: str) -> Optional[str]:
    for i, item in enumerate(argv):
        if item == flag and i + 1 < len(argv):
            return argv[i + 1]
        if item.startswith(flag + "="):
            return item[len(flag) + 1:]
    return None


def server_of(argv: List[str]) -> Optional[str]:
    for item in argv[1:]:
        base = os.path.basename(item)
        if base in SERVERS:
            return base
    return None


def runs_coverage(argv: List[str]) -> bool:
    """`coverage run ...`, `python -m coverage run ...` or `.../bin/coverage run ...`."""
    head = [os.path.basename(a) for a in argv[1:3]]
    return "coverage" in head and "run" in argv


def graceful_timeout(argv: List[str], env: Dict[str, str], server: Optional[str]) -> Union[float, str, None]:
    """Seconds the server waits for connections on SIGTERM: a number, "default"
    (the server has a bound of its own) or None (it may wait forever)."""
    value: Optional[str]
    if server == "uvicorn":
        value = option(argv, "--timeout-graceful-shutdown") or env.get("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN")
    elif server in ("gunicorn", "hypercorn"):
        value = option(argv, "--graceful-timeout") or "default"
    else:
        return None
    if value is None or value == "default":
        return value
    try:
        return float(value)
    except ValueError:
        return None


def python_processes() -> List[Process]:
    """Every Python process but this program, with its parent links resolved."""
    me = os.getpid()
    found: List[Process] = []
    for pid in procfs.pids():
        if pid == me:
            continue
        argv = procfs.cmdline(pid)
        if not argv or not is_python(pid, argv):
            continue
        env = procfs.environ(pid)
        server = server_of(argv)
        coverage_run = runs_coverage(argv)
        found.append({
            "pid": pid,
            "ppid": procfs.ppid(pid),
            # For `attach`: the interpreter to run beside it, and the start time that tells a
            # reused pid apart.
            "executable": procfs.exe(pid),
            "starttime": procfs.start_ticks(pid),
            "argv": argv,
            "server": server,
            "coverage_run": coverage_run,
            "coverage_startup": any(name in env for name in COVERAGE_STARTUP_ENV),
            "agent_env": env.get("PYCOV_HARVEST") == "1",
            "save_signal": option(argv, "--save-signal") if coverage_run else None,
            "graceful_timeout": graceful_timeout(argv, env, server),
        })
    pids = set(p["pid"] for p in found)
    for proc in found:
        proc["top"] = proc["ppid"] not in pids
    return found


def measured_by_coverage(proc: Process) -> bool:
    """coverage.py runs in this process without the agent: it saves at exit."""
    return bool(proc["coverage_run"] or proc["coverage_startup"])


def descendants(procs: List[Process], pid: int) -> List[Process]:
    children: Dict[int, List[Process]] = {}
    for proc in procs:
        children.setdefault(proc["ppid"], []).append(proc)
    found: List[Process] = []
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child["pid"])
    return found
