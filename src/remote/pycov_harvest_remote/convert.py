"""Program `convert`, run in the conversion container with the workspace as
the current directory: the data files combined with coverage.py's own API
(container paths mapped onto the workspace by leading prefix; files that map to
nothing in the workspace left out and named; unreadable data files named), then
the reports by coverage.py's own API. With `extra_data_files` (the `extra-data`
input) the E2E-only JSON report is written first and those files are then
combined in the same way; a `.coverage` `baseline` gets a JSON report of its
own, against the base commit's sources."""

from __future__ import annotations

import inspect
import os
import site
import sys
from typing import Any, Dict, List, Optional, Set, Tuple

from pycov_harvest_remote import context_marks, output
from pycov_harvest_remote.coverage_install import coverage_version, install
from pycov_harvest_remote.pathmap import PathMap, infer

UNMAPPED_SHOWN = 20


class _Aliases:
    """What coverage < 7.5's CoverageData.update wants instead of a function."""

    def __init__(self, map_path: Any):
        self.map = map_path


def read_data(paths: List[str]) -> Tuple[List[Tuple[str, Any]], List[Dict[str, Any]], Set[str]]:
    """The data files coverage.py can read, those it cannot (named), and the files they measured."""
    from coverage import CoverageData

    readable = []
    bad = []
    measured: Set[str] = set()
    for path in paths:
        data = CoverageData(basename=path)
        try:
            data.read()
            measured.update(data.measured_files())
        except Exception as e:
            size = os.path.getsize(path) if os.path.exists(path) else 0
            bad.append({"file": path, "size": size, "error": one_line(e)})
            continue
        readable.append((path, data))
    return readable, bad, measured


def one_line(error: BaseException) -> str:
    return ("%s: %s" % (type(error).__name__, error)).splitlines()[0]


def merge(combined: Any, sources: List[Tuple[str, Any]], mapper: PathMap) -> Optional[Dict[str, str]]:
    """Adds each source to `combined`; the first one coverage.py refuses (line data into branch
    data, say) stops the merge and is returned."""
    from coverage import CoverageData, CoverageException

    takes_function = "map_path" in inspect.signature(CoverageData.update).parameters
    for path, data in sources:
        try:
            if takes_function:
                combined.update(data, map_path=mapper.map)
            else:
                combined.update(data, aliases=_Aliases(mapper.map))  # type: ignore[call-arg]
        except CoverageException as e:
            return {"file": path, "error": one_line(e)}
    return None


class Mapping:
    """Where measured file names land: the workspace-relative names that exist there (kept), and
    those that map to nothing in the workspace (left out of the reports)."""

    def __init__(self, measured: Set[str], mapper: PathMap):
        self.mapped = {path: mapper.map(path) for path in measured}
        self.unmapped = sorted(path for path, name in self.mapped.items() if not mapper.found(name))
        self.gone = set(self.mapped[path] for path in self.unmapped)
        self.kept = len(set(self.mapped.values()) - self.gone)


def combine(data_files: List[str], extra_files: List[str], path_map: Optional[List[List[str]]],
            workspace: str) -> Dict[str, Any]:
    """Reads the harvested data files and the `extra-data` files and decides the one mapping of
    both: the prefixes inferred from all measured files (or `path_map`), and what the reports omit."""
    e2e, bad, measured = read_data(data_files)
    extra, extra_bad, extra_measured = read_data(extra_files)
    inferred: List[str] = []
    if path_map is None:
        inferred = infer(sorted(measured | extra_measured), workspace)
        rules = [(prefix, workspace) for prefix in inferred]
    else:
        rules = [(remote, local) for remote, local in path_map]
    mapper = PathMap(rules, workspace)
    every = Mapping(measured | extra_measured, mapper)
    return {
        "e2e": e2e,
        "extra": extra,
        "mapper": mapper,
        "omit": sorted(every.gone),
        "stats": {
            "measured": len(measured),
            "kept": Mapping(measured, mapper).kept,
            "unmapped": every.unmapped[:UNMAPPED_SHOWN],
            "unmapped_count": len(every.unmapped),
            "bad_files": bad + extra_bad,
            "inferred": inferred,
            "extra_measured": len(extra_measured),
            "extra_kept": Mapping(extra_measured, mapper).kept,
        },
    }


def glob_literal(path: str) -> str:
    """A pattern that matches this path (coverage's omit patterns are globs)."""
    return "".join("?" if c in "*?[]" else c for c in path)


def omit_from_reports(rcfile: str, names: List[str]) -> None:
    """Files that map to nothing in the workspace stay in the combined data but leave every
    report: `[report] omit` applies to lcov, xml, json and html alike."""
    if not names:
        return
    with open(rcfile, "a") as f:
        f.write("\n# Measured, but not in the workspace: left out of the reports.\n[report]\nomit =\n")
        for name in names:
            f.write("    %s\n" % glob_literal(name))


REPORTS = (
    ("lcov", "lcov_report", "outfile"),
    ("xml", "xml_report", "outfile"),
    ("json", "json_report", "outfile"),
    ("html", "html_report", "directory"),
)


def share_analysis(cov: Any) -> None:
    """Each report parses and analyses every measured file again; with thousands of files that is
    nearly all of a report's time. The data does not change between the reports, so one file
    reporter and one analysis per file serve them all (where this coverage.py has those hooks;
    without them every report does its own, as before)."""
    for hook in ("_get_file_reporter", "_analyze"):
        original = getattr(cov, hook, None)
        if callable(original):
            setattr(cov, hook, _memoized(original))


def _memoized(function: Any) -> Any:
    memo: Dict[Any, Any] = {}

    def call(*args: Any, **kwargs: Any) -> Any:
        key = tuple(_identity(a) for a in args) + tuple((k, _identity(v)) for k, v in sorted(kwargs.items()))
        if key not in memo:
            memo[key] = function(*args, **kwargs)
        return memo[key]

    return call


def _identity(value: Any) -> Any:
    """File names as they are; file reporters (unhashable, and the same objects once the first hook
    shares them) by identity. The memo keeps them alive, so an id is never reused."""
    return value if isinstance(value, str) else ("id", id(value))


# The reports that show which context ran each line (`coverage html --show-contexts`, `coverage json
# --show-contexts`), when the E2E data has contexts.
SHOWS_CONTEXTS = ("json", "html")


def named_contexts(data: Any) -> List[str]:
    """The contexts the agent's switches recorded ('' is coverage.py's name for none)."""
    return sorted(name for name in data.measured_contexts() if name)


def reports(rcfile: str, combined_file: str, outputs: Dict[str, str],
            show_contexts: bool = False) -> List[Dict[str, Any]]:
    """The reports, by coverage.py's own API in this one process (one import, one data load, one
    analysis per file). With `show_contexts` the JSON and HTML reports name the contexts of each
    line; without, they are as coverage.py writes them by default."""
    import coverage

    cov = coverage.Coverage(data_file=combined_file, config_file=rcfile)
    cov.load()
    share_analysis(cov)
    steps = []
    for fmt, method, where in REPORTS:
        if fmt not in outputs:
            continue
        options: Dict[str, Any] = {where: outputs[fmt]}
        if show_contexts and fmt in SHOWS_CONTEXTS:
            options["show_contexts"] = True
        try:
            getattr(cov, method)(ignore_errors=True, **options)
            steps.append({"step": fmt, "exit": 0, "output": ""})
        except Exception as e:
            steps.append({"step": fmt, "exit": 1, "output": ("%s: %s" % (type(e).__name__, e))[-2000:]})
    return steps


def report_baseline(baseline: Optional[Dict[str, Any]], rcfile: str) -> Optional[Dict[str, Any]]:
    """`baseline` as a data file (the base branch's combined `.coverage`, workspace-relative names):
    its JSON report, read against the base commit's sources in their own directory."""
    if not baseline:
        return None
    cwd = output.require(baseline, "cwd", str)
    data_file = output.require(baseline, "data_file", str)
    outfile = output.require(baseline, "output", str)
    import coverage

    here = os.getcwd()
    os.chdir(cwd)
    try:
        cov = coverage.Coverage(data_file=data_file, config_file=rcfile)
        cov.load()
        cov.json_report(outfile=outfile, ignore_errors=True)
        return {"step": "json", "exit": 0, "output": ""}
    except Exception as e:
        return {"step": "json", "exit": 1, "output": one_line(e)[-2000:]}
    finally:
        os.chdir(here)


def main(args: Dict[str, Any]) -> int:
    rcfile = output.require(args, "rcfile", str)
    data_files = output.require(args, "data_files", list)
    outputs = output.require(args, "outputs", dict)
    combined_file = output.require(args, "combined", str)
    workspace = output.require(args, "workspace", str)
    path_map = args.get("path_map")
    extra_files = args.get("extra_data_files") or []
    e2e_json = output.require(args, "e2e_json", str) if extra_files else ""
    want = args.get("version") or None
    # coverage.py lives in site-packages, which `python -S` left out (PYCOV_HARVEST=0 is already set).
    site.main()
    have = coverage_version()
    installed = False
    facts: Dict[str, Any] = {"python": "%d.%d.%d" % sys.version_info[:3]}
    if have is None or (want is not None and have != want):
        if not args.get("install"):
            output.emit("result", ok=False, need_install=True, have=have, want=want, coverage=have, **facts)
            return output.EXIT_OK
        target = output.require(args, "install_dir", str)
        pip = install(want, target)
        if pip["exit"] != 0:
            output.emit("result", ok=False, install_failed=pip, have=have, want=want, coverage=have, **facts)
            return output.EXIT_OK
        sys.path.insert(0, target)
        import coverage

        have = coverage.__version__
        installed = True
    from coverage import CoverageData

    # Before the omit below is appended: the base commit's files are not the head's.
    baseline = report_baseline(args.get("baseline"), rcfile)
    plan = combine(data_files, extra_files, path_map, workspace)
    stats = plan["stats"]
    omit_from_reports(rcfile, plan["omit"])
    if os.path.exists(combined_file):
        os.unlink(combined_file)
    combined = CoverageData(basename=combined_file)
    failed = merge(combined, plan["e2e"], plan["mapper"])
    # Contexts of the E2E data only: unit-test contexts in `extra-data` do not turn them on.
    contexts = named_contexts(combined) if failed is None else []
    steps: List[Dict[str, Any]] = []
    if failed is None and stats["kept"] > 0 and extra_files:
        # `extra-data`: the E2E-only JSON report first, then the other data added, so every report
        # below covers both.
        combined.write()
        steps = reports(rcfile, combined_file, {"json": e2e_json}, bool(contexts))
        if steps[-1]["exit"] == 0:
            failed = merge(combined, plan["extra"], plan["mapper"])
    combined.write()
    if failed is None and stats["kept"] > 0 and all(s["exit"] == 0 for s in steps):
        steps += reports(rcfile, combined_file, outputs, bool(contexts))
    ok = failed is None and stats["kept"] > 0 and all(s["exit"] == 0 for s in steps)
    extras: Dict[str, Any] = {"baseline": baseline} if baseline is not None else {}
    if contexts:
        extras["contexts"] = len(contexts)
        labels, marked = context_marks.harness_labels([path for path, _ in plan["e2e"]])
        extras.update(context_labels=labels, marked_files=marked)
    output.emit("result", ok=ok, coverage=have, installed=installed, steps=steps, combine_failed=failed,
                **stats, **extras, **facts)
    return output.EXIT_OK
