"""Paths and atomic JSON files in the data directory (see docs/protocol.md)."""

from __future__ import annotations

import json
import os
import socket
import tempfile

REGISTRY = ".pycov-harvest"


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
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
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


def read_json(path: str) -> dict | None:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
