"""The cross-field rules of a message: `required_when` on fields, and its `rules:` list
(conditional presence, choices, patterns and sums), each path checked against the message."""

from __future__ import annotations

import re
from typing import Any

from .. import ir
from ..kinds import KINDS, pattern_problems
from ..load import Document, PathKey
from ..naming import did_you_mean
from .context import Context, as_tuple, field_hint, first, segment_hint

_SEGMENT = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_-]*)(\[\])?$")
# Kinds a sum rule adds up.
_NUMBERS = ("int", "decimal", "money", "money_minor")


def message_rules(
    ctx: Context, doc: Document, mpath: PathKey, entry: dict[str, Any], shape: ir.Shape
) -> list[ir.Rule]:
    rules: list[ir.Rule] = []
    # Field-level shorthand: `required_when` on a message's own field.
    for i, raw in enumerate(entry.get("fields", [])):
        merged = dict(ctx.library.get(raw.get("use", ""), (None, None, {}))[2]) | raw
        if "required_when" in merged and "wire" in merged:
            when = _conditions(
                ctx, doc, mpath + ("fields", i, "required_when"), merged["required_when"], shape
            )
            rules.append(
                ir.Rule(
                    kind="required_when",
                    scope=(),
                    fields=(merged["wire"],),
                    when=when,
                    description=f"{merged['wire']} is required when {describe_when(when)}",
                    code=first(as_tuple(merged.get("codes", {}).get("missing"))),
                    mark=doc.mark(mpath + ("fields", i, "required_when")),
                )
            )
    for i, raw in enumerate(entry.get("rules", [])):
        rpath = mpath + ("rules", i)
        if raw["kind"] == "sum":
            rule = _sum_rule(ctx, doc, rpath, raw, shape)
            if rule is not None:
                rules.append(rule)
            continue
        scope: tuple[str, ...] = ()
        target = shape
        if "in" in raw:
            resolved = _scope(ctx, doc, rpath + ("in",), raw["in"], shape)
            if resolved is None:
                continue
            scope, target = resolved
        names = raw.get("fields") or [raw["field"]] + ([raw["unless"]] if "unless" in raw else [])
        for j, name in enumerate(names):
            f = target.field(name)
            key = ("fields", j) if "fields" in raw else ("field",) if j == 0 else ("unless",)
            if f is None:
                ctx.report(
                    doc,
                    rpath + key,
                    f"rule {raw['kind']}: {target.name} has no field {name!r}"
                    + field_hint(target, name),
                )
            elif raw["kind"] == "pattern_when" and not (
                isinstance(f.type, ir.EnumRef)
                or (
                    isinstance(f.type, ir.Scalar)
                    and KINDS[f.type.kind].field_keywords >= {"pattern"}
                )
            ):
                ctx.report(
                    doc, rpath + key, f"rule pattern_when: field {name!r} is not text or an enum"
                )
        if raw["kind"] == "pattern_when":
            for why in pattern_problems(raw["pattern"]):
                ctx.report(
                    doc,
                    rpath + ("pattern",),
                    f"rule pattern_when: pattern {raw['pattern']!r} {why}",
                )
        when = _conditions(ctx, doc, rpath + ("when",), raw["when"], shape) if "when" in raw else ()
        description = raw.get("description") or _default_description(raw["kind"], names, when)
        rules.append(
            ir.Rule(
                kind=raw["kind"],
                scope=scope,
                fields=tuple(names),
                when=when,
                description=description,
                pattern=raw.get("pattern"),
                code=raw.get("code"),
                ledger=ctx.ledger(doc, rpath + ("ledger",), raw.get("ledger")),
                mark=doc.mark(rpath),
            )
        )
    return rules


def _sum_path(
    ctx: Context, doc: Document, path: PathKey, text: str, shape: ir.Shape
) -> tuple[str, ...] | None:
    """A numeric path for a sum: objects, or NAME[] for every item of a list."""
    current: ir.Shape | None = shape
    walked: list[str] = []
    segments = text.split(".")
    for k, segment in enumerate(segments):
        m = _SEGMENT.match(segment)
        f = current.field(m.group(1)) if (m and current is not None) else None
        if f is None or m is None:
            hint = segment_hint(current, segment) if current else ""
            ctx.report(doc, path, f"rule sum: path {text!r} does not exist in {shape.name}{hint}")
            return None
        walked.append(segment)
        if k == len(segments) - 1:
            if m.group(2) or not (isinstance(f.type, ir.Scalar) and f.type.kind in _NUMBERS):
                ctx.report(
                    doc,
                    path,
                    f"rule sum: {text!r} must end at a number (int, decimal, money or money_minor)",
                )
                return None
            break
        is_list = isinstance(f.type, ir.ListOf)
        if bool(m.group(2)) != is_list:
            ctx.report(
                doc,
                path,
                f"rule sum: in {text!r}, write a list as {f.wire}[] and an object as {f.wire}",
            )
            return None
        ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        current = ctx.shapes.get(ref.shape) if isinstance(ref, ir.ShapeRef) else None
    return tuple(walked)


def _sum_rule(
    ctx: Context, doc: Document, path: PathKey, raw: dict[str, Any], shape: ir.Shape
) -> ir.Rule | None:
    target = _sum_path(ctx, doc, path + ("field",), raw["field"], shape)
    terms = [_sum_path(ctx, doc, path + ("of", j), t, shape) for j, t in enumerate(raw["of"])]
    if target is None or any(t is None for t in terms):
        return None
    if any(s.endswith("[]") for s in target):
        ctx.report(
            doc, path + ("field",), "rule sum: the total must be one value, not inside a list"
        )
        return None
    return ir.Rule(
        kind="sum",
        scope=(),
        fields=(),
        when=(),
        description=raw["description"],
        code=raw.get("code"),
        ledger=ctx.ledger(doc, path + ("ledger",), raw.get("ledger")),
        target=target,
        terms=tuple(t for t in terms if t is not None),
        mark=doc.mark(path),
    )


def _scope(
    ctx: Context, doc: Document, path: PathKey, text: str, shape: ir.Shape
) -> tuple[tuple[str, ...], ir.Shape] | None:
    """`ITEMS[]` (each item of a list) or `foreignCustomer` (an object), dotted for depth."""
    current = shape
    walked: list[str] = []
    for segment in text.split("."):
        m = _SEGMENT.match(segment)
        f = current.field(m.group(1)) if m else None
        if f is None or m is None:
            ctx.report(
                doc,
                path,
                f"'in: {text}': {current.name} has no field {segment!r}"
                + segment_hint(current, segment),
            )
            return None
        walked.append(f.wire)
        is_list = isinstance(f.type, ir.ListOf) and isinstance(f.type.item, ir.ShapeRef)
        if bool(m.group(2)) != is_list or not (is_list or isinstance(f.type, ir.ShapeRef)):
            ctx.report(
                doc,
                path,
                f"'in: {text}': {f.wire} must be a structure, written NAME, or a list of "
                f"structures, written NAME[]",
            )
            return None
        ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        assert isinstance(ref, ir.ShapeRef)
        next_shape = ctx.shapes.get(ref.shape)
        if next_shape is None:
            return None
        current = next_shape
    return tuple(walked), current


def _conditions(
    ctx: Context, doc: Document, path: PathKey, raw: dict[str, Any], shape: ir.Shape
) -> tuple[ir.Condition, ...]:
    conditions = []
    for key, value in raw.items():
        values = tuple(value) if isinstance(value, list) else (value,)
        f = _scalar_path(ctx, doc, path + (key,), key, shape)
        if f is not None and isinstance(f.type, ir.EnumRef) and f.type.enum in ctx.enums:
            allowed = {v.wire for v in ctx.enums[f.type.enum].values}
            for v in values:
                if v not in allowed:
                    ctx.report(
                        doc,
                        path + (key,),
                        f"condition {key}: {v!r} is not a value of {f.type.enum} "
                        f"({', '.join(sorted(allowed))})" + did_you_mean(v, allowed),
                    )
        conditions.append(ir.Condition(tuple(key.split(".")), values))
    return tuple(conditions)


def _scalar_path(
    ctx: Context, doc: Document, path: PathKey, text: str, shape: ir.Shape
) -> ir.Field | None:
    current: ir.Shape | None = shape
    f: ir.Field | None = None
    for segment in text.split("."):
        if current is None:
            ctx.report(
                doc,
                path,
                f"condition path {text!r} goes through a value that has no fields",
                at_key=True,
            )
            return None
        f = current.field(segment)
        if f is None:
            ctx.report(
                doc,
                path,
                f"condition path {text!r}: {current.name} has no field {segment!r}"
                + field_hint(current, segment),
                at_key=True,
            )
            return None
        current = ctx.shapes.get(f.type.shape) if isinstance(f.type, ir.ShapeRef) else None
    if f is not None and not isinstance(f.type, (ir.Scalar, ir.EnumRef)):
        ctx.report(
            doc, path, f"condition path {text!r} must end at a scalar or enum field", at_key=True
        )
        return None
    return f


def describe_when(when: tuple[ir.Condition, ...]) -> str:
    parts = []
    for c in when:
        values = " or ".join(repr(v) for v in c.values)
        parts.append(f"{'.'.join(c.path)} is {values}")
    return " and ".join(parts)


def _default_description(kind: str, fields: list[str], when: tuple[ir.Condition, ...]) -> str:
    cond = f" when {describe_when(when)}" if when else ""
    if kind == "required_when":
        return f"{fields[0]} is required{cond}"
    if kind == "forbidden_when":
        return f"{fields[0]} is not allowed{cond}"
    if kind == "exactly_one_of":
        return f"exactly one of {', '.join(fields)}{cond}"
    if kind == "at_least_one_of":
        return f"at least one of {', '.join(fields)}{cond}"
    if kind == "required_unless":
        return f"{fields[0]} is required unless {fields[1]} is given"
    return f"{fields[0]} must match the pattern{cond}"
