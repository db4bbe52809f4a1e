"""One parse and one analysis per measured file for all the reports of one process, where that
gives the very reports coverage.py gives without it.

coverage.py's `PythonFileReporter.parser` keeps its parser before parsing: after a first parse
that failed (a Jinja template, measured under its `.html` name, is not Python), a reused file
reporter hands out a half-made parser, an analysis with no statements "succeeds", and the JSON
report's `code_regions` then raises a bare SyntaxError. So a file reporter is shared only while
every analysis of it has succeeded: a failure drops it, and the next report starts from a fresh
one and meets the same failure coverage.py meets (and skips, or reports, as it does)."""

from __future__ import annotations

from typing import Any, Dict, Tuple


class SharedAnalysis:
    """Wraps `cov._get_file_reporter` and `cov._analyze` (coverage 7.4 to 7.18 shapes: `_analyze(fr)`
    and `_analyze(morf, file_reporter=fr)`)."""

    def __init__(self, cov: Any):
        self.reporters: Dict[str, Any] = {}
        self.analyses: Dict[int, Tuple[Any, Any]] = {}
        self.morf_of: Dict[int, str] = {}
        self._reporter: Any = getattr(cov, "_get_file_reporter", None)
        self._analyze: Any = getattr(cov, "_analyze", None)
        # A coverage.py without these hooks reports as it always does, each report on its own.
        if callable(self._reporter) and callable(self._analyze):
            cov._get_file_reporter = self.file_reporter
            cov._analyze = self.analyze

    def file_reporter(self, morf: Any) -> Any:
        if not isinstance(morf, str):
            return self._reporter(morf)
        if morf not in self.reporters:
            reporter = self._reporter(morf)
            self.reporters[morf] = reporter
            self.morf_of[id(reporter)] = morf
        return self.reporters[morf]

    def analyze(self, *args: Any, **kwargs: Any) -> Any:
        reporter = kwargs.get("file_reporter")
        if reporter is None and args and not isinstance(args[0], str):
            reporter = args[0]
        if reporter is None or id(reporter) not in self.morf_of:
            return self._analyze(*args, **kwargs)
        key = id(reporter)
        if key not in self.analyses:
            try:
                self.analyses[key] = (reporter, self._analyze(*args, **kwargs))
            except BaseException:
                self.reporters.pop(self.morf_of.pop(key), None)
                raise
        return self.analyses[key][1]
