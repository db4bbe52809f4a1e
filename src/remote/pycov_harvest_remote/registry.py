"""The agent's registrations and acknowledgements, read as untrusted input:
a file in the data directory never decides alone which process is signalled
or with what (docs/protocol.md)."""

from __future__ import annotations

import json
import os
import socket

from pycov_harvest import auth, procfs

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional, Tuple

    Registration = Dict[str, Any]

REGISTRY = ".pycov-harvest"

# field -> the JSON types it may have
_FIELDS: Dict[str, Tuple[type, ...]] = {
    "pid": (int,),
    "host": (str,),
    "port": (int, type(None)),
    "signal": (str, type(None)),
    "sigterm": (bool,),
    "python": (str,),
    "coverage": (str,),
    "executable": (str,),
    "data_file": (str,),
}


def read_json(path: str) -> Any:
    try:
        with open(path, "rb") as f:
            return json.loads(f.read(1 << 20).decode("utf-8"))
    except (OSError, ValueError):
        return None


def _problem(reg: Any) -> Optional[str]:
    if not isinstance(reg, dict):
        return "not a JSON object"
    for key, types in _FIELDS.items():
        if key not in reg and key not in ("sigterm", "executable", "data_file"):
            return "no %r" % key
        if key in reg and (not isinstance(reg[key], types) or isinstance(reg[key], bool) and bool not in types):
            return "%r is not %s" % (key, "/".join(t.__name__ for t in types))
    if reg["pid"] <= 0:
        return "'pid' is not a process id"
    start = reg.get("start_ticks")
    if start is not None and (not isinstance(start, int) or isinstance(start, bool)):
        return "'start_ticks' is not int"
    cmdline = reg.get("cmdline")
    if cmdline is not None and not (isinstance(cmdline, list) and all(isinstance(a, str) for a in cmdline)):
        return "'cmdline' is not a list of strings"
    return None


def is_live_agent_process(reg: Registration) -> bool:
    """The registration names a live process of this host that is still the one
    that registered (same start time and command line when the agent recorded them)."""
    if reg["host"] != socket.gethostname() or not procfs.alive(reg["pid"]):
        return False
    start = reg.get("start_ticks")
    if start is not None and procfs.start_ticks(reg["pid"]) != start:
        return False
    cmdline = reg.get("cmdline")
    return cmdline is None or procfs.cmdline(reg["pid"]) == cmdline


def registrations(data_dir: str) -> Tuple[List[Registration], List[Dict[str, str]]]:
    """(live agent processes of this host, malformed files with the reason)."""
    reg_dir = os.path.join(data_dir, REGISTRY)
    found: List[Registration] = []
    malformed: List[Dict[str, str]] = []
    try:
        names = sorted(os.listdir(reg_dir))
    except OSError:
        return found, malformed
    me = os.getpid()
    for name in names:
        if not (name.startswith("proc-") and name.endswith(".json")):
            continue
        reg = read_json(os.path.join(reg_dir, name))
        problem = "unreadable or not JSON" if reg is None else _problem(reg)
        if problem is not None:
            malformed.append({"name": name, "reason": problem})
            continue
        if reg["pid"] != me and is_live_agent_process(reg):
            found.append(reg)
    return found, malformed


def ack_since(data_dir: str, reg: Registration, t0: float, token: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The process's acknowledgement of a save that finished at or after t0 (signed
    with the service's token, when it has one)."""
    ack = read_json(os.path.join(data_dir, REGISTRY, "ack-%s-%d.json" % (reg["host"], reg["pid"])))
    if not isinstance(ack, dict) or ack.get("pid") != reg["pid"] or not auth.verified(token, ack):
        return None
    when = ack.get("time")
    if not isinstance(when, (int, float)) or isinstance(when, bool) or when < t0:
        return None
    return ack
