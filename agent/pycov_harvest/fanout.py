"""A flush of every agent process of this host: the HTTP listener and the CLI
both use it. Issues a request (seq and a random id), wakes each registered
process through its wake socket (or its save signal when the socket cannot be
reached) and waits for the acknowledgements.

`ok` is true only when every process it counted answered this very request
with a save that succeeded (docs/protocol.md, "Flush").
"""

from __future__ import annotations

import json
import math
import os
import signal
import time

from pycov_harvest import auth, files, registry, signames, wake
from pycov_harvest.messages import ACK, flush_request, switch_request

# Processes send their ack to the flusher's reply socket; the ack files are
# re-read at least this often too (e.g. for processes reached by the save signal).
RECHECK_SECONDS = 0.02
MAX_TIMEOUT = 3600.0  # the action's own bound for flush-timeout


def check_timeout(value: object) -> float:
    """A flush timeout in seconds: a finite number in (0, MAX_TIMEOUT]; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or not 0 < number <= MAX_TIMEOUT:
        raise ValueError(value)
    return number


def _signal_name(signum: int | None) -> str:
    return signal.Signals(signum).name if signum is not None else "the save signal"


def _trigger(proc: dict, message: bytes, save_signal: int | None) -> str | None:
    """Wake one process; returns a reason when it cannot be reached at all.

    The save signal goes only to a pid that is still the process that
    registered (registry.is_same_process), and only this flusher's own
    configured save signal, never one named in a file."""
    address = proc.get("wake")
    if address and wake.send(address, message):
        return None
    pid = proc["pid"]
    if save_signal is None:
        return "wake socket unreachable and the save signal is off"
    if signames.parse_or_none(proc.get("signal")) != save_signal:
        return f"wake socket unreachable and it does not handle {_signal_name(save_signal)}"
    if not registry.is_same_process(proc):
        return (f"wake socket unreachable, and pid {pid} is not the process that registered "
                "(start time, command line or environment differ): not signalled")
    try:
        os.kill(pid, save_signal)
        return None
    except OSError as e:
        return f"wake socket unreachable and the save signal failed ({e.strerror})"


def answers(ack: object, request: dict, pid: int, token: str | None) -> bool:
    """Is `ack` a save of process `pid` that covers `request`? Its answer to this
    very request, or (not for a reset) its answer to a newer request, whose save
    began after this one was issued (a process reached by the save signal reads
    the newest request)."""
    if not isinstance(ack, dict) or ack.get("pid") != pid or not auth.verified(token, ack):
        return False
    if ack.get("request") == request["id"]:
        return True
    if request["reset"] or request.get("context") is not None or not isinstance(ack.get("request"), str):
        return False  # a reset or a context switch is confirmed only by the answer to itself
    seq, began = ack.get("seq"), ack.get("began")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq <= request["seq"]:
        return False
    if not isinstance(began, (int, float)) or isinstance(began, bool):
        return False
    return request["time"] <= began <= time.time()


def _result(seq, ok, reset, began, acks, missing, error=None) -> dict:
    result = {
        "seq": seq,
        "ok": ok,
        "reset": bool(reset),
        "elapsed_ms": round((time.perf_counter() - began) * 1000, 3),
        "acks": sorted(acks, key=lambda a: a.get("pid", 0)),
        "missing": missing,
    }
    if error:
        result["error"] = error
    return result


def flush(data_dir: str, reset: bool = False, timeout: float = 5.0, trigger: str = "cli",
          token: str | None = None, save_signal: int | None = None, context: str | None = None) -> dict:
    """With `context`, a context switch (contexts.py): the same fan-out, another message."""
    began = time.perf_counter()
    timeout = check_timeout(timeout)
    host = files.host_name()
    directory = files.registry_dir(data_dir)
    if not os.path.isdir(directory):
        try:
            os.makedirs(directory, exist_ok=True)
            again = "the agent processes register again within a few seconds; flush again then"
        except OSError as e:
            again = f"it cannot be re-created ({e.strerror or e}): make {data_dir} a writable directory"
        return _result(None, False, reset, began, [], [],
                       f"the registry {directory} was missing (removed?), so no process could be counted; {again}")
    procs = registry.live_processes(data_dir, host, token)
    if not procs:
        return _result(None, False, reset, began, [], [], f"no agent process is registered in {directory}")
    request_error = None
    try:
        request = registry.next_request(data_dir, reset, token, context)
    except OSError as e:
        # The wake sockets carry the request; only the save-signal fallback needs the file.
        request = {"seq": 0, "id": os.urandom(8).hex(), "reset": bool(reset), "time": time.time()}
        if context is not None:
            request["context"] = context
        request_error = f"cannot write the request file in {directory} ({e.strerror or e})"
    replies = wake.WakeChannel("pycov-harvest-reply")
    try:
        return _flush(data_dir, host, procs, request, timeout, trigger, token, save_signal, replies, began,
                      request_error)
    finally:
        replies.close()


def _flush(data_dir, host, procs, request, timeout, trigger, token, save_signal, replies, began,
           request_error) -> dict:
    seq, reset = request["seq"], request["reset"]
    if request.get("context") is not None:
        message = switch_request(seq, trigger, replies.address, request["id"], request["context"], token)
    else:
        message = flush_request(seq, reset, trigger, replies.address, request["id"], token)

    pending: dict[int, dict] = {}
    missing = []
    for proc in procs:
        reason = _trigger(proc, message, save_signal)
        if reason is None:
            pending[proc["pid"]] = proc
        elif registry.process_alive(proc):
            missing.append({"pid": proc["pid"], "host": host, "reason": reason})

    acks: dict[int, dict] = {}
    deadline = time.monotonic() + timeout
    while pending:
        for pid in list(pending):
            ack = files.read_json(files.ack_path(data_dir, host, pid))
            if answers(ack, request, pid, token):
                acks[pid] = ack  # type: ignore[assignment]
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
        for raw in replies.wait(min(remaining, RECHECK_SECONDS)):
            if not raw.startswith(ACK):
                continue
            try:
                ack = json.loads(raw[len(ACK):].decode("utf-8"))
            except ValueError:
                continue
            sender = ack.get("pid") if isinstance(ack, dict) else None
            if isinstance(sender, int) and sender in pending and answers(ack, request, sender, token):
                acks[sender] = ack
                del pending[sender]
    missing += [
        {"pid": pid, "host": host, "reason": f"no acknowledgement within {timeout:g} s"} for pid in pending
    ]
    errors = [f"pid {a['pid']}: {a['error']}" for a in acks.values() if a.get("error") is not None]
    ok = bool(acks) and not missing and not errors
    error = "; ".join(errors) or None
    if request_error and not ok:
        error = f"{error}; {request_error}" if error else request_error
    return _result(seq, ok, reset, began, list(acks.values()), missing, error)


def status(data_dir: str, token: str | None = None) -> dict:
    from pycov_harvest import __version__

    host = files.host_name()
    return {
        "agent": __version__,
        "host": host,
        "data_dir": data_dir,
        "processes": registry.live_processes(data_dir, host, token),
    }
