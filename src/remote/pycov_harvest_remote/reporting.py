"""The reports, by coverage.py's own API with the project's settings (`ignore_errors` among them):
lcov, Cobertura XML, JSON and HTML, one analysis per file shared while it succeeds
(shared_analysis.py). Measured files that are not Python (templates) are left out as coverage.py
leaves them out, and counted; files whose plugin the image lacks are left out by name. A failing
report names the report and the measured file."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from pycov_harvest_remote.project_config import orphans
from pycov_harvest_remote.screen import printable
from pycov_harvest_remote.shared_analysis import SharedAnalysis

NAMED = 3
SHOWN = 20
REPORTS = (
    ("lcov", "lcov_report", "outfile"),
    ("xml", "xml_report", "outfile"),
    ("json", "json_report", "outfile"),
    ("html", "html_report", "directory"),
)
# The reports that show which context ran each line (`--show-contexts`), when the data has contexts.
SHOWS_CONTEXTS = ("json", "html")


def named_contexts(data: Any) -> List[str]:
    """The contexts the agent's switches recorded ('' is coverage.py's name for none)."""
    return sorted(name for name in data.measured_contexts() if name)


def not_python(cov: Any, left_out: List[str]) -> List[str]:
    """Measured files coverage.py's reports skip because they are not Python: no plugin reports
    them, their name does not say Python (coverage.py's `should_be_python`) and they do not parse."""
    from coverage.exceptions import NotPython

    skipped = []
    for name in sorted(cov.get_data().measured_files()):
        ext = os.path.splitext(name)[1]
        if name in left_out or not ext or ext.startswith(".py") or not reported(cov, name):
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


def some(names: List[str]) -> str:
    return ", ".join(names[:NAMED]) + (", ..." if len(names) > NAMED else "")


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


def write(cov: Any, outputs: Dict[str, str], show_contexts: bool,
          morfs: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    """Each report asked for, in order; stops at the first that fails (named with its file)."""
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
            text = printable(("%s: %s" % (type(e).__name__, e)).strip(), 2000)
            steps.append({"step": fmt, "exit": 1, "output": text, "file": failing_file(cov, fmt, e)})
            break
    return steps


def report_all(cov: Any, outputs: Dict[str, str], show_contexts: bool, share: bool = True) -> Dict[str, Any]:
    """Loads the data and writes the reports (with the contexts of each line in JSON and HTML when
    `show_contexts`); returns the result's report fields and log lines."""
    cov.load()
    log: List[str] = []
    # coverage.py cannot even list a file whose plugin is missing (a KeyError before any omit
    # applies), so the reports get the other files by name (`morfs`, as `coverage json FILE...`).
    unreportable = orphans(cov)
    morfs = sorted(set(cov.get_data().measured_files()) - set(unreportable)) if unreportable else None
    if unreportable:
        log.append("%d measured file(s) need a plugin this image lacks (%s): left out"
                   % (len(unreportable), some(unreportable)))
    skipped = not_python(cov, unreportable)
    if skipped:
        log.append("%d measured file(s) are not Python (%s): left out, as coverage.py does" % (len(skipped), some(skipped)))
    if share:
        SharedAnalysis(cov)
    steps = write(cov, outputs, show_contexts, morfs)
    return {"steps": steps, "log": log, "orphans": unreportable[:SHOWN], "orphans_count": len(unreportable),
            "not_python": skipped[:SHOWN], "not_python_count": len(skipped)}
