"""Sends the requests of one test round to the Flask or Django app (stdlib only, bounded):
`python3 drive.py flask|django PORT [ROUNDS]`. Each round is every route once, with the status the
route must answer; enough rounds recycle every gunicorn worker (--max-requests). Prints
`requests=N` and exits 1 on the first unexpected status."""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Dict, List, Optional, Tuple

TIMEOUT = 30.0  # a shared, loaded machine: the first requests of a fresh worker can be slow

Route = Tuple[str, str, Optional[bytes], Dict[str, str], int]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}

ROUTES: Dict[str, List[Route]] = {
    "flask": [
        ("GET", "/", None, {}, 200),
        ("GET", "/?page=2", None, {}, 200),
        ("GET", "/user/alice", None, {}, 200),
        ("GET", "/user/nobody", None, {}, 404),
        ("GET", "/auth/login", None, {}, 200),
        ("POST", "/auth/login", b"username=alice&password=wrong", FORM, 401),
        ("POST", "/auth/login", b"username=bob&password=bob-pw", FORM, 302),
        ("GET", "/auth/logout", None, {}, 302),
        ("GET", "/api/users/1", None, {}, 200),
        ("GET", "/api/users/99", None, {}, 404),
        ("GET", "/api/users/2/posts", None, {}, 200),
        ("POST", "/api/users/2/posts", json.dumps({"body": "hello"}).encode(), JSON, 201),
        ("POST", "/api/users/2/posts", b"{}", JSON, 400),
        ("GET", "/health", None, {}, 200),
    ],
    "django": [
        ("GET", "/", None, {}, 200),
        ("GET", "/notes/1/", None, {}, 200),
        ("GET", "/notes/2/", None, {}, 200),
        ("GET", "/notes/999/", None, {}, 404),
        ("GET", "/api/notes/", None, {}, 200),
        ("POST", "/api/notes/", json.dumps({"title": "t", "body": "b"}).encode(), JSON, 201),
        ("POST", "/api/notes/", b"{}", JSON, 400),
        ("POST", "/api/notes/", b"not json", JSON, 400),
        ("GET", "/health", None, {}, 200),
    ],
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def status_of(opener: urllib.request.OpenerDirector, port: int, route: Route) -> int:
    method, path, body, headers, _ = route
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body, method=method,
                                     headers=headers)
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def main(argv: List[str]) -> int:
    kind, port, rounds = argv[1], int(argv[2]), int(argv[3]) if len(argv) > 3 else 20
    opener = urllib.request.build_opener(NoRedirect)
    sent = 0
    for _ in range(rounds):
        for route in ROUTES[kind]:
            got = status_of(opener, port, route)
            sent += 1
            if got != route[4]:
                print("%s %s answered %d, not %d" % (route[0], route[1], got, route[4]), file=sys.stderr)
                return 1
    print("requests=%d" % sent)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
