"""The flush thread: every save of the process happens here.

Signal handlers and flush requests only wake it (see wake.py). Each save is
answered with an acknowledgement file (docs/protocol.md).
"""

from __future__ import annotations

import collections
import sys
import threading
import time

from pycov_harvest import contexts, files, wake

# b"req <seq> <reset 0|1> <trigger> [<reply address>]" from a flusher,
# b"local" for queued local triggers.
REQUEST = b"req"
LOCAL = b"local"
# How often an idle process checks whether the listener's owner is gone.
TAKEOVER_CHECK_SECONDS = 2.0


def request_message(seq: int, reset: bool, trigger: str, reply: str | None = None) -> bytes:
    return f"req {seq} {int(reset)} {trigger} {reply or '-'}".encode()


class FlushThread:
    def __init__(self, agent):
        self.agent = agent
        self.local = collections.deque()  # (trigger, threading.Event | None); deque.append is atomic
        self.answered_seq = 0
        self.thread = threading.Thread(target=self._run, name="pycov-harvest-flush", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def wake_local(self, trigger: str, done: threading.Event | None = None) -> None:
        self.local.append((trigger, done))
        self.agent.wake.wake_self(LOCAL)

    def _run(self) -> None:
        sys.settrace(None)  # the agent's own thread need not be traced
        while True:
            try:
                if not self.agent.wake.wait_readable(TAKEOVER_CHECK_SECONDS):
                    self.agent.take_over_orphaned_listener()
                    continue
                message = self.agent.wake.receive()
            except OSError:
                return
            try:
                self._handle(message)
            except Exception as e:  # never let the thread die
                print(f"pycov-harvest: flush failed: {e!r}", file=sys.stderr, flush=True)

    def _handle(self, message: bytes) -> None:
        if contexts.handle(self, message):
            return
        parts = message.split()
        if parts and parts[0] == REQUEST and len(parts) == 5:
            seq, reset, trigger, reply = int(parts[1]), parts[2] == b"1", parts[3].decode(), parts[4].decode()
            if seq > self.answered_seq:
                self.save_and_ack(trigger, seq=seq, reset=reset)
            if reply != "-":
                wake.send(reply, b"ack")  # the ack file is the answer; this only saves the flusher a poll
            return
        while self.local:
            trigger, done = self.local.popleft()
            seq, reset, context = None, False, None
            if trigger == "signal":
                seq, reset, context = self._request_delivered_by_signal()
            try:
                self.save_and_ack(trigger, seq=seq, reset=reset, context=context)
            finally:
                if done is not None:
                    done.set()

    def _request_delivered_by_signal(self):
        """A flusher that could not reach the wake socket sends the save signal;
        the request it issued is then the newest one in request.json."""
        request = files.read_json(files.request_path(self.agent.settings.data_dir)) or {}
        seq = int(request.get("seq") or 0)
        if seq > self.answered_seq and float(request.get("time") or 0) >= self.agent.started:
            context = request.get("context")
            return seq, bool(request.get("reset")), context if isinstance(context, str) else None
        return None, False, None

    def save_and_ack(self, trigger: str, seq: int | None = None, reset: bool = False,
                     context: str | None = None) -> dict:
        """Save, then write the ack. `seq` in the ack is the newest request this
        process has answered: a later save (any trigger) also confirms it."""
        began = time.perf_counter()
        error, data_file, size = None, self.agent.measurement.data_file(), 0
        previous = self.agent.measurement.context
        try:
            data_file, size = self.agent.measurement.save(reset=reset, context=context)
        except Exception as e:
            error = f"{type(e).__name__}: {e}".splitlines()[0]
        if seq is not None and seq > self.answered_seq:
            self.answered_seq = seq
        ack = {
            "seq": self.answered_seq,
            "pid": self.agent.pid,
            "host": self.agent.host,
            "trigger": trigger,
            "reset": bool(reset),
            "data_file": data_file,
            "bytes": size,
            "time": time.time(),
            "duration_ms": round((time.perf_counter() - began) * 1000, 3),
            "error": error,
            "context": self.agent.measurement.context,
        }
        if context is not None:
            ack["previous_context"] = previous
        self.agent.write_ack(ack)
        return ack
