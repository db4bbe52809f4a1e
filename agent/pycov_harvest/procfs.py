"""Processes as /proc shows them: liveness, parent, start time, command line,
environment.

Shared by the agent and the programs the action runs inside targets (they are
bundled from this very file), so it is standard library only and runs on
Python 3.8+.
"""

from __future__ import annotations

import errno
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, List, Optional


def _stat_fields(pid: int) -> Optional[List[str]]:
    """The fields of /proc/<pid>/stat after the command name (state first)."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    # The command name is in parentheses and may itself contain ") ".
    return raw.rsplit(b")", 1)[-1].decode("ascii", "replace").split()


def alive(pid: int) -> bool:
    """The process exists and is not a zombie. A process of another user counts
    as alive; so does one whose /proc entry exists but cannot be read."""
    try:
        os.kill(pid, 0)
    except OSError as e:
        if e.errno != errno.EPERM:
            return False
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rsplit(b")", 1)[-1].split()
    except FileNotFoundError:
        return False  # exited between the two checks
    except OSError:
        return True  # e.g. /proc mounted with hidepid: it does exist
    return not fields or fields[0] != b"Z"


def ppid(pid: int) -> int:
    fields = _stat_fields(pid)
    try:
        return int(fields[1]) if fields else 0
    except (IndexError, ValueError):
        return 0


def start_ticks(pid: int) -> Optional[int]:
    """When the process started, in clock ticks since boot (stat field 22): with
    the pid, it names one process for good, even after the pid is reused."""
    fields = _stat_fields(pid)
    try:
        return int(fields[19]) if fields else None
    except (IndexError, ValueError):
        return None


def cmdline(pid: int) -> List[str]:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0")[:-1]]


def environ(pid: int) -> Dict[str, str]:
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return {}
    env = {}
    for part in raw.split(b"\0"):
        key, sep, value = part.partition(b"=")
        if sep:
            env[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return env


def exe(pid: int) -> Optional[str]:
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None


def pids() -> List[int]:
    try:
        return sorted(int(entry) for entry in os.listdir("/proc") if entry.isdigit())
    except OSError:
        return []
