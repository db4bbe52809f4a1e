"""Paths and atomic JSON files in the data directory (see docs/protocol.md)."""

from __future__ import annotations

import json
import os
import socket
import tempfile
import time

REGISTRY = ".pycov-harvest"
TMP_PREFIX = ".tmp-"
# A temporary file older than this was left by a process killed mid-write.
TMP_MAX_AGE = 60.0
# Files in the registry are small; a bigger one was not written by the agent.
MAX_JSON_BYTES = 1 << 16


def host_name() -> str:
    return socket.gethostname()


def registry_dir(data_dir: str) -> str:
    return os.path.join(data_dir, REGISTRY)


def proc_path(data_dir: str, host: str, pid: int) -> str:
    return os.path.join(registry_dir(data_dir), f"proc-{host}-{pid}.json")


def ack_path(data_dir: str, host: str, pid: int) -> str:
    return os.path.join(registry_dir(data_dir), f"ack-{host}-{pid}.json")


def request_path(data_dir: str) -> str:
    return os.path.join(registry_dir(data_dir), "request.json")


def lock_path(data_dir: str) -> str:
    return os.path.join(registry_dir(data_dir), "lock")


def write_json(path: str, payload: dict) -> None:
    """Write `payload` so that a reader never sees half a file."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=".json", dir=directory)
    try:
        os.fchmod(fd, 0o644)  # readable by a flusher running as another user
        with os.fdopen(fd, "w") as f:
            json.dump(payload, f)
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_json(path: str) -> object:
    """The parsed JSON of a regular file, or None. Never follows a symlink, never
    blocks on a FIFO, never reads more than MAX_JSON_BYTES. May be any JSON
    value: callers check the shape."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        import stat

        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        raw = os.read(fd, MAX_JSON_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(raw) > MAX_JSON_BYTES:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError
        return None


def remove_stale_temporaries(directory: str, max_age: float = TMP_MAX_AGE) -> int:
    """Remove `.tmp-*.json` files that a killed writer left behind; returns how many."""
    removed = 0
    now = time.time()
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    for name in names:
        if not (name.startswith(TMP_PREFIX) and name.endswith(".json")):
            continue
        path = os.path.join(directory, name)
        try:
            if now - os.lstat(path).st_mtime > max_age:
                os.unlink(path)
                removed += 1
        except OSError:
            pass
    return removed
