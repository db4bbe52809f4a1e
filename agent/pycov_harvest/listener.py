"""The loopback HTTP listener (docs/protocol.md, "Triggers")."""

from __future__ import annotations

import hmac
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from pycov_harvest import contexts, fanout, pack

PREFIX = "/pycov-harvest"
DEFAULT_TIMEOUT = 5.0


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class _Handler(BaseHTTPRequestHandler):
    server_version = "pycov-harvest"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the service's logs are not ours
        pass

    def _authorized(self) -> bool:
        token = self.server.token
        if not token:
            return True
        given = self.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())

    def _send(self, code: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, code: int, payload: dict) -> None:
        self._send(code, json.dumps(payload).encode() + b"\n")

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not self._authorized():
            self._send_json(401, {"error": "missing or wrong token: send Authorization: Bearer <PYCOV_HARVEST_TOKEN>"})
            return
        data_dir = self.server.data_dir
        if method == "POST" and url.path == PREFIX + "/flush":
            options = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if body.strip():
                try:
                    options.update(json.loads(body))
                except ValueError:
                    self._send_json(400, {"error": "the body must be JSON like {\"reset\": false, \"timeout\": 5}"})
                    return
            try:
                timeout = float(options.get("timeout", DEFAULT_TIMEOUT))
            except (TypeError, ValueError):
                self._send_json(400, {"error": "timeout must be a number of seconds"})
                return
            result = fanout.flush(data_dir, reset=_truthy(options.get("reset", False)), timeout=timeout, trigger="http")
            self._send_json(504 if result["missing"] else 200, result)
        elif method == "POST" and url.path == PREFIX + "/context":
            query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            self._send_json(*contexts.http_switch(query, body, data_dir, DEFAULT_TIMEOUT))
        elif method == "GET" and url.path == PREFIX + "/status":
            self._send_json(200, fanout.status(data_dir))
        elif method == "GET" and url.path == PREFIX + "/data":
            self._send(200, pack.tar_bytes(data_dir), "application/x-tar")
        else:
            self._send_json(404, {"error": f"no such endpoint: {method} {url.path}"})

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def process_request_thread(self, request, client_address):
        sys.settrace(None)  # the agent's own threads need not be traced
        super().process_request_thread(request, client_address)


class Listener:
    """Binds in the constructor (OSError when it cannot); serves from a daemon thread."""

    def __init__(self, host: str, port: int, data_dir: str, token: str | None):
        self.server = _Server((host, port), _Handler)
        self.server.socket.set_inheritable(False)
        self.server.data_dir = data_dir
        self.server.token = token
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self._serve, name="pycov-harvest-http", daemon=True)

    def _serve(self):
        sys.settrace(None)
        self.server.serve_forever(poll_interval=0.5)

    def start(self) -> None:
        self.thread.start()

    def close_in_forked_child(self) -> None:
        """The child inherited the parent's listening socket: close our copy only."""
        try:
            self.server.socket.close()
        except OSError:
            pass
