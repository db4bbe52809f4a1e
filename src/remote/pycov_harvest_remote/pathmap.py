"""Container paths onto the workspace: leading prefixes only, never a match in
the middle of a path (coverage.py's own [paths] rewrote every occurrence of a
prefix before 7.6, turning /app/backend/app/x.py into backend./x.py).

Everything is decided against the workspace (the current directory), never
against the filesystem this program runs in: the conversion image may contain
the service's own paths."""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple


def _inside(path: str, workspace: str) -> Optional[str]:
    """`path` relative to the workspace when it lies inside it."""
    if path == workspace:
        return ""
    if path.startswith(workspace.rstrip("/") + "/"):
        return path[len(workspace.rstrip("/")) + 1:]
    return None


class PathMap:
    """Maps measured file names to workspace-relative names (or absolute ones
    outside the workspace); `rules` are (container prefix, workspace path)."""

    def __init__(self, rules: Sequence[Tuple[str, str]], workspace: str):
        self.workspace = workspace
        self.rules = sorted(((r.rstrip("/") or "/", l) for r, l in rules), key=lambda rule: -len(rule[0]))

    def map(self, path: str) -> str:
        inside = _inside(path, self.workspace) if path.startswith("/") else None
        if inside is not None:
            return inside
        for remote, local in self.rules:
            if remote == "/" or path == remote or path.startswith(remote + "/"):
                rest = path[len(remote):].lstrip("/") if remote != "/" else path.lstrip("/")
                mapped = os.path.normpath(os.path.join(local, rest)) if rest else local
                inside = _inside(mapped, self.workspace) if mapped.startswith("/") else None
                return inside if inside is not None else mapped
        return path

    def found(self, mapped: str) -> bool:
        """The mapped file exists in the workspace (or at an absolute path the user mapped to)."""
        if mapped.startswith("/"):
            return any(mapped.startswith(local.rstrip("/") + "/") for _, local in self.rules
                       if local.startswith("/")) and os.path.isfile(mapped)
        return not mapped.startswith("..") and os.path.isfile(os.path.join(self.workspace, mapped))


def infer(measured: Sequence[str], workspace: str) -> List[str]:
    """Container prefixes whose files exist in the workspace under a shorter
    path: /app/backend/app/x.py with backend/app/x.py checked out gives /app."""
    prefixes: Dict[str, int] = {}
    for path in measured:
        if not path.startswith("/") or _inside(path, workspace) is not None:
            continue
        parts = path.split("/")
        for i in range(2, len(parts)):
            if os.path.isfile(os.path.join(workspace, *parts[i:])):
                prefix = "/".join(parts[:i])
                prefixes[prefix] = prefixes.get(prefix, 0) + 1
                break
    return sorted(prefixes, key=lambda p: (-prefixes[p], p))
