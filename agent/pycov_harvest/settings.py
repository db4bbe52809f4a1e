"""The agent's settings, read from PYCOV_HARVEST_* environment variables.

A bad value never raises: it turns the matching trigger off and leaves a
message in `problems`, which the agent prints as one line on stderr.
"""

from __future__ import annotations

import ipaddress
import os
import signal
from dataclasses import dataclass, field

from pycov_harvest import signames

DEFAULT_DATA_DIR = "/coverdata"
DEFAULT_PORT = 9797
AUTOSAVE_RANGE = (1, 86400)


@dataclass
class Settings:
    data_dir: str = DEFAULT_DATA_DIR
    port: int | None = DEFAULT_PORT
    host: str = "127.0.0.1"
    token: str | None = None
    save_signal: int | None = signal.SIGUSR1
    sigterm: bool = True
    rcfile: str | bool = True
    autosave: int | None = None  # seconds between periodic saves, or None
    problems: list[str] = field(default_factory=list)


def data_dir_from_env(environ=os.environ) -> str:
    return environ.get("PYCOV_HARVEST_DATA_DIR") or DEFAULT_DATA_DIR


def parse_signal(name: str) -> int:
    """'SIGUSR2', 'USR2', 'usr2' or '12' -> the signal number; ValueError otherwise."""
    return signames.parse(name)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_settings(environ=os.environ) -> Settings:
    s = Settings(data_dir=data_dir_from_env(environ))
    _read_listener(s, environ)
    _read_save_signal(s, environ)
    s.sigterm = environ.get("PYCOV_HARVEST_SIGTERM", "1").strip() != "0"
    _read_autosave(s, environ)
    s.rcfile = environ.get("PYCOV_HARVEST_RCFILE") or environ.get("COVERAGE_RCFILE") or True
    return s


def _read_listener(s: Settings, environ) -> None:
    port = environ.get("PYCOV_HARVEST_PORT", "").strip()
    if port.lower() == "off":
        s.port = None
    elif port:
        try:
            s.port = int(port)
            if not 1 <= s.port <= 65535:  # 0 would give every process a port of its own
                raise ValueError(port)
        except ValueError:
            s.port = None
            s.problems.append(
                f"PYCOV_HARVEST_PORT={port!r} is not a port number: the HTTP listener is off "
                "(use a number from 1 to 65535, or 'off')"
            )

    s.host = environ.get("PYCOV_HARVEST_HOST", "").strip() or "127.0.0.1"
    s.token = environ.get("PYCOV_HARVEST_TOKEN") or None
    if s.port is not None and not is_loopback(s.host) and not s.token:
        s.port = None
        s.problems.append(
            f"PYCOV_HARVEST_HOST={s.host} is not loopback and PYCOV_HARVEST_TOKEN is unset: "
            "the HTTP listener is off (set PYCOV_HARVEST_TOKEN, or bind 127.0.0.1)"
        )


def _read_save_signal(s: Settings, environ) -> None:
    sig = environ.get("PYCOV_HARVEST_SIGNAL", "").strip()
    if sig.lower() == "off":
        s.save_signal = None
    elif sig:
        try:
            s.save_signal = parse_signal(sig)
        except ValueError:
            s.save_signal = None
            s.problems.append(
                f"PYCOV_HARVEST_SIGNAL={sig!r} is not a signal name: the save signal is off "
                "(use e.g. SIGUSR1, SIGUSR2, or 'off')"
            )
        else:
            if s.save_signal in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM):
                s.problems.append(
                    f"PYCOV_HARVEST_SIGNAL={sig} cannot be the save signal: the save signal is off "
                    "(use e.g. SIGUSR1 or SIGUSR2)"
                )
                s.save_signal = None


def _read_autosave(s: Settings, environ) -> None:
    autosave = environ.get("PYCOV_HARVEST_AUTOSAVE", "").strip()
    if autosave and autosave.lower() not in ("off", "0"):
        low, high = AUTOSAVE_RANGE
        try:
            s.autosave = int(autosave)
            if not low <= s.autosave <= high:
                raise ValueError(autosave)
        except ValueError:
            s.autosave = None
            s.problems.append(
                f"PYCOV_HARVEST_AUTOSAVE={autosave!r} is not a number of seconds from {low} to {high}: "
                "autosave is off (use e.g. 30, or 'off')"
            )
