"""One bad data file never fails the conversion, and no measured name that is not a plausible path
reaches coverage.py: data files a compromised target could plant beside its real ones (valid SQLite
with hostile names, triggers, views, foreign tables, wrong types, huge counts, the other kind of
data) are named with the reason, or have their bad names dropped and counted, and the reports are
the ones the real data alone gives. Runs with the coverage.py of the Python that runs it:

    PYTHONPATH=src/remote:agent:test/conversion python -m unittest test_hostile_data -v
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
import unittest
from typing import Any, Callable, Dict, List

import scenario
from test_equivalence import run_ours

BAD_NAMES = [
    "/etc/zz\n[report]\ninclude = nothing/*\n",
    "/etc/zz\r::warning::PWN",
    "/x/\x00PWN.py",
    "/x/\x1b[2JPWN.py",
    "/x/\u202ePWN.py",
    "/x/\u2028PWN.py",
    "/x/\x85PWN.py",
    "../../etc/passwd",
]


def plant(real: str, name: str, change: Callable[[sqlite3.Connection], None]) -> str:
    """A copy of a real data file beside it, changed by `change`."""
    path = os.path.join(os.path.dirname(real), name)
    shutil.copy(real, path)
    db = sqlite3.connect(path)
    try:
        change(db)
        db.commit()
    finally:
        db.close()
    return path


def add_names(names: List[str]) -> Callable[[sqlite3.Connection], None]:
    def change(db: sqlite3.Connection) -> None:
        for name in names:
            file_id = db.execute("INSERT INTO file (path) VALUES (?)", (name,)).lastrowid
            db.execute("INSERT INTO arc (file_id, context_id, fromno, tono) VALUES (?, 1, -1, 1)", (file_id,))

    return change


def script(sql: str) -> Callable[[sqlite3.Connection], None]:
    return lambda db: db.executescript(sql)


def to_line_data(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM arc")
    db.execute("UPDATE meta SET value = '0' WHERE key = 'has_arcs'")
    db.execute("INSERT INTO line_bits (file_id, context_id, numbits) SELECT id, 1, x'02' FROM file")


class HostileData(unittest.TestCase):
    def setUp(self) -> None:
        self.root = tempfile.mkdtemp(prefix="pycov-hostile-data-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.s = scenario.build(self.root, ".coveragerc")
        self.clean = run_ours(self.s, os.path.join(self.root, "clean"))
        self.assertTrue(self.clean["ok"], self.clean)

    def run_with(self, planted: List[str]) -> Dict[str, Any]:
        s = dict(self.s, data_files=self.s["data_files"] + planted)
        return run_ours(s, os.path.join(self.root, "ours"))

    def same_reports_as_clean(self) -> None:
        for name in ("coverage.lcov", "coverage.json"):
            with open(os.path.join(self.root, "clean", name)) as a, open(os.path.join(self.root, "ours", name)) as b:
                clean, ours = a.read(), b.read()
            if name.endswith(".json"):
                clean, ours = (text.split('"files"', 1)[1] for text in (clean, ours))
            self.assertEqual(ours, clean, name)

    def test_names_that_are_no_paths_are_dropped_and_counted_per_data_file(self) -> None:
        real = self.s["data_files"][0]
        planted = plant(real, ".coverage.hostile-names", add_names(BAD_NAMES))
        result = self.run_with([planted])
        self.assertTrue(result["ok"], result)
        self.assertEqual([(d["file"], d["count"]) for d in result["dropped"]], [(planted, len(BAD_NAMES))])
        example = result["dropped"][0]["example"]
        self.assertNotRegex(example, "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202e]")
        self.assertEqual(result["bad_files"], [])
        self.same_reports_as_clean()
        names = scenario.measured(os.path.join(self.root, "ours", ".coverage"))
        self.assertTrue(all(not os.path.isabs(n) and ".." not in n for n in names), names)

    def test_hostile_sqlite_files_are_named_with_size_and_reason(self) -> None:
        real = self.s["data_files"][0]
        expected = {
            plant(real, ".coverage.trigger", script(
                "CREATE TABLE pwn (x); CREATE TRIGGER t AFTER INSERT ON file BEGIN INSERT INTO pwn VALUES (1); END;")):
                "holds a trigger, which coverage.py never writes",
            plant(real, ".coverage.view", script(
                "DROP TABLE file; CREATE VIEW file AS SELECT 1 AS id, 'x' AS path;")):
                "holds a view, which coverage.py never writes",
            plant(real, ".coverage.table", script("CREATE TABLE pwn (x);")):
                "holds 1 table(s) coverage.py never writes",
            plant(real, ".coverage.schema", script(
                "DELETE FROM coverage_schema; INSERT INTO coverage_schema VALUES ('<img src=x>@PWN');")):
                "has no schema version coverage.py could have written",
            plant(real, ".coverage.numbits", script(
                "INSERT INTO line_bits (file_id, context_id, numbits) SELECT id, 1, zeroblob(300000) FROM file;")):
                "holds",
            plant(real, ".coverage.types", script("UPDATE arc SET fromno = 'x' || fromno || '-' || tono;")):
                "holds",
            plant(real, ".coverage.lines", to_line_data):
                "cannot be combined with the other data files (it holds line data, most hold branch data)",
        }
        torn = os.path.join(os.path.dirname(real), ".coverage.torn")
        with open(torn, "wb") as f:
            f.write(b"SQLite format 3\x00" + b"\x07" * 200)
        expected[torn] = "is not usable coverage data ("
        result = self.run_with(sorted(expected))
        self.assertTrue(result["ok"], result)
        bad = {b["file"]: b for b in result["bad_files"]}
        self.assertEqual(sorted(bad), sorted(expected))
        for path, reason in expected.items():
            self.assertTrue(bad[path]["error"].startswith(reason), bad[path])
            self.assertEqual(bad[path]["size"], os.path.getsize(path))
        self.same_reports_as_clean()

    def test_a_file_tracer_no_other_data_file_names_cannot_push_out_the_real_data(self) -> None:
        real = self.s["data_files"][0]
        views = os.path.join(self.s["container"], "proj", "views.py")

        def trace_views(db: sqlite3.Connection) -> None:
            file_id = db.execute("SELECT id FROM file WHERE path = ?", (views,)).fetchone()[0]
            db.execute("INSERT INTO tracer (file_id, tracer) VALUES (?, 'pwn.Plugin')", (file_id,))

        planted = plant(real, ".coverage.aaa-tracer", trace_views)
        s = dict(self.s, data_files=[planted] + self.s["data_files"])
        result = run_ours(s, os.path.join(self.root, "ours"))
        self.assertTrue(result["ok"], result)
        self.assertEqual([(c["file"], c["count"], c["example"]) for c in result["tracer_conflicts"]],
                         [(planted, 1, views)])
        self.assertEqual(result["bad_files"], [])
        self.same_reports_as_clean()

    def test_thousands_of_unmapped_names_stay_fast_and_out_of_the_combined_data(self) -> None:
        real = self.s["data_files"][0]
        names = ["/etc/PWN-%d.py" % i for i in range(8000)]
        planted = plant(real, ".coverage.count", add_names(names))
        began = time.monotonic()
        result = self.run_with([planted])
        self.assertLess(time.monotonic() - began, 60)
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["unmapped_count"], 8000)
        self.assertEqual(len(result["unmapped"]), 20)
        self.same_reports_as_clean()
        measured = scenario.measured(os.path.join(self.root, "ours", ".coverage"))
        self.assertFalse([n for n in measured if n.startswith("/etc/")])


if __name__ == "__main__":
    unittest.main()
