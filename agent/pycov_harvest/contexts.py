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

from pycov_harvest import fanout, files, registry, wake

# b"ctx <seq> <trigger> <reply address or -> <name>" from a switcher; the name
# is the rest of the message (it may hold spaces), UTF-8.
MESSAGE = b"ctx"
# Wake messages are read 512 bytes at a time: a name must fit beside the rest.
MAX_NAME_BYTES = 256
CURRENT_FILE = "context.json"


def check_name(name) -> str:
    """The context name, or ValueError with a sentence that says what is wrong."""
    if not isinstance(name, str):
        raise ValueError('the context must be a string, e.g. {"context": "test_refund"}')
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError("the context name must not hold control characters (newlines, tabs)")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValueError(f"the context name must be at most {MAX_NAME_BYTES} bytes of UTF-8")
    return name


def request_message(seq: int, trigger: str, name: str, reply: str | None = None) -> bytes:
    return f"ctx {seq} {trigger} {reply or '-'} ".encode() + name.encode("utf-8")


def parse_message(message: bytes):
    """(seq, trigger, reply, name) of a switch message, or None for any other message."""
    parts = message.split(b" ", 4)
    if len(parts) != 5 or parts[0] != MESSAGE:
        return None
    try:
        return int(parts[1]), parts[2].decode(), parts[3].decode(), parts[4].decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def current_path(data_dir: str) -> str:
    return os.path.join(files.registry_dir(data_dir), CURRENT_FILE)


def current(data_dir: str) -> str:
    """The context of the newest switch of this data dir ('' for none): a process that
    starts after a switch (a new worker, a restarted container) measures under it."""
    saved = files.read_json(current_path(data_dir)) or {}
    name = saved.get("context")
    return name if isinstance(name, str) else ""


# --- in each process: the flush thread ---------------------------------------


def handle(flusher, message: bytes) -> bool:
    """Runs in the flush thread: a switch message is answered here (True), anything else
    is left to the flusher (False)."""
    parsed = parse_message(message)
    if parsed is None:
        return False
    seq, trigger, reply, name = parsed
    if seq > flusher.answered_seq:
        flusher.save_and_ack(trigger, seq=seq, context=name)
    if reply != "-":
        wake.send(reply, b"ack")
    return True


# --- the switcher: the HTTP listener and the CLI -----------------------------


def switch(data_dir: str, name: str, timeout: float = 5.0, trigger: str = "cli") -> dict:
    """Switch every live agent process of this host to `name`; the result has the shape of a
    flush result plus the `context`."""
    name = check_name(name)
    began = time.perf_counter()
    host = files.host_name()
    procs = registry.live_processes(data_dir, host)
    request = registry.next_request(data_dir, False, context=name)
    seq = request["seq"]
    files.write_json(current_path(data_dir), {"context": name, "seq": seq, "time": request["time"]})
    replies = wake.WakeChannel()
    try:
        message = request_message(seq, trigger, name, replies.address)
        result = fanout.fan_out(data_dir, host, procs, seq, message, timeout, replies, began)
    finally:
        replies.close()
    result["context"] = name
    return result


def http_switch(query: dict, body: bytes, data_dir: str, default_timeout: float):
    """(status, payload) for `POST /pycov-harvest/context`."""
    options = dict(query)
    if body.strip():
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return 400, {"error": 'the body must be JSON like {"context": "test_refund", "timeout": 5}'}
        options.update(parsed)
    if "context" not in options:
        return 400, {"error": 'name the context: {"context": "test_refund"} ("" returns to no context)'}
    try:
        timeout = float(options.get("timeout", default_timeout))
    except (TypeError, ValueError):
        return 400, {"error": "timeout must be a number of seconds"}
    try:
        name = check_name(options["context"])
    except ValueError as e:
        return 400, {"error": str(e)}
    result = switch(data_dir, name, timeout=timeout, trigger="http")
    return (504 if result["missing"] else 200), result


def adopt(measurement, data_dir: str) -> None:
    """A process that starts after a switch measures under the newest context."""
    name = current(data_dir)
    if name:
        try:
            measurement.set_context(check_name(name))
        except (ValueError, AttributeError):
            pass
