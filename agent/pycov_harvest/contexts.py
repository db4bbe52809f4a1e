"""Contexts: which end-to-end test ran which line.

A switch (`POST /pycov-harvest/context`, `python -m pycov_harvest context NAME`)
reaches every agent process of this host exactly like a flush (one request
sequence number, the wake sockets, the save signal as the fallback, the acks).
Each process then saves what it measured since the previous switch under the
previous context and measures on under the new one: the context is assigned
when the data is written (coverage.py's `CoverageData.set_context` before the
lines or arcs are added), so it lands in coverage.py's own per-line contexts on
every core, `sys.monitoring` included, and `coverage html --show-contexts`,
`coverage json --show-contexts` and `CoverageData.contexts_by_lineno` read it.

A context is a time window per process: requests that run at the same time in
one process share the window they run in.
"""

from __future__ import annotations

import json
import os
import time

from pycov_harvest import auth, fanout, files, log, wake
from pycov_harvest.messages import ACK, SWITCH, check_context_name, parse_switch_request

CURRENT_FILE = "context.json"


def current_path(data_dir: str) -> str:
    return os.path.join(files.registry_dir(data_dir), CURRENT_FILE)


def current(data_dir: str, token: str | None = None) -> str:
    """The context of the newest switch of this data dir ('' for none): a process that
    starts after a switch (a new worker, a restarted container) measures under it."""
    saved = files.read_json(current_path(data_dir))
    if not isinstance(saved, dict) or not auth.verified(token, saved):
        return ""
    name = saved.get("context")
    try:
        return check_context_name(name) if isinstance(name, str) else ""
    except ValueError:
        return ""


def adopt(measurement, data_dir: str, token: str | None = None) -> None:
    """A process that starts after a switch measures under the newest context."""
    name = current(data_dir, token)
    if name:
        measurement.set_context(name)


# --- in each process: the flush thread ---------------------------------------


def handle(flusher, message: bytes) -> bool:
    """Runs in the flush thread: a switch message is answered here (True); any other
    message is left to the flusher (False)."""
    if not message.startswith(SWITCH + b" "):
        return False
    parsed = parse_switch_request(message, flusher.agent.settings.token)
    if parsed is None:
        log.once(("wake", message[:40]), "ignored a context switch that is malformed or not signed with "
                 "PYCOV_HARVEST_TOKEN")
        return True
    seq, trigger, reply, request_id, name = parsed
    last = flusher.last_ack
    if last is not None and last.get("request") == request_id:
        ack = last  # the same request twice (wake socket and signal): one switch
    else:
        ack = flusher.save_and_ack(trigger, seq=seq, request_id=request_id, context=name)
    if reply is not None:
        wake.send(reply, ACK + json.dumps(ack).encode())
    return True


# --- the switcher: the HTTP listener and the CLI -----------------------------


def switch(data_dir: str, name: str, timeout: float = 5.0, trigger: str = "cli", token: str | None = None,
           save_signal: int | None = None) -> dict:
    """Switch every live agent process of this host to `name`: the result of a flush
    (fanout.py) with `context` in place of `reset`."""
    name = check_context_name(name)
    try:
        files.write_json(current_path(data_dir), auth.sign(token, {"context": name, "time": time.time()}))
    except OSError:
        pass  # only processes that start later read it; the flush says what is wrong with the registry
    result = fanout.flush(data_dir, timeout=timeout, trigger=trigger, token=token, save_signal=save_signal,
                          context=name)
    result.pop("reset", None)
    result["context"] = name
    return result
