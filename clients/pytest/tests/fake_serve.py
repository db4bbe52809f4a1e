"""A stand-in for `node dist/cli.js serve`, run as `python fake_serve.py serve --port 0 ARGS`:
answers each switch like serve, recording the names in $FAKE_SERVE_LOG; a name with `refuse` is not
confirmed by one target; `--selector exit` makes it exit before it is ready, as serve does on a
usage error."""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Switch(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        name = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["context"]
        with open(os.environ["FAKE_SERVE_LOG"], "a") as log:
            log.write(json.dumps(name) + "\n")
        refused = "refuse" in name
        targets = [
            {"label": "container a", "ok": True, "processes": 2, "ms": 1, "detail": "2 switched"},
            {"label": "container b", "ok": not refused, "processes": 0, "ms": 1,
             "detail": "pid 7: no acknowledgement within 10 s" if refused else "1 switched"},
        ]
        body = json.dumps({"ok": not refused, "context": name, "targets": targets}).encode()
        self.send_response(502 if refused else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


if "exit" in sys.argv:
    print("pycov-harvest: no running containers with label exit found; check `selector`", file=sys.stderr)
    sys.exit(2)
server = HTTPServer(("127.0.0.1", 0), Switch)
print(f"pycov-harvest: switching contexts on http://127.0.0.1:{server.server_port}/context (POST ...)", flush=True)
server.serve_forever()
