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
import json
import queue
import re
import selectors
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from pycov_harvest import log

MAX_CONNECTIONS = 64
WORKERS = 4
REQUEST_DEADLINE = 10.0
SEND_TIMEOUT = 10.0
BACKLOG = 128
MAX_HEAD = 16 << 10
MAX_BODY = 64 << 10
ACCEPT_PAUSE = 0.5
STREAM_CHUNK = 64 << 10

_METHOD = re.compile(r"[A-Z]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,19}")
_REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
    408: "Request Timeout", 411: "Length Required", 413: "Content Too Large",
    431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable",
    504: "Gateway Timeout", 505: "HTTP Version Not Supported",
}


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: dict
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    def query(self) -> dict:
        parsed = parse_qs(urlsplit(self.target).query, max_num_fields=32)
        return {k: v[-1] for k, v in parsed.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    # For a streamed answer: called with a writer that has .write(bytes).
    stream: Callable | None = None
    headers: dict = field(default_factory=dict)


def json_response(status: int, payload: dict) -> Response:
    return Response(status, json.dumps(payload).encode() + b"\n")


def error_response(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


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


def _find_head_end(buf: bytearray) -> tuple[int, int]:
    """(end of the head, start of the body), or (-1, -1)."""
    crlf = buf.find(b"\r\n\r\n")
    lf = buf.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf <= lf):
        return crlf, crlf + 4
    if lf >= 0:
        return lf, lf + 2
    return -1, -1


def parse_head(raw: bytes) -> tuple[Request, int]:
    """The request line and headers; (request without body, body length). Raises HTTPError."""
    lines = raw.decode("latin-1").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not _METHOD.fullmatch(parts[0]) or not parts[1].startswith("/"):
        raise HTTPError(400, "malformed request line: expected e.g. `POST /pycov-harvest/flush HTTP/1.1`")
    method, target, version = parts
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise HTTPError(505, f"unsupported protocol {version[:20]!r}: use HTTP/1.1")
    headers: dict = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip() or len(headers) >= 100:
            raise HTTPError(400, "malformed header line")
        key = name.lower()
        value = value.strip()
        if key in headers and key == "content-length" and headers[key] != value:
            raise HTTPError(400, "conflicting Content-Length headers")
        headers[key] = value
    if "transfer-encoding" in headers:
        raise HTTPError(411, "chunked request bodies are not supported: send the body with Content-Length")
    length_text = headers.get("content-length", "0")
    if not _DIGITS.fullmatch(length_text):
        raise HTTPError(400, f"Content-Length {length_text[:30]!r} is not a number of bytes")
    length = int(length_text)
    if length > MAX_BODY:
        raise HTTPError(413, f"the body is larger than {MAX_BODY} bytes")
    return Request(method, target, version, headers), length


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
            sock.send(_head_bytes(response, None, len(response.body)) + response.body)
        except OSError:
            pass
        _close(sock)

    def _drop(self, conn: _Conn, registered: bool) -> None:
        if registered:
            try:
                self.selector.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
        _close(conn.sock)

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
            end, body_start = _find_head_end(conn.buf)
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
                _write(conn.sock, response, request)
            except Exception:
                pass  # the client went away, or is too slow to read: nothing to tell anyone
            finally:
                _close(conn.sock)
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
            _close(conn.sock)
        self.reading.clear()
        try:
            self.selector.close()
        except Exception:
            pass
        _close(self.sock)


def _head_bytes(response: Response, request: Request | None, length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}",
             f"Content-Type: {response.content_type}", "Connection: close", "Server: pycov-harvest"]
    for name, value in response.headers.items():
        lines.append(f"{name}: {value}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    elif request is not None and request.version == "HTTP/1.1":
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _ChunkedWriter:
    """Buffers writes into STREAM_CHUNK-sized HTTP chunks (or raw bytes for HTTP/1.0)."""

    def __init__(self, sock: socket.socket, chunked: bool):
        self.sock = sock
        self.chunked = chunked
        self.buffer = bytearray()

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= STREAM_CHUNK:
            self._send()
        return len(data)

    def flush(self) -> None:
        pass

    def _send(self) -> None:
        if not self.buffer:
            return
        if self.chunked:
            self.sock.sendall(b"%x\r\n" % len(self.buffer) + bytes(self.buffer) + b"\r\n")
        else:
            self.sock.sendall(bytes(self.buffer))
        self.buffer = bytearray()

    def close(self) -> None:
        self._send()
        if self.chunked:
            self.sock.sendall(b"0\r\n\r\n")


def _write(sock: socket.socket, response: Response, request: Request | None) -> None:
    if response.stream is None:
        sock.sendall(_head_bytes(response, request, len(response.body)) + response.body)
        return
    chunked = request is not None and request.version == "HTTP/1.1"
    sock.sendall(_head_bytes(response, request, None))
    writer = _ChunkedWriter(sock, chunked)
    response.stream(writer)
    writer.close()  # only after a whole stream: a cut-off answer lacks the last chunk


def _close(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass
