"""Wake channel: one Linux abstract-namespace unix datagram socket per process.

The flush thread blocks on it; signal handlers (in this process) and flush
requests (from the listener or CLI, in any process of the same container or
pod, which share a network namespace) send it a short message. It works when
signals are disabled, needs no file on disk, and vanishes with the process.
"""

from __future__ import annotations

import os
import re
import select
import socket

# Big enough for an acknowledgement sent back as a datagram.
MAX_MESSAGE = 1 << 16
_ADDRESS = re.compile(r"pycov-harvest(-reply)?\.[0-9]{1,10}\.[0-9a-f]{12}")


def valid_address(address: object) -> bool:
    return isinstance(address, str) and _ADDRESS.fullmatch(address) is not None


class WakeChannel:
    def __init__(self, kind: str = "pycov-harvest"):
        self.address: str | None = None
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.set_inheritable(False)
        try:
            name = f"{kind}.{os.getpid()}.{os.urandom(6).hex()}"
            self.sock.bind("\0" + name)
            self.address = name
        except OSError:
            # No abstract namespace: local wakes still work through a socketpair;
            # other processes fall back to the save signal.
            self.sock.close()
            self.sock, local = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._local: socket.socket | None = local
        else:
            self._local = None

    def wake_self(self, message: bytes) -> None:
        """Safe to call from a signal handler: one non-blocking send."""
        try:
            if self._local is not None:
                self._local.send(message, socket.MSG_DONTWAIT)
            elif self.address is not None:
                self.sock.sendto(message, socket.MSG_DONTWAIT, "\0" + self.address)
        except OSError:
            pass

    def receive(self) -> bytes:
        return self.sock.recv(MAX_MESSAGE)

    def receive_nowait(self) -> bytes | None:
        try:
            return self.sock.recv(MAX_MESSAGE, socket.MSG_DONTWAIT)
        except OSError:
            return None

    def wait_readable(self, seconds: float) -> bool:
        ready, _, _ = select.select([self.sock], [], [], seconds)
        return bool(ready)

    def wait(self, seconds: float) -> list[bytes]:
        """Wait up to `seconds` for messages; returns what came (maybe nothing)."""
        ready, _, _ = select.select([self.sock], [], [], max(0.0, seconds))
        messages: list[bytes] = []
        while ready and len(messages) < 1024:
            message = self.receive_nowait()
            if message is None:
                break
            messages.append(message)
        return messages

    def close(self) -> None:
        for s in (self.sock, self._local):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


def send(address: str, message: bytes) -> bool:
    """Wake another process's flush thread; False when it cannot be reached."""
    if not valid_address(address):
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        try:
            s.sendto(message, socket.MSG_DONTWAIT, "\0" + address)
            return True
        except OSError:
            return False


def reachable(address: str) -> bool:
    """Is a process bound to this wake address? Connecting sends nothing.

    Works across PID namespaces (containers of one pod share the network
    namespace, not the PIDs), where a pid check would ask about another process.
    """
    if not valid_address(address):
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        try:
            s.connect("\0" + address)
            return True
        except OSError:
            return False
