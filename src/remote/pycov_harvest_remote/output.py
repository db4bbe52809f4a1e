"""How the programs talk back: JSON lines on stdout, then at most one tar
stream, and an exit status that says only whether the program kept its contract
(docs/protocol.md, "Programs")."""

from __future__ import annotations

import json
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, BinaryIO, Dict

# The program ran to its end; what happened is in its JSON lines.
EXIT_OK = 0
# (1 is Python's own status for an uncaught exception: a crash, with a traceback on stderr.)
# The arguments did not match the contract: a bug on the action's side.
EXIT_BAD_ARGUMENTS = 2


class BadArguments(Exception):
    pass


def arguments() -> Dict[str, Any]:
    """The one JSON object the action passes as the program's only argument."""
    if len(sys.argv) != 2:
        raise BadArguments("expected one JSON argument, got %d" % (len(sys.argv) - 1))
    try:
        value = json.loads(sys.argv[1])
    except ValueError as e:
        raise BadArguments("the argument is not JSON (%s)" % e) from None
    if not isinstance(value, dict):
        raise BadArguments("the argument is not a JSON object")
    return value


def require(args: Dict[str, Any], key: str, kind: Any) -> Any:
    value = args.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BadArguments("argument %r is missing or not %s" % (key, getattr(kind, "__name__", kind)))
    return value


def emit(event: str, **fields: Any) -> None:
    fields["event"] = event
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def start_tar() -> BinaryIO:
    """Announces the tar stream; everything after this line on stdout is tar."""
    emit("tar")
    return sys.stdout.buffer


def run(main: Any) -> int:
    """Runs a program's main, turning bad arguments into exit 2 with one line on stderr."""
    try:
        return int(main(arguments()))
    except BadArguments as e:
        sys.stderr.write("pycov-harvest program: bad arguments: %s\n" % e)
        return EXIT_BAD_ARGUMENTS
