"""Real coverage data for the conversion's equivalence tests, measured with the coverage.py of the
Python that runs them: a small package run in a "container" directory (its own prefix, as a
service's /app), two data files (parallel processes) with branch data and two contexts, a template
compiled to Python under its `.html` name (as Jinja compiles templates), and `.tpl` templates
measured through a real coverage plugin (template_plugin.py beside this file, written as
`tplplugin` into the project). The workspace holds the
same sources plus the project's coverage config in one of coverage.py's four file kinds."""

from __future__ import annotations

import os
import shutil
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))

SOURCES: Dict[str, str] = {
    "proj/__init__.py": "",
    "proj/shapes.py": '''from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import List


def area(kind, size):
    if kind == "square":
        return size * size
    elif kind == "circle":
        return 3 * size * size
    raise ValueError(kind)  # pragma: no cover


def names(items: "List[str]") -> str:
    out = []
    for item in items:
        if item:
            out.append(item.upper())
    return ",".join(out)


def abstract():
    raise NotImplementedError


def never(x):
    return [y for y in range(x) if y % 2]
''',
    "proj/views.py": '''from proj import shapes


def page(kind):
    try:
        return "area=%d" % shapes.area(kind, 2)
    except ValueError:
        return "unknown"


def debug_only():  # pragma: debug
    print("debug")
''',
    "proj/generated.py": "VALUE = 1\n",
    "proj/templates/page.html": "<h1>{{ title }}</h1>\n<p>Don't panic</p>\n",
    "proj/templates/card.tpl": "Card\n{{ name }}\n\n{{ size }}\nend\n",
    "proj/templates/unused.tpl": "{{ nothing }}\n",
    "tplplugin.py": open(os.path.join(HERE, "template_plugin.py")).read(),
}

# The project's settings, written in each of coverage.py's four config file kinds.
SETTINGS: Dict[str, Dict[str, Any]] = {
    "run": {"branch": "true", "plugins": "tplplugin"},
    "report": {"exclude_also": ["def debug_only", "raise NotImplementedError"], "omit": ["*/generated.py"],
               "precision": "2", "show_missing": "true"},
    "html": {"title": "Project coverage"},
    "json": {"pretty_print": "true"},
}


def write_config(workspace: str, kind: str, settings: Dict[str, Dict[str, object]]) -> str:
    """The settings as `kind` (.coveragerc, setup.cfg, tox.ini or pyproject.toml); returns its name."""
    lines: List[str] = []
    for section, options in settings.items():
        if kind == "pyproject.toml":
            lines.append("[tool.coverage.%s]" % section)
            for key, value in options.items():
                if isinstance(value, list):
                    lines.append("%s = [%s]" % (key, ", ".join('"%s"' % v for v in value)))
                elif key == "plugins":
                    lines.append('%s = ["%s"]' % (key, value))
                elif value in ("true", "false") or str(value).isdigit():
                    lines.append("%s = %s" % (key, value))
                else:
                    lines.append('%s = "%s"' % (key, value))
        else:
            lines.append("[%s%s]" % ("" if kind == ".coveragerc" else "coverage:", section))
            for key, value in options.items():
                text = "\n    ".join([""] + value) if isinstance(value, list) else str(value)
                lines.append("%s = %s" % (key, text))
        lines.append("")
    if kind in ("setup.cfg", "tox.ini"):
        lines = ["[metadata]", "name = proj", ""] + lines
    with open(os.path.join(workspace, kind), "w") as f:
        f.write("\n".join(lines))
    return kind


def write_sources(root: str, prefix: str = "") -> None:
    """The package under root/prefix (the plugin module always at root, where it is imported)."""
    for name, text in SOURCES.items():
        path = os.path.join(root, prefix if name.startswith("proj/") else "", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def measure(container: str, data_dir: str, plugin: bool, branch: bool, prefix: str = "") -> List[str]:
    """Two "processes" of the service, each saving a parallel data file of its own."""
    import sys

    import coverage

    sys.path.insert(0, container)  # the plugin is imported when coverage starts
    files = []
    for n, (context, calls) in enumerate((("login", ("square", "nope")), ("browse", ("circle",)))):
        rc = os.path.join(data_dir, "service.rc")
        with open(rc, "w") as f:
            f.write("[run]\nplugins = tplplugin\n" if plugin else "[run]\n")
        cov = coverage.Coverage(data_file=os.path.join(data_dir, ".coverage.host.pid%d" % n), branch=branch,
                                source=[os.path.join(container, prefix, "proj")], config_file=rc)
        cov.start()
        cov.switch_context(context)
        run_service(container, calls, prefix)
        cov.stop()
        cov.save()
        files.append(cov.get_data().data_filename())
    sys.path.remove(container)
    return files


def run_service(container: str, calls: tuple, prefix: str = "") -> None:
    import importlib
    import sys

    sys.path.insert(0, os.path.join(container, prefix))
    try:
        for name in [m for m in sys.modules if m == "proj" or m.startswith("proj.")]:
            del sys.modules[name]
        views = importlib.import_module("proj.views")
        shapes = importlib.import_module("proj.shapes")
        for kind in calls:
            views.page(kind)
        shapes.names(["a", "", "b"])
        importlib.import_module("proj.generated")
        template = os.path.join(container, prefix, "proj/templates/page.html")
        # What Jinja does: Python code compiled under the template's own file name.
        exec(compile("title = 'x'\nbody = title * 2\n", template, "exec"), {})
        tplplugin = importlib.import_module("tplplugin")
        tplplugin.render(os.path.join(container, prefix, "proj/templates/card.tpl"), {"name": "n", "size": 3})
    finally:
        sys.path.remove(os.path.join(container, prefix))


def build(root: str, kind: str, plugin: bool = True, branch: bool = True, installed: bool = False) -> Dict[str, Any]:
    """container/ (measured there), workspace/ (checked out), data/ (the data files). `installed`:
    the service runs the package from container/lib/site-packages, the checkout has it in src/
    (no common suffix to infer a prefix from: the project's `[paths]` is what maps it)."""
    container, workspace, data = (os.path.join(root, d) for d in ("container", "workspace", "data"))
    for d in (container, workspace, data):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    write_sources(container, "lib/site-packages" if installed else "")
    write_sources(workspace, "src" if installed else "")
    settings: Dict[str, Dict[str, Any]] = {k: dict(v) for k, v in SETTINGS.items()}
    if not plugin:
        settings["run"].pop("plugins")
    if installed:
        settings["paths"] = {"source": ["src/proj", "*/site-packages/proj"]}
    config = write_config(workspace, kind, settings) if kind else ""
    return {"container": container, "workspace": workspace, "config": config,
            "data_files": measure(container, data, plugin, branch, "lib/site-packages" if installed else ""),
            "settings": settings}


def measured(data_file: str) -> List[str]:
    from coverage import CoverageData

    data = CoverageData(basename=data_file)
    data.read()
    return sorted(data.measured_files())
