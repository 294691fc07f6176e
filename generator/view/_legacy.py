"""View models: everything the templates need, computed once from the IR.

Templates lay things out; every decision (Python names and annotations, which scalar types a
package needs, the order shapes must be defined in, how each field is written and read on the
wire, which attributes lead to a result code) is made here.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import ir, protocols
from ..emit_schema import python_type_of
from ..kinds import CORE_SCHEMA, DATE_FORMATS, KINDS
from ..naming import constant, local_name, pascal
from .common import GENERATOR, annotation, callback_shapes, dependency_order, enum_const, header, item_ref, outcome_class, php_string, result_type, resolves, scope_shape, snake, walk_path
from .errors import heading

GENERATOR = "python -m generator"
RUNTIME_DEPENDENCIES = ("httpx>=0.27,<1", "pydantic>=2.9,<3", "lxml>=5")

# -- docs --------------------------------------------------------------------------------------


def _anchor(kind: str, name: str) -> str:
    return f"{kind}-{name.lower().replace('_', '-')}"


def _doc_type(service: ir.Service, type_ref: ir.TypeRef) -> str:
    if isinstance(type_ref, ir.Scalar):
        return KINDS[type_ref.kind].doc_type(type_ref.param_map)
    if isinstance(type_ref, ir.EnumRef):
        values = ", ".join(f"`{v.wire}`" for v in service.enum(type_ref.enum).values)
        return f"[{type_ref.enum}](#{_anchor('enum', type_ref.enum)}): {values}"
    if isinstance(type_ref, ir.ShapeRef):
        return f"[{type_ref.shape}](#{_anchor('shape', type_ref.shape)})"
    inner = _doc_type(service, type_ref.item)
    parts = [f"list of {inner}"]
    if type_ref.min_items is not None:
        parts.append(f"at least {type_ref.min_items}")
    if type_ref.max_items is not None:
        parts.append(f"at most {type_ref.max_items}")
    if type_ref.item_wire:
        parts.append(f"each in `<{type_ref.item_wire}>`")
    return ", ".join(parts)


def _when_text(when: tuple[ir.Condition, ...]) -> str:
    return " and ".join(
        f"{'.'.join(c.path)} is " + " or ".join(f"`{v}`" for v in c.values) for c in when
    )


def _presence(service: ir.Service, f: ir.Field, rules: list[tuple[ir.Shape, ir.Rule]]) -> str:
    if f.required:
        return "yes"
    texts = []
    for message, rule in rules:
        if f.wire not in rule.fields:
            continue
        where = f" ({message.name})" if rule.scope else ""
        if rule.kind == "required_when":
            texts.append(f"when {_when_text(rule.when)}{where}")
        elif rule.kind == "forbidden_when":
            texts.append(f"not allowed when {_when_text(rule.when)}{where}")
        elif rule.kind == "required_unless" and f.wire == rule.fields[0]:
            texts.append(f"unless {rule.fields[1]} is given{where}")
        elif rule.kind in ("exactly_one_of", "at_least_one_of"):
            others = " / ".join(rule.fields)
            cond = f" when {_when_text(rule.when)}" if rule.when else ""
            many = "one" if rule.kind == "exactly_one_of" else "at least one"
            texts.append(f"{many} of {others}{cond}{where}")
    return "; ".join(texts) if texts else "no"


def _field_rows(service: ir.Service, shape: ir.Shape, rules: list[tuple[ir.Shape, ir.Rule]], role: str) -> list[dict[str, str]]:
    rows = []
    for f in shape.fields:
        notes = []
        if f.note:
            notes.append(f.note)
        codes = []
        if f.codes.missing:
            codes.append("missing " + ", ".join(f.codes.missing))
        if f.codes.invalid:
            codes.append("invalid " + ", ".join(f.codes.invalid))
        if codes:
            notes.append("Codes: " + "; ".join(codes) + ".")
        for ledger_id in f.ledger:
            notes.append(f"See [{ledger_id}](#ledger-{ledger_id}).")
        type_text = _doc_type(service, f.type)
        if role == "response" and isinstance(f.type, ir.Scalar):
            type_text = KINDS[f.type.kind].doc_type({k: v for k, v in f.type.param_map.items() if k in ("format", "scale")})
        rows.append(
            {
                "wire": f.wire,
                "name": f.name,
                "type": type_text,
                "location": f.location,
                "required": _presence(service, f, rules) if role == "request" else ("yes" if f.required else "no"),
                "description": " ".join([f.description, *notes]).strip(),
            }
        )
    return rows


def _rules_in(service: ir.Service, message: ir.Shape) -> list[tuple[ir.Shape, ir.Rule, ir.Shape]]:
    """(message, rule, the shape the rule's fields live in)."""
    return [(message, r, scope_shape(service, message, r.scope)) for r in message.rules]


def _scope_label(service: ir.Service, message: ir.Shape, scope: tuple[str, ...]) -> str:
    """How the docs name a rule's scope: "in `Customer.Billing`", "in each `ITEMS[]`"."""
    if not scope:
        return ""
    shape: ir.Shape | None = message
    steps, many = [], False
    for wire in scope:
        f = shape.field(wire) if shape else None
        is_list = f is not None and isinstance(f.type, ir.ListOf)
        many = many or is_list
        steps.append(wire + ("[]" if is_list else ""))
        ref = (f.type.item if isinstance(f.type, ir.ListOf) else f.type) if f else None
        shape = service.shape(ref.shape) if isinstance(ref, ir.ShapeRef) else None
    return f"in {'each ' if many else ''}`{'.'.join(steps)}`"


def docs_view(service: ir.Service, root: Path) -> dict[str, Any]:
    all_rules = [x for op in service.operations for x in _rules_in(service, op.request)]
    operations = []
    for op in service.operations:
        table = service.error_table(op.errors)
        root_rules = [(m, r) for m, r, target in _rules_in(service, op.request) if not r.scope]
        examples = []
        for ex in op.examples:
            for kind in ("request", "response"):
                rel = getattr(ex, kind)
                if rel is None:
                    continue
                text = (root / service.spec_dir / rel).read_text(encoding="utf-8").rstrip("\n")
                examples.append(
                    {
                        "title": ex.title,
                        "language": {".xml": "xml", ".json": "json"}.get(Path(rel).suffix, "text"),
                        "kind": kind,
                        "file": f"{service.spec_dir}/{rel}",
                        "text": text,
                        "mends": [_edit_doc(e) for e in ex.mends],
                        "normalisations": [_edit_doc(e) for e in ex.normalisations],
                        "expect": (
                            f"returns `{outcome_class(op, next(o for o in op.outcomes if o.name == ex.outcome))}`"
                            if kind == "response" and ex.outcome
                            else (f"raises `{pascal(op.name)}Error` with code {ex.error}" if kind == "response" and ex.error else "")
                        ),
                    }
                )
        operations.append(
            {
                "name": op.name,
                "title": op.title,
                "anchor": _anchor("op", op.name),
                "path": op.path,
                "method": op.method,
                "idempotent": isinstance(service.wire, ir.RestWire) and op.method in service.wire.idempotency_methods,
                "paging": (
                    {"iter_name": "iter_" + op.name.removeprefix("list_"), "page_size": op.paging.page_size,
                     "ledger": list(op.paging.ledger)}
                    if op.paging
                    else None
                ),
                "filter": {"class_name": op.filter.class_name, "ledger": list(op.filter.ledger)} if op.filter else None,
                "summary": op.summary,
                "description": op.description,
                "source": op.source,
                "constants": list(op.constants),
                "ledger": list(op.ledger),
                "request": {
                    "class_name": op.request.name,
                    "description": op.request.description,
                    "rows": _field_rows(service, op.request, root_rules, "request"),
                    "rules": [
                        {
                            "kind": r.kind,
                            "scope": _scope_label(service, op.request, r.scope),
                            "description": r.description,
                            "fields": (
                                f"{'.'.join(r.target)} = " + " + ".join(".".join(t) for t in r.terms)
                                if r.kind == "sum"
                                else ", ".join(r.fields)
                            ),
                            "when": _when_text(r.when),
                            "pattern": r.pattern,
                            "code": r.code,
                            "ledger": list(r.ledger),
                        }
                        for r in op.request.rules
                    ],
                },
                "response": {
                    "class_name": op.response.name,
                    "rows": _field_rows(service, op.response, [], "response"),
                    "root": _doc_type(service, op.response.root.type) if op.response.root else "",
                    "text_answer": (
                        {"wrapped_key": op.response.root.name if op.response.root else "", "ledger": list(op.text_answer)}
                        if op.text_answer is not None
                        else None
                    ),
                },
                "outcomes": [
                    {
                        "code": o.code if o.code is not None else "(none)",
                        "class_name": outcome_class(op, o),
                        "returns": ", ".join(f"`{a}` ← {'.'.join(p)}" for a, p in o.returns),
                        "item_success": ", ".join(o.item_success),
                        "description": o.description,
                    }
                    for o in op.outcomes
                ],
                "error_class": f"{pascal(op.name)}Error",
                "error_table": {"title": table.title, "anchor": _anchor("errors", table.name), "count": len({c.code for c in table.codes})},
                "examples": examples,
                "retry": (
                    {
                        "attempts": op.retry.attempts,
                        "idempotency": op.retry.idempotency,
                        "ledger": list(op.retry.ledger),
                    }
                    if op.retry
                    else None
                ),
                "extra_fields": [{"wire": e.wire, "description": e.description} for e in op.extra_fields],
                "extra_ledger": list(op.extra_ledger),
            }
        )
    shapes = []
    for shape in dependency_order(service, service.messages()):
        if shape.role != "shape":
            continue
        role = "request" if any(shape.name in [x.name for x in dependency_order(service, [op.request])] for op in service.operations) else "response"
        scoped = [(m, r) for m, r, target in all_rules if target.name == shape.name and r.scope]
        shapes.append(
            {
                "name": shape.name,
                "anchor": _anchor("shape", shape.name),
                "description": shape.description,
                "role": role,
                "rows": _field_rows(service, shape, scoped, role),
            }
        )
    tables = []
    for table in service.error_tables:
        used_by = [op.title for op in service.operations if op.errors == table.name]
        tables.append(
            {
                "title": table.title,
                "anchor": _anchor("errors", table.name),
                "source": table.source,
                "description": table.description,
                "inferred": table.inferred,
                "enum_class": f"{pascal(table.name)}ErrorCode",
                "used_by": used_by,
                "rows": [
                    {
                        "code": c.code,
                        "member": constant(c.name),
                        "message": c.message,
                        "gloss": c.gloss or "",
                        "hint": c.hint or "",
                        "note": (
                            f"result `{c.outcome}`, not raised" if c.outcome else ""
                        )
                        + "".join(f" [{lid}](#ledger-{lid})" for lid in c.ledger),
                    }
                    for c in table.codes
                ],
            }
        )
    return {
        "operations": operations,
        "shapes": shapes,
        "protocol_text": _protocol_text(service),
        "json": _json_doc(service),
        "rest": _rest_doc(service),
        "test_data": [{"title": t.title, "usage": t.usage, "values": list(t.values)} for t in service.test_data],
        "coverage_text": coverage_text(service),
        "headers": [_header_doc(h) for h in service.wire.headers],
        "result_paths": {
            "code": [".".join(p) for p in service.wire.result_code],
            "error_code": [".".join(p) for p in service.wire.result_error_code],
            "message": [".".join(p) for p in service.wire.result_message],
        },
        "callbacks": [
            {
                "name": cb.name,
                "class_name": pascal(cb.name),
                "title": cb.title,
                "anchor": _anchor("callback", cb.name),
                "source": cb.source,
                "method": cb.method,
                "description": cb.description,
                "example": cb.example,
                "ledger": list(cb.ledger),
                "rows": [
                    {"wire": p.wire, "name": p.name, "type": _doc_type(service, p.type), "required": "yes" if p.required else "no", "description": p.description}
                    for p in cb.params
                ],
            }
            for cb in service.callbacks
        ],
        "enums": [
            {
                "name": e.name,
                "anchor": _anchor("enum", e.name),
                "description": e.description,
                "members": [{"wire": v.wire, "member": constant(v.name), "description": v.description} for v in e.values],
                "aliases": ", ".join(f"`{a}` → `{t}`" for a, t in e.decode_aliases),
                "ledger": list(e.ledger),
            }
            for e in service.enums
        ],
        "error_tables": tables,
        "ledger": list(service.discrepancies),
        "envelope": [
            {
                "wire": e.wire,
                "value": f"`{e.const}`" if e.const else (f"credential `{e.credential}`" if e.credential else "per operation"),
            }
            for e in service.wire.envelope
        ],
        "coverage": coverage(service),
        "first_op": service.operations[0],
    }


def _edit_doc(edit: ir.Edit) -> dict[str, Any]:
    """How a mend or normalisation reads in the docs."""
    if edit.kind == "replace":
        text = f"text `{_inline(edit.old)}` → `{_inline(edit.new)}`"
    elif edit.kind == "drop":
        text = f"`{edit.path}` left out"
    elif edit.kind == "drop_attribute":
        text = f"root attribute `{edit.path}` left out"
    elif edit.kind == "add":
        text = f"`{edit.path}` added: `{edit.new}`"
    else:
        text = f"`{edit.path}` `{edit.old}` → `{edit.new}`"
    return {"text": text, "ledger": list(edit.ledger)}


def _inline(text: str) -> str:
    """Text safe inside an inline code span of a table-free Markdown line."""
    one_line = " ".join(text.split()) if "\n" in text else text
    return one_line.replace("`", "'")


def _protocol_text(service: ir.Service) -> str:
    w = service.wire
    if isinstance(w, ir.JsonWire):
        signed = f", signed ({w.signature.algorithm})" if w.signature else ""
        return f"json: `{w.content_type}` POST of one JSON object{signed}"
    if isinstance(w, ir.RestWire):
        return f"rest-json: HTTP methods, paths and query parameters; `{w.content_type}` bodies"
    return f"xml: `{w.content_type}` POST of a `<{w.root}>` document"


def _rest_doc(service: ir.Service) -> dict[str, Any] | None:
    w = service.wire
    if not isinstance(w, ir.RestWire):
        return None
    optional = {c.name for c in service.credentials if c.optional}
    return {
        "headers": [
            {"name": h.name, "value": f"`{h.prefix}` + credential `{h.credential}`" if h.prefix else f"credential `{h.credential}`",
             "optional": h.credential in optional, "description": h.description, "ledger": list(h.ledger)}
            for h in w.auth_headers
        ],
        "one_of": list(service.auth_one_of),
        "auth_description": service.auth_description,
        "auth_ledger": list(service.auth_ledger),
        "idempotency": (
            {"header": w.idempotency_header, "methods": ", ".join(w.idempotency_methods),
             "description": w.idempotency_description, "ledger": list(w.idempotency_ledger)}
            if w.idempotency_header
            else None
        ),
        "rate_limit": (
            {"requests": w.rate_limit[0], "per_seconds": f"{w.rate_limit[1]:g}", "interval_ms": f"{1000 * w.rate_limit[1] / w.rate_limit[0]:g}",
             "ledger": list(w.rate_limit_ledger)}
            if w.rate_limit
            else None
        ),
        "retry": {
            "retries": w.retry_attempts - 1,
            "statuses": ", ".join(str(s) for s in w.retry_statuses if s != 429),
            "throttled": 429 in w.retry_statuses,
            "safe_methods": ", ".join(w.retry_safe_methods),
            "ledger": list(w.retry_ledger),
        },
        "errors": {
            "list": w.error_list,
            "code": w.error_code,
            "message": w.error_message,
            "ledger": list(w.errors_ledger),
            "statuses": [
                {"label": f"{s.status}-{s.up_to}" if s.up_to else str(s.status), "class_name": f"{service.error_prefix}{s.name}Error",
                 "description": s.description, "ledger": list(s.ledger)}
                for s in w.statuses
            ],
        },
    }


def _json_doc(service: ir.Service) -> dict[str, Any] | None:
    w = service.wire
    if not isinstance(w, ir.JsonWire):
        return None
    message_key = next(m.key for m in w.body if m.source == "message")

    def value(m: ir.JsonMember) -> str:
        if m.source == "credentials":
            return "the credentials object (below)"
        if m.source == "message":
            return "the request (the tables of each operation)"
        if m.source == "operation":
            return "per operation"
        if m.source == "const":
            return f"`{m.value}`"
        if m.source == "credential":
            return f"credential `{m.value}`"
        if m.source == "signature":
            return f"the signature of `{message_key}`"
        if m.source == "option":
            default = f" (default `{m.default}`)" if m.default is not None else " (sent only when given)"
            return f"client option `{m.value}`{default}"
        if m.source == "clock":
            return "the time of the request (PHP microtime)"
        return "per environment: " + ", ".join(f"`{dict(e.values).get(m.value or '')}` ({e.name})" for e in service.environments)

    signature = None
    if w.signature is not None:
        signature = (
            f"`{'.'.join(('credentials', next(m.key for m in w.credentials if m.source == 'signature')))}` is the "
            f"{w.signature.algorithm} (lowercase hex), keyed with the credential `{w.signature.key}`, of the "
            f"`{w.signature.over}` member exactly as sent. Answers carry theirs at `{'.'.join(w.signature.response)}`; "
            "the client checks it (constant-time) and raises "
            f"`{service.error_prefix}SignatureError` when it does not verify, unless made with `verify_signatures=False`."
            + "".join(f" [{lid}](#ledger-{lid})" for lid in w.signature.ledger)
        )
    return {
        "strings": w.strings,
        "encoding": w.encoding,
        "message_key": message_key,
        "body": [{"key": m.key, "value": value(m)} for m in w.body],
        "credentials": [
            {"key": m.key, "value": value(m), "description": m.description, "ledger": list(m.ledger)} for m in w.credentials
        ],
        "signature": signature,
        "text": w.text_description,
    }


def _header_doc(h: ir.Header) -> dict[str, Any]:
    if h.credential:
        value = f"credential `{h.credential}`"
    else:
        parts = [
            f"`{p.credential}`" if p.credential else f"today's date as {p.date} in {p.timezone}" for p in h.parts
        ]
        value = f"{h.digest}({' + '.join(parts)}), lowercase hex"
    return {"name": h.name, "value": value, "description": h.description, "ledger": list(h.ledger)}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def coverage_text(service: ir.Service) -> str:
    c = coverage(service)
    codes = sum(len({x.code for x in t.codes}) for t in service.error_tables)
    return ", ".join(
        [
            _plural(c["operations"], "operation"),
            _plural(c["message_fields"] + c["shape_fields"], "field"),
            _plural(c["rules"], "cross-field rule"),
            f"{_plural(codes, 'error code')} in {_plural(c['error_tables'], 'table')}",
            _plural(c["examples"], "example"),
            _plural(len(service.callbacks), "callback"),
            _plural(c["discrepancies"], "ledger entry", "ledger entries"),
        ]
    )


def coverage(service: ir.Service) -> dict[str, int]:
    shapes = list(service.shapes)
    return {
        "operations": len(service.operations),
        "message_fields": sum(len(m.wire_fields) for m in service.messages()),
        "shape_fields": sum(len(s.wire_fields) for s in shapes),
        "shapes": len(shapes),
        "enums": len(service.enums),
        "rules": sum(len(m.rules) for m in service.messages()),
        "error_tables": len(service.error_tables),
        "error_codes": sum(len({c.code for c in t.codes}) for t in service.error_tables),
        "examples": sum((e.request is not None) + (e.response is not None) for op in service.operations for e in op.examples),
        "discrepancies": len(service.discrepancies),
    }


def index_view(services: list[ir.Service], root: Path) -> dict[str, Any]:
    return {
        "generator": GENERATOR,
        "providers": [
            {
                "provider": s.provider,
                "title": s.title,
                "package": s.package,
                "client": s.client,
                "protocol": s.protocol,
                "source": s.source,
                "summary": s.summary,
                "coverage": coverage(s),
            }
            for s in services
        ],
    }


