"""The agent in one process: measurement, flush thread, registration, signals,
listener, and what happens at fork and at exit."""

from __future__ import annotations

import atexit
import errno
import os
import signal
import threading
import time

from pycov_harvest import contexts, files, log, registry, signals
from pycov_harvest.flusher import FlushThread
from pycov_harvest.listener import Listener
from pycov_harvest.measure import Measurement
from pycov_harvest.presence import Presence
from pycov_harvest.settings import Settings
from pycov_harvest.wake import WakeChannel

SIGTERM_SAVE_TIMEOUT = 10.0


def warn(message: str) -> None:
    log.warn(message)


class Agent(Presence):
    def __init__(self, settings: Settings):
        self.settings = settings
        self.pid = os.getpid()
        self.host = files.host_name()
        self.started = time.time()
        self.measurement: Measurement | None = None
        self.listener: Listener | None = None
        self.wake: WakeChannel | None = None
        self.flusher: FlushThread | None = None
        self._fork_lock_held = False
        self._exited = False
        self._registered_data_file: str | None = None

    # --- start -------------------------------------------------------------

    def activate(self) -> bool:
        for problem in self.settings.problems:
            warn(problem)
        data_dir = self.settings.data_dir
        try:
            os.makedirs(files.registry_dir(data_dir), exist_ok=True)
            for directory in (data_dir, files.registry_dir(data_dir)):  # data files, then registry
                probe = os.path.join(directory, f".probe-{os.getpid()}")
                with open(probe, "w"):
                    pass
                os.unlink(probe)
        except OSError as e:
            warn(
                f"data directory {data_dir} is not usable ({e.strerror or e}): coverage is off in this "
                "process; set PYCOV_HARVEST_DATA_DIR to a writable directory"
            )
            return False
        self.measurement = Measurement(data_dir, self.settings.rcfile)
        contexts.adopt(self.measurement, data_dir, self.settings.token)
        self._start_threads()
        self._start_listener()
        self._install_signals()
        self.register()
        atexit.register(self._at_exit)
        self._wrap_os_exit()
        os.register_at_fork(
            before=self._before_fork,
            after_in_parent=self._after_fork_in_parent,
            after_in_child=self._after_fork_in_child,
        )
        return True

    def _start_threads(self) -> None:
        self.wake = WakeChannel()
        self.flusher = FlushThread(self)
        self.flusher.start()

    def _start_listener(self) -> None:
        port = self.settings.port
        if port is None:
            return
        try:
            self.listener = Listener(self.settings, port)
        except OSError as e:
            if e.errno == errno.EADDRINUSE and self._port_owned_by_agent(port):
                return  # another process of this service listens already
            warn(
                f"cannot listen on {self.settings.host}:{port} ({e.strerror or e}): the HTTP listener is off "
                "in this process (the save signal and `python -m pycov_harvest flush` still work); "
                "set PYCOV_HARVEST_PORT to a free port"
            )
            return
        self.listener.start()

    def take_over_orphaned_listener(self) -> None:
        """The process that bound the port first owns the listener; when it is
        gone (its registration is pruned once its pid is dead), another takes over."""
        port = self.settings.port
        if self.listener is not None or port is None or self._exited or os.getpid() != self.pid:
            return
        if self._port_owned_by_agent(port):
            return
        try:
            listener = Listener(self.settings, port)
        except OSError:
            return  # still held (by a process outside the agent: said so at start)
        self.listener = listener
        listener.start()
        self.register()

    def _port_owned_by_agent(self, port: int) -> bool:
        return any(
            p.get("port") == port
            for p in registry.live_processes(self.settings.data_dir, self.host, self.settings.token)
        )

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        if self.settings.save_signal is not None:
            try:
                signals.manage(self.settings.save_signal, self._on_save_signal, default_kills=False)
            except (ValueError, OSError) as e:
                warn(f"cannot handle the save signal ({e}): it is off; the HTTP listener and CLI still work")
                self.settings.save_signal = None
        if self.settings.sigterm:
            try:
                signals.manage(
                    signal.SIGTERM, self._on_sigterm, default_kills=True, before_default_death=self.unregister
                )
            except (ValueError, OSError) as e:
                warn(f"cannot chain SIGTERM ({e}): no save on SIGTERM")
                self.settings.sigterm = False

    # --- registry ------------------------------------------------------------

    def idle_check(self) -> None:
        self.ensure_registered()
        self.take_over_orphaned_listener()

    # --- triggers --------------------------------------------------------------

    def _on_save_signal(self, signum) -> None:
        if self.flusher is not None:
            self.flusher.wake_local("signal")

    def _on_sigterm(self, signum) -> None:
        """Save before the server's own handler starts its (maybe endless) shutdown."""
        if self.flusher is None or self._exited:
            return
        done = threading.Event()
        self.flusher.wake_local("sigterm", done)
        done.wait(SIGTERM_SAVE_TIMEOUT)

    def _at_exit(self) -> None:
        if self._exited or os.getpid() != self.pid:
            return
        self._exited = True
        try:
            if self.flusher is not None:
                self.flusher.save_and_ack("exit")
        finally:
            self.unregister()

    def _wrap_os_exit(self) -> None:
        """Forked multiprocessing children end with os._exit, which skips atexit."""
        real_exit = os._exit
        agent = self

        def _exit(status):
            try:
                agent._at_exit()
            except Exception:
                pass
            real_exit(status)

        if not getattr(os._exit, "_pycov_harvest", False):
            _exit._pycov_harvest = True  # type: ignore[attr-defined]
            os._exit = _exit

    # --- fork --------------------------------------------------------------------

    def _before_fork(self) -> None:
        # Never fork in the middle of a save: the child would inherit a held lock
        # and a half-written SQLite transaction.
        if self.measurement is not None:
            self._fork_lock_held = self.measurement.lock.acquire(timeout=5)

    def _after_fork_in_parent(self) -> None:
        if self._fork_lock_held and self.measurement is not None:
            self._fork_lock_held = False
            self.measurement.lock.release()

    def _after_fork_in_child(self) -> None:
        log.reset_in_forked_child()
        self._fork_lock_held = False
        self.pid = os.getpid()
        self.started = time.time()
        self._exited = False
        try:
            if self.listener is not None:
                self.listener.close_in_forked_child()
                self.listener = None
            if self.wake is not None:
                self.wake.close()
            if self.measurement is not None:
                self.measurement.restart_in_forked_child()
            self._start_threads()
            self.register()
        except Exception as e:
            warn(f"could not restart in forked child {self.pid}: {e!r}")


_agent: Agent | None = None


def current() -> Agent | None:
    return _agent


def start(settings: Settings) -> Agent | None:
    global _agent
    if _agent is not None:
        return _agent
    agent = Agent(settings)
    if agent.activate():
        _agent = agent
    return _agent
