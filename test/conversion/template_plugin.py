"""A real coverage.py file-tracer plugin for a one-line-per-line template language (`.tpl`): each
template line becomes one Python line of the same number, compiled under the template's name, so
coverage.py traces the template itself; the plugin's file reporter says which lines are code."""

from typing import Any, Dict, Set

import coverage.plugin


def render(path: str, values: Dict[str, Any]) -> str:
    with open(path) as f:
        lines = f.read().splitlines()
    code = "\n".join("_out.append(str(%s))" % line.strip()[2:-2].strip() if line.strip().startswith("{{")
                     else ("_out.append(%r)" % line if line.strip() else "")
                     for line in lines)
    scope: Dict[str, Any] = dict(values, _out=[])
    exec(compile(code, path, "exec"), scope)
    return "\n".join(scope["_out"])


class TplPlugin(coverage.plugin.CoveragePlugin):
    def file_tracer(self, filename: str) -> Any:
        return TplTracer(filename) if filename.endswith(".tpl") else None

    def file_reporter(self, filename: str) -> Any:
        return TplReporter(filename)

    def find_executable_files(self, src_dir: str) -> Any:
        for root, _, files in __import__("os").walk(src_dir):
            for name in files:
                if name.endswith(".tpl"):
                    yield __import__("os").path.join(root, name)


class TplTracer(coverage.plugin.FileTracer):
    def __init__(self, filename: str):
        self.filename = filename

    def source_filename(self) -> str:
        return self.filename


class TplReporter(coverage.plugin.FileReporter):
    def lines(self) -> Set[int]:
        return {n for n, line in enumerate(self.source().splitlines(), 1) if line.strip()}


def coverage_init(reg: Any, options: Any) -> None:
    reg.add_file_tracer(TplPlugin())
