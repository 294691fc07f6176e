"""A package's history: `specs/<provider>/changelog.yaml`, checked, recorded and laid out.

The file lists releases oldest first, each with its version, the date the maintainer gives,
the changes the spec diff classified since the release before, and an optional note:

    releases:
      - version: 0.1.0
        date: "2026-12-03"
        note: initial

`build_releases` checks it (the last release is service.yaml's version; each release bumps
its predecessor as much as its changes need); `record` is what `generator diff --record`
does (set the version, append the release, or replace the one not yet on the base);
`changelog_view` is what `templates/docs/changelog.md.j2` lays out as CHANGELOG.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from . import ir
from .load import Document, Mark, Problem, load_document
from .versions import CLASSES, TITLES, bump_of, bumped, enough, parse, required_bump

FILE = "changelog.yaml"
RECORD_HINT = "python -m generator diff --record --date YYYY-MM-DD"


def build_releases(
    doc: Document | None, service: Document, display_dir: str
) -> tuple[tuple[ir.Release, ...], list[Problem]]:
    """The releases of a (meta-schema valid) changelog.yaml, and what is wrong with them."""
    version = service.data.get("version") if isinstance(service.data, dict) else None
    if doc is None:
        where = service.key_mark(("version",))
        return (), [
            Problem(
                where,
                f"no {FILE} in {display_dir}: every package keeps its history there (see "
                f"specs/README.md)",
            )
        ]
    problems: list[Problem] = []
    releases: list[ir.Release] = []
    for i, raw in enumerate(doc.data["releases"]):
        at = ("releases", i)
        changes = tuple(
            ir.ChangeEntry(c["class"], c["what"], c["change"], c.get("why", ""))
            for c in raw.get("changes", [])
        )
        release = ir.Release(
            raw["version"], raw["date"], changes, raw.get("note", ""), doc.mark(at)
        )
        if not changes and not release.note:
            problems.append(
                doc.problem(at, f"release {release.version} lists no changes: say why in `note`")
            )
        if releases:
            before = releases[-1]
            bump = bump_of(before.version, release.version)
            if bump is None or bump == "none":
                problems.append(
                    doc.problem(
                        at + ("version",),
                        f"release {release.version} is not above {before.version}, the release "
                        f"before it (releases are listed oldest first)",
                    )
                )
            else:
                needed = required_bump([c.change_class for c in changes])
                if not enough(bump, needed):
                    problems.append(
                        doc.problem(
                            at + ("version",),
                            f"release {release.version} lists {_worst(changes)} changes: they need "
                            f"a {needed} bump "
                            f"from {before.version} ({bumped(before.version, needed)}), not a "
                            f"{bump} one",
                        )
                    )
            if release.date < before.date:
                problems.append(
                    doc.problem(
                        at + ("date",),
                        f"release {release.version} is dated before {before.version} "
                        f"({before.date})",
                    )
                )
        releases.append(release)
    if version is not None and releases and releases[-1].version != version:
        problems.append(
            service.problem(
                ("version",),
                f"version {version} is not the last release in {display_dir}/{FILE} "
                f"({releases[-1].version}); "
                f"record the release with `{RECORD_HINT}`",
            )
        )
    return tuple(releases), problems


def _worst(changes: tuple[ir.ChangeEntry, ...]) -> str:
    worst = min((CLASSES.index(c.change_class) for c in changes), default=len(CLASSES) - 1)
    return TITLES[CLASSES[worst]].lower()


# -- recording ---------------------------------------------------------------------------------


def record(
    provider_dir: Path,
    base_version: str,
    version: str,
    date: str,
    changes: list[ir.ChangeEntry],
    note: str = "",
) -> None:
    """Make `version` the package's version and its last release: the releases above
    `base_version` (not yet on the base) are replaced by one with these changes, appended at
    the end of changelog.yaml; the rest of the file (comments included) is kept as written."""
    parse(version)
    service_path = provider_dir / "service.yaml"
    text = service_path.read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^version:[^\n]*$", f"version: {version}", text, count=1)
    if count != 1:
        raise ValueError(f"{service_path}: no top-level `version:` line to set")
    path = provider_dir / FILE
    history = path.read_text(encoding="utf-8")
    doc, problems = load_document(path, path.as_posix())
    if problems or not isinstance(doc.data, dict):
        raise ValueError("\n".join(map(str, problems)) or f"{path}: not a mapping")
    base = parse(base_version)
    for i, raw in enumerate(doc.data.get("releases", [])):
        if parse(str(raw.get("version"))) > base:  # not released on the base: rewritten
            history = history[: _line_start(history, doc.mark(("releases", i)))]
            break
    history = history.rstrip("\n") + "\n" + release_yaml(version, date, changes, note)
    service_path.write_text(text, encoding="utf-8")
    path.write_text(history, encoding="utf-8")


def _line_start(text: str, mark: Mark) -> int:
    """The offset of the start of the line of `mark` (the "- " of a list item)."""
    offset = 0
    for _ in range(mark.line - 1):
        offset = text.index("\n", offset) + 1
    return offset


def release_yaml(version: str, date: str, changes: list[ir.ChangeEntry], note: str = "") -> str:
    """One release as an item of the `releases:` list, the way `record` writes it."""
    entry: dict[str, Any] = {"version": version, "date": date}
    if note:
        entry["note"] = note
    if changes:
        entry["changes"] = [
            {
                "class": c.change_class,
                "what": c.what,
                "change": c.change,
                **({"why": c.why} if c.why else {}),
            }
            for c in changes
        ]
    text = yaml.safe_dump(
        [entry], sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    return "".join(f"  {line}\n" for line in text.splitlines())


# -- the rendered CHANGELOG.md -----------------------------------------------------------------


def changelog_view(service: ir.Service) -> dict[str, Any]:
    """The releases newest first, each with its changes grouped by class, most severe first."""
    releases = []
    for release in reversed(service.releases):
        groups = [
            {"title": TITLES[cls], "changes": [c for c in release.changes if c.change_class == cls]}
            for cls in CLASSES
        ]
        releases.append(
            {
                "version": release.version,
                "date": release.date,
                "note": release.note,
                "groups": [g for g in groups if g["changes"]],
            }
        )
    return {"releases": releases}
