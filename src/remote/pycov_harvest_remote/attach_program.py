"""The program `attach` runs inside the service's own interpreter.

It is executed (not imported) in the service's main thread with the GIL, at the
interpreter's eval-breaker check, from a private namespace, with ANSWER_DIR and
NONCE set by the bootstrap. It saves the running `coverage.Coverage.current()`
and writes what it saved to ANSWER_DIR/answer.json (mode 0600, the service's
uid). It never imports coverage, never starts it, and leaves no other file.
Imported as a module (by the programs' loader), it does nothing."""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict

ANSWER = "answer.json"
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


def save() -> Dict[str, Any]:
    """Saves the process's current Coverage object; the facts for the answer."""
    facts: Dict[str, Any] = {"pid": os.getpid(), "python": "%d.%d.%d" % sys.version_info[:3]}
    if importing():
        facts["status"] = "busy"
        return facts
    module = sys.modules.get("coverage")
    current = getattr(getattr(module, "Coverage", None), "current", None)
    cov = current() if callable(current) else None
    if cov is None:
        facts["status"] = "no-coverage"
        return facts
    cov.save()
    path = os.path.abspath(cov.get_data().data_filename())
    facts.update(status="saved", data_file=path, bytes=os.path.getsize(path),
                 mtime=os.path.getmtime(path), coverage=str(getattr(module, "__version__", "")),
                 core=_core(cov))
    return facts


def answer(answer_dir: str, nonce: str, facts: Dict[str, Any]) -> None:
    facts["nonce"] = nonce
    tmp = os.path.join(answer_dir, ANSWER + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(facts, f)
    os.rename(tmp, os.path.join(answer_dir, ANSWER))


def main(answer_dir: str, nonce: str) -> None:
    try:
        facts = save()
    except Exception as e:
        facts = {"pid": os.getpid(), "status": "error", "error": ("%s: %s" % (type(e).__name__, e))[:MAX_ERROR]}
    answer(answer_dir, nonce, facts)


def bootstrap(program_path: str, answer_dir: str, nonce: str) -> str:
    """The text handed to the interpreter: runs the program file in a fresh namespace.

    It binds no name where it runs (PyRun_SimpleString and sys.remote_exec run in __main__) and
    never raises: a pending call that fails without an exception set would surface in the
    service as a SystemError. The code's file name starts with '<', which coverage.py never
    measures: the program leaves no line of its own in the service's data."""
    inner = ("with open(P, 'rb') as f:\n"
             "    exec(compile(f.read(), %r, 'exec'), {'__name__': '__pycov_harvest_attach__', " % CODE_NAME +
             "'ANSWER_DIR': D, 'NONCE': N})\n")
    return "try:\n    exec(%r, {'P': %r, 'D': %r, 'N': %r})\nexcept Exception:\n    pass\n" % (
        inner, program_path, answer_dir, nonce)


if __name__ == "__pycov_harvest_attach__":
    main(str(globals()["ANSWER_DIR"]), str(globals()["NONCE"]))
