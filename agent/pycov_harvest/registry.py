"""The per-process registration files and the flush requests.

Everything read here was written into a directory that other processes may
write too: each file is checked for its shape (a malformed one is skipped with
one stderr line) and, with a token set, for its MAC (auth.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import threading
import time

from pycov_harvest import auth, files, log, procfs, wake

# How long a flush waits for the registry lock before it goes on without it.
LOCK_TIMEOUT = 5.0
LOCK_POLL = 0.01

# field -> accepted JSON types (bool is never an int here)
_FIELDS: dict = {
    "pid": (int,),
    "host": (str,),
    "wake": (str, type(None)),
    "port": (int, type(None)),
    "signal": (str, type(None)),
    "start_ticks": (int, type(None)),
    "cmdline": (list, type(None)),
}
_REQUIRED = ("pid", "host")


def registration_problem(proc: object) -> str | None:
    """Why a parsed registration file is unusable, or None."""
    if not isinstance(proc, dict):
        return "not a JSON object"
    for key in _REQUIRED:
        if key not in proc:
            return f"no {key!r}"
    for key, types in _FIELDS.items():
        if key in proc:
            value = proc[key]
            if isinstance(value, bool) or not isinstance(value, types):
                return f"{key!r} is not {'/'.join(t.__name__ for t in types if t is not type(None))}"
    if proc["pid"] <= 0:
        return "'pid' is not a process id"
    if proc.get("wake") is not None and not wake.valid_address(proc["wake"]):
        return "'wake' is not an agent wake address"
    cmdline = proc.get("cmdline")
    if cmdline is not None and not all(isinstance(part, str) for part in cmdline):
        return "'cmdline' is not a list of strings"
    return None


def process_alive(proc: dict) -> bool:
    address = proc.get("wake")
    if address:
        return wake.reachable(address)
    return procfs.alive(int(proc["pid"]))


def is_same_process(proc: dict) -> bool:
    """The live process with this pid is the one that registered: same start
    time and command line (when recorded), and the agent in its environment
    (when readable)."""
    pid = proc["pid"]
    if not procfs.alive(pid):
        return False
    if proc.get("start_ticks") is None or procfs.start_ticks(pid) != proc["start_ticks"]:
        return False
    if proc.get("cmdline") is None or procfs.cmdline(pid) != proc["cmdline"]:
        return False
    env = procfs.environ(pid)
    return not env or env.get("PYCOV_HARVEST") == "1"


def live_processes(data_dir: str, host: str, token: str | None = None) -> list[dict]:
    """Registrations of live processes of this host; stale ones are removed,
    malformed (or, with a token, unsigned) ones are skipped with one stderr line."""
    found = []
    directory = files.registry_dir(data_dir)
    pattern = os.path.join(glob.escape(directory), f"proc-{glob.escape(host)}-*.json")
    for path in sorted(glob.glob(pattern)):
        proc = files.read_json(path)
        problem = "unreadable or not JSON" if proc is None else registration_problem(proc)
        if problem is None and not auth.verified(token, proc):
            problem = "not signed with PYCOV_HARVEST_TOKEN"
        if problem is not None:
            log.once(("registration", path, problem), f"skipped the registration {path}: {problem}")
            continue
        assert isinstance(proc, dict)
        if proc["host"] != host:
            continue
        if process_alive(proc):
            found.append(proc)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass
    files.remove_stale_temporaries(directory)
    return found


# --- the registry lock: bounded, and never inherited held by a forked child ----

_held_fds: set = set()
_held_guard = threading.Lock()


def _close_inherited_locks() -> None:
    """In a forked child: drop the copies of lock descriptors that a parent's
    thread held at fork time (a flock lasts while any copy is open)."""
    global _held_guard
    _held_guard = threading.Lock()
    for fd in list(_held_fds):
        try:
            os.close(fd)
        except OSError:
            pass
    _held_fds.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


@contextlib.contextmanager
def locked(data_dir: str, timeout: float = LOCK_TIMEOUT):
    """Hold the registry's flock, waiting at most `timeout` s; yields whether it
    was got (after the timeout the caller goes on without it)."""
    # Read-only is enough for flock, so a lock file created by another user works too.
    fd = os.open(files.lock_path(data_dir), os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    with _held_guard:
        _held_fds.add(fd)
    try:
        deadline = time.monotonic() + timeout
        got = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                got = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(LOCK_POLL)
        yield got
    finally:
        with _held_guard:
            _held_fds.discard(fd)
        os.close(fd)  # releases the flock


def _request_seq(request: object) -> int:
    if isinstance(request, dict):
        seq = request.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
            return seq
        log.once(("request", repr(seq)), f"the request file had a malformed 'seq' ({seq!r}): numbering starts again")
    return 0


def next_request(data_dir: str, reset: bool, token: str | None = None, context: str | None = None) -> dict:
    """Issue a new flush request (with `context`, a context switch): a fresh random id,
    and seq one higher than the last (under the registry lock). Raises OSError when the
    registry is unusable."""
    with locked(data_dir):
        last = files.read_json(files.request_path(data_dir))
        request = {
            "seq": _request_seq(last) + 1,
            "id": os.urandom(8).hex(),
            "reset": bool(reset),
            "time": time.time(),
        }
        if context is not None:
            request["context"] = context
        files.write_json(files.request_path(data_dir), auth.sign(token, request))
        return request


def read_request(data_dir: str, token: str | None) -> dict | None:
    """The newest request, when well-formed (and signed, with a token)."""
    request = files.read_json(files.request_path(data_dir))
    if request is None:
        return None
    ok = (
        isinstance(request, dict)
        and isinstance(request.get("id"), str)
        and isinstance(request.get("time"), (int, float))
        and isinstance(request.get("reset"), bool)
        and isinstance(request.get("context", ""), str)
        and _request_seq(request) > 0
    )
    if not ok:
        log.once(("request-shape", repr(request)[:200]), "skipped a malformed request file")
        return None
    assert isinstance(request, dict)
    if not auth.verified(token, request):
        log.once(("request-mac", request.get("id")), "skipped a request file not signed with PYCOV_HARVEST_TOKEN")
        return None
    return request
