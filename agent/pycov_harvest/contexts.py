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

from pycov_harvest import auth, files, log, wake

# b"ctx <seq> <trigger> <reply address|-> <request id> <name as hex|-> [<mac>]" from a
# switcher: the flush request's shape (flusher.py), with the name hex-encoded (no spaces).
MESSAGE = b"ctx"
MAX_NAME_BYTES = 256
CURRENT_FILE = "context.json"
_ACK = b"ack "  # flusher.ACK (not imported: the flusher imports this module)


def check_name(name) -> str:
    """The context name, or ValueError with a sentence that says what is wrong."""
    if not isinstance(name, str):
        raise ValueError('the context must be a string, e.g. {"context": "test_refund"}')
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError("the context name must not hold control characters (newlines, tabs)")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise ValueError(f"the context name must be at most {MAX_NAME_BYTES} bytes of UTF-8")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the context name must be valid UTF-8") from None
    return name


def request_message(seq: int, trigger: str, reply: str | None, request_id: str, name: str,
                    token: str | None = None) -> bytes:
    encoded = name.encode("utf-8").hex() or "-"
    message = f"ctx {seq} {trigger} {reply or '-'} {request_id} {encoded}".encode()
    if token:
        message += b" " + auth.mac(token, message).encode()
    return message


def parse_message(message: bytes, token: str | None):
    """(seq, trigger, reply, request id, name) of a well-formed (and, with a token,
    authenticated) switch message; None otherwise."""
    from pycov_harvest.flusher import TRIGGERS

    parts = message.split(b" ")
    if len(parts) not in (6, 7) or parts[0] != MESSAGE:
        return None
    if token:
        if len(parts) != 7 or not auth.valid(token, b" ".join(parts[:6]), parts[6].decode("ascii", "replace")):
            return None
    try:
        seq = int(parts[1])
        trigger, reply, request_id, encoded = (p.decode("ascii") for p in parts[2:6])
        name = "" if encoded == "-" else check_name(bytes.fromhex(encoded).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if seq < 0 or trigger not in TRIGGERS or not (0 < len(request_id) <= 64 and request_id.isalnum()):
        return None
    if reply != "-" and not wake.valid_address(reply):
        return None
    return seq, trigger, (None if reply == "-" else reply), request_id, name


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
        return check_name(name) if isinstance(name, str) else ""
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
    if not message.startswith(MESSAGE + b" "):
        return False
    parsed = parse_message(message, flusher.agent.settings.token)
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
        wake.send(reply, _ACK + json.dumps(ack).encode())
    return True


# --- the switcher: the HTTP listener and the CLI -----------------------------


def switch(data_dir: str, name: str, timeout: float = 5.0, trigger: str = "cli", token: str | None = None,
           save_signal: int | None = None) -> dict:
    """Switch every live agent process of this host to `name`: the result of a flush
    (fanout.py) with `context` in place of `reset`."""
    from pycov_harvest import fanout

    name = check_name(name)
    try:
        files.write_json(current_path(data_dir), auth.sign(token, {"context": name, "time": time.time()}))
    except OSError:
        pass  # only processes that start later read it; the flush says what is wrong with the registry
    result = fanout.flush(data_dir, timeout=timeout, trigger=trigger, token=token, save_signal=save_signal,
                          context=name)
    result.pop("reset", None)
    result["context"] = name
    return result
