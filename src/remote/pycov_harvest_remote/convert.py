"""Program `convert`, run in the conversion container with the workspace as
the current directory: the data files combined with coverage.py's own API
(container paths mapped onto the workspace by leading prefix; files that map to
nothing in the workspace left out and named; unreadable data files named), then
the reports by coverage.py's own commands."""

from __future__ import annotations

import inspect
import os
import site
import subprocess
import sys
from typing import Any, Dict, List, Optional

from pycov_harvest_remote import output
from pycov_harvest_remote.pathmap import PathMap, infer

UNMAPPED_SHOWN = 20


def coverage_version() -> Optional[str]:
    """The installed coverage.py version, read without importing it (the import comes once the
    right version is on the path)."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # Python < 3.8 has no importlib.metadata
        return None
    try:
        return version("coverage")
    except PackageNotFoundError:
        return None


def install(want: Optional[str], target: str) -> Dict[str, Any]:
    spec = "coverage==" + want if want else "coverage"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "--no-cache-dir", "--retries", "2", "--timeout", "20", "--target", target, spec],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return {"spec": spec, "exit": pip.returncode, "output": pip.stdout.decode("utf-8", "replace")[-2000:]}


class _Aliases:
    """What coverage < 7.5's CoverageData.update wants instead of a function."""

    def __init__(self, map_path: Any):
        self.map = map_path


def combine(data_files: List[str], out_file: str, path_map: Optional[List[List[str]]], workspace: str) -> Dict[str, Any]:
    from coverage import CoverageData

    readable = []
    bad = []
    measured = set()
    for path in data_files:
        data = CoverageData(basename=path)
        try:
            data.read()
            measured.update(data.measured_files())
        except Exception as e:
            size = os.path.getsize(path) if os.path.exists(path) else 0
            bad.append({"file": path, "size": size, "error": ("%s: %s" % (type(e).__name__, e)).splitlines()[0]})
            continue
        readable.append(data)
    inferred: List[str] = []
    if path_map is None:
        inferred = infer(sorted(measured), workspace)
        rules = [(prefix, workspace) for prefix in inferred]
    else:
        rules = [(remote, local) for remote, local in path_map]
    mapper = PathMap(rules, workspace)
    if os.path.exists(out_file):
        os.unlink(out_file)
    combined = CoverageData(basename=out_file)
    takes_function = "map_path" in inspect.signature(CoverageData.update).parameters
    for data in readable:
        if takes_function:
            combined.update(data, map_path=mapper.map)
        else:
            combined.update(data, aliases=_Aliases(mapper.map))  # type: ignore[call-arg]
    mapped = {path: mapper.map(path) for path in measured}
    unmapped = sorted(path for path, name in mapped.items() if not mapper.found(name))
    names_gone = sorted(set(mapped[path] for path in unmapped))
    combined.write()
    return {
        "measured": len(measured),
        "kept": len(set(mapped.values()) - set(names_gone)),
        "omit": names_gone,
        "unmapped": unmapped[:UNMAPPED_SHOWN],
        "unmapped_count": len(unmapped),
        "bad_files": bad,
        "inferred": inferred,
        "combined_files": len(readable),
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


def reports(rcfile: str, combined_file: str, outputs: Dict[str, str]) -> List[Dict[str, Any]]:
    """The reports, by coverage.py's own API in this one process (one import, one data load)."""
    import coverage

    cov = coverage.Coverage(data_file=combined_file, config_file=rcfile)
    cov.load()
    steps = []
    for fmt, method, where in REPORTS:
        if fmt not in outputs:
            continue
        try:
            getattr(cov, method)(ignore_errors=True, **{where: outputs[fmt]})
            steps.append({"step": fmt, "exit": 0, "output": ""})
        except Exception as e:
            steps.append({"step": fmt, "exit": 1, "output": ("%s: %s" % (type(e).__name__, e))[-2000:]})
    return steps


def main(args: Dict[str, Any]) -> int:
    rcfile = output.require(args, "rcfile", str)
    data_files = output.require(args, "data_files", list)
    outputs = output.require(args, "outputs", dict)
    combined_file = output.require(args, "combined", str)
    workspace = output.require(args, "workspace", str)
    path_map = args.get("path_map")
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
    stats = combine(data_files, combined_file, path_map, workspace)
    omit_from_reports(rcfile, stats.pop("omit"))
    steps = reports(rcfile, combined_file, outputs) if stats["kept"] > 0 else []
    ok = stats["kept"] > 0 and all(s["exit"] == 0 for s in steps)
    output.emit("result", ok=ok, coverage=have, installed=installed, steps=steps, **stats, **facts)
    return output.EXIT_OK
