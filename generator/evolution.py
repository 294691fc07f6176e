"""API evolution: the specs at a base revision against the working tree, for reviewers.

`generator diff` and the version part of `generator check` are built from these pieces:

- `build_tree` lints every provider of a spec tree (the base's, exported by `revision.py`, or
  the working tree) with the *current* generator;
- `compare` runs `diff.diff_services` per provider and keeps the versions on both sides;
- `ProviderDiff.problems` says whether the version and changelog.yaml follow the diff;
- `markdown` / `as_json` lay the result out for a pull request or a machine;
- `record` is `diff --record`: the version a diff needs and its release in changelog.yaml.

A base from before versioning (no `version:` in its service.yaml) is read as unversioned:
its specs are compared as usual, and no version rule applies to them.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ir
from .changelog import FILE as CHANGELOG_FILE
from .changelog import RECORD_HINT
from .changelog import record as record_release
from .diff import Change, diff_services, is_breaking, where
from .load import Document, Problem
from .revision import Base, export_specs
from .versions import (
    BREAKING_CONSUMER,
    CLASSES,
    COMPATIBLE,
    NONE,
    TITLES,
    bump_of,
    bumped,
    enough,
    parse,
    required_bump,
)


@dataclass
class Tree:
    """Every provider of a spec tree, built; `root` is the directory holding its specs/."""

    root: Path
    services: dict[str, ir.Service]
    unversioned: set[str] = field(default_factory=set)


def build_tree(root: Path, *, before_versions_ok: bool = False) -> tuple[Tree, list[Problem]]:
    """Lint every provider under `root/specs`. With `before_versions_ok`, a provider whose
    service.yaml has no `version:` (specs from before versioning) is built as unversioned."""
    from .lint import lint_sources
    from .load import load_provider
    from .pipeline import provider_dirs

    tree = Tree(root, {})
    problems: list[Problem] = []
    specs = root / "specs"
    for provider_dir in provider_dirs(specs) if specs.is_dir() else []:
        sources, found = load_provider(provider_dir, root)
        if (
            not found
            and before_versions_ok
            and sources.service is not None
            and isinstance(sources.service.data, dict)
        ):
            if "version" not in sources.service.data:
                tree.unversioned.add(provider_dir.name)
                sources.service.data["version"] = "0.0.0"
                if sources.changelog is None:
                    sources.changelog = Document(
                        f"{sources.display_dir}/{CHANGELOG_FILE}",
                        {
                            "releases": [
                                {
                                    "version": "0.0.0",
                                    "date": "0001-01-01",
                                    "note": "before versioning",
                                }
                            ]
                        },
                    )
        service, more = lint_sources(sources) if not found else (None, found)
        problems += more
        if service is not None:
            tree.services[service.provider] = service
    return tree, problems


@contextlib.contextmanager
def base_tree(root: Path, base: Base) -> Iterator[tuple[Tree, list[Problem]]]:
    """The base's specs, exported to a temporary directory and built (while in the block)."""
    with tempfile.TemporaryDirectory(prefix="payspec-base-") as tmp:
        spec_root = export_specs(root, base, Path(tmp))
        yield build_tree(spec_root, before_versions_ok=True)


@dataclass
class ProviderDiff:
    provider: str
    base: ir.Service | None  # None: the provider is new
    head: ir.Service | None  # None: the provider was removed
    changes: list[Change]
    unversioned_base: bool = False

    @property
    def base_version(self) -> str | None:
        return None if self.base is None or self.unversioned_base else self.base.version

    @property
    def version(self) -> str | None:
        return self.head.version if self.head is not None else None

    @property
    def needed(self) -> str:
        return required_bump([c.change_class for c in self.changes])

    @property
    def needed_version(self) -> str | None:
        """The lowest version that follows the diff (None: no rule applies)."""
        if self.base_version is None or self.version is None:
            return None
        if self.needed == NONE:
            return self.base_version
        bump = bump_of(self.base_version, self.version)
        return (
            self.version
            if bump is not None and bump != NONE and enough(bump, self.needed)
            else bumped(self.base_version, self.needed)
        )

    @property
    def breaking(self) -> bool:
        return is_breaking(self.changes)

    def problems(self) -> list[str]:
        """What is wrong with the version and changelog.yaml, given the diff."""
        if self.head is None or self.base_version is None or self.version is None:
            return []
        p, base, version = self.provider, self.base_version, self.version
        bump = bump_of(base, version)
        if bump is None:
            return [f"{p}: version {version} is below {base}, the base's; versions only go up"]
        out = []
        if self.changes and not enough(bump, self.needed):
            counts = ", ".join(f"{n} {TITLES[cls].lower()}" for cls, n in _counts(self.changes))
            out.append(
                f"{p}: the specs changed since the base ({counts}): that needs a {self.needed} "
                f"bump, "
                f"{base} → {bumped(base, self.needed)}, but the version is {version}; run "
                f"`{RECORD_HINT}`"
            )
        if bump != NONE or self.changes:
            recorded = {
                (c.change_class, c.what, c.change)
                for r in self.head.releases
                if parse(r.version) > parse(base)
                for c in r.changes
            }
            found = {c.key for c in self.changes}
            missing, extra = sorted(found - recorded), sorted(recorded - found)
            if (missing or extra) and not out:
                lines = [
                    f"{p}: {CHANGELOG_FILE} does not list what the diff finds since {base}; run "
                    f"`{RECORD_HINT}` again"
                ]
                lines += [
                    f"  not recorded: [{cls}] {what}: {change}"
                    for cls, what, change in missing[:20]
                ]
                lines += [
                    f"  recorded, not in the diff: [{cls}] {what}: {change}"
                    for cls, what, change in extra[:20]
                ]
                if len(missing) > 20 or len(extra) > 20:
                    lines.append(
                        f"  ... {len(missing)} not recorded, {len(extra)} no longer in the diff"
                    )
                out.append("\n".join(lines))
        return out


def _counts(changes: list[Change]) -> list[tuple[str, int]]:
    return [(cls, n) for cls in CLASSES if (n := sum(c.change_class == cls for c in changes))]


def compare(base: Tree, head: Tree, providers: list[str] | None = None) -> list[ProviderDiff]:
    """One `ProviderDiff` per provider on either side (or of `providers`), sorted by name."""
    out = []
    for name in sorted(base.services.keys() | head.services.keys()):
        if providers and name not in providers:
            continue
        old, new = base.services.get(name), head.services.get(name)
        if old is None:
            assert new is not None
            changes = [
                Change(
                    COMPATIBLE,
                    f"package {new.package}",
                    "added",
                    "a new package",
                    None,
                    new.key_mark("provider"),
                )
            ]
        elif new is None:
            changes = [
                Change(
                    BREAKING_CONSUMER,
                    f"package {old.package}",
                    "removed",
                    "the package is no longer generated",
                    old.key_mark("provider"),
                    None,
                )
            ]
        else:
            changes = diff_services(old, new, old_root=base.root, new_root=head.root)
        out.append(ProviderDiff(name, old, new, changes, unversioned_base=name in base.unversioned))
    return out


# -- reports -----------------------------------------------------------------------------------


def _where(c: Change) -> str:
    old, new = where(c.old), where(c.new)
    if old and new:
        return f"`{old}` → `{new}`" if old != new else f"`{new}`"
    return f"was `{old}`" if old else f"now `{new}`"


def _version_text(d: ProviderDiff) -> str:
    if d.head is None:
        return "removed"
    if d.base is None:
        return f"new package, version {d.version}"
    if d.base_version is None:
        return f"version {d.version} (the base has no version: nothing to hold it to)"
    needed = d.needed_version
    text = f"version {d.base_version} → {d.version}"
    if not d.changes:
        return text
    if d.problems():
        return f"{text}: needs a {d.needed} bump ({needed}) and its release in {CHANGELOG_FILE}"
    return f"{text}: follows the diff ({d.needed} bump)"


def report_view(base: Base, diffs: list[ProviderDiff]) -> dict[str, Any]:
    providers = []
    for d in diffs:
        if not d.changes:
            continue
        providers.append(
            {
                "provider": d.provider,
                "counts": ", ".join(f"{n} {TITLES[cls].lower()}" for cls, n in _counts(d.changes)),
                "version": _version_text(d),
                "groups": [
                    {
                        "title": TITLES[cls],
                        "changes": [
                            {
                                "what": c.what,
                                "change": c.change,
                                "why": c.why,
                                "where": _where(c),
                                "used_by": ", ".join(c.used_by),
                            }
                            for c in d.changes
                            if c.change_class == cls
                        ],
                    }
                    for cls, _ in _counts(d.changes)
                ],
            }
        )
    return {
        "base": base.label,
        "providers": providers,
        "breaking": any(d.breaking for d in diffs),
        "unchanged": [d.provider for d in diffs if not d.changes],
    }


def markdown(base: Base, diffs: list[ProviderDiff]) -> str:
    from .render import environment

    return environment().get_template("docs/diff.md.j2").render(report_view(base, diffs))


def as_json(base: Base, diffs: list[ProviderDiff]) -> dict[str, Any]:
    return {
        "base": {"rev": base.rev, "commit": base.commit},
        "head": "working tree",
        "breaking": any(d.breaking for d in diffs),
        "providers": [
            {
                "provider": d.provider,
                "base_version": d.base_version,
                "version": d.version,
                "needed_bump": d.needed,
                "needed_version": d.needed_version,
                "version_follows": not d.problems(),
                "changes": [c.as_json() for c in d.changes],
            }
            for d in diffs
        ],
    }


# -- recording -----------------------------------------------------------------------------------


def record(head: Tree, diffs: list[ProviderDiff], date: str, note: str = "") -> list[str]:
    """Set each changed provider's version to what its diff needs (keeping a larger bump the
    maintainer made) and write its release to changelog.yaml; returns what was done."""
    done = []
    for d in diffs:
        if d.head is None or not d.changes:
            continue
        if d.base_version is None:
            done.append(
                f"{d.provider}: not recorded "
                f"({'new package' if d.base is None else 'the base has no version'}); edit "
                f"{CHANGELOG_FILE} by hand"
            )
            continue
        version = d.needed_version
        assert version is not None
        record_release(
            head.root / d.head.spec_dir,
            d.base_version,
            version,
            date,
            [c.entry() for c in d.changes],
            note,
        )
        done.append(
            f"{d.provider}: version {d.base_version} → {version}, {len(d.changes)} changes "
            f"recorded in {d.head.spec_dir}/{CHANGELOG_FILE}"
        )
    return done
