"""Every data file is checked before coverage.py reads it, because a target made it and a target may
be compromised or broken. The check reads the file with Python's sqlite3 only (never the sqlite3
shell, whose `writefile()` a view could call), read-only and immutable, with a bound on the work:
a file that holds anything coverage.py never writes (a view, a trigger, another table), values of
the wrong type, or more rows than any service writes, is refused with one sentence. What coverage.py
then reads is a copy in the scratch directory, with the measured names that are not plausible file
names taken out (counted and reported per data file), and later the files the reports leave out."""

from __future__ import annotations

import os
import re
import sqlite3
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

# A longer name is no path (PATH_MAX).
MAX_NAME_LENGTH = 4096
# Per data file: our largest services (site-packages measured) record about 10,000 files.
MAX_MEASURED_FILES = 200_000
# Per data file: one context per test of a big suite.
MAX_CONTEXTS = 100_000
# One file's executed lines as coverage.py's numbits: 256 KiB holds line numbers up to two million.
MAX_NUMBITS_BYTES = 256 * 1024
# SQLite VM steps for the checks of one file (a few seconds), whatever the file holds.
STEP_BUDGET = 50_000_000
STEPS_PER_CALL = 10_000

COVERAGE_TABLES = ("coverage_schema", "meta", "file", "context", "line_bits", "arc", "tracer")
# C0, DEL, C1, the line and paragraph separators, and the bidi overrides that make a name read as
# another one.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# (query that counts offending rows, what they are): values of types coverage.py never writes.
TYPE_CHECKS = (
    ("SELECT count(*) FROM file WHERE typeof(id) != 'integer'", "file ids that are not integers"),
    ("SELECT count(*) FROM context WHERE typeof(id) != 'integer' OR typeof(context) != 'text'",
     "contexts that are not text"),
    ("SELECT count(*) FROM line_bits WHERE typeof(numbits) != 'blob' OR length(numbits) > %d" % MAX_NUMBITS_BYTES,
     "line records that are not coverage.py's numbits (or hold line numbers beyond two million)"),
    ("SELECT count(*) FROM arc WHERE typeof(fromno) != 'integer' OR typeof(tono) != 'integer'",
     "arcs whose line numbers are not integers"),
    ("SELECT count(*) FROM tracer WHERE typeof(tracer) != 'text'", "file tracers that are not text"),
    ("SELECT count(*) FROM meta WHERE typeof(key) != 'text' OR typeof(value) != 'text'",
     "meta entries that are not text"),
)


class Refused(Exception):
    """A data file that is not coverage.py's data, as one sentence (no text from the file in it)."""


class Screened:
    """A checked data file: the copy coverage.py reads, and what the check took out of it."""

    def __init__(self, original: str, copy: str, size: int, has_arcs: Optional[bool],
                 dropped: List[str]):
        self.original = original
        self.copy = copy
        self.size = size
        self.has_arcs = has_arcs
        self.dropped = dropped
        # Measured files taken out because their file tracer disagrees with the other data files.
        self.conflicts: List[str] = []


def plausible(name: Any) -> bool:
    """A file name coverage.py could have recorded: text, not empty, no longer than PATH_MAX, no
    control or bidi character, no `..` component (relative names come from `relative_files`)."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH or UNSAFE.search(name):
        return False
    return ".." not in name.split("/")


def printable(text: str, limit: int = 300) -> str:
    """Text for a one-line message: control and bidi characters as visible escapes, cut to `limit`."""
    cut = text if len(text) <= limit else text[:limit] + "..."
    return UNSAFE.sub(lambda m: "\\u%04x" % ord(m.group(0)), cut)


def _budget(db: sqlite3.Connection) -> None:
    calls = [0]

    def tick() -> int:
        calls[0] += 1
        return 1 if calls[0] * STEPS_PER_CALL > STEP_BUDGET else 0

    db.set_progress_handler(tick, STEPS_PER_CALL)


def _count(db: sqlite3.Connection, query: str) -> int:
    return int(db.execute(query).fetchone()[0])


def _check(db: sqlite3.Connection) -> Optional[bool]:
    """Refuses what coverage.py never writes; returns whether the data holds arcs (None: empty)."""
    objects = db.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger')").fetchall()
    foreign = sorted(kind for kind, name in objects if kind != "table")
    if foreign:
        raise Refused("holds a %s, which coverage.py never writes" % foreign[0])
    tables = set(name for _, name in objects)
    missing = [t for t in COVERAGE_TABLES if t not in tables]
    if missing:
        raise Refused("is not coverage.py data (it has no `%s` table)" % missing[0])
    extra = sorted(t for t in tables if t not in COVERAGE_TABLES and not str(t).startswith("sqlite_"))
    if extra:
        raise Refused("holds %d table(s) coverage.py never writes" % len(extra))
    version = db.execute("SELECT version FROM coverage_schema").fetchall()
    if len(version) != 1 or not isinstance(version[0][0], int):
        raise Refused("has no schema version coverage.py could have written")
    for table, bound in (("file", MAX_MEASURED_FILES), ("context", MAX_CONTEXTS)):
        rows = _count(db, "SELECT count(*) FROM %s" % table)
        if rows > bound:
            raise Refused("lists %d rows in its `%s` table, over the bound of %d" % (rows, table, bound))
    for query, what in TYPE_CHECKS:
        bad = _count(db, query)
        if bad:
            raise Refused("holds %d %s" % (bad, what))
    arcs = db.execute("SELECT value FROM meta WHERE key = 'has_arcs'").fetchall()
    return None if not arcs else arcs[0][0] not in ("0", "")


def screen(path: str, copy: str) -> Screened:
    """Checks the data file at `path` and writes the copy coverage.py reads to `copy`, without the
    measured names that are not plausible. Raises Refused (or sqlite3's error for a file that is no
    database at all)."""
    size = os.path.getsize(path)
    source = sqlite3.connect("file:%s?mode=ro&immutable=1" % quote(os.path.abspath(path)), uri=True)
    try:
        _budget(source)
        try:
            has_arcs = _check(source)
        except sqlite3.OperationalError as e:
            if "interrupted" in str(e):
                raise Refused("takes more than %d SQLite steps to check" % STEP_BUDGET) from None
            raise
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            dropped = drop_files(target, lambda name: not plausible(name))
        finally:
            target.close()
    finally:
        source.close()
    return Screened(path, copy, size, has_arcs, dropped)


def drop_files(db: sqlite3.Connection, unwanted: Callable[[Any], bool]) -> List[str]:
    """Deletes the measured files (and their lines, arcs and tracers) whose name is `unwanted`;
    returns their names."""
    rows: List[Tuple[int, Any]] = db.execute("SELECT id, path FROM file").fetchall()
    gone = [(file_id, name) for file_id, name in rows if unwanted(name)]
    if gone:
        ids = [(file_id,) for file_id, _ in gone]
        with db:
            for table in ("line_bits", "arc", "tracer"):
                db.executemany("DELETE FROM %s WHERE file_id = ?" % table, ids)
            db.executemany("DELETE FROM file WHERE id = ?", ids)
    return [name if isinstance(name, str) else repr(name) for _, name in gone]


def drop_from_copy(copy: str, unwanted: Callable[[str], bool]) -> List[str]:
    db = sqlite3.connect(copy)
    try:
        return drop_files(db, unwanted)
    finally:
        db.close()


def tracers_of(copy: str) -> Dict[str, str]:
    """Each measured file of a copy and the file tracer (plugin) its data names ('' for none)."""
    db = sqlite3.connect(copy)
    try:
        rows = db.execute("SELECT file.path, coalesce(tracer.tracer, '') FROM file "
                          "LEFT JOIN tracer ON tracer.file_id = file.id").fetchall()
        return {str(path): str(tracer) for path, tracer in rows}
    finally:
        db.close()


def named_entry(screened: Screened, names: List[str]) -> Dict[str, Any]:
    """The result's record of names taken out of one data file: the count and one example, printable."""
    return {"file": screened.original, "count": len(names), "example": printable(names[0], 120)}
