"""Write rendered output into generated/, or compare it with what is there (`check`).

A provider's directory is replaced as a whole: the new tree is written next to it and swapped
in with two renames, so an interrupted run leaves either the old tree or the new one. Nothing
is written unless every provider rendered (see `pipeline.py`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Changes:
    """How the files of one output scope (a provider directory, or one file) compare."""

    scope: str
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


# Tool caches and build leftovers are not content; they are also git-ignored.
_IGNORED_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".hypothesis"}


def ignored(path: Path) -> bool:
    """A tool's dropping, not output (`path` relative to an output directory): caches,
    bytecode, and what `pip install generated/<provider>` leaves (see `remove_build_leftovers`)."""
    return (
        any(part in _IGNORED_PARTS or part.endswith(".egg-info") for part in path.parts)
        or path.suffix == ".pyc"
        or (len(path.parts) > 1 and path.parts[0] == "build")
    )


def remove_build_leftovers(out_root: Path) -> list[str]:
    """Remove what `pip install generated/<provider>` leaves in a package's directory (setuptools
    builds in the source tree: `build/` and `<package>.egg-info/`); the removed directories,
    relative to `out_root`'s parent, for `generate` to say. A package never generates either."""
    removed: list[str] = []
    if not out_root.is_dir():
        return removed
    for provider in sorted(p for p in out_root.iterdir() if p.is_dir()):
        if not (provider / "pyproject.toml").is_file():
            continue
        for leftover in sorted(provider.iterdir()):
            if leftover.is_dir() and (leftover.name == "build" or leftover.suffix == ".egg-info"):
                shutil.rmtree(leftover)
                removed.append(f"{out_root.name}/{provider.name}/{leftover.name}/")
    return removed


def _existing(out_root: Path, scope: str) -> dict[str, Path]:
    target = out_root / scope
    if target.is_file():
        return {scope: target}
    if not target.is_dir():
        return {}
    found = {}
    for path in sorted(target.rglob("*")):
        if path.is_file() and not ignored(path.relative_to(target)):
            found[path.relative_to(out_root).as_posix()] = path
    return found


def unchanged_scope(out_root: Path, scope: str) -> Changes:
    """A scope known to be up to date (see `cache.py`): every file it holds, unchanged."""
    return Changes(scope, unchanged=sorted(_existing(out_root, scope)))


def compare(out_root: Path, scope: str, files: dict[str, bytes]) -> Changes:
    changes = Changes(scope)
    existing = _existing(out_root, scope)
    for rel, data in sorted(files.items()):
        path = existing.get(rel)
        if path is not None and path.read_bytes() == data:
            changes.unchanged.append(rel)
        else:
            changes.written.append(rel)
    changes.removed = sorted(set(existing) - set(files))
    return changes


def apply(out_root: Path, scope: str, files: dict[str, bytes]) -> Changes:
    """Make `out_root/scope` hold exactly `files`."""
    changes = compare(out_root, scope, files)
    if not changes.changed:
        return changes
    out_root.mkdir(parents=True, exist_ok=True)
    target = out_root / scope
    if set(files) == {scope}:  # a single file
        tmp = out_root / f".tmp-{scope}"
        tmp.write_bytes(files[scope])
        os.replace(tmp, target)
        return changes
    staging = out_root / f".tmp-{scope}"
    old = out_root / f".old-{scope}"
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    for rel, data in files.items():
        path = staging / Path(rel).relative_to(scope)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if target.exists():
        os.rename(target, old)
    os.rename(staging, target)
    if old.exists():
        shutil.rmtree(old)
    return changes
