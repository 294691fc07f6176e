"""Small valid messages made from a spec: what a mock server answers when no example says more.

`minimal` builds a message in canonical JSON form (wire names, ISO dates, decimal strings):
the required fields with plain values, and one field for each unconditional rule that asks for
one. `answer` is the minimal response of an operation's outcome: the outcome's code at the
protocol's result path and the fields the outcome returns.
"""

from __future__ import annotations

import re
from typing import Any

from . import ir

PLAIN = {
    "string": "mock",
    "email": "mock@example.com",
    "country": "SE",
    "currency": "EUR",
    "language": "sv",
    "ip": "192.0.2.1",
    "int": 1,
    "money_minor": 100,
    "decimal": "1.00",
    "money": "1.00",
    "date": "2026-01-01",
    "bool": True,
    "unix_time": 1767225600,
    "base64": "bW9jaw==",
    "url": "https://example.com/",
    "bool_or_date": False,
    "datetime": "2026-01-01T00:00:00",
    "date_or_datetime": "2026-01-01",
    "json": {},
}


# Texts tried in turn for a string field with a pattern or length bounds (`strict=True`).
CANDIDATES = ("mock", "1", "12345", "A", "mock-1", "mockmock", "1" * 10, "m" * 32)


def strict_text(params: dict[str, Any]) -> str:
    """The first candidate text that a string field's pattern and length bounds accept."""
    low, high = int(params.get("min_length", 0)), int(params.get("max_length", 10**6))
    pattern = params.get("pattern")
    for text in CANDIDATES:
        if low <= len(text) <= high and (pattern is None or re.search(pattern, text)):
            return text
    return str(PLAIN["string"])


def minimal(
    service: ir.Service,
    shape: ir.Shape,
    include: tuple[tuple[str, ...], ...] = (),
    *,
    strict: bool = False,
) -> Any:
    """The smallest valid value of `shape`, plus the fields on the wire paths in `include`;
    `strict` also honours each string field's pattern and length bounds (the README's
    examples, which a client validates before sending)."""

    def value(t: ir.TypeRef, rest: tuple[tuple[str, ...], ...]) -> Any:
        if isinstance(t, ir.Scalar):
            if strict and t.kind == "string" and t.param_map:
                return strict_text(dict(t.param_map))
            return PLAIN[t.kind]
        if isinstance(t, ir.EnumRef):
            return service.enum(t.enum).values[0].wire
        if isinstance(t, ir.ShapeRef):
            return build(service.shape(t.shape), rest)
        assert isinstance(t, ir.ListOf)
        count = max(t.min_items or 0, 1 if rest else 0)
        return [value(t.item, rest) for _ in range(count)]

    def build(s: ir.Shape, paths: tuple[tuple[str, ...], ...]) -> Any:
        if s.root is not None:
            return value(s.root.type, paths)
        wanted = {p[0] for p in paths if p}
        payload = {}
        for f in s.fields:
            if f.required or f.wire in wanted:
                payload[f.wire] = value(
                    f.type, tuple(p[1:] for p in paths if p and p[0] == f.wire and len(p) > 1)
                )
        for rule in s.rules:
            if rule.scope or rule.when:
                continue
            if rule.kind in ("at_least_one_of", "exactly_one_of", "required_unless") and not any(
                w in payload for w in rule.fields
            ):
                first = s.field(rule.fields[0])
                assert first is not None
                payload[first.wire] = value(first.type, ())
        return payload

    payload = build(shape, include)
    if strict and isinstance(payload, dict):
        for _ in range(3):  # a field a rule adds may be what another rule's condition reads
            for rule in shape.rules:
                _apply(service, shape, rule, payload, lambda t: value(t, ()))
    return payload


def _apply(service: ir.Service, message: ir.Shape, rule: ir.Rule, root: Any, value: Any) -> None:
    """Give the objects in `rule`'s scope the fields it asks for where its conditions hold."""
    from .view.common import scope_shape

    def at(path: tuple[str, ...]) -> Any:
        node = root
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        return node

    if any(str(at(c.path)) not in c.values for c in rule.when):
        return
    targets = [root]
    for step in rule.scope:
        nxt: list[Any] = []
        for t in targets:
            child = t.get(step) if isinstance(t, dict) else None
            nxt.extend(child if isinstance(child, list) else [child] if child is not None else [])
        targets = nxt
    shape = scope_shape(service, message, rule.scope)
    wanted = {
        "required_when": rule.fields,
        "at_least_one_of": rule.fields[:1],
        "exactly_one_of": rule.fields[:1],
        "required_unless": rule.fields[:1],
    }.get(rule.kind, ())
    for target in targets:
        if not isinstance(target, dict) or (
            rule.kind != "required_when" and any(w in target for w in rule.fields)
        ):
            continue
        for wire in wanted:
            f = shape.field(wire)
            if f is not None and wire not in target:
                target[wire] = value(f.type)


def set_path(payload: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = payload
    for step in path[:-1]:
        node = node.setdefault(step, {})
    node[path[-1]] = value


def answer(service: ir.Service, op: ir.Operation, outcome: ir.Outcome) -> Any:
    """The minimal response of `op` that gives `outcome`."""
    returned = tuple(path for _, path in outcome.returns)
    codes = service.wire.result_code
    payload = minimal(
        service, op.response, returned + ((codes[0],) if codes and outcome.code else ())
    )
    if codes and outcome.code is not None and isinstance(payload, dict):
        set_path(payload, codes[0], outcome.code)
    return payload


def error_answer(service: ir.Service, op: ir.Operation, code: str, message: str) -> Any:
    """The response of `op` carrying error `code` (xml: at the last result path, or with a
    failing status beside the error code; json: the error form)."""
    wire = service.wire
    if isinstance(wire, ir.JsonWire):
        payload: dict[str, Any] = {}
        set_path(payload, wire.result_error_code[0], code)
        set_path(payload, wire.result_message[0], message)
        return payload
    payload = minimal(service, op.response)
    if wire.result_error_code:
        set_path(payload, wire.result_error_code[0], code)
        failing = _failing_status(service, op)
        if failing is not None:
            set_path(payload, wire.result_code[0], failing)
    else:
        set_path(payload, wire.result_code[-1], code)
    if wire.result_message:
        set_path(payload, wire.result_message[-1], message)
    return payload


def _failing_status(service: ir.Service, op: ir.Operation) -> str | None:
    """A value of the status field that is none of the operation's outcomes."""
    field = op.response.field(service.wire.result_code[0][0]) if service.wire.result_code else None
    if field is None or not isinstance(field.type, ir.EnumRef):
        return None
    good = {o.code for o in op.outcomes}
    return next((v.wire for v in service.enum(field.type.enum).values if v.wire not in good), None)
