"""The project's own coverage config as the base of every report: found as coverage.py finds it
(an explicit file, else `.coveragerc`, `setup.cfg`, `tox.ini`, `pyproject.toml` in the current
directory), read by coverage.py itself, with only what the harvest needs layered on top through
coverage.py's config object, never by writing config text (a measured file name comes from the
target and must never be read as configuration)."""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

if TYPE_CHECKING:
    from typing import TypedDict

    class Layered(TypedDict):
        """What `open_project` reports: the file used, the settings the harvest changed, and one
        sentence per plugin the conversion image cannot import."""

        config_file: Optional[str]
        overridden: List[str]
        plugins_missing: List[str]

# The files coverage.py tries when no file is named, in its order (coverage/config.py
# `config_files_to_try`); setup.cfg and tox.ini count only with `[coverage:...]` sections and
# pyproject.toml only with `[tool.coverage...]` tables.
SEARCHED = (".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml")


class ProjectConfigError(Exception):
    """A project coverage config that coverage.py rejects (the message names file and setting)."""


def open_project(data_file: str, explicit: Optional[str], image: str) -> Tuple[Any, "Layered"]:
    """A `coverage.Coverage` on `data_file` with the project's config and the harvest's layer:
    `relative_files`, and the plugins this image cannot import taken out (each named in one
    sentence)."""
    import coverage

    # The runner's own choice of config must not leak in: only `explicit` names a file.
    os.environ.pop("COVERAGE_RCFILE", None)
    try:
        cov = coverage.Coverage(data_file=data_file, config_file=explicit or True)
    except Exception as e:  # ConfigError is no CoverageException before 7.5; a bad value is a ValueError
        raise ProjectConfigError(rejected(explicit or searched_file(), e)) from e
    config = cov.config
    overridden: List[str] = []
    if not config.relative_files:
        config.set_option("run:relative_files", True)
        overridden.append("[run] relative_files = true")
    missing = [plugin for plugin in config.plugins if not importable(plugin)]
    if missing:
        config.set_option("run:plugins", [p for p in config.plugins if p not in missing])
        overridden.append("[run] plugins -= %s" % ", ".join(missing))
    where = config.config_file
    return cov, {
        "config_file": os.path.relpath(where) if where else None,
        "overridden": overridden,
        "plugins_missing": [plugin_sentence(p, where, image) for p in missing],
    }


def orphans(cov: Any) -> List[str]:
    """Measured files whose data names a plugin (`module.Class`) that is not loaded: coverage.py
    cannot report them at all (its `_get_file_reporter` raises KeyError on the plugin's name, for
    every measured file, before `omit` applies)."""
    loaded = set(cov.config.plugins)
    data = cov.get_data()
    return sorted(name for name in data.measured_files()
                  if data.file_tracer(name) and data.file_tracer(name).rpartition(".")[0] not in loaded)


def log_line(layered: "Layered") -> str:
    """One line: the config file used and what the harvest changed in it."""
    source = layered["config_file"] or "no coverage config file (%s: none has coverage settings)" % ", ".join(SEARCHED)
    changes = "; ".join(layered["overridden"]) or "nothing"
    return "coverage config: %s; the harvest overrides: %s" % (source, changes)


def importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except Exception:  # an ImportError, or the plugin's own import failing without its framework
        return False
    return True


def plugin_sentence(plugin: str, config_file: Optional[str], image: str) -> str:
    named = " named in %s" % os.path.relpath(config_file) if config_file else ""
    return ("the coverage plugin %s%s cannot be imported in the conversion image %s, so the reports "
            "leave out the files it measured; set `coverage-image` to an image that has it installed "
            "(the service's image has)" % (plugin, named, image))


def searched_file() -> str:
    """The file coverage.py was reading when it failed, as its own search would pick it."""
    for name in SEARCHED:
        if os.path.isfile(name):
            return name
    return SEARCHED[0]


def rejected(config_file: str, error: BaseException) -> str:
    """One sentence: the file, the setting coverage.py rejects (when it can be found) and why."""
    import coverage

    if "TOML support" in str(error):
        return ("coverage.py %s cannot read the project's coverage config %s on Python %d.%d without tomli; set "
                "`coverage-image` to an image with `coverage[toml]` installed, or use Python 3.11 or newer"
                % (coverage.__version__, config_file, sys.version_info[0], sys.version_info[1]))
    setting = bad_setting(config_file)
    what = "`%s`" % setting if setting else "a setting"
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return ("coverage.py %s rejects %s in the project's coverage config %s (%s); fix it there, or name "
            "another file with `coverage-config`" % (coverage.__version__, what, config_file, reason))


def bad_setting(config_file: str) -> Optional[str]:
    """The first `[section] option` of the file that coverage.py cannot read with its own type."""
    from coverage.config import CoverageConfig, HandyConfigParser
    from coverage.tomlconfig import TomlConfigParser

    our_file = os.path.basename(config_file) not in SEARCHED[1:] or config_file.endswith(".toml")
    parser: Any = TomlConfigParser(our_file) if config_file.endswith(".toml") else HandyConfigParser(our_file)
    try:
        parser.read(config_file)
    except Exception:
        return None  # the file itself does not parse: the reason says where
    probe = CoverageConfig()
    for spec in CoverageConfig.CONFIG_FILE_OPTIONS:
        try:
            probe._set_attr_from_config_option(parser, *spec)
        except Exception:
            section, option = spec[1].split(":")
            return "[%s] %s" % (section, option)
    return None
