"""The conversion's reports are coverage.py's own: on the same combined data and config, lcov,
Cobertura XML, JSON and HTML equal `coverage lcov/xml/json/html` (timestamps aside), and the JSON
totals equal `coverage report`'s TOTAL; with the project's config in each of coverage.py's four
file kinds, templates, a plugin, branch data and contexts. Runs with the coverage.py of the Python
that runs it (stdlib unittest only, so it runs in the conversion images too):

    PYTHONPATH=src/remote:agent python -m unittest discover -s test/conversion -v
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Dict, List

import scenario

from pycov_harvest_remote.convert import converted

KINDS = (".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml")
HAS_TOML = sys.version_info >= (3, 11) or bool(__import__("importlib").util.find_spec("tomli"))


def canonical_json(text: str, name: str) -> str:
    """coverage.py's JSON with what it does not fix itself made fixed: the contexts of a line come
    from a set (`contexts_by_lineno`), so their order follows PYTHONHASHSEED and two runs of
    `coverage json --show-contexts` differ; the HTML report's status.json holds a hash of the
    config object (the config file's path among it), a cache key for incremental runs, not content."""
    data = json.loads(text)
    (data.get("meta") or {}).pop("timestamp", None)
    if name == "status.json":
        data.pop("globals", None)
    for reported in (data.get("files") or {}).values():
        for key in ("contexts",):
            if isinstance(reported, dict) and isinstance(reported.get(key), dict):
                reported[key] = {line: sorted(names) for line, names in reported[key].items()}
        for region in ("functions", "classes"):
            for part in (reported.get(region) or {}).values() if isinstance(reported, dict) else ():
                if isinstance(part.get("contexts"), dict):
                    part["contexts"] = {line: sorted(names) for line, names in part["contexts"].items()}
    return json.dumps(data, indent=1, sort_keys=True)


def timeless(text: str) -> str:
    text = re.sub(r' timestamp="\d+"', "", text)
    text = re.sub(r'"timestamp": "[^"]*"', "", text)
    return re.sub(r"created at [^<\"]*", "", text)


def run_ours(s: Dict[str, Any], out: str, **extra: Any) -> Dict[str, Any]:
    outputs = {"lcov": out + "/coverage.lcov", "xml": out + "/coverage.xml", "json": out + "/coverage.json",
               "html": out + "/htmlcov"}
    args = dict({"combined": out + "/.coverage", "workspace": s["workspace"], "data_files": s["data_files"],
                 "path_map": [[s["container"], "."]], "outputs": outputs, "image": "this Python"}, **extra)
    os.makedirs(out, exist_ok=True)
    here = os.getcwd()
    os.chdir(s["workspace"])
    sys.path.insert(0, s["workspace"])
    try:
        return converted(args)
    finally:
        sys.path.remove(s["workspace"])
        os.chdir(here)


def run_cli(s: Dict[str, Any], rcfile: str, data: str, out: str, contexts: bool, morfs: Any = ()) -> str:
    """coverage.py's own commands (on `morfs` only, when given); returns `coverage report`'s output."""
    os.makedirs(out, exist_ok=True)
    base = [sys.executable, "-m", "coverage"]
    common = ["--rcfile=" + rcfile, "--data-file=" + data]
    show = ["--show-contexts"] if contexts else []
    for command in (["lcov", "-o", out + "/coverage.lcov"], ["xml", "-o", out + "/coverage.xml"],
                    ["json", "-o", out + "/coverage.json"] + show, ["html", "-d", out + "/htmlcov"] + show):
        subprocess.run(base + command[:1] + common + ["-q"] + command[1:] + list(morfs), cwd=s["workspace"], check=True)
    report = subprocess.run(base + ["report"] + common + list(morfs), cwd=s["workspace"], check=True,
                            stdout=subprocess.PIPE)
    return report.stdout.decode()


def reference_config(root: str, s: Dict[str, Any], kind: str, drop_plugins: bool = False,
                     omit: Any = ()) -> str:
    """The project's settings plus what the conversion layers on: `relative_files`, and, where a
    plugin is missing, the plugin out and the files it measured omitted."""
    settings = {k: dict(v) for k, v in s["settings"].items()}
    settings["run"]["relative_files"] = "true"
    if drop_plugins:
        settings["run"].pop("plugins", None)
    settings["report"]["omit"] = list(settings["report"]["omit"]) + list(omit)
    ref = os.path.join(root, "reference")
    os.makedirs(ref, exist_ok=True)
    return os.path.join(ref, scenario.write_config(ref, kind or ".coveragerc", settings))


class Equivalence(unittest.TestCase):
    def setUp(self) -> None:
        self.root = tempfile.mkdtemp(prefix="pycov-equivalence-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def assert_same_reports(self, ours: str, theirs: str) -> List[str]:
        with open(ours + "/coverage.lcov") as a, open(theirs + "/coverage.lcov") as b:
            self.assertEqual(a.read(), b.read(), "coverage.lcov")
        with open(os.path.join(ours, "coverage.xml")) as a, open(os.path.join(theirs, "coverage.xml")) as b:
            self.assertEqual(timeless(a.read()), timeless(b.read()), "coverage.xml")
        with open(os.path.join(ours, "coverage.json")) as a, open(os.path.join(theirs, "coverage.json")) as b:
            self.assertEqual(canonical_json(a.read(), "coverage.json"), canonical_json(b.read(), "coverage.json"),
                             "coverage.json")
        pages = sorted(os.listdir(theirs + "/htmlcov"))
        self.assertEqual(sorted(os.listdir(ours + "/htmlcov")), pages)
        for page in pages:
            with open(os.path.join(ours, "htmlcov", page), "rb") as a, open(os.path.join(theirs, "htmlcov", page), "rb") as b:
                mine, cli = (f.read().decode("utf-8", "replace") for f in (a, b))
            if page == "status.json":
                mine, cli = canonical_json(mine, page), canonical_json(cli, page)
            else:
                mine, cli = timeless(mine), timeless(cli)
            self.assertEqual(mine, cli, page)
        return pages

    def check_kind(self, kind: str, branch: bool = True) -> None:
        s = scenario.build(self.root, kind, branch=branch)
        ours = os.path.join(self.root, "ours")
        result = run_ours(s, ours)
        if kind == "pyproject.toml" and not HAS_TOML:
            self.assertIn("pyproject.toml", result["config_error"])
            return
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["config_file"], kind or None)
        self.assertEqual(result["not_python"], ["proj/templates/page.html"])
        self.assertIn("1 measured file(s) are not Python (proj/templates/page.html)", result["log"][-1])
        theirs = os.path.join(self.root, "theirs")
        report = run_cli(s, reference_config(self.root, s, kind), ours + "/.coverage", theirs, True)
        pages = self.assert_same_reports(ours, theirs)
        self.assertTrue(any(page.endswith("card_tpl.html") for page in pages), "the plugin's file: %s" % pages)
        self.assertNotIn("generated", " ".join(pages), "the project's omit")
        total = re.search(r"^TOTAL .* (\d+\.\d\d)%", report, re.M)
        assert total is not None, report
        with open(ours + "/coverage.json") as f:
            totals = __import__("json").load(f)["totals"]
        self.assertEqual(totals["percent_covered_display"], total.group(1))
        self.assertGreater(len(pages), 6)

    def test_coveragerc(self) -> None:
        self.check_kind(".coveragerc")

    def test_setup_cfg(self) -> None:
        self.check_kind("setup.cfg")

    def test_tox_ini(self) -> None:
        self.check_kind("tox.ini")

    def test_pyproject_toml(self) -> None:
        self.check_kind("pyproject.toml")

    def test_line_data_with_a_template_the_old_hooks_broke_on(self) -> None:
        self.check_kind(".coveragerc", branch=False)

    def test_plugin_the_image_lacks_is_named_and_its_files_left_out(self) -> None:
        s = scenario.build(self.root, ".coveragerc")
        # The conversion side has no tplplugin, as a python:3.X-slim image has no django_coverage_plugin.
        sys.modules.pop("tplplugin", None)
        os.unlink(os.path.join(s["workspace"], "tplplugin.py"))
        ours = os.path.join(self.root, "ours")
        result = run_ours(s, ours, image="python:3.12-slim")
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["plugins_missing"], [
            "the coverage plugin tplplugin named in .coveragerc cannot be imported in the conversion image "
            "python:3.12-slim, so the reports leave out the files it measured; set `coverage-image` to an image "
            "that has it installed (the service's image has)"])
        tpl = [name for name in scenario.measured(ours + "/.coverage") if name.endswith(".tpl")]
        self.assertIn("proj/templates/unused.tpl", tpl)
        self.assertEqual(result["orphans"], tpl)
        self.assertIn("[run] plugins -= tplplugin", result["log"][0])
        self.assertIn("measured file(s) need a plugin this image lacks (proj/templates/card.tpl", result["log"][2])
        theirs = os.path.join(self.root, "theirs")
        others = sorted(set(scenario.measured(ours + "/.coverage")) - set(result["orphans"]))
        run_cli(s, reference_config(self.root, s, ".coveragerc", drop_plugins=True), ours + "/.coverage", theirs,
                True, others)
        self.assert_same_reports(ours, theirs)

    def test_project_paths_map_what_path_map_does_not(self) -> None:
        s = scenario.build(self.root, "pyproject.toml" if HAS_TOML else "setup.cfg", installed=True)
        ours = os.path.join(self.root, "ours")
        # `path-map` names another prefix: the project's [paths] maps the package, path-map the rest.
        result = run_ours(s, ours, path_map=[[s["container"] + "/elsewhere", "."], [s["container"], "."]])
        self.assertTrue(result["ok"], result)
        self.assertEqual((result["kept"], result["unmapped_count"]), (result["measured"], 0), result)
        names = scenario.measured(ours + "/.coverage")
        self.assertIn("src/proj/shapes.py", names)
        theirs = os.path.join(self.root, "theirs")
        report = run_cli(s, reference_config(self.root, s, s["config"]), ours + "/.coverage", theirs, True)
        self.assert_same_reports(ours, theirs)
        self.assertIn("src/proj/views.py", report)

    def test_templates_the_project_omits_are_not_counted(self) -> None:
        s = scenario.build(self.root, ".coveragerc")
        with open(os.path.join(s["workspace"], ".coveragerc")) as f:
            text = f.read().replace("*/generated.py", "*/generated.py\n    proj/templates/*.html")
        with open(os.path.join(s["workspace"], ".coveragerc"), "w") as f:
            f.write(text)
        result = run_ours(s, os.path.join(self.root, "ours"))
        self.assertTrue(result["ok"], result)
        self.assertEqual((result["not_python"], len(result["log"])), ([], 1), result["log"])

    def test_rejected_setting_is_named(self) -> None:
        s = scenario.build(self.root, "setup.cfg")
        with open(os.path.join(s["workspace"], "setup.cfg")) as f:
            text = f.read().replace("branch = true", "branch = maybe")
        with open(os.path.join(s["workspace"], "setup.cfg"), "w") as f:
            f.write(text)
        result = run_ours(s, os.path.join(self.root, "ours"))
        self.assertFalse(result["ok"])
        self.assertRegex(result["config_error"], r"^coverage\.py \S+ rejects `\[run\] branch` in the project's "
                                                 r"coverage config setup\.cfg \(.*maybe.*\); fix it there")

    def test_unparsable_python_file_names_file_and_report(self) -> None:
        s = scenario.build(self.root, ".coveragerc")
        with open(os.path.join(s["workspace"], "proj/views.py"), "w") as f:
            f.write("def page(kind:\n")
        result = run_ours(s, os.path.join(self.root, "ours"))
        self.assertFalse(result["ok"])
        failed = result["steps"][-1]
        self.assertEqual((failed["step"], failed["file"]), ("lcov", "proj/views.py"), failed)


if __name__ == "__main__":
    unittest.main()
