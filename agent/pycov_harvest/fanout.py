"""A flush of every agent process of this host: the HTTP listener and the CLI
both use it. Issues a request (seq), wakes each registered process through its
wake socket (or its save signal when the socket cannot be reached) and waits
for the acknowledgements."""

from __future__ import annotations

import os
import time

from pycov_harvest import files, registry, signames, wake
from pycov_harvest.flusher import request_message

# Processes nudge the flusher's reply socket after writing their ack; the ack
# files stay the answer (and are re-read at least this often, e.g. for
# processes reached through the save signal).
RECHECK_SECONDS = 0.02


def _trigger(proc: dict, message: bytes) -> str | None:
    """Wake one process; returns a reason when it cannot be reached at all."""
    address = proc.get("wake")
    if address and wake.send(address, message):
        return None
    signum = signames.parse_or_none(proc.get("signal"))
    if signum is None:
        return "wake socket unreachable and no save signal"
    try:
        os.kill(int(proc["pid"]), signum)
        return None
    except OSError as e:
        return f"wake socket unreachable and the save signal failed ({e.strerror})"


def flush(data_dir: str, reset: bool = False, timeout: float = 5.0, trigger: str = "cli") -> dict:
    began = time.perf_counter()
    host = files.host_name()
    procs = registry.live_processes(data_dir, host)
    request = registry.next_request(data_dir, reset)
    seq = request["seq"]
    replies = wake.WakeChannel()
    try:
        message = request_message(seq, reset, trigger, replies.address)
        result = fan_out(data_dir, host, procs, seq, message, timeout, replies, began)
    finally:
        replies.close()
    return {"seq": seq, "ok": result["ok"], "reset": bool(reset), **result}


def fan_out(data_dir, host, procs, seq, message, timeout, replies, began) -> dict:
    """Send `message` (a flush or a context switch) to every process and wait for the acks of `seq`."""
    pending: dict[int, dict] = {}
    missing = []
    for proc in procs:
        reason = _trigger(proc, message)
        if reason is None:
            pending[int(proc["pid"])] = proc
        elif registry.process_alive(proc):
            missing.append({"pid": int(proc["pid"]), "host": host, "reason": reason})

    acks = []
    deadline = time.monotonic() + timeout
    while pending:
        for pid in list(pending):
            ack = files.read_json(files.ack_path(data_dir, host, pid))
            if ack and int(ack.get("seq") or 0) >= seq:
                acks.append(ack)
                del pending[pid]
            elif not registry.process_alive(pending[pid]):
                del pending[pid]  # gone: its registration is stale, not missing
                try:
                    os.unlink(files.proc_path(data_dir, host, pid))
                except OSError:
                    pass
        remaining = deadline - time.monotonic()
        if not pending or remaining <= 0:
            break
        replies.wait(min(remaining, RECHECK_SECONDS))
    missing += [
        {"pid": pid, "host": host, "reason": f"no acknowledgement within {timeout:g} s"} for pid in pending
    ]
    ok = bool(acks) and not missing and all(a.get("error") is None for a in acks)
    return {
        "seq": seq,
        "ok": ok,
        "elapsed_ms": round((time.perf_counter() - began) * 1000, 3),
        "acks": sorted(acks, key=lambda a: a.get("pid", 0)),
        "missing": missing,
    }


def status(data_dir: str) -> dict:
    from pycov_harvest import __version__

    host = files.host_name()
    return {
        "agent": __version__,
        "host": host,
        "data_dir": data_dir,
        "processes": registry.live_processes(data_dir, host),
    }
