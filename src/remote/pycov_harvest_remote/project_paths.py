"""One mapping of measured file names onto the workspace for the combine: the action's
`path-map` first, then the project's own `[paths]` (applied by coverage.py's own `PathAliases`,
as `coverage combine` would), then the prefixes inferred from the workspace. A rule counts only
when the name it gives is a file of the workspace."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from pycov_harvest_remote.pathmap import PathMap


def project_aliases(paths: Dict[str, List[str]]) -> Optional[Any]:
    """coverage.py's aliases for the project's `[paths]`, built as its `combine` builds them
    (first entry the result, the others its patterns); None without `[paths]`."""
    if not paths:
        return None
    from coverage.files import PathAliases

    aliases = PathAliases(relative=True)
    for entries in paths.values():
        for pattern in entries[1:]:
            aliases.add(pattern, entries[0])
    return aliases


class ProjectMap(PathMap):
    """A PathMap (its `map` and `found`), so it serves the combine and the omit decision alike."""

    def __init__(self, explicit: Optional[PathMap], aliases: Optional[Any], inferred: PathMap):
        super().__init__(inferred.rules, inferred.workspace)
        self.explicit = explicit
        self.aliases = aliases
        self.inferred = inferred
        self.workspace = inferred.workspace

    def map(self, path: str) -> str:
        if self.explicit is not None:
            mapped = self.explicit.map(path)
            if self.explicit.found(mapped):
                return mapped
        if self.aliases is not None:
            project = self._project(path)
            if project is not None:
                return project
        return (self.explicit or self.inferred).map(path)

    def found(self, mapped: str) -> bool:
        return (self.explicit or self.inferred).found(mapped) or self._in_workspace(mapped)

    def _project(self, path: str) -> Optional[str]:
        mapped: str = self.aliases.map(path, exists=self._in_workspace) if self.aliases is not None else path
        if mapped == path:
            return None
        if os.path.isabs(mapped):
            inside = os.path.relpath(mapped, self.workspace)
            mapped = inside if not inside.startswith("..") else mapped
        return mapped if self._in_workspace(mapped) else None

    def _in_workspace(self, name: str) -> bool:
        full = name if os.path.isabs(name) else os.path.join(self.workspace, name)
        inside = not os.path.relpath(full, self.workspace).startswith("..")
        return inside and os.path.isfile(full)
