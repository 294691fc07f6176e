"""The view of `_rules.py`: each request message's cross-field rules, as paths of attributes."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..naming import constant
from .common import scope_shape, snake, walk_path


@dataclass(frozen=True)
class Step:
    """One step of a path: the wire name, the attribute, and whether it is a list."""

    wire: str
    attr: str
    many: bool = False


@dataclass(frozen=True)
class ConditionView:
    path: tuple[Step, ...]
    choices: list[str]  # written as a list literal


@dataclass(frozen=True)
class RuleView:
    kind: str
    description: str
    fields: tuple[Step, ...] = ()
    when: tuple[ConditionView, ...] = ()
    scope: tuple[Step, ...] = ()
    pattern: str | None = None  # anchored with \Z: a Python `re` pattern, not ECMA-262
    code: str | None = None
    target: tuple[Step, ...] = ()
    terms: tuple[tuple[Step, ...], ...] = ()


@dataclass(frozen=True)
class MessageRules:
    class_name: str
    const: str
    source: str
    rules: tuple[RuleView, ...]


@dataclass(frozen=True)
class RulesView:
    messages: tuple[MessageRules, ...]
    needs_re: bool


def _plain(path: tuple[str, ...]) -> tuple[str, ...]:
    """A sum path without its [] markers (the field types say which steps are lists)."""
    return tuple(s.removesuffix("[]") for s in path)


def _at(service: ir.Service, shape: ir.Shape, path: tuple[str, ...]) -> tuple[Step, ...]:
    return tuple(
        Step(f.wire, f.name, isinstance(f.type, ir.ListOf)) for f in walk_path(service, shape, path)
    )


def _rule(service: ir.Service, message: ir.Shape, rule: ir.Rule) -> RuleView:
    if rule.kind == "sum":
        return RuleView(
            kind=rule.kind,
            description=rule.description,
            code=rule.code,
            target=_at(service, message, _plain(rule.target)),
            terms=tuple(_at(service, message, _plain(t)) for t in rule.terms),
        )
    target = scope_shape(service, message, rule.scope)
    fields = []
    for wire in rule.fields:
        f = target.field(wire)
        assert f is not None
        fields.append(Step(wire, f.name))
    return RuleView(
        kind=rule.kind,
        description=rule.description,
        fields=tuple(fields),
        when=tuple(
            ConditionView(_at(service, message, c.path), sorted(c.values)) for c in rule.when
        ),
        scope=_at(service, message, rule.scope),
        pattern=rule.pattern[:-1] + "\\Z" if rule.pattern is not None else None,
        code=rule.code,
    )


def rules_view(service: ir.Service) -> RulesView:
    messages = []
    for op in service.operations:
        message = op.request
        if message.rules:
            messages.append(
                MessageRules(
                    class_name=message.name,
                    const=f"_{constant(snake(message.name))}_RULES",
                    source=op.source,
                    rules=tuple(_rule(service, message, rule) for rule in message.rules),
                )
            )
    needs_re = any(r.pattern is not None for m in messages for r in m.rules)
    return RulesView(tuple(messages), needs_re)
