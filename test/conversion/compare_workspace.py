"""The conversion (the convert program's `converted`) against coverage.py's CLI on real harvested data, e.g. the
Flask or Django app's data that test/images/webapp/repro.sh left: runs both in WORKSPACE (the
current directory must be it) and prints what differs.

    cd WORKSPACE && PYTHONPATH=<repo>/src/remote:<repo>/agent:<repo>/test/conversion \\
      python3 <repo>/test/conversion/compare_workspace.py OUT_DIR PATH_MAP_REMOTE DATA_FILE...

The CLI gets the project's config (as coverage.py finds it) plus `relative_files`, through
COVERAGE_RCFILE pointing at a copy. Exits 1 when a report differs or the conversion failed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import List

from test_equivalence import canonical_json, timeless

from pycov_harvest_remote.convert import converted as convert


def main(argv: List[str]) -> int:
    out, remote, data_files = os.path.abspath(argv[1]), argv[2], [os.path.abspath(f) for f in argv[3:]]
    ours, theirs = out + "/ours", out + "/cli"
    for d in (ours, theirs):
        os.makedirs(d, exist_ok=True)
    outputs = {"lcov": ours + "/coverage.lcov", "xml": ours + "/coverage.xml", "json": ours + "/coverage.json",
               "html": ours + "/htmlcov"}
    result = convert({"combined": ours + "/.coverage", "workspace": os.getcwd(), "data_files": data_files,
                      "path_map": [[remote, "."]], "outputs": outputs, "image": os.environ.get("IMAGE", "this image")})
    print("\n".join(result.get("log", [])) or result)
    if not result.get("ok"):
        print("conversion failed: %s" % json.dumps(result.get("steps") or result.get("config_error")))
        return 1
    rc = out + "/reference.rc"
    with open(rc, "w") as f:
        f.write("[run]\nrelative_files = true\n")
        if result.get("plugins_missing"):
            f.write("plugins =\n")
    cli = [sys.executable, "-m", "coverage"]
    common = ["--data-file=" + ours + "/.coverage", "-q"]
    show = ["--show-contexts"] if result.get("contexts") else []
    morfs = [] if not result.get("orphans_count") else sorted(set(measured(ours + "/.coverage")) - set(result["orphans"]))
    env = dict(os.environ)
    for command in (["lcov", "-o", theirs + "/coverage.lcov"], ["xml", "-o", theirs + "/coverage.xml"],
                    ["json", "-o", theirs + "/coverage.json"] + show, ["html", "-d", theirs + "/htmlcov"] + show):
        subprocess.run(cli + command[:1] + common + command[1:] + ["--rcfile=" + reference(result, rc)] + morfs,
                       check=True, env=env)
    differ = []
    for name in ("coverage.lcov", "coverage.xml"):
        with open(os.path.join(ours, name)) as a, open(os.path.join(theirs, name)) as b:
            differ += [name] if timeless(a.read()) != timeless(b.read()) else []
    with open(ours + "/coverage.json") as a, open(theirs + "/coverage.json") as b:
        differ += ["coverage.json"] if canonical_json(a.read(), "") != canonical_json(b.read(), "") else []
    pages = sorted(os.listdir(theirs + "/htmlcov"))
    for page in pages:
        with open(os.path.join(ours, "htmlcov", page), "rb") as a, open(os.path.join(theirs, "htmlcov", page), "rb") as b:
            mine, their = a.read().decode("utf-8", "replace"), b.read().decode("utf-8", "replace")
        same = canonical_json(mine, page) == canonical_json(their, page) if page == "status.json" else \
            timeless(mine) == timeless(their)
        differ += [] if same else ["htmlcov/" + page]
    with open(ours + "/coverage.json") as f:
        totals = json.load(f)["totals"]
    print("files reported: %d, html pages: %d, total %s%%; differ: %s" % (
        len(json.load(open(ours + "/coverage.json"))["files"]), len(pages), totals["percent_covered_display"],
        ", ".join(differ) or "nothing"))
    return 1 if differ else 0


def reference(result: dict, rc: str) -> str:
    """The project's own file with relative_files added (a copy beside `rc`), or `rc` alone."""
    project = result.get("config_file")
    if not project:
        return rc
    with open(project) as f:
        text = f.read()
    if result.get("plugins_missing"):  # the conversion carried on without them; so does the CLI
        text = "\n".join(line for line in text.splitlines() if not line.startswith("plugins"))
    copy = os.path.join(os.path.dirname(rc), os.path.basename(project))
    with open(copy, "w") as f:
        head = "[tool.coverage.run]" if project.endswith(".toml") else \
            "[coverage:run]" if project.endswith((".cfg", ".ini")) else "[run]"
        if head in text:
            f.write(text.replace(head, head + "\nrelative_files = true", 1))
        else:
            f.write(head + "\nrelative_files = true\n\n" + text)
    return copy


def measured(data_file: str) -> List[str]:
    from coverage import CoverageData

    data = CoverageData(basename=data_file)
    data.read()
    return sorted(data.measured_files())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
