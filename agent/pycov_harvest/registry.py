"""The per-process registration files and the request sequence number."""

from __future__ import annotations

import fcntl
import glob
import os
import time

from pycov_harvest import files, procfs, wake


def process_alive(proc: dict) -> bool:
    address = proc.get("wake")
    if address:
        return wake.reachable(address)
    return procfs.alive(int(proc["pid"]))


def live_processes(data_dir: str, host: str) -> list[dict]:
    """Registrations of live processes of this host; stale ones are removed."""
    found = []
    pattern = os.path.join(files.registry_dir(data_dir), f"proc-{glob.escape(host)}-*.json")
    for path in sorted(glob.glob(pattern)):
        proc = files.read_json(path)
        if not proc or proc.get("host") != host:
            continue
        if process_alive(proc):
            found.append(proc)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass
    return found


def next_request(data_dir: str, reset: bool, context: str | None = None) -> dict:
    """Issue a new flush request (or, with `context`, a context switch): seq grows by one
    under an exclusive flock."""
    os.makedirs(files.registry_dir(data_dir), exist_ok=True)
    # Read-only is enough for flock, so a lock file created by another user works too.
    lock = os.open(files.lock_path(data_dir), os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        last = files.read_json(files.request_path(data_dir)) or {}
        request = {"seq": int(last.get("seq", 0)) + 1, "reset": bool(reset), "time": time.time()}
        if context is not None:
            request["context"] = context
        files.write_json(files.request_path(data_dir), request)
        return request
    finally:
        os.close(lock)  # releases the flock
