"""Versions follow the spec diff: the classes of change, and the semver bump each one needs.

A package's version is `version:` in its service.yaml, `MAJOR.MINOR.PATCH`. What a change
needs is the bump of its class:

- breaking for consumers, breaking on the wire: a major bump (the first number),
- compatible: a minor bump,
- docs only: a patch bump.

The rule is the same in 0.x: strict semver would allow anything below 1.0, and Cargo would
read 0.MINOR as the major part, but pip's compatible-release pin `~=0.1` (>=0.1, ==0.*) takes
0.2 as compatible. So a breaking change of 0.1.0 is 1.0.0, and a consumer's `~=0.1` pin never
installs it. This module imports nothing heavy: the meta-schema uses it.
"""

from __future__ import annotations

import re

# The classes, most severe first (the order of reports and changelogs).
BREAKING_CONSUMER = "breaking-consumer"
BREAKING_WIRE = "breaking-wire"
COMPATIBLE = "compatible"
DOCS = "docs"
CLASSES = (BREAKING_CONSUMER, BREAKING_WIRE, COMPATIBLE, DOCS)
TITLES = {
    BREAKING_CONSUMER: "Breaking for consumers",
    BREAKING_WIRE: "Breaking on the wire",
    COMPATIBLE: "Compatible",
    DOCS: "Docs only",
}
BREAKING = frozenset({BREAKING_CONSUMER, BREAKING_WIRE})

# Bumps, from the largest; "none" when nothing changed.
MAJOR, MINOR, PATCH, NONE = "major", "minor", "patch", "none"
BUMPS = (MAJOR, MINOR, PATCH, NONE)
BUMP_OF_CLASS = {BREAKING_CONSUMER: MAJOR, BREAKING_WIRE: MAJOR, COMPATIBLE: MINOR, DOCS: PATCH}

SEMVER_PATTERN = "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$"
DATE_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_SEMVER = re.compile(SEMVER_PATTERN)

Version = tuple[int, int, int]


def parse(text: str) -> Version:
    """`"1.2.3"` -> (1, 2, 3); ValueError for anything else (no pre-releases, no build data)."""
    m = _SEMVER.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not MAJOR.MINOR.PATCH")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def required_bump(classes: list[str] | set[str] | tuple[str, ...]) -> str:
    """The bump a set of change classes needs: the largest of theirs ("none" for no change)."""
    needed = [BUMP_OF_CLASS[c] for c in classes]
    return min(needed, key=BUMPS.index) if needed else NONE


def bump_of(old: str, new: str) -> str | None:
    """The bump from `old` to `new` ("none" when equal); None when `new` is lower."""
    a, b = parse(old), parse(new)
    if b < a:
        return None
    if b == a:
        return NONE
    if b[0] > a[0]:
        return MAJOR
    if b[1] > a[1]:
        return MINOR
    return PATCH


def bumped(version: str, bump: str) -> str:
    """The next version for a bump: 0.1.3 major -> 1.0.0, minor -> 0.2.0, patch -> 0.1.4."""
    major, minor, patch = parse(version)
    if bump == MAJOR:
        return f"{major + 1}.0.0"
    if bump == MINOR:
        return f"{major}.{minor + 1}.0"
    if bump == PATCH:
        return f"{major}.{minor}.{patch + 1}"
    return version


def enough(actual: str | None, needed: str) -> bool:
    """Whether an actual bump covers the needed one (a major bump covers a minor one)."""
    if actual is None:
        return False
    return BUMPS.index(actual) <= BUMPS.index(needed)
