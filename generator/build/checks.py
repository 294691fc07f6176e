"""Checks over the whole provider, once every name is known: references resolve, shapes are
used (by requests or by responses, not both), ledger ids exist, operations fit the envelope
and error tables of the service, and answers fit what the protocol expects of them."""

from __future__ import annotations

from .. import ir, protocols
from ..load import Document, PathKey
from ..naming import did_you_mean
from .context import Context


def check_types(ctx: Context) -> None:
    """Every enum and shape a field names exists."""
    for doc, path, f in ctx.type_sites:
        label = f"field {f.wire!r}"
        refs = [f.type.item] if isinstance(f.type, ir.ListOf) else [f.type]
        for ref in refs:
            if isinstance(ref, ir.EnumRef) and ref.enum not in ctx.enums:
                ctx.report(
                    doc,
                    path,
                    f"{label}: unknown enum {ref.enum!r} (known: "
                    f"{', '.join(sorted(ctx.enums)) or 'none'})"
                    + did_you_mean(ref.enum, ctx.enums),
                )
            if isinstance(ref, ir.ShapeRef):
                target = ctx.shapes.get(ref.shape)
                if target is None or target.role != "shape":
                    ctx.unresolved = True
                    names = sorted(n for n, s in ctx.shapes.items() if s.role == "shape")
                    ctx.report(
                        doc,
                        path,
                        f"{label}: unknown shape {ref.shape!r} "
                        f"(known: {', '.join(names) or 'none'})" + did_you_mean(ref.shape, names),
                    )


def check_money_units(ctx: Context) -> None:
    """The money fields that share a Python type share its unit (the type's error message
    names it): a field whose unit is not the one most of them use is reported."""
    from collections import Counter

    from ..kinds import KINDS, money_unit

    sites: dict[tuple[str, str], list[tuple[str, Document, PathKey, ir.Field]]] = {}
    for doc, path, f in ctx.type_sites:
        ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        if isinstance(ref, ir.Scalar) and ref.kind in ("money", "money_minor"):
            key = (ref.kind, KINDS[ref.kind].python_type(ref.param_map))
            sites.setdefault(key, []).append((money_unit(ref.kind, ref.param_map), doc, path, f))
    for (kind, _), found in sites.items():
        counts = Counter(unit for unit, *_ in found)
        usual = sorted(counts, key=lambda u: (-counts[u], u))[0]
        for unit, doc, path, f in found:
            if unit != usual:
                ctx.report(
                    doc,
                    path,
                    f"field {f.wire!r}: unit {unit!r} differs from {usual!r}, the unit of the "
                    f"other {kind} fields of the same range; give them one unit",
                )


def check_usage(ctx: Context, operations: list[ir.Operation]) -> None:
    """Every named shape is reachable, and from requests or responses, not both."""
    directions: dict[str, set[str]] = {}

    def walk(shape: ir.Shape, role: str) -> None:
        for f in shape.fields + ((shape.root,) if shape.root else ()):
            ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            if isinstance(ref, ir.ShapeRef) and ref.shape in ctx.shapes:
                seen = directions.setdefault(ref.shape, set())
                if role not in seen:
                    seen.add(role)
                    walk(ctx.shapes[ref.shape], role)

    for op in operations:
        walk(op.request, "request")
        walk(op.response, "response")
    for name in ctx.callback_shapes:  # what the provider sends, read like an answer
        directions.setdefault(name, set()).add("response")
        walk(ctx.shapes[name], "response")
    for name, shape in ctx.shapes.items():
        doc, path = ctx.shape_sites[name]
        if shape.role == "response" or (
            shape.role == "shape" and directions.get(name) == {"response"}
        ):
            _check_answer_presence(ctx, doc, path, shape)
        if shape.role != "shape":
            continue
        roles = directions.get(name, set())
        if not roles and not ctx.unresolved:
            ctx.report(doc, path + ("name",), f"shape {name!r} is not used by any message")
        elif len(roles) > 1:
            ctx.report(
                doc,
                path + ("name",),
                f"shape {name!r} is used by requests and responses; requests are validated "
                f"strictly "
                "and responses leniently, so define one shape for each",
            )


def _check_answer_presence(ctx: Context, doc: Document, path: PathKey, shape: ir.Shape) -> None:
    """An answer's field is required only where the document makes it so: a required answer
    field names its evidence (`source:` or a ledger id). A valid answer must never be thrown
    away because a field the document does not promise is missing."""
    for i, f in enumerate(shape.fields):
        if f.required and not f.source and not f.ledger:
            ctx.report(
                doc,
                path + ("fields", i),
                f"field {f.wire!r}: an answer's field is required only where the document says so; "
                "give the evidence (source: or a ledger id) or leave it optional",
            )


def check_ledger(ctx: Context) -> None:
    for doc, path, ref in ctx.ledger_refs:
        if ref not in ctx.ledger_ids:
            ctx.report(
                doc,
                path,
                f"ledger entry {ref!r} does not exist in discrepancies.yaml"
                + did_you_mean(ref, ctx.ledger_ids),
            )


def check_service_links(ctx: Context, service: ir.Service) -> None:
    """Each operation gives the envelope's open constants, names an error table whose outcome
    codes it has, and fits what its protocol expects of an answer."""
    protocol = protocols.find(service.protocol)
    assert protocol is not None
    open_constants = protocol.open_constants(service.wire)
    tables = {t.name: t for t in service.error_tables}
    for op in service.operations:
        odoc = ctx.operation_docs[op.name]
        given = dict(op.constants)
        for wire in sorted(open_constants - set(given)):
            ctx.report(
                odoc,
                ("name",),
                f"operation {op.name}: the envelope needs constants: {{{wire}: ...}}",
            )
        for wire in sorted(set(given) - open_constants):
            ctx.report(
                odoc,
                ("constants", wire),
                f"operation {op.name}: constant {wire!r} is not an open envelope element",
                at_key=True,
            )
        table = tables.get(op.errors)
        if table is None:
            ctx.report(
                odoc,
                ("errors",),
                f"operation {op.name}: no error table {op.errors!r} (tables: "
                f"{', '.join(sorted(tables)) or 'none'})" + did_you_mean(op.errors, tables),
            )
        else:
            outcome_names = {o.name for o in op.outcomes}
            for code in table.codes:
                if code.outcome is not None and code.outcome not in outcome_names:
                    ctx.report(
                        odoc,
                        ("errors",),
                        f"error table {table.name}: code {code.code} names outcome "
                        f"{code.outcome!r}, which {op.name} does not have"
                        + did_you_mean(code.outcome, outcome_names),
                    )
            for i, example in enumerate(op.examples):
                if example.error is not None and example.error not in {c.code for c in table.codes}:
                    ctx.report(
                        odoc,
                        ("examples", i, "error"),
                        f"example error {example.error!r} is not a code of table {table.name}"
                        + did_you_mean(example.error, [c.code for c in table.codes]),
                    )
        protocol.check_answers(ctx, odoc, service, op)
