"""The combine: every data file checked (screen.py) and read from its copy, the data of the kind
most files hold (branch or line data) kept and a file of the other kind named, one mapping of the
measured names onto the working directory decided for all of them (`path-map`, the project's
`[paths]`, the inferred prefixes), the files that map to nothing taken out of the copies, and the
rest merged by coverage.py's own `CoverageData.update`. A data file that cannot be read or combined
is named with its size and the reason, and the others go on."""

from __future__ import annotations

import inspect
import os
from typing import Any, Dict, List, Optional, Set, Tuple

from pycov_harvest_remote.pathmap import PathMap, infer
from pycov_harvest_remote.project_paths import ProjectMap, project_aliases
from pycov_harvest_remote.screen import Refused, Screened, drop_from_copy, named_entry, printable, screen, tracers_of

UNMAPPED_SHOWN = 20
# What a data file of the other kind (line data among branch data, or the reverse) is told.
OTHER_KIND = ("cannot be combined with the other data files (it holds %s data, most hold %s data); measure every "
              "service the same way, all with `branch = true` or all without")
OTHER_KIND_EXTRA = ("cannot be combined with the E2E data (it holds %s data, they hold %s data); measure the unit "
                    "tests and the services the same way, both with `branch = true` or both without")


def one_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error).strip() else ""
    return printable("%s: %s" % (type(error).__name__, text) if text else type(error).__name__)


def unusable(error: BaseException) -> str:
    return "is not usable coverage data (%s)" % one_line(error)


def bad_file(path: str, error: str) -> Dict[str, Any]:
    """A data file left out; `error` completes "data file X (N bytes) ..." (a predicate)."""
    size = os.path.getsize(path) if os.path.isfile(path) else 0
    return {"file": path, "size": size, "error": error}


class Batch:
    """The data files of one kind of input (the harvested ones, or `extra-data`), checked."""

    def __init__(self, paths: List[str], scratch: str, tag: str):
        self.files: List[Screened] = []
        self.bad: List[Dict[str, Any]] = []
        for index, path in enumerate(paths):
            copy = os.path.join(scratch, "%s-%04d.coverage" % (tag, index))
            try:
                self.files.append(screen(path, copy))
            except Refused as e:
                self.bad.append(bad_file(path, str(e)))
            except Exception as e:  # not SQLite at all, truncated, unreadable
                self.bad.append(bad_file(path, unusable(e)))

    def keep_kind(self, arcs: bool, message: str) -> None:
        """Data files of the other kind go to `bad` (coverage.py cannot combine them)."""
        kinds = ("line", "branch") if arcs else ("branch", "line")
        for f in [f for f in self.files if f.has_arcs is not None and f.has_arcs != arcs]:
            self.files.remove(f)
            self.bad.append(bad_file(f.original, message % kinds))

    def read(self) -> Set[str]:
        """Reads every copy with coverage.py (a file it refuses goes to `bad`); the measured names."""
        from coverage import CoverageData

        measured: Set[str] = set()
        for f in list(self.files):
            try:
                data = CoverageData(basename=f.copy)
                data.read()
                measured.update(data.measured_files())
                close(data)
            except Exception as e:
                self.files.remove(f)
                self.bad.append(bad_file(f.original, unusable(e)))
        return measured

    def dropped(self) -> List[Dict[str, Any]]:
        return [named_entry(f, f.dropped) for f in self.files if f.dropped]

    def conflicts(self) -> List[Dict[str, Any]]:
        return [named_entry(f, f.conflicts) for f in self.files if f.conflicts]


def majority_kind(files: List[Screened]) -> bool:
    """The kind coverage.py combines: each directory (one per target) votes once with the kind most
    of its files hold, so one target cannot outvote the others with planted files; a tie keeps
    branch data."""
    votes: Dict[str, List[int]] = {}
    for f in files:
        if f.has_arcs is not None:
            votes.setdefault(os.path.dirname(f.original), [0, 0])[int(f.has_arcs)] += 1
    arcs = sum(1 for lines, branches in votes.values() if branches >= lines)
    return arcs >= len(votes) - arcs


class Mapping:
    """Where measured file names land: the names that exist in the working directory (kept), and
    those that map to nothing there (left out of the combined data and the reports)."""

    def __init__(self, measured: Set[str], mapper: PathMap):
        self.mapped = {path: mapper.map(path) for path in measured}
        self.unmapped = sorted(path for path, name in self.mapped.items() if not mapper.found(name))
        self.kept = len(set(self.mapped.values()) - set(self.mapped[path] for path in self.unmapped))


def plan(cov: Any, data_files: List[str], extra_files: List[str], path_map: Optional[List[List[str]]],
         workspace: str, scratch: str) -> Dict[str, Any]:
    """Checks and reads every data file and decides the one mapping; returns the batches, the mapper
    and the result's statistics (the batches' `bad` and `dropped` are added once merged)."""
    e2e, extra = Batch(data_files, scratch, "e2e"), Batch(extra_files, scratch, "extra")
    arcs = majority_kind(e2e.files or extra.files)
    e2e.keep_kind(arcs, OTHER_KIND)
    extra.keep_kind(arcs, OTHER_KIND_EXTRA)
    measured, extra_measured = e2e.read(), extra.read()
    inferred = infer(sorted(measured | extra_measured), workspace) if path_map is None else []
    explicit = PathMap([(r, l) for r, l in path_map], workspace) if path_map is not None else None
    mapper = ProjectMap(explicit, project_aliases(cov.config.paths),
                        PathMap([(p, workspace) for p in inferred], workspace))
    every = Mapping(measured | extra_measured, mapper)
    gone = set(every.unmapped)
    for f in e2e.files + extra.files:
        drop_from_copy(f.copy, lambda name: name in gone)
    settle_tracers(e2e.files + extra.files, mapper)
    return {
        "e2e": e2e, "extra": extra, "mapper": mapper,
        "stats": {
            "measured": len(measured), "kept": Mapping(measured, mapper).kept,
            "unmapped": every.unmapped[:UNMAPPED_SHOWN], "unmapped_count": len(every.unmapped),
            "inferred": inferred,
            "extra_measured": len(extra_measured), "extra_kept": Mapping(extra_measured, mapper).kept,
        },
    }


def settle_tracers(files: List[Screened], mapper: PathMap) -> None:
    """coverage.py refuses to combine data that names another file tracer (plugin) for a file than
    the data combined before it, so one data file could push out another's real data. For each file,
    the tracer most directories (one per target) name wins, a tie going to none (plain Python); the
    file is taken out of the copies that name another, and counted there."""
    seen: List[Tuple[Screened, Dict[str, str]]] = []
    votes: Dict[str, Dict[str, Set[str]]] = {}
    for f in files:
        tracers = tracers_of(f.copy)
        seen.append((f, tracers))
        for path, tracer in tracers.items():
            votes.setdefault(mapper.map(path), {}).setdefault(tracer, set()).add(os.path.dirname(f.original))
    winners = {name: max(sorted(by), key=lambda t: (len(by[t]), t == "")) for name, by in votes.items() if len(by) > 1}
    for f, tracers in seen:
        losing = set(p for p, t in tracers.items() if winners.get(mapper.map(p), t) != t)
        if losing:
            f.conflicts = drop_from_copy(f.copy, losing.__contains__)


def close(data: Any) -> None:
    """Closes coverage.py's connections to a copy (CoverageData.close is 7.5+)."""
    if callable(getattr(data, "close", None)):
        data.close()


class _Aliases:
    """What coverage < 7.5's CoverageData.update wants instead of a function."""

    def __init__(self, map_path: Any):
        self.map = map_path


def merge(combined: Any, batch: Batch, mapper: PathMap) -> None:
    """Adds each checked copy to `combined`; one coverage.py refuses is named and left out."""
    from coverage import CoverageData

    takes_function = "map_path" in inspect.signature(CoverageData.update).parameters
    for f in list(batch.files):
        try:
            data = CoverageData(basename=f.copy)
            data.read()
            if takes_function:
                combined.update(data, map_path=mapper.map)
            else:
                combined.update(data, aliases=_Aliases(mapper.map))  # type: ignore[call-arg]
            close(data)
        except Exception as e:
            batch.files.remove(f)
            batch.bad.append(bad_file(f.original, unusable(e)))
