"""Which contexts in the data the harness switched: the agent marks every data file it writes with
a meta row mapping each context label in it to the harness's context name (agent/pycov_harvest/
owned.py). A file without the mark was written by coverage.py alone (`coverage run`, an older
agent), and its contexts are coverage.py's own (`dynamic_context = test_function`). Standard
library only."""

from __future__ import annotations

import json
import sqlite3

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, List, Optional, Tuple

MARK_KEY = "pycov-harvest:contexts"
MAX_NAME = 1024


def read_mark(path: str) -> Optional[Dict[str, str]]:
    """The file's label → context map, or None when it has no (usable) mark."""
    try:
        from urllib.parse import quote

        db = sqlite3.connect("file:%s?mode=ro" % quote(path), uri=True)
        try:
            row = db.execute("select value from meta where key = ?", (MARK_KEY,)).fetchone()
        finally:
            db.close()
        value = json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, TypeError):
        return None
    if not isinstance(value, dict):
        return None
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)
            and len(k) <= MAX_NAME and len(v) <= MAX_NAME}


def harness_labels(paths: List[str]) -> Tuple[Dict[str, str], int]:
    """The union of the marks (label → the harness's context, '' for none) and how many files
    had one."""
    labels: Dict[str, str] = {}
    marked = 0
    for path in paths:
        mark = read_mark(path)
        if mark is not None:
            marked += 1
            labels.update(mark)
    return labels, marked
