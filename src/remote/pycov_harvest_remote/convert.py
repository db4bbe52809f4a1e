"""Program `convert`, run in the conversion container with the working directory (the workspace, or
`working-directory`) as the current directory: every data file checked and combined (combine.py),
then the reports written by coverage.py's own API from the project's own coverage config
(project_config.py), with only `relative_files` and the plugins this image cannot import changed,
each said in one log line, and no configuration text ever written. With `extra_data_files` (the
`extra-data` input) the E2E-only JSON report is written first and those files are then combined in;
a `.coverage` `baseline` gets a JSON report of its own, against the base commit's sources.

The combined data holds only the files the reports cover (those in the working directory), so
`coverage report` run by hand on it in the checkout gives the reports' total. With `coverage_path`
(a directory the `install` program filled, mounted read-only) that coverage.py is used."""

from __future__ import annotations

import os
import shutil
import site
import sys
import tempfile
from typing import Any, Dict, List, Optional, Tuple

from pycov_harvest_remote import context_marks, output
from pycov_harvest_remote.combine import merge, one_line, plan
from pycov_harvest_remote.coverage_install import coverage_version
from pycov_harvest_remote.project_config import ProjectConfigError, log_line, open_project
from pycov_harvest_remote.reporting import named_contexts, report_all


def project_coverage(args: Dict[str, Any], data_file: str) -> Tuple[Any, Any]:
    return open_project(data_file, args.get("config_file") or None, args.get("image") or "the conversion image")


def e2e_report(args: Dict[str, Any], combined_file: str, contexts: bool) -> List[Dict[str, Any]]:
    """With `extra-data`: the JSON report of the E2E data alone, before the other data is added."""
    cov, _ = project_coverage(args, combined_file)
    e2e = report_all(cov, {"json": output.require(args, "e2e_json", str)}, contexts, args.get("share_analysis", True))
    return e2e["steps"]


def convert(args: Dict[str, Any], scratch: str) -> Dict[str, Any]:
    """Combine, then report; returns the result event's fields."""
    from coverage import CoverageData

    combined_file = output.require(args, "combined", str)
    try:
        cov, layered = project_coverage(args, combined_file)
    except ProjectConfigError as e:
        return {"ok": False, "config_error": str(e)}
    extra_files = args.get("extra_data_files") or []
    p = plan(cov, output.require(args, "data_files", list), extra_files, args.get("path_map"),
             output.require(args, "workspace", str), scratch)
    if os.path.exists(combined_file):
        os.unlink(combined_file)
    combined = CoverageData(basename=combined_file)
    merge(combined, p["e2e"], p["mapper"])
    # Contexts of the E2E data only: unit-test contexts in `extra-data` do not turn them on.
    contexts = named_contexts(combined)
    # The contexts the harness switched, from the agent's mark in each (checked copy of a) data file.
    labels, marked = context_marks.harness_labels([f.copy for f in p["e2e"].files]) if contexts else ({}, 0)
    kept = p["stats"]["kept"] > 0
    steps: List[Dict[str, Any]] = []
    if kept and extra_files:
        combined.write()
        steps = e2e_report(args, combined_file, bool(contexts))
    merge(combined, p["extra"], p["mapper"])
    combined.write()
    fields: Dict[str, Any] = dict(
        p["stats"], bad_files=p["e2e"].bad + p["extra"].bad, dropped=p["e2e"].dropped() + p["extra"].dropped(),
        tracer_conflicts=p["e2e"].conflicts() + p["extra"].conflicts(),
        config_file=layered["config_file"], overridden=layered["overridden"],
        plugins_missing=layered["plugins_missing"], log=[log_line(layered)] + layered["plugins_missing"],
        contexts=len(contexts), context_labels=labels, marked_files=marked, steps=steps)
    if not kept or any(s["exit"] != 0 for s in steps):
        return dict(fields, ok=False)
    reported = report_all(cov, output.require(args, "outputs", dict), bool(contexts), args.get("share_analysis", True))
    fields["log"] += reported.pop("log")
    reported["steps"] = steps + reported["steps"]
    return dict(fields, ok=all(s["exit"] == 0 for s in reported["steps"]), **reported)


def converted(args: Dict[str, Any]) -> Dict[str, Any]:
    """`convert` with a scratch directory of its own (the checked copies of the data files), removed after."""
    scratch = tempfile.mkdtemp(prefix="pycov-harvest-convert-")
    try:
        return convert(args, scratch)
    finally:
        shutil.rmtree(scratch, True)


def baseline_config(explicit: Optional[str], workspace: str, cwd: str) -> Optional[str]:
    """The base commit's copy of an explicit `coverage-config` (the same path under the base
    checkout) when it has one, else the head's."""
    if not explicit:
        return None
    inside = os.path.relpath(explicit, workspace)
    there = os.path.join(cwd, inside)
    return there if not inside.startswith("..") and os.path.isfile(there) else explicit


def report_baseline(args: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """`baseline` as a data file (the base branch's combined `.coverage`, relative names): its JSON
    report with the project's config, read against the base commit's sources in their own directory.
    Files those sources lack are skipped (`ignore_errors`): the baseline only gives a delta."""
    baseline = args.get("baseline")
    if not baseline:
        return None
    cwd = output.require(baseline, "cwd", str)
    config = baseline_config(args.get("config_file"), output.require(args, "workspace", str), cwd)
    here = os.getcwd()
    os.chdir(cwd)
    try:
        cov, _ = open_project(output.require(baseline, "data_file", str), config, "")
        cov.load()
        cov.json_report(outfile=output.require(baseline, "output", str), ignore_errors=True)
        return {"step": "json", "exit": 0, "output": ""}
    except Exception as e:
        return {"step": "json", "exit": 1, "output": one_line(e)[-2000:]}
    finally:
        os.chdir(here)


def main(args: Dict[str, Any]) -> int:
    want = args.get("version") or None
    installed = args.get("coverage_path") or None
    # coverage.py lives in site-packages, which `python -S` left out (PYCOV_HARVEST=0 is already set).
    site.main()
    if installed:
        sys.path.insert(0, installed)
    have = coverage_version()
    facts: Dict[str, Any] = {"python": "%d.%d.%d" % sys.version_info[:3]}
    if have is None or (want is not None and have != want):
        output.emit("result", ok=False, need_install=True, have=have, want=want, coverage=have, **facts)
        return output.EXIT_OK
    import coverage

    fields = converted(args)
    baseline = report_baseline(args)
    if baseline is not None:
        fields["baseline"] = baseline
    output.emit("result", coverage=coverage.__version__, installed=bool(installed), **fields, **facts)
    return output.EXIT_OK
