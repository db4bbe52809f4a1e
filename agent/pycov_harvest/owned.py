"""The project's coverage settings that the agent owns in a service, and the mark that tells the
contexts it wrote from coverage.py's own.

A project's config (e.g. full-stack-fastapi-template's `[tool.coverage.run]`) is written for its
unit tests. Two of its settings would make a service's data wrong, so they are not applied, each
with one log line (docs/agent.md, "Your coverage configuration"):

- `dynamic_context` (and the context switchers of plugins): coverage.py would start a context at
  every function named `test_*`, route handlers included, cutting the harness's contexts apart;
  on sys.monitoring it would also change the core. The harness's switches own the contexts.
- `relative_files`: the data would keep names relative to the service's working folder, which
  the action's `path-map` cannot map; the action's reports are relative anyway.

The data files the agent writes carry a meta row (`MARK_KEY`) that maps each context label it
wrote to the harness's context name, so that the action counts only those."""

from __future__ import annotations

import json
import sqlite3

from pycov_harvest import log

MARK_KEY = "pycov-harvest:contexts"
SQLITE_TIMEOUT = 5.0


def _source(config) -> str:
    return getattr(config, "config_file", None) or "the coverage configuration"


def take_over(cov) -> None:
    """Before `cov.start()`: drops the settings a service must not use, says so, and keeps the
    core the user asked for on 3.14+ when plugins need a tracer sys.monitoring cannot run."""
    config = cov.config
    if config.dynamic_context and config.dynamic_context != "none":
        log.once(("dynamic_context",), f"dynamic_context = {config.dynamic_context} from {_source(config)} is "
                 "not applied in a service: the agent owns the contexts, which your test harness switches "
                 "(`python -m pycov_harvest context NAME`, or the action's `context` command)")
        config.dynamic_context = None
    if config.relative_files:
        log.once(("relative_files",), f"relative_files = true from {_source(config)} is not applied in a "
                 "service: the data keeps the service's absolute paths, which the action maps with `path-map` "
                 "(its reports are relative)")
        config.relative_files = False
    cov._init()  # loads the plugins, as start() would
    plugins = cov._plugins
    switchers = list(getattr(plugins, "context_switchers", []) or [])
    if switchers:
        names = ", ".join(getattr(p, "_coverage_plugin_name", "?") for p in switchers)
        log.once(("context_switchers",), f"the dynamic contexts of coverage plugin(s) {names} are not applied in "
                 "a service: the agent owns the contexts")
        plugins.context_switchers = []
    tracers = list(getattr(plugins, "file_tracers", []) or [])
    if tracers and getattr(config, "core", None) is None and _sysmon_by_default():
        names = ", ".join(getattr(p, "_coverage_plugin_name", "?") for p in tracers)
        log.once(("core-for-plugins",), f"core ctrace, not sys.monitoring (coverage's default on this Python): "
                 f"the file tracers of coverage plugin(s) {names} run only on ctrace; set [run] core to choose")
        config.core = "ctrace"


def _sysmon_by_default() -> bool:
    try:
        from coverage import env
    except ImportError:
        return False
    return bool(getattr(env, "SYSMON_DEFAULT", False))


def report_core(asked, core: str) -> None:
    """One line when coverage runs another core than the one asked for (COVERAGE_CORE, [run] core)."""
    if asked and asked != core:
        log.once(("core", asked, core), f"core {core} (asked: {asked}); coverage.py's own warning above says why")


def mark(filename: str, labels: dict) -> None:
    """Writes the labels → harness contexts map into the data file's meta table. A failure is one
    log line: the data stays good, only the action counts its contexts as coverage.py's own."""
    try:
        db = sqlite3.connect(filename, timeout=SQLITE_TIMEOUT)
        try:
            # No rollback journal, as coverage.py writes its own data: a process killed in the
            # middle of this write would leave a hot journal beside the file, and coverage.py
            # (7.18+) refuses to read a data file that has one.
            db.execute("pragma journal_mode=off")
            with db:
                db.execute("insert or replace into meta (key, value) values (?, ?)",
                           (MARK_KEY, json.dumps(labels, sort_keys=True)))
        finally:
            db.close()
    except sqlite3.Error as e:
        log.once(("mark", filename), f"could not mark the contexts in {filename} ({e}); the action will not "
                 "count them as the harness's")
