"""Program `convert` as issue 25 wants it (the successor of convert.py): the data files combined
as before, then every report written by coverage.py's own API from the project's own coverage
config (project_config.py), with only relative_files, the omits of measured files that are not in
the workspace, and plugins this image cannot import changed, each said in one log line. Measured
files that are not Python (templates, other languages) are left out as coverage.py leaves them
out, and counted. A failing report names the report and the measured file."""

from __future__ import annotations

import os
import site
import sys
from typing import Any, Dict, List, Optional, Tuple

from pycov_harvest_remote import output
from pycov_harvest_remote.convert import (
    Mapping,
    coverage_version,
    install,
    merge,
    named_contexts,
    one_line,
    read_data,
)
from pycov_harvest_remote.pathmap import PathMap, infer
from pycov_harvest_remote.project_config import ProjectConfigError, log_line, omit_files, open_project, orphans
from pycov_harvest_remote.project_paths import ProjectMap, project_aliases
from pycov_harvest_remote.shared_analysis import SharedAnalysis

UNMAPPED_SHOWN = 20
NOT_PYTHON_NAMED = 3
REPORTS = (
    ("lcov", "lcov_report", "outfile"),
    ("xml", "xml_report", "outfile"),
    ("json", "json_report", "outfile"),
    ("html", "html_report", "directory"),
)
SHOWS_CONTEXTS = ("json", "html")


def plan_combine(cov: Any, data_files: List[str], extra_files: List[str],
                 path_map: Optional[List[List[str]]], workspace: str) -> Dict[str, Any]:
    """The data to combine and the one mapping of it: `path-map`, the project's `[paths]`, the
    inferred prefixes, in that order."""
    e2e, bad, measured = read_data(data_files)
    extra, extra_bad, extra_measured = read_data(extra_files)
    inferred = infer(sorted(measured | extra_measured), workspace) if path_map is None else []
    explicit = PathMap([(r, l) for r, l in path_map], workspace) if path_map is not None else None
    mapper = ProjectMap(explicit, project_aliases(cov.config.paths), PathMap([(p, workspace) for p in inferred], workspace))
    every = Mapping(measured | extra_measured, mapper)
    return {
        "e2e": e2e, "extra": extra, "mapper": mapper, "omit": sorted(every.gone),
        "stats": {
            "measured": len(measured), "kept": Mapping(measured, mapper).kept,
            "unmapped": every.unmapped[:UNMAPPED_SHOWN], "unmapped_count": len(every.unmapped),
            "bad_files": bad + extra_bad, "inferred": inferred,
            "extra_measured": len(extra_measured), "extra_kept": Mapping(extra_measured, mapper).kept,
        },
    }


def not_python(cov: Any, omitted: List[str]) -> List[str]:
    """Measured files coverage.py's reports skip because they are not Python: no plugin reports
    them, their name does not say Python (coverage.py's `should_be_python`) and they do not parse."""
    from coverage.exceptions import NotPython

    skipped = []
    for name in sorted(cov.get_data().measured_files()):
        ext = os.path.splitext(name)[1]
        if name in omitted or not ext or ext.startswith(".py") or not reported(cov, name):
            continue
        try:
            cov.analysis2(name)
        except NotPython:
            skipped.append(name)
        except Exception:  # a plugin's or a missing file's failure: the report says which
            continue
    return skipped


def reported(cov: Any, name: str) -> bool:
    """The project's `[report] include` and `omit` let this file into the reports (coverage.py's
    own matchers, as its reports apply them)."""
    from coverage.files import GlobMatcher, prep_patterns

    path = os.path.abspath(name)
    include, omit = cov.config.report_include, cov.config.report_omit
    if include and not GlobMatcher(prep_patterns(include), "include").match(path):
        return False
    return not (omit and GlobMatcher(prep_patterns(omit), "omit").match(path))


def not_python_line(names: List[str]) -> str:
    shown = ", ".join(names[:NOT_PYTHON_NAMED]) + (", ..." if len(names) > NOT_PYTHON_NAMED else "")
    return "%d measured file(s) are not Python (%s): left out, as coverage.py does" % (len(names), shown)


def failing_file(cov: Any, fmt: str, error: BaseException) -> Optional[str]:
    """The measured file a report failed on: the one coverage.py's message names, else the first
    whose analysis (or, for JSON, code regions) fails on its own."""
    names = sorted(cov.get_data().measured_files())
    for name in names:
        if name in str(error):
            return name
    for name in names:
        try:
            cov.analysis2(name)
            reporter = cov._get_file_reporter(name)
            if fmt == "json" and hasattr(reporter, "code_regions"):
                reporter.code_regions()
        except Exception:
            return name
    return None


def reports(cov: Any, outputs: Dict[str, str], show_contexts: bool,
            morfs: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    """Each report by coverage.py's API, with the project's settings (ignore_errors among them)."""
    steps: List[Dict[str, Any]] = []
    for fmt, method, where in REPORTS:
        if fmt not in outputs:
            continue
        options: Dict[str, Any] = {where: outputs[fmt], "morfs": morfs}
        if show_contexts and fmt in SHOWS_CONTEXTS:
            options["show_contexts"] = True
        try:
            getattr(cov, method)(**options)
            steps.append({"step": fmt, "exit": 0, "output": ""})
        except Exception as e:
            steps.append({"step": fmt, "exit": 1, "output": one_line(e)[-2000:],
                          "file": failing_file(cov, fmt, e)})
            break
    return steps


def project_coverage(args: Dict[str, Any], data_file: str) -> Tuple[Any, Any]:
    return open_project(data_file, args.get("config_file") or None, args.get("image") or "the conversion image")


def convert(args: Dict[str, Any]) -> Dict[str, Any]:
    """Combine, then report; returns the result event's fields."""
    from coverage import CoverageData

    combined_file = output.require(args, "combined", str)
    workspace = output.require(args, "workspace", str)
    try:
        cov, layered = project_coverage(args, combined_file)
    except ProjectConfigError as e:
        return {"ok": False, "config_error": str(e)}
    plan = plan_combine(cov, output.require(args, "data_files", list), args.get("extra_data_files") or [],
                        args.get("path_map"), workspace)
    stats = plan["stats"]
    omit_files(cov, layered, plan["omit"], "not in the workspace")
    if os.path.exists(combined_file):
        os.unlink(combined_file)
    combined = CoverageData(basename=combined_file)
    failed = merge(combined, plan["e2e"], plan["mapper"])
    if failed is None and plan["extra"]:
        failed = merge(combined, plan["extra"], plan["mapper"])
    combined.write()
    fields: Dict[str, Any] = dict(stats, combine_failed=failed, config_file=layered["config_file"],
                                  overridden=layered["overridden"], plugins_missing=layered["plugins_missing"],
                                  log=[log_line(layered)] + layered["plugins_missing"])
    if failed is not None or stats["kept"] == 0:
        return dict(fields, ok=False, steps=[])
    cov.load()
    # coverage.py cannot even list a file whose plugin is missing (a KeyError before any omit
    # applies), so the reports get the other files by name (`morfs`, as `coverage json FILE...`).
    unreportable = orphans(cov)
    morfs = sorted(set(cov.get_data().measured_files()) - set(unreportable)) if unreportable else None
    if unreportable:
        fields["log"].append("%d measured file(s) need a plugin this image lacks (%s): left out"
                             % (len(unreportable), ", ".join(unreportable[:NOT_PYTHON_NAMED])))
    skipped = not_python(cov, plan["omit"] + unreportable)
    if skipped:
        fields["log"].append(not_python_line(skipped))
    if args.get("share_analysis", True):
        SharedAnalysis(cov)
    contexts = named_contexts(cov.get_data())
    steps = reports(cov, output.require(args, "outputs", dict), bool(contexts), morfs)
    return dict(fields, ok=all(s["exit"] == 0 for s in steps), steps=steps, orphans=unreportable[:UNMAPPED_SHOWN],
                orphans_count=len(unreportable), not_python=skipped[:UNMAPPED_SHOWN],
                not_python_count=len(skipped), contexts=len(contexts))


def main(args: Dict[str, Any]) -> int:
    want = args.get("version") or None
    site.main()
    have = coverage_version()
    installed = False
    facts: Dict[str, Any] = {"python": "%d.%d.%d" % sys.version_info[:3]}
    if have is None or (want is not None and have != want):
        if not args.get("install"):
            output.emit("result", ok=False, need_install=True, have=have, want=want, coverage=have, **facts)
            return output.EXIT_OK
        pip = install(want, output.require(args, "install_dir", str))
        if pip["exit"] != 0:
            output.emit("result", ok=False, install_failed=pip, have=have, want=want, coverage=have, **facts)
            return output.EXIT_OK
        sys.path.insert(0, output.require(args, "install_dir", str))
        installed = True
    import coverage

    output.emit("result", coverage=coverage.__version__, installed=installed, **convert(args), **facts)
    return output.EXIT_OK
