# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""Cross-field rules: the checks a single field's type cannot express.

Rules are data (see ``_rules.py``); `check` evaluates them on a validated model and raises one
`RuleViolations` listing every broken rule with its wire path, e.g. ``ITEMS[1].PRICEINCL``.
Semantics match the `if`/`then` clauses of the published JSON Schemas: a value is *present*
when it is given and not None; a condition holds when its path leads to one of its values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class At:
    """A field of a model: its wire name and its Python attribute (`many`: a list of items)."""

    wire: str
    attr: str
    many: bool = False


@dataclass(frozen=True)
class Condition:
    """Holds when the value at `path` (from the message root) is one of `values`."""

    path: tuple[At, ...]
    values: frozenset[str]

    def holds(self, root: Any) -> bool:
        if len(self.path) == 1:  # the common case: a field of the root
            value = getattr(root, self.path[0].attr)
            if isinstance(value, Enum):
                value = value.value
            return value in self.values
        value = root
        for step in self.path:
            if value is None:
                return False
            value = getattr(value, step.attr)
        if isinstance(value, Enum):
            value = value.value
        return value in self.values


@dataclass(frozen=True)
class Rule:
    """One rule; `scope` is the path of the list whose items it applies to (empty: the root)."""

    kind: str
    fields: tuple[At, ...]
    description: str
    when: tuple[Condition, ...] = ()
    scope: tuple[At, ...] = ()
    # Compiled with a final \Z instead of $, so a trailing newline does not pass (as in
    # JSON Schema's ECMA-262 patterns and pydantic's Rust engine).
    pattern: re.Pattern[str] | None = None
    code: str | None = None
    # A sum rule: the value at `target` equals the sum of the values at `terms` (absent: 0).
    target: tuple[At, ...] = ()
    terms: tuple[tuple[At, ...], ...] = ()
    # The rule made into a function once (see `_compile`): rules run on every request.
    check: Callable[[Any, list[Violation]], None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "check", _compile(self))


@dataclass(frozen=True)
class Violation:
    path: str
    rule: str
    message: str
    code: str | None = None


class RuleViolations(ValueError):
    """Raised from a model validator; `violations` lists every broken rule."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(f"{v.path}: {v.message} [{v.rule}]" for v in violations))


def _targets(obj: Any, scope: tuple[At, ...]) -> Iterator[tuple[tuple[int, ...], Any]]:
    """The objects a rule applies to (each item of a list, or an object that is given), with
    the indexes of the list steps that lead to them (see `_prefix`)."""
    if not scope:
        yield (), obj
        return
    step, rest = scope[0], scope[1:]
    value = getattr(obj, step.attr)
    if value is None:
        return
    if not step.many:
        yield from _targets(value, rest)
    elif not rest:  # the common case: the items of one list
        for index, item in enumerate(value):
            yield (index,), item
    else:
        for index, item in enumerate(value):
            for trail, target in _targets(item, rest):
                yield (index, *trail), target


def _prefix(scope: tuple[At, ...], trail: tuple[int, ...]) -> str:
    """The wire path prefix of a target, e.g. ``ITEMS[1].``: written only for a violation."""
    indexes = iter(trail)
    return "".join(f"{s.wire}[{next(indexes)}]." if s.many else f"{s.wire}." for s in scope)


def _values(obj: Any, path: tuple[At, ...]) -> Iterator[Any]:
    """The values at `path` (every item of a list step), skipping what is absent."""
    if obj is None:
        return
    if not path:
        yield obj
        return
    value = getattr(obj, path[0].attr)
    for item in (value or ()) if path[0].many else (value,):
        yield from _values(item, path[1:])


def _getter(path: tuple[At, ...]) -> Callable[[Any], list[Any]]:
    """`_values` of `path` as a function made once. Sums run on every request and their terms
    are mostly a field of each item of one list: that gets a loop of its own."""
    lists = [i for i, step in enumerate(path) if step.many]
    if not lists:
        attrs = [step.attr for step in path]

        def field_value(root: Any) -> list[Any]:
            value = _follow(root, attrs)
            return [] if value is None else [value]

        return field_value
    if len(lists) != 1 or lists[0] != len(path) - 2:
        return lambda root: list(_values(root, path))
    to_list = [step.attr for step in path[:-1]]
    attr = path[-1].attr

    def item_values(root: Any) -> list[Any]:
        values = [getattr(item, attr) for item in _follow(root, to_list) or () if item is not None]
        return [v for v in values if v is not None]

    return item_values


def _follow(value: Any, attrs: list[str]) -> Any:
    """The value at the end of a path of attributes (None when a step is absent)."""
    for attr in attrs:
        if value is None:
            return None
        value = getattr(value, attr)
    return value


def _sum_check(rule: Rule) -> Callable[[Any, list[Violation]], None]:
    total_of = _getter(rule.target)
    terms = [_getter(term) for term in rule.terms]

    def check_sum(root: Any, found: list[Violation]) -> None:
        totals = total_of(root)
        if not totals:
            return  # no total to check; presence is another rule's business
        parts = sum((sum(term(root), 0) for term in terms), 0)
        if totals[0] != parts:
            found.append(_sum_violation(rule, parts, totals[0]))

    return check_sum


def _sum_violation(rule: Rule, parts: Any, total: Any) -> Violation:
    path = ".".join(step.wire for step in rule.target)
    return Violation(
        path, rule.kind, f"{rule.description} (expected {parts}, found {total})", rule.code
    )


def violations(root: Any, rules: tuple[Rule, ...]) -> list[Violation]:
    found: list[Violation] = []
    for rule in rules:
        rule.check(root, found)
    return found


def _compile(rule: Rule) -> Callable[[Any, list[Violation]], None]:
    """`rule` as a function that appends its violations by `root` to a list.

    The common shapes get straight-line code: a condition on one field of the root, and a
    rule on the root or on the items of one list; anything else walks the paths generically.
    """
    if rule.kind == "sum":
        return _sum_check(rule)
    when = rule.when
    broken = _broken_test(rule)
    wire, kind, description, code = rule.fields[0].wire, rule.kind, rule.description, rule.code
    scope = rule.scope
    if not scope:

        def check_root(root: Any, found: list[Violation]) -> None:
            for condition in when:
                if not condition.holds(root):
                    return
            if broken(root):
                found.append(Violation(wire, kind, description, code))

        return check_root
    if len(scope) == 1 and scope[0].many:
        attr, list_wire = scope[0].attr, scope[0].wire

        def check_items(root: Any, found: list[Violation]) -> None:
            for condition in when:
                if not condition.holds(root):
                    return
            for index, item in enumerate(getattr(root, attr) or ()):
                if broken(item):
                    found.append(Violation(f"{list_wire}[{index}].{wire}", kind, description, code))

        return check_items

    def check_any(root: Any, found: list[Violation]) -> None:
        for condition in when:
            if not condition.holds(root):
                return
        for trail, obj in _targets(root, scope):
            if broken(obj):
                found.append(Violation(_prefix(scope, trail) + wire, kind, description, code))

    return check_any


def _broken_test(rule: Rule) -> Callable[[Any], bool]:
    """Whether an object (a target of the rule) breaks it."""
    kind = rule.kind
    attrs = [at.attr for at in rule.fields]
    first = attrs[0]
    if kind == "required_when":
        return lambda obj: getattr(obj, first) is None
    if kind == "forbidden_when":
        return lambda obj: getattr(obj, first) is not None
    if kind == "exactly_one_of":
        return lambda obj: sum(getattr(obj, a) is not None for a in attrs) != 1
    if kind == "at_least_one_of":
        return lambda obj: all(getattr(obj, a) is None for a in attrs)
    if kind == "required_unless":
        other = attrs[1]
        return lambda obj: getattr(obj, first) is None and getattr(obj, other) is None
    if kind == "pattern_when":
        pattern = rule.pattern
        assert pattern is not None
        search = pattern.search

        def mismatch(obj: Any) -> bool:
            value = getattr(obj, first)
            return isinstance(value, str) and search(value) is None

        return mismatch
    raise AssertionError(f"unknown rule kind {kind!r}")


def check(root: Any, rules: tuple[Rule, ...]) -> None:
    """Raise `RuleViolations` if `root` breaks any of `rules`."""
    found = violations(root, rules)
    if found:
        raise RuleViolations(found)
