"""The conversion's speed as a ratio against coverage.py's own three reports, on the data set of
make_dataset.py (run it first), with the coverage.py of this Python:

    anchor  `coverage combine` then `coverage lcov`, `coverage xml`, `coverage json`: four processes
    shared  convert.converted: one process, one parse and analysis per file (SharedAnalysis)
    plain   the same without SharedAnalysis: one process, each report parses again

    PYTHONPATH=src/remote:agent python bench/conversion/bench.py DIR [ROUNDS]

Prints the mean seconds of each (the variants interleaved round by round) and their ratios to the anchor (lower is faster). A ratio,
never a pass/fail: the machine is shared."""

from __future__ import annotations

import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List

from pycov_harvest_remote.convert import converted as convert


def anchor(root: str) -> None:
    out = os.path.join(root, "cli")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    rc = os.path.join(out, "rc")
    with open(rc, "w") as f:
        f.write("[run]\nrelative_files = true\n[paths]\nsource =\n    pkg/\n    %s/container/pkg/\n" % root)
    data = os.path.join(out, ".coverage")
    shutil.copy(os.path.join(root, ".coverage.bench"), data + ".bench")
    cli = [sys.executable, "-m", "coverage"]
    workspace = os.path.join(root, "workspace")
    subprocess.run(cli + ["combine", "--rcfile=" + rc, "--data-file=" + data, "-q", data + ".bench"], cwd=workspace,
                   check=True)
    for fmt in ("lcov", "xml", "json"):
        subprocess.run(cli + [fmt, "--rcfile=" + rc, "--data-file=" + data, "-q", "-o", os.path.join(out, "c." + fmt)],
                       cwd=workspace, check=True)


def ours(root: str, share: bool) -> None:
    out = os.path.join(root, "ours")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    here = os.getcwd()
    os.chdir(os.path.join(root, "workspace"))
    try:
        result = convert({"combined": out + "/.coverage", "workspace": os.getcwd(),
                          "data_files": glob.glob(os.path.join(root, ".coverage.bench")),
                          "path_map": [[root + "/container", "."]], "share_analysis": share,
                          "outputs": {f: "%s/c.%s" % (out, f) for f in ("lcov", "xml", "json")}})
    finally:
        os.chdir(here)
    assert result["ok"], result


def same_reports(root: str) -> str:
    """Whether the last `shared` run wrote coverage.py's own reports (timestamps aside)."""
    differ = []
    for fmt in ("lcov", "xml", "json"):
        with open("%s/ours/c.%s" % (root, fmt)) as a, open("%s/cli/c.%s" % (root, fmt)) as b:
            mine, theirs = (re.sub(r'( timestamp="\d+"|"timestamp": "[^"]*")', "", f.read()) for f in (a, b))
        differ += [fmt] if mine != theirs else []
    return "same as coverage.py's: " + ("yes" if not differ else "NO (%s)" % ", ".join(differ))


def timed(step: Callable[[], None], rounds: int) -> float:
    times: List[float] = []
    for _ in range(rounds):
        began = time.perf_counter()
        step()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main(root: str, rounds: int) -> None:
    root = os.path.abspath(root)
    import coverage

    results: Dict[str, float] = {}
    # Interleaved, so a burst of load on the shared machine hits every variant alike.
    for _ in range(rounds):
        results.setdefault("anchor", 0.0)
        results["anchor"] += timed(lambda: anchor(root), 1)
        results["shared"] = results.get("shared", 0.0) + timed(lambda: ours(root, True), 1)
        results["plain"] = results.get("plain", 0.0) + timed(lambda: ours(root, False), 1)
    files = len(glob.glob(os.path.join(root, "workspace", "pkg", "*.py")))
    print("coverage %s, Python %d.%d, %d files, %d rounds" % (coverage.__version__, sys.version_info[0],
                                                            sys.version_info[1], files, rounds))
    for name in ("anchor", "shared", "plain"):
        mean = results[name] / rounds
        print("%-7s %6.2f s  ratio %.2f" % (name, mean, mean / (results["anchor"] / rounds)))
    ours(root, True)
    print(same_reports(root))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
