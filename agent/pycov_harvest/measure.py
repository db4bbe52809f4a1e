"""Measurement: one coverage.py instance per process, saved from any thread.

Only this module touches coverage.py. It uses the public API where there is
one (Coverage, save, get_data, CoverageData.erase) and a few long-standing
internals (`_collector`, `_data`) where there is not.
"""

from __future__ import annotations

import os
import sys
import threading

import coverage

from pycov_harvest import owned

_CORE_NAMES = {"CTracer": "ctrace", "PyTracer": "pytrace", "SysMonitor": "sysmon"}
# Coverage features that start coverage in other processes by themselves; the
# agent's .pth already does that, and two instances in one process would double
# the tracing cost.
_SELF_SPAWNING_PATCHES = ("subprocess", "execv", "fork", "_exit")
# Every wait of the agent is bounded.
SAVE_LOCK_TIMEOUT = 30.0
_END_OF_RUN_WARNINGS = ("no-data-collected", "module-not-imported")


class _SnapshotView:
    """Stands in for a Collector while its own `flush_data` code runs.

    `data` is a frozen copy of the live per-file sets, so the save never
    iterates a set that a traced thread is adding to, and `_clear_data` does
    nothing: the caller subtracts exactly what was saved from the live sets
    afterwards, so lines recorded during the save stay for the next one.
    (coverage >= 7.17.4 does the same itself; older 7.x cleared the live sets
    after iterating them, losing lines recorded meanwhile.)
    """

    def __init__(self, collector, snapshot):
        self._collector = collector
        self.data = snapshot

    def __getattr__(self, name):
        return getattr(self._collector, name)

    def _clear_data(self):
        pass

    def _activity(self):
        return True  # a save always writes what the live sets hold


def _install_safe_flush(collector) -> None:
    original = type(collector).flush_data

    def flush_data() -> bool:
        # Never gated on tracer.activity(): the sys.monitoring core sets it only
        # when a code object is first entered, not per line, so a new line of an
        # already-run function would never be saved. Copying the sets is cheap.
        for tracer in collector.tracers:
            tracer.reset_activity()
        live = collector.data.copy()  # dict.copy and set.copy are atomic under the GIL
        snapshot = {name: lines.copy() for name, lines in live.items()}
        # The view gets its own sets: coverage >= 7.17.4 empties what it was given.
        original(_SnapshotView(collector, {name: set(lines) for name, lines in snapshot.items()}))
        for name, saved in snapshot.items():
            live[name].difference_update(saved)
        return True

    collector.flush_data = flush_data


def _restart_sysmon_events() -> None:
    # sys.monitoring disables a line's event once recorded; after a reset the
    # line must be recorded again when it runs again.
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is not None:
        monitoring.restart_events()


def _core_of(cov) -> str:
    collector = getattr(cov, "_collector", None)
    name = collector.tracer_name() if collector is not None else ""
    return _CORE_NAMES.get(name, name.lower())


class Measurement:
    def __init__(self, data_dir: str, rcfile):
        self.data_dir = data_dir
        self.rcfile = rcfile
        self.lock = threading.Lock()
        self._erase_before_next_save = False
        self.context = ""  # the context measured under now ('' for none; see contexts.py)
        # Each context label written into the current data file → the harness's context ('' for
        # none: a static `[run] context` alone); owned.mark() writes it into the file.
        self._labels: dict[str, str] = {}
        self.cov = self._start()

    def _start(self):
        cov = coverage.Coverage(
            data_file=os.path.join(self.data_dir, ".coverage"),
            data_suffix=True,
            config_file=self.rcfile,
            auto_data=False,
        )
        config = cov.config
        config.parallel = True
        if hasattr(config, "sigterm"):
            config.sigterm = False  # the agent handles SIGTERM, chained with the server
        if hasattr(config, "patch"):
            config.patch = [p for p in config.patch if p not in _SELF_SPAWNING_PATCHES]
        config.concurrency = [c for c in (config.concurrency or []) if c != "multiprocessing"]
        # A save is not the end of a run: coverage's end-of-run warnings (nothing measured, a
        # source module never imported) would reach the service's log at every save of a process
        # that has not run the source yet (a supervisor, a helper, a fresh worker).
        config.disable_warnings = [*(config.disable_warnings or []), *_END_OF_RUN_WARNINGS]
        owned.take_over(cov)
        cov.start()
        owned.report_core(getattr(config, "core", None), _core_of(cov))
        _install_safe_flush(cov._collector)
        static = getattr(cov._collector, "static_context", None) or ""
        self._labels = {static: ""} if static else {}
        return cov

    @property
    def core(self) -> str:
        return _core_of(self.cov)

    @property
    def branch(self) -> bool:
        return bool(self.cov.config.branch)

    def data_file(self) -> str:
        data = getattr(self.cov, "_data", None)
        if data is None:
            return ""
        return data.data_filename()

    def set_context(self, name: str) -> None:
        """Lines and arcs written from now on carry `name` as their coverage.py context
        (joined to a static `[run] context` with a pipe, as coverage.py does)."""
        self.context = name
        collector = self.cov._collector
        static = getattr(collector, "static_context", None) or ""
        label = f"{static}|{name}" if static and name else (static or name)
        collector.covdata.set_context(label or None)
        if label:
            self._labels[label] = name

    def save(self, reset: bool = False, context: str | None = None) -> tuple[str, int]:
        """Save everything measured so far; measurement goes on. Returns (file, bytes).

        After a reset save the data file still holds everything up to that
        save (so it can be collected); the next save first erases it, so from
        then on the file holds only what ran after the reset.

        With `context` (a switch), what was measured so far is saved under the
        current context, and what runs from then on is measured under `context`.
        """
        if not self.lock.acquire(timeout=SAVE_LOCK_TIMEOUT):
            raise TimeoutError(f"another save did not finish within {SAVE_LOCK_TIMEOUT:g} s")
        try:
            return self._save_locked(reset, context)
        except Exception:
            # E.g. a full disk mid-write, or a data file removed from under us:
            # reopen the file on the next save (re-creating its schema when the
            # failed write left none). The unsaved lines are still in the live
            # sets, so the next good save writes them.
            self._reopen_data()
            raise
        finally:
            self.lock.release()

    def _reopen_data(self) -> None:
        data = getattr(self.cov, "_data", None)
        reset = getattr(data, "_reset", None)
        if reset is not None:
            try:
                reset()
            except Exception:
                pass

    def _save_locked(self, reset: bool, context: str | None = None) -> tuple[str, int]:
        if self._erase_before_next_save:
            self._erase_data_file()
            self._erase_before_next_save = False
        # get_data() writes everything measured into the SQLite file. Not
        # Coverage.save(): its CoverageData.write() names the file after a
        # hash of its content (7.14+), and before 7.17.1 only on the first
        # write, so two processes whose first saves were alike got the same
        # name hash and `coverage combine` skipped one of them as a
        # duplicate. Without it the name stays put and combine hashes the
        # file's bytes.
        data = self.cov.get_data()
        filename = data.data_filename()
        if not os.path.exists(filename):
            # Nothing measured yet: still leave a (valid, empty) data file,
            # so every process has one to show.
            if self.branch:
                data.add_arcs({})
            else:
                data.add_lines({})
        owned.mark(filename, self._labels)
        if context is not None:
            self.set_context(context)
        if reset:
            self._erase_before_next_save = True
        if (reset or context is not None) and self.core == "sysmon":
            _restart_sysmon_events()
        return filename, os.path.getsize(filename)

    def _erase_data_file(self) -> None:
        # Not get_data(): that would first flush what ran since the reset.
        data = self.cov._data
        data.erase()
        # Forget the lines-or-arcs choice so the fresh file records it again.
        data._has_lines = data._has_arcs = False
        current = [(label, name) for label, name in self._labels.items() if name == self.context]
        self._labels = dict(current[-1:])

    def restart_in_forked_child(self) -> None:
        """In a forked child: stop the parent's copy and measure into a new data file."""
        self.lock = threading.Lock()
        self._erase_before_next_save = False
        try:
            self.cov.stop()
        except Exception:
            pass
        self.cov = self._start()
        if self.context:
            self.set_context(self.context)  # the parent's window goes on in the child
