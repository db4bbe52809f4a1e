"""Signal names: the one parser for the agent's settings, its fan-out and the
programs the action runs inside targets (bundled from this very file; standard
library only, Python 3.8+)."""

from __future__ import annotations

import signal

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Optional

# Signals that stop a process for good or suspend it: never a save signal.
NEVER_SAVE = frozenset(("SIGKILL", "SIGSTOP", "SIGTERM"))


def parse(text: str) -> int:
    """'SIGUSR2', 'USR2', 'usr2' or '12' -> the signal number; ValueError otherwise."""
    value = str(text).strip()
    if value.isdigit():
        return signal.Signals(int(value)).value
    upper = value.upper()
    if not upper.startswith("SIG"):
        upper = "SIG" + upper
    member = getattr(signal.Signals, upper, None)
    if not isinstance(member, signal.Signals):
        raise ValueError(text)
    return member.value


def parse_or_none(text: object) -> Optional[int]:
    """Like parse, but None for anything that is not a signal (e.g. a field of a
    file someone else wrote)."""
    if not isinstance(text, str):
        return None
    try:
        return parse(text)
    except ValueError:
        return None


def name(number: int) -> str:
    return signal.Signals(number).name
