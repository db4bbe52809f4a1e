"""The program `attach` runs inside the service's own interpreter.

It is executed (not imported) in the service's main thread with the GIL, at the
interpreter's eval-breaker check, from a private namespace, with ANSWER_DIR,
NONCE and START set by the bootstrap. It saves the running
`coverage.Coverage.current()` and writes what it saved to
ANSWER_DIR/answer.json (mode 0600, the service's uid), and leaves no other file.
It imports and starts coverage only when START names a data file ("measure from
now", Python 3.14+) and the process runs none: then it starts coverage on the
sys.monitoring core with the service's own configuration and saves at once.
Imported as a module (by the programs' loader), it does nothing."""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict

ANSWER = "answer.json"
# Set on a Coverage this program started: later saves say since when it measures.
STARTED_MARK = "_pycov_harvest_started"
CODE_NAME = "<pycov-harvest-attach>"
MAX_ERROR = 500


def _core(cov: Any) -> str:
    collector = getattr(cov, "_collector", None)
    name = getattr(collector, "tracer_name", None)
    try:
        return str(name()) if callable(name) else ""
    except Exception:
        return ""


def importing() -> bool:
    """A module is half imported: this code interrupted an import, and a save now could meet it
    half made ("partially initialized module"). The caller tries again a moment later."""
    for module in list(sys.modules.values()):
        if getattr(getattr(module, "__spec__", None), "_initializing", False):
            return True
    return False


def start(data_file: str) -> Any:
    """Starts coverage on the sys.monitoring core with the service's own configuration (its
    .coveragerc, setup.cfg or pyproject.toml), one data file per process in the given place.
    None when this Python is older than 3.14 or has no coverage installed."""
    if sys.version_info < (3, 14):
        return None
    try:
        import coverage
    except ImportError:
        return None
    core = os.environ.get("COVERAGE_CORE")
    os.environ["COVERAGE_CORE"] = "sysmon"
    try:
        cov = coverage.Coverage(data_file=data_file, data_suffix=True)
        cov.start()
    finally:
        if core is None:
            os.environ.pop("COVERAGE_CORE", None)
        else:
            os.environ["COVERAGE_CORE"] = core
    setattr(cov, STARTED_MARK, __import__("time").time())
    return cov


def save(start_file: str = "") -> Dict[str, Any]:
    """Saves the process's current Coverage object (started first when asked and there is none);
    the facts for the answer."""
    facts: Dict[str, Any] = {"pid": os.getpid(), "python": "%d.%d.%d" % sys.version_info[:3]}
    if importing():
        facts["status"] = "busy"
        return facts
    module = sys.modules.get("coverage")
    current = getattr(getattr(module, "Coverage", None), "current", None)
    cov = current() if callable(current) else None
    if cov is None and start_file:
        cov = start(start_file)
        module = sys.modules.get("coverage")
    if cov is None:
        facts["status"] = "no-coverage"
        return facts
    cov.save()
    path = os.path.abspath(cov.get_data().data_filename())
    facts.update(coverage=str(getattr(module, "__version__", "")), core=_core(cov),
                 started=getattr(cov, STARTED_MARK, None))
    if not os.path.exists(path):
        # Started now, and nothing it measures ran yet (no `source` files to list either).
        facts.update(status="started", data_file=path)
        return facts
    facts.update(status="saved", data_file=path, bytes=os.path.getsize(path),
                 mtime=os.path.getmtime(path))
    return facts


def answer(answer_dir: str, nonce: str, facts: Dict[str, Any]) -> None:
    facts["nonce"] = nonce
    tmp = os.path.join(answer_dir, ANSWER + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(facts, f)
    os.rename(tmp, os.path.join(answer_dir, ANSWER))


def main(answer_dir: str, nonce: str, start_file: str = "") -> None:
    try:
        facts = save(start_file)
    except Exception as e:
        facts = {"pid": os.getpid(), "status": "error", "error": ("%s: %s" % (type(e).__name__, e))[:MAX_ERROR]}
    answer(answer_dir, nonce, facts)


def bootstrap(program_path: str, answer_dir: str, nonce: str, start_file: str = "") -> str:
    """The text handed to the interpreter: runs the program file in a fresh namespace.

    It binds no name where it runs (PyRun_SimpleString and sys.remote_exec run in __main__) and
    never raises: a pending call that fails without an exception set would surface in the
    service as a SystemError. The code's file name starts with '<', which coverage.py never
    measures: the program leaves no line of its own in the service's data."""
    inner = ("with open(P, 'rb') as f:\n"
             "    exec(compile(f.read(), %r, 'exec'), {'__name__': '__pycov_harvest_attach__', " % CODE_NAME +
             "'ANSWER_DIR': D, 'NONCE': N, 'START': S})\n")
    return "try:\n    exec(%r, {'P': %r, 'D': %r, 'N': %r, 'S': %r})\nexcept Exception:\n    pass\n" % (
        inner, program_path, answer_dir, nonce, start_file)


if __name__ == "__pycov_harvest_attach__":
    main(str(globals()["ANSWER_DIR"]), str(globals()["NONCE"]), str(globals().get("START") or ""))
