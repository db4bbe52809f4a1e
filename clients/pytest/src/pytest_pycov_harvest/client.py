"""A client of pycov-harvest's `node dist/cli.js serve`: start it (or use a running one) and
switch the context of every agent process of every matched target. Standard library only; every
wait is bounded."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import urllib.error
import urllib.request
from collections import deque
from typing import IO, TYPE_CHECKING, Callable, Deque, List, Optional, Sequence

if TYPE_CHECKING:
    from typing_extensions import TypedDict

    class TargetOutcome(TypedDict):
        label: str
        ok: bool
        processes: int
        ms: int
        detail: str


#: serve lets each process take 10 s to confirm, plus discovery and the route that reaches it.
DEFAULT_SWITCH_TIMEOUT = 60.0
#: Node's start, the bundle's load and the port bind, on a slow runner.
DEFAULT_START_TIMEOUT = 60.0
#: How long serve may take to end its relays and port-forwards after SIGTERM before it is killed.
STOP_GRACE = 10.0
#: What is read of serve's answer (one entry per target).
MAX_ANSWER = 4 * 1024 * 1024
#: How many of serve's last output lines an error quotes.
TAIL_LINES = 20

READY = re.compile(r"switching contexts on (http://\S+/context)")


class StartError(Exception):
    """serve could not be started, or did not become ready."""


class SwitchError(Exception):
    """A switch that was not confirmed by every target."""

    def __init__(self, context: str, reason: str, status: int = 0) -> None:
        what = f"context {context!r}" if context else "no context"
        super().__init__(f"pycov-harvest: the switch to {what} failed: {reason}")
        self.context = context
        self.reason = reason
        self.status = status


def name_problem(name: str) -> Optional[str]:
    """Why the agent would refuse this context name, or None."""
    if len(name.encode("utf-8", "surrogatepass")) > 256 or any(ord(c) < 32 or c == "\x7f" for c in name):
        return "the context name must be at most 256 bytes of UTF-8, without control characters; shorten the test id"
    return None


class _Serve:
    """A serve process this client started; its output is read to the end so it never blocks."""

    def __init__(self, argv: Sequence[str], output: Optional[Callable[[str], None]]) -> None:
        self.argv = list(argv)
        try:
            self.process = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, encoding="utf-8", errors="replace",
            )
        except OSError as error:
            raise StartError(
                f"pycov-harvest: cannot start serve: `{argv[0]}` cannot be run ({error}); install Node.js 20 or later, or name it with --pycov-harvest-node"
            ) from error
        self.url: Optional[str] = None
        self.ready = threading.Event()
        self.tail: Deque[str] = deque(maxlen=TAIL_LINES)
        self.lock = threading.Lock()
        self.output = output
        assert self.process.stdout is not None and self.process.stderr is not None
        self.readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, True), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, False), daemon=True),
        ]
        for reader in self.readers:
            reader.start()

    def _read(self, stream: IO[str], watch: bool) -> None:
        for raw in stream:
            line = raw.rstrip("\n")
            with self.lock:
                self.tail.append(line)
            if self.output is not None:
                self.output(line)
            match = READY.search(line) if watch and self.url is None else None
            if match:
                self.url = match.group(1)
                self.ready.set()
        if watch:
            self.ready.set()  # stdout closed: serve is gone, whoever waits must look

    def last_lines(self) -> str:
        with self.lock:
            return "\n".join(self.tail) or "(no output)"

    def wait_ready(self, timeout: float) -> str:
        self.ready.wait(timeout)
        if self.url is not None:
            return self.url
        shown = " ".join(self.argv[2:])
        if self.ready.is_set():  # stdout closed without the ready line: serve is exiting
            try:
                self.process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is not None:
            for reader in self.readers:
                reader.join(STOP_GRACE)
            raise StartError(
                f"pycov-harvest: cannot start serve: `{shown}` exited with status {self.process.returncode} before it was ready:\n{self.last_lines()}\nfix what it says"
            )
        self.stop()
        raise StartError(
            f"pycov-harvest: cannot start serve: no ready line within {timeout:g} s (last output:\n{self.last_lines()}\n); on a slow machine raise --pycov-harvest-start-timeout"
        )

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_GRACE)


class Client:
    """Switches contexts through one serve: `Client.connect(url)` or `Client.start(cli, args)`."""

    def __init__(self, url: str, switch_timeout: float = DEFAULT_SWITCH_TIMEOUT, serve: Optional[_Serve] = None) -> None:
        url = url.strip().rstrip("/")
        if not url.startswith("http://"):
            raise StartError(
                f"pycov-harvest: the serve URL {url!r} is not http://HOST:PORT; give the URL serve printed, e.g. http://127.0.0.1:9898/context"
            )
        self.url = url if url.endswith("/context") else f"{url}/context"
        self.switch_timeout = switch_timeout
        self._serve = serve

    @classmethod
    def connect(cls, url: str, switch_timeout: float = DEFAULT_SWITCH_TIMEOUT) -> "Client":
        return cls(url, switch_timeout)

    @classmethod
    def start(
        cls,
        cli: str,
        args: Sequence[str],
        node: str = "node",
        start_timeout: float = DEFAULT_START_TIMEOUT,
        switch_timeout: float = DEFAULT_SWITCH_TIMEOUT,
        output: Optional[Callable[[str], None]] = None,
    ) -> "Client":
        """Starts `node CLI serve --port 0 ARGS` and returns a client once it takes switches."""
        if any(a == "--port" or a.startswith("--port=") for a in args):
            raise StartError("pycov-harvest: leave --port out of serve's arguments; the plugin picks a free port")
        serve = _Serve([node, cli, "serve", "--port", "0", *args], output)
        try:
            url = serve.wait_ready(start_timeout)
        except BaseException:
            serve.stop()
            raise
        return cls(url, switch_timeout, serve)

    def switch(self, name: str) -> "List[TargetOutcome]":
        """Switches every process to `name` ('' for none); returns every target's outcome."""
        problem = name_problem(name)
        if problem is not None:
            raise SwitchError(name, problem)
        request = urllib.request.Request(
            self.url, data=json.dumps({"context": name}).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.switch_timeout) as answer:
                status, raw = answer.status, answer.read(MAX_ANSWER)
        except urllib.error.HTTPError as error:  # 502: serve's answer says which target failed
            status, raw = error.code, error.read(MAX_ANSWER)
        except (urllib.error.URLError, OSError) as error:
            raise SwitchError(name, self._unreachable(error)) from error
        return _confirmed(name, status, raw)

    def clear(self) -> None:
        self.switch("")

    def close(self) -> None:
        """Stops the serve this client started; a connected client leaves its serve alone."""
        if self._serve is not None:
            self._serve.stop()

    def _unreachable(self, error: BaseException) -> str:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            return f"serve at {self.url} did not answer within {self.switch_timeout:g} s; raise --pycov-harvest-timeout, or look at serve's output for a target that hangs"
        if self._serve is not None and self._serve.process.poll() is not None:
            return f"serve has exited with status {self._serve.process.returncode}:\n{self._serve.last_lines()}"
        return f"no serve answers at {self.url} ({reason}); start `node dist/cli.js serve --port PORT ...` first, or give --pycov-harvest-cli to start one"


def _confirmed(name: str, status: int, raw: bytes) -> "List[TargetOutcome]":
    """Every target's outcome when all confirmed; else SwitchError saying which did not and why."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SwitchError(name, f"the answer (HTTP {status}) is not serve's JSON ({raw[:200]!r}); check that the URL is pycov-harvest serve's /context", status)
    targets = body.get("targets")
    targets = targets if isinstance(targets, list) else []
    failed = [t for t in targets if not (isinstance(t, dict) and t.get("ok") is True)]
    if status == 200 and body.get("ok") is True and targets and not failed:
        return targets
    if failed:
        reasons = "; ".join(f"{t.get('label')}: {t.get('detail')}" if isinstance(t, dict) else repr(t) for t in failed)
        raise SwitchError(name, f"not confirmed by {reasons}", status)
    error = body.get("error")
    if isinstance(error, str) and error:
        raise SwitchError(name, error, status)
    raise SwitchError(name, f"serve answered HTTP {status} without a confirmation from every target; check serve's output", status)

