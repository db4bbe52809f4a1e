"""What one agent process publishes about itself in the registry of the data dir: its
registration (who it is, how to reach it) and the acknowledgement of each save."""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING, Optional

from pycov_harvest import __version__, auth, files, log, procfs
from pycov_harvest.settings import Settings

if TYPE_CHECKING:
    from typing import Protocol

    from pycov_harvest.measure import Measurement
    from pycov_harvest.wake import WakeChannel

    class Listening(Protocol):
        """The listener as the registration sees it (listener.py is a layer above)."""

        port: Optional[int]


class Presence:
    """The Agent's registry side (a mixin: the Agent holds the state it reads)."""

    settings: Settings
    pid: int
    host: str
    started: float
    measurement: Measurement | None
    listener: Listening | None
    wake: WakeChannel | None
    _exited: bool
    _registered_data_file: str | None

    def registration(self) -> dict:
        assert self.measurement is not None
        sig = self.settings.save_signal
        return {
            "agent": __version__,
            "pid": self.pid,
            "ppid": os.getppid(),
            "host": self.host,
            "argv": list(getattr(sys, "orig_argv", sys.argv)),
            "executable": sys.executable,
            "python": ".".join(map(str, sys.version_info[:3])),
            "coverage": _coverage_version(),
            "core": self.measurement.core,
            "data_file": self.measurement.data_file(),
            "port": self.listener.port if self.listener else None,
            "signal": signal.Signals(sig).name if sig is not None else None,
            "sigterm": bool(self.settings.sigterm),
            "started": self.started,
            # With the pid, these name this very process: a flusher signals a pid
            # only when /proc still shows the same start time and command line.
            "start_ticks": procfs.start_ticks(self.pid),
            "cmdline": procfs.cmdline(self.pid),
            "wake": self.wake.address if self.wake else None,
        }

    def register(self) -> bool:
        try:
            registration = auth.sign(self.settings.token, self.registration())
            files.write_json(files.proc_path(self.settings.data_dir, self.host, self.pid), registration)
            self._registered_data_file = registration["data_file"]
            return True
        except OSError as e:
            log.once(
                ("register", self.pid, e.errno),
                f"cannot register in {files.registry_dir(self.settings.data_dir)} ({e.strerror or e}); "
                "will retry every few seconds",
            )
            return False

    def ensure_registered(self) -> None:
        """Re-create the registration (and the registry directory, inside an
        existing data dir) when someone removed it."""
        if self._exited or os.getpid() != self.pid:
            return
        if os.path.exists(files.proc_path(self.settings.data_dir, self.host, self.pid)):
            return
        if not os.path.isdir(self.settings.data_dir):
            return
        try:
            os.makedirs(files.registry_dir(self.settings.data_dir), exist_ok=True)
        except OSError:
            return
        if self.register():
            log.warn(f"registered again in {files.registry_dir(self.settings.data_dir)} (the registration was removed)")

    def unregister(self) -> None:
        try:
            os.unlink(files.proc_path(self.settings.data_dir, self.host, self.pid))
        except OSError:
            pass

    def write_ack(self, ack: dict) -> None:
        try:
            files.write_json(files.ack_path(self.settings.data_dir, self.host, self.pid), ack)
        except OSError as e:
            log.once(("ack", self.pid, e.errno), f"cannot write the acknowledgement ({e.strerror or e})")
            return
        if ack["data_file"] and ack["data_file"] != self._registered_data_file and not self._exited:
            self.register()  # e.g. a data file renamed by coverage itself


def _coverage_version() -> str:
    import coverage

    return coverage.__version__
