"""A synthetic data set for the conversion benchmark: FILES Python modules under
<dir>/container/pkg (and the same under <dir>/workspace/pkg, the checkout) and one coverage data
file, with branch data, in which about two thirds of each module's arcs ran. The arcs come from
coverage.py's own parser, so every report has real work on every file.

    python make_dataset.py DIR [FILES]   (default 2000)
"""

from __future__ import annotations

import os
import random
import shutil
import sys

MODULE = '''"""Module {n}."""


def handler_{n}(request, flag=False):
    total = 0
    for item in request.get("items", []):
        if item % 3 == 0:
            total += item
        elif item % 5 == 0:
            total -= item
        else:
            continue
    if flag:
        return {{"total": total, "flag": True}}
    try:
        value = 10 // (total or 1)
    except ZeroDivisionError:
        value = 0
    return {{"total": total, "value": value}}


class Service{n}:
    def __init__(self, name):
        self.name = name
        self.calls = 0

    def call(self, x):
        self.calls += 1
        while x > 0:
            x -= {step}
            if x == 7:
                break
        return [y * 2 for y in range(x) if y % 2]
'''


def main(root: str, files: int) -> None:
    from coverage import CoverageData
    from coverage.parser import PythonParser

    rng = random.Random(25)
    container, workspace = os.path.join(root, "container"), os.path.join(root, "workspace")
    for d in (container, workspace):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "pkg"))
    arcs = {}
    for n in range(files):
        text = MODULE.format(n=n, step=1 + n % 4)
        for d in (container, workspace):
            with open(os.path.join(d, "pkg", "mod_%04d.py" % n), "w") as f:
                f.write(text)
        parser = PythonParser(text=text)
        parser.parse_source()
        every = sorted(parser.arcs())
        arcs[os.path.join(container, "pkg", "mod_%04d.py" % n)] = [a for a in every if rng.random() < 0.66]
    data = CoverageData(basename=os.path.join(root, ".coverage.bench"))
    data.add_arcs(arcs)
    data.write()
    print("%d files, data in %s" % (files, data.data_filename()))


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
