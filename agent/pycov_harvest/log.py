"""The agent's stderr lines: one line each, prefixed, never raising.

`once(key, message)` prints a message only the first time `key` is seen, so a
bad file that every flush meets is reported once, not once per flush.
"""

from __future__ import annotations

import sys
import threading

PREFIX = "pycov-harvest: "
_MAX_KEYS = 1024
_seen: set = set()
_seen_lock = threading.Lock()


def warn(message: str) -> None:
    try:
        line = PREFIX + " ".join(str(message).split())
        print(line, file=sys.stderr, flush=True)
    except Exception:
        pass


def once(key: object, message: str) -> None:
    # Bounded wait: a lock inherited held across fork never blocks the caller.
    if not _seen_lock.acquire(timeout=1.0):
        return
    try:
        if key in _seen:
            return
        if len(_seen) >= _MAX_KEYS:
            _seen.clear()
        _seen.add(key)
    finally:
        _seen_lock.release()
    warn(message)


def reset_in_forked_child() -> None:
    global _seen_lock
    _seen_lock = threading.Lock()
