"""The specs at a git revision: which revision is the base, and its `specs/` in a directory.

`generator diff` and `generator check` compare the working tree with a base revision, by
default the merge base of HEAD and `main` (or `origin/main`). The base's specs are taken with
`git archive` into a temporary directory and built with the current generator. Only the git
command-line client is used (no network). When there is no base to compare with, the reason
is raised as `NoBase`; nothing pretends there is "no change".
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BRANCHES = ("main", "origin/main")


class NoBase(Exception):
    """There is no base revision to compare with; the message says why and what to do."""


class NotARepository(NoBase):
    """The root is not inside a git work tree (a tarball, a copy): there is no history."""


@dataclass(frozen=True)
class Base:
    rev: str  # what was asked for, or "merge base of HEAD and main"
    commit: str  # full hash
    prefix: str  # the root's path inside the repository ("" at the top), with a final "/"

    @property
    def label(self) -> str:
        return f"{self.rev} ({self.commit[:10]})"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60)
    except FileNotFoundError as exc:
        raise NotARepository("git is not installed: there is no history to compare with") from exc


def _text(run: subprocess.CompletedProcess[bytes]) -> str:
    return run.stdout.decode("utf-8", "replace").strip()


def _why(run: subprocess.CompletedProcess[bytes]) -> str:
    return (
        run.stderr.decode("utf-8", "replace").strip().splitlines()[-1]
        if run.stderr.strip()
        else f"git exited with {run.returncode}"
    )


def resolve(root: Path, rev: str | None) -> Base:
    """The base revision: `rev` if given, else the merge base of HEAD and main (origin/main)."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or _text(inside) != "true":
        raise NotARepository(
            f"{root} is not in a git work tree: there is no history to compare with"
        )
    prefix = _text(_git(root, "rev-parse", "--show-prefix"))
    if rev is not None:
        found = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if found.returncode != 0:
            raise NoBase(
                f"cannot resolve {rev!r} to a commit (a typo, or history this clone lacks: git "
                f"fetch)"
            )
        return Base(rev, _text(found), prefix)
    shallow = _text(_git(root, "rev-parse", "--is-shallow-repository")) == "true"
    for branch in DEFAULT_BRANCHES:
        if _git(root, "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}").returncode != 0:
            continue
        merge_base = _git(root, "merge-base", "HEAD", branch)
        if merge_base.returncode == 0:
            return Base(f"merge base of HEAD and {branch}", _text(merge_base), prefix)
        hint = " (this is a shallow clone: git fetch --unshallow)" if shallow else ""
        raise NoBase(
            f"HEAD and {branch} have no merge base{hint}: {_why(merge_base)}; give BASE explicitly"
        )
    raise NoBase(
        "no branch main or origin/main to find the merge base with"
        + (" (a shallow clone: git fetch origin main)" if shallow else "")
        + "; give BASE explicitly, e.g. `python -m generator diff HEAD~1`"
    )


def specs_unchanged(root: Path, base: Base) -> bool:
    """Whether specs/ in the working tree is exactly specs/ at the base (tracked changes,
    staged or not, and untracked files both count)."""
    diff = _git(root, "diff", "--quiet", base.commit, "--", "specs")
    if diff.returncode not in (0, 1):
        raise NoBase(f"git diff failed: {_why(diff)}")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--", "specs")
    return diff.returncode == 0 and not _text(untracked)


def export_specs(root: Path, base: Base, target: Path) -> Path:
    """Write the base's specs/ under `target` (as `<target>/specs/...`); returns the directory
    that plays the repository root for them (so spec paths read `specs/<provider>/...`)."""
    archive = _git(root, "archive", "--format=tar", base.commit, "--", f"{base.prefix}specs")
    if archive.returncode != 0:
        raise NoBase(f"{base.label} has no specs/ to compare with: {_why(archive)}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: refuse links and paths leaving target
            tar.extractall(target, filter="data")
        else:  # pragma: no cover - our own repository's archive
            tar.extractall(target)
    return target / base.prefix if base.prefix else target
