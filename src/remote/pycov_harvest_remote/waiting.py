"""Waiting for data files written after a trigger."""

from __future__ import annotations

import os
import time

from pycov_harvest import datafiles

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, List, Optional

# File times come from the kernel's coarse clock, which trails time.time() by up
# to a few milliseconds: a save made right after the trigger can carry an mtime
# just before it.
MTIME_SLACK = 0.05
POLL = 0.2


def fresh_files(data_dir: str, t0: float) -> List[Dict[str, object]]:
    accepted, _ = datafiles.scan(data_dir)
    return [f for f in accepted if float(f["mtime"]) >= t0 - MTIME_SLACK]  # type: ignore[arg-type]


def _journal_pending(data_dir: str, names: List[str]) -> bool:
    """SQLite still has a side file beside one of these data files (a save in progress)."""
    return any(
        os.path.exists(os.path.join(data_dir, name + suffix))
        for name in names
        for suffix in datafiles.SIDE_SUFFIXES
    )


def wait_stable(data_dir: str, t0: float, deadline: float) -> Optional[List[Dict[str, object]]]:
    """Polls for whole data files written at or after t0 until none changes
    between two polls; None when none came before the deadline."""
    last = None
    while True:
        fresh = fresh_files(data_dir, t0)
        snapshot = sorted((str(f["name"]), f["size"], f["mtime"]) for f in fresh)
        if fresh and snapshot == last and not _journal_pending(data_dir, [str(f["name"]) for f in fresh]):
            return fresh
        if time.time() >= deadline:
            return None
        last = snapshot
        time.sleep(POLL)
