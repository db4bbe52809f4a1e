"""The flush thread: every save of the process happens here.

Signal handlers and flush requests only wake it (see wake.py). Each save is
answered with an acknowledgement: a file in the registry, and, for a request
that named a reply socket, the same JSON as a datagram (docs/protocol.md).
"""

from __future__ import annotations

import collections
import json
import sys
import threading
import time

from pycov_harvest import auth, contexts, log, registry, wake
from pycov_harvest.messages import ACK, LOCAL, REQUEST, parse_flush_request

# How often an idle process checks its registration and whether the listener's owner is gone.
IDLE_CHECK_SECONDS = 2.0
# A request file older than this is not what a save signal is about.
SIGNAL_REQUEST_MAX_AGE = 60.0


class FlushThread:
    def __init__(self, agent):
        self.agent = agent
        self.local: collections.deque = collections.deque()  # (trigger, Event | None); append is atomic
        self.answered_seq = 0
        self.answered_id: str | None = None
        self.thread = threading.Thread(target=self._run, name="pycov-harvest-flush", daemon=True)
        autosave = getattr(agent.settings, "autosave", None)
        self.autosave: float | None = float(autosave) if autosave else None
        self.next_autosave = time.monotonic() + self.autosave if self.autosave else None

    def start(self) -> None:
        self.thread.start()

    def wake_local(self, trigger: str, done: threading.Event | None = None) -> None:
        self.local.append((trigger, done))
        self.agent.wake.wake_self(LOCAL)

    def _run(self) -> None:
        sys.settrace(None)  # the agent's own thread need not be traced
        next_idle_check = time.monotonic() + IDLE_CHECK_SECONDS
        while True:
            now = time.monotonic()
            wait = next_idle_check - now
            if self.next_autosave is not None:
                wait = min(wait, self.next_autosave - now)
            try:
                readable = self.agent.wake.wait_readable(max(0.0, wait))
                message = self.agent.wake.receive_nowait() if readable else None
            except (OSError, ValueError):
                return  # the channel was closed (fork, exit)
            try:
                if message is not None:
                    self._handle(message)
                now = time.monotonic()
                if self.next_autosave is not None and now >= self.next_autosave:
                    self.save_and_ack("autosave")
                if now >= next_idle_check:
                    next_idle_check = now + IDLE_CHECK_SECONDS
                    self.agent.idle_check()
            except Exception as e:  # never let the thread die
                log.warn(f"flush failed: {e!r}")

    def _handle(self, message: bytes) -> None:
        if contexts.handle(self, message):
            return
        if message.startswith(REQUEST + b" "):
            request = parse_flush_request(message, self.agent.settings.token)
            if request is None:
                log.once(("wake", message[:40]), "ignored a wake message that is malformed or not signed with "
                         "PYCOV_HARVEST_TOKEN")
                return
            seq, reset, trigger, reply, request_id = request
            last = self.last_ack
            if last is not None and last.get("request") == request_id:
                ack = self.last_ack  # the same request twice (wake socket and signal): one save
            else:
                ack = self.save_and_ack(trigger, seq=seq, reset=reset, request_id=request_id)
            if reply is not None:
                wake.send(reply, ACK + json.dumps(ack).encode())
            return
        while self.local:
            trigger, done = self.local.popleft()
            seq, reset, request_id, context = None, False, None, None
            if trigger == "signal":
                seq, reset, request_id, context = self._request_delivered_by_signal()
            try:
                self.save_and_ack(trigger, seq=seq, reset=reset, request_id=request_id, context=context)
            finally:
                if done is not None:
                    done.set()

    last_ack: dict | None = None

    def _request_delivered_by_signal(self):
        """A flusher that could not reach the wake socket sends the save signal;
        the request it issued is then the newest one in request.json."""
        request = registry.read_request(self.agent.settings.data_dir, self.agent.settings.token)
        if request is None or request["id"] == self.answered_id:
            return None, False, None, None
        if request["time"] < max(self.agent.started, time.time() - SIGNAL_REQUEST_MAX_AGE):
            return None, False, None, None  # an old request (maybe a reset) this process never got: just save
        context = request.get("context")
        return request["seq"], request["reset"], request["id"], context if isinstance(context, str) else None

    def save_and_ack(self, trigger: str, seq: int | None = None, reset: bool = False,
                     request_id: str | None = None, context: str | None = None) -> dict:
        """Save, then write the ack: `began` (wall clock) is when the save began,
        so it holds everything measured before then; `request` names the
        request it answered, if any."""
        began_wall = time.time()
        began = time.perf_counter()
        error, data_file, size = None, self.agent.measurement.data_file(), 0
        previous = self.agent.measurement.context
        try:
            data_file, size = self.agent.measurement.save(reset=reset, context=context)
        except Exception as e:
            error = f"{type(e).__name__}: {e}".splitlines()[0]
        if seq is not None and seq > self.answered_seq:
            self.answered_seq = seq
        if request_id is not None:
            self.answered_id = request_id
        ack = {
            "seq": seq if seq is not None else self.answered_seq,
            "request": request_id,
            "pid": self.agent.pid,
            "host": self.agent.host,
            "trigger": trigger,
            "reset": bool(reset),
            "data_file": data_file,
            "bytes": size,
            "began": began_wall,
            "time": time.time(),
            "duration_ms": round((time.perf_counter() - began) * 1000, 3),
            "error": error,
            "context": self.agent.measurement.context,
        }
        if context is not None:
            ack["previous_context"] = previous
        ack = auth.sign(self.agent.settings.token, ack)
        self.last_ack = ack
        self.agent.write_ack(ack)
        return ack
