"""A small, bounded HTTP/1.1 server for the agent's listener.

The agent's listener lives inside someone else's service, so a bad client must
never cost the service its file descriptors, memory or threads:

- one reader thread (selectors) accepts and reads every request; a few worker
  threads run the handlers; every connection is closed after one answer;
- at most MAX_CONNECTIONS open at once: when full, the oldest connection that
  is still sending its request is closed to make room (a slowloris cannot
  starve a flush), and when accept() runs out of descriptors the listener
  pauses instead of spinning;
- a request must arrive whole within REQUEST_DEADLINE seconds; its head is
  capped at MAX_HEAD bytes and its body at MAX_BODY bytes, checked from
  Content-Length before any of the body is read (and before auth);
- the listen backlog is BACKLOG;
- a malformed request gets a 4xx JSON answer, a failing handler a 500 JSON
  answer and one stderr line, never a traceback;
- a streamed answer (GET /data) is sent in chunks as it is produced.
"""

from __future__ import annotations

import collections
import errno
import queue
import selectors
import socket
import sys
import threading
import time
from typing import Callable

from pycov_harvest import log
from pycov_harvest.httpmsg import (
    MAX_BODY,
    MAX_HEAD,
    HTTPError,
    Request,
    Response,
    close,
    error_response,
    find_head_end,
    head_bytes,
    parse_head,
    write,
)

MAX_CONNECTIONS = 64
WORKERS = 4
REQUEST_DEADLINE = 10.0
SEND_TIMEOUT = 10.0
BACKLOG = 128
ACCEPT_PAUSE = 0.5


class _Conn:
    __slots__ = ("sock", "buf", "deadline", "accepted", "head", "length", "continued")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = bytearray()
        self.accepted = time.monotonic()
        self.deadline = self.accepted + REQUEST_DEADLINE
        self.head: Request | None = None
        self.length = 0
        self.continued = False


class Server:
    """Binds in the constructor (OSError when it cannot); `start()` serves from daemon threads."""

    def __init__(self, host: str, port: int, handler: Callable[[Request], Response]):
        self.handler = handler
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.create_server((host, port), family=family, backlog=BACKLOG)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.selector = selectors.DefaultSelector()
        self.reading: collections.OrderedDict = collections.OrderedDict()  # fileno -> _Conn, oldest first
        self.jobs: queue.Queue = queue.Queue()
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._accept_paused_until = 0.0
        self._listening = False
        self.threads: list[threading.Thread] = []

    # --- reader ---------------------------------------------------------------

    def start(self) -> None:
        self.selector.register(self.sock, selectors.EVENT_READ, None)
        self._listening = True
        self.threads = [threading.Thread(target=self._read_loop, name="pycov-harvest-http", daemon=True)]
        self.threads += [
            threading.Thread(target=self._work_loop, name=f"pycov-harvest-http-{i}", daemon=True)
            for i in range(WORKERS)
        ]
        for thread in self.threads:
            thread.start()

    def _read_loop(self) -> None:
        sys.settrace(None)  # the agent's own threads need not be traced
        while True:
            try:
                self._read_once()
            except (OSError, ValueError) as e:
                if self.sock.fileno() < 0:
                    return  # closed
                log.once(("http-reader", type(e).__name__), f"the HTTP listener's reader hit {e!r}")
                time.sleep(0.1)
            except Exception as e:  # never let the thread die
                log.once(("http-reader", type(e).__name__), f"the HTTP listener's reader hit {e!r}")
                time.sleep(0.1)

    def _read_once(self) -> None:
        now = time.monotonic()
        timeout = 1.0
        if self.reading:
            oldest = next(iter(self.reading.values()))
            timeout = min(timeout, max(0.0, oldest.deadline - now))
        if not self._listening and now >= self._accept_paused_until:
            self.selector.register(self.sock, selectors.EVENT_READ, None)
            self._listening = True
        elif not self._listening:
            timeout = min(timeout, self._accept_paused_until - now)
        for key, _ in self.selector.select(max(0.0, timeout)):
            if key.data is None:
                self._accept()
            else:
                self._receive(key.data)
        self._expire()

    def _open_connections(self) -> int:
        return len(self.reading) + self._busy

    def _accept(self) -> None:
        for _ in range(64):
            try:
                sock, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self._pause_accept()  # no descriptors left: let the service have them back first
                    return
                return
            if self._open_connections() >= MAX_CONNECTIONS and not self._evict_oldest():
                self._refuse(sock)
                continue
            sock.setblocking(False)
            conn = _Conn(sock)
            self.reading[sock.fileno()] = conn
            self.selector.register(sock, selectors.EVENT_READ, conn)

    def _pause_accept(self) -> None:
        if self._listening:
            self.selector.unregister(self.sock)
            self._listening = False
        self._accept_paused_until = time.monotonic() + ACCEPT_PAUSE

    def _evict_oldest(self) -> bool:
        if not self.reading:
            return False
        _, conn = self.reading.popitem(last=False)
        self._drop(conn, registered=True)
        return True

    def _refuse(self, sock: socket.socket) -> None:
        response = error_response(503, "too many connections to the agent's listener; retry")
        try:
            sock.setblocking(False)
            sock.send(head_bytes(response, None, len(response.body)) + response.body)
        except OSError:
            pass
        close(sock)

    def _drop(self, conn: _Conn, registered: bool) -> None:
        if registered:
            try:
                self.selector.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
        close(conn.sock)

    def _expire(self) -> None:
        now = time.monotonic()
        while self.reading:
            fd, conn = next(iter(self.reading.items()))
            if conn.deadline > now:
                break
            del self.reading[fd]
            self._hand_over(conn, error_response(408, f"the request did not arrive within {REQUEST_DEADLINE:g} s"))

    def _receive(self, conn: _Conn) -> None:
        try:
            chunk = conn.sock.recv(MAX_HEAD + MAX_BODY)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.reading.pop(conn.sock.fileno(), None)
            self._drop(conn, registered=True)
            return
        conn.buf += chunk
        if conn.head is None:
            end, body_start = find_head_end(conn.buf)
            if end < 0:
                if len(conn.buf) > MAX_HEAD:
                    self._finish_reading(conn, error_response(431, f"the request head is larger than {MAX_HEAD} bytes"))
                return
            if end > MAX_HEAD:
                self._finish_reading(conn, error_response(431, f"the request head is larger than {MAX_HEAD} bytes"))
                return
            try:
                conn.head, conn.length = parse_head(bytes(conn.buf[:end]))
            except HTTPError as e:
                self._finish_reading(conn, error_response(e.status, e.message))
                return
            del conn.buf[:body_start]
        if len(conn.buf) > conn.length:
            conn.buf = conn.buf[: conn.length]  # no pipelining: one request per connection
        if len(conn.buf) < conn.length:
            if not conn.continued and conn.head.headers.get("expect", "").lower() == "100-continue":
                conn.continued = True
                try:
                    conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                except OSError:
                    pass
            return
        conn.head.body = bytes(conn.buf)
        self._finish_reading(conn, conn.head)

    def _finish_reading(self, conn: _Conn, item) -> None:
        self.reading.pop(conn.sock.fileno(), None)
        self._hand_over(conn, item)

    def _hand_over(self, conn: _Conn, item) -> None:
        try:
            self.selector.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        with self._busy_lock:
            self._busy += 1
        self.jobs.put((conn, item))

    # --- workers --------------------------------------------------------------

    def _work_loop(self) -> None:
        sys.settrace(None)
        while True:
            conn, item = self.jobs.get()
            try:
                conn.sock.setblocking(True)
                conn.sock.settimeout(SEND_TIMEOUT)
                request = item if isinstance(item, Request) else None
                response = item if isinstance(item, Response) else self._call(item)
                write(conn.sock, response, request)
            except Exception:
                pass  # the client went away, or is too slow to read: nothing to tell anyone
            finally:
                close(conn.sock)
                with self._busy_lock:
                    self._busy -= 1

    def _call(self, request: Request) -> Response:
        try:
            return self.handler(request)
        except HTTPError as e:
            return error_response(e.status, e.message)
        except Exception as e:
            log.once(("http-handler", type(e).__name__), f"the HTTP listener failed on {request.method} "
                     f"{request.path[:100]}: {type(e).__name__}: {e}")
            return error_response(500, f"the agent failed: {type(e).__name__}: {e}"[:500])

    # --- fork -----------------------------------------------------------------

    def close_in_forked_child(self) -> None:
        """The child inherited the parent's sockets and selector; close its copies
        only (never shutdown(), which would cut the parent's connections)."""
        for conn in list(self.reading.values()):
            close(conn.sock)
        self.reading.clear()
        try:
            self.selector.close()
        except Exception:
            pass
        close(self.sock)
