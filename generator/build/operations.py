"""Operations: their request and response messages, outcomes, examples, retries, paging and
filters. What only one protocol allows (HTTP methods and locations, text answers) is checked
by that protocol's module."""

from __future__ import annotations

import re
from typing import Any

from .. import ir, protocols
from ..load import Document, PathKey
from ..naming import did_you_mean, is_snake
from .context import Context, field_hint, path_hint, resolve_fields
from .rules import message_rules
from .types import build_field, build_shape

_EDIT_SEGMENT = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_-]*)(\[[0-9]+\])?$")


def build_operations(ctx: Context) -> list[ir.Operation]:
    ops: list[ir.Operation] = []
    seen_names: dict[str, Document] = {}
    seen_paths: dict[str, Document] = {}
    for doc in ctx.sources.operations:
        if not isinstance(doc.data, dict):
            continue
        data = doc.data
        if not is_snake(data["name"]):
            ctx.report(doc, ("name",), f"operation name {data['name']!r} must be snake_case")
        if data["name"] in seen_names:
            ctx.report(
                doc,
                ("name",),
                f"operation {data['name']!r} is also defined in {seen_names[data['name']].path}",
            )
        route = (
            data.get("method", "POST")
            + " "
            + data["path"]
            + repr(sorted(data.get("constants", {}).items()))
        )
        if route in seen_paths:
            ctx.report(
                doc,
                ("path",),
                f"path {data['path']!r} with the same method and constants is also used by "
                f"{seen_paths[route].path}",
            )
        seen_names[data["name"]] = doc
        seen_paths[route] = doc
        op = _operation(ctx, doc, data)
        if op is not None:
            ops.append(op)
            ctx.operation_docs[op.name] = doc
    return ops


def _operation(ctx: Context, doc: Document, data: dict[str, Any]) -> ir.Operation | None:
    messages: dict[str, ir.Shape] = {}
    for role in ("request", "response"):
        mpath: PathKey = (role,)
        shape = build_shape(ctx, doc, mpath, data[role], role=role)
        rules = message_rules(ctx, doc, mpath, data[role], shape)
        root = None
        if "root" in data[role]:
            raw_root = data[role]["root"]
            entry = {
                "wire": ".",
                "name": raw_root.get("name", "items"),
                "type": raw_root["type"],
                "required": True,
                "description": raw_root.get("description", ""),
            }
            if "of" in raw_root:
                entry["of" if raw_root["type"] == "list" else "shape"] = raw_root["of"]
            root = build_field(ctx, doc, mpath + ("root",), entry, in_message=True)
        shape = ir.Shape(
            shape.name,
            shape.wire_fields,
            shape.description,
            data["source"],
            tuple(rules),
            role,
            root,
            shape.mark,
        )
        ctx.register_shape(doc, mpath, shape)
        messages[role] = shape
    request, response = messages["request"], messages["response"]
    outcomes = _outcomes(ctx, doc, data, response)
    examples = _examples(ctx, doc, data, outcomes)
    retry = None
    if "retry" in data:
        raw_retry = data["retry"]
        if request.field(raw_retry["idempotency"]) is None:
            ctx.report(
                doc,
                ("retry", "idempotency"),
                f"retry: {request.name} has no field {raw_retry['idempotency']!r} to keep retries "
                f"from doing the work twice" + field_hint(request, raw_retry["idempotency"]),
            )
        retry = ir.Retry(
            raw_retry["on"],
            raw_retry["attempts"],
            raw_retry["idempotency"],
            ctx.ledger(doc, ("retry", "ledger"), raw_retry.get("ledger")),
        )
    text_answer = None
    if "text_answer" in data:
        text_answer = ctx.ledger(doc, ("text_answer", "ledger"), data["text_answer"]["ledger"])
    protocol = protocols.find(ctx.protocol)
    if protocol is not None:
        protocol.check_operation(ctx, doc, data, request, response)
    paging = _paging(ctx, doc, data, request, response) if "paging" in data else None
    op_filter = _filter(ctx, doc, data, request) if "filter" in data else None
    extra = data["request"].get("extra_fields", {})
    extra_fields = tuple(
        ir.ExtraField(e["wire"], e["description"]) for e in extra.get("fields", [])
    )
    for i, e in enumerate(extra_fields):
        if request.field(e.wire) is not None:
            ctx.report(
                doc,
                ("request", "extra_fields", "fields", i, "wire"),
                f"extra field {e.wire!r} is already a field of {request.name}",
            )
    return ir.Operation(
        name=data["name"],
        title=data["title"],
        path=data["path"],
        source=data["source"],
        summary=data["summary"],
        description=data.get("description", ""),
        constants=tuple(data.get("constants", {}).items()),
        request=request,
        response=response,
        outcomes=tuple(outcomes),
        errors=data["errors"],
        examples=tuple(examples),
        ledger=ctx.ledger(doc, ("ledger",), data.get("ledger")),
        retry=retry,
        extra_fields=extra_fields,
        extra_ledger=ctx.ledger(doc, ("request", "extra_fields", "ledger"), extra.get("ledger")),
        text_answer=text_answer,
        method=data.get("method", "POST"),
        paging=paging,
        filter=op_filter,
        mark=doc.mark(("name",)),
    )


def refuse_http_keys(ctx: Context, doc: Document, data: dict[str, Any], request: ir.Shape) -> None:
    """`method` and `in:` belong to the rest-json protocol (the others always POST a body)."""
    if "method" in data:
        ctx.report(
            doc,
            ("method",),
            "'method' is for the rest-json protocol (the others always POST)",
            at_key=True,
        )
    for i, f in enumerate(request.fields):
        if f.location != "body":
            ctx.report(
                doc,
                ("request", "fields", i, "in"),
                f"field {f.wire!r}: 'in: {f.location}' is for the rest-json protocol",
            )


def fields_to_check(ctx: Context, *messages: ir.Shape) -> list[ir.Field]:
    """The fields a protocol's per-field checks look at for one operation: those of `messages`,
    and those of every named shape built so far (the ones the messages hold among them) that no
    earlier operation's check was given (the checks are per field, so once is enough: giving
    every shape to every operation made a build quadratic in its operations)."""
    fresh = [
        shape for name, shape in ctx.shapes.items() if ctx.fields_checked.get(name) is not shape
    ]
    ctx.fields_checked.update((shape.name, shape) for shape in fresh)
    return [f for shape in (*messages, *fresh) for f in shape.wire_fields]


def refuse_text_answer(
    ctx: Context, doc: Document, data: dict[str, Any], response: ir.Shape
) -> None:
    """`text_answer` needs a JSON protocol and a response whose root is a string."""
    root = response.root
    if "text_answer" in data and (
        ctx.protocol != "json"
        or root is None
        or not (isinstance(root.type, ir.Scalar) and root.type.kind == "string")
    ):
        ctx.report(
            doc,
            ("text_answer",),
            "text_answer needs a JSON protocol and a response whose root is a string",
            at_key=True,
        )


def _paging(
    ctx: Context, doc: Document, data: dict[str, Any], request: ir.Shape, response: ir.Shape
) -> ir.Paging:
    raw = data["paging"]
    items = response.field(raw["items"])
    if items is None or not isinstance(items.type, ir.ListOf):
        ctx.report(
            doc,
            ("paging", "items"),
            f"paging: {response.name} has no list field {raw['items']!r}"
            + (field_hint(response, raw["items"]) if items is None else ""),
        )
    if response.field(raw["next_link"]) is None:
        ctx.report(
            doc,
            ("paging", "next_link"),
            f"paging: {response.name} has no field {raw['next_link']!r}"
            + field_hint(response, raw["next_link"]),
        )
    for key in ("skip", "top"):
        f = request.field(raw[key])
        if f is None or f.location != "query":
            ctx.report(
                doc,
                ("paging", key),
                f"paging: {request.name} has no query field {raw[key]!r}"
                + (field_hint(request, raw[key]) if f is None else ""),
            )
    return ir.Paging(
        raw["items"],
        raw["next_link"],
        raw["skip"],
        raw["top"],
        raw["page_size"],
        ctx.ledger(doc, ("paging", "ledger"), raw.get("ledger")),
    )


def _filter(ctx: Context, doc: Document, data: dict[str, Any], request: ir.Shape) -> ir.Filter:
    raw = data["filter"]
    for key in ("param", "order_by"):
        if key in raw:
            f = request.field(raw[key])
            if f is None or f.location != "query":
                ctx.report(
                    doc,
                    ("filter", key),
                    f"filter: {request.name} has no query field {raw[key]!r}"
                    + (field_hint(request, raw[key]) if f is None else ""),
                )
    props = []
    names: set[str] = set()
    for i, p in enumerate(raw["properties"]):
        ppath: PathKey = ("filter", "properties", i)
        if p["name"] in names:
            ctx.report(doc, ppath + ("name",), f"filter property name {p['name']!r} appears twice")
        names.add(p["name"])
        if (p["type"] == "enum") != ("enum" in p):
            ctx.report(doc, ppath, "filter property: 'enum' goes with type enum, and only with it")
        elif "enum" in p and p["enum"] not in ctx.enums:
            ctx.report(
                doc,
                ppath + ("enum",),
                f"filter property {p['path']!r}: unknown enum {p['enum']!r}"
                + did_you_mean(p["enum"], ctx.enums),
            )
        props.append(
            ir.FilterProperty(
                p["path"], p["name"], p["type"], p.get("enum"), p.get("description", "")
            )
        )
    return ir.Filter(
        raw["param"],
        raw["class"],
        tuple(props),
        raw.get("order_by"),
        raw.get("source", ""),
        ctx.ledger(doc, ("filter", "ledger"), raw.get("ledger")),
    )


def _outcomes(
    ctx: Context, doc: Document, data: dict[str, Any], response: ir.Shape
) -> list[ir.Outcome]:
    outcomes: list[ir.Outcome] = []
    codes: set[str | None] = set()
    names: set[str] = set()
    for i, raw in enumerate(data["outcomes"]):
        path: PathKey = ("outcomes", i)
        if raw["code"] in codes:
            ctx.report(doc, path + ("code",), f"outcome code {raw['code']!r} appears twice")
        if not is_snake(raw["name"]) or raw["name"] in names:
            ctx.report(
                doc,
                path + ("name",),
                f"outcome name {raw['name']!r} must be a unique snake_case name",
            )
        codes.add(raw["code"])
        names.add(raw["name"])
        returns = []
        optional = []
        list_returns = 0
        for attr, written in raw.get("returns", {}).items():
            dotted = written.removesuffix("?")
            if dotted != written:
                optional.append(attr)
            if not is_snake(attr) or attr in ("code", "message", "response"):
                ctx.report(
                    doc,
                    path + ("returns", attr),
                    f"outcome {raw['name']}: result attribute {attr!r} must be snake_case and not "
                    f"code/message/response",
                    at_key=True,
                )
            chain = (
                [response.root]
                if dotted == "." and response.root is not None
                else resolve_fields(ctx, response, dotted)
            )
            if chain is None:
                ctx.report(
                    doc,
                    path + ("returns", attr),
                    f"outcome {raw['name']}: {response.name} has no path {dotted!r}"
                    + path_hint(ctx, response, dotted),
                )
                continue
            if isinstance(chain[-1].type, ir.ListOf):
                list_returns += 1
            returns.append((attr, (".",) if dotted == "." else tuple(dotted.split("."))))
        if raw.get("item_success") and list_returns != 1:
            ctx.report(
                doc,
                path + ("item_success",),
                f"outcome {raw['name']}: item_success needs exactly one returned list",
                at_key=True,
            )
        outcomes.append(
            ir.Outcome(
                code=raw["code"],
                name=raw["name"],
                description=raw["description"],
                returns=tuple(returns),
                item_success=tuple(raw.get("item_success", ())),
                optional=tuple(optional),
                mark=doc.mark(path),
            )
        )
    return outcomes


def _examples(
    ctx: Context, doc: Document, data: dict[str, Any], outcomes: list[ir.Outcome]
) -> list[ir.Example]:
    examples = []
    names: set[str] = set()
    spec_dir = ctx.sources.provider_dir
    outcome_names = {o.name for o in outcomes}
    for i, raw in enumerate(data.get("examples", [])):
        path: PathKey = ("examples", i)
        if raw["name"] in names:
            ctx.report(doc, path + ("name",), f"example name {raw['name']!r} appears twice")
        names.add(raw["name"])
        for key in ("request", "response"):
            if key in raw and not (spec_dir / raw[key]).is_file():
                ctx.report(
                    doc,
                    path + (key,),
                    f"example file {raw[key]!r} does not exist in {ctx.sources.display_dir}",
                )
        if "outcome" in raw and raw["outcome"] not in outcome_names:
            ctx.report(
                doc,
                path + ("outcome",),
                f"example outcome {raw['outcome']!r} is not an outcome of this operation "
                f"({', '.join(sorted(outcome_names))})"
                + did_you_mean(raw["outcome"], outcome_names),
            )
        if ("outcome" in raw or "error" in raw) and "response" not in raw:
            ctx.report(doc, path, "an example with an expected outcome or error needs a response")
        edits: dict[str, list[ir.Edit]] = {"mend": [], "normalise": []}
        for key in edits:
            for j, edit in enumerate(raw.get(key, [])):
                edits[key].append(_edit(ctx, doc, path + (key, j), edit, key))
        examples.append(
            ir.Example(
                name=raw["name"],
                title=raw["title"],
                request=raw.get("request"),
                response=raw.get("response"),
                outcome=raw.get("outcome"),
                error=raw.get("error"),
                mends=tuple(edits["mend"]),
                normalisations=tuple(edits["normalise"]),
                fragment=bool(raw.get("fragment", False)),
                ledger=ctx.ledger(doc, path + ("ledger",), raw.get("ledger")),
                mark=doc.mark(path),
            )
        )
        if raw.get("fragment") and (
            "request" not in raw or "response" in raw or "ledger" not in raw
        ):
            ctx.report(
                doc,
                path + ("fragment",),
                "a fragment example is a request file only, with a ledger id saying what it leaves "
                "out",
                at_key=True,
            )
    return examples


def _edit(ctx: Context, doc: Document, epath: PathKey, edit: dict[str, Any], key: str) -> ir.Edit:
    """A mend (of the document's text) or a normalisation (a difference the client makes)."""
    if "path" in edit and not all(_EDIT_SEGMENT.match(s) for s in edit["path"].split(".")):
        ctx.report(
            doc,
            epath + ("path",),
            f"edit path {edit['path']!r} must be dotted element names, with [n] for list items",
        )
    if "find" in edit and key != "mend":
        ctx.report(
            doc,
            epath + ("find",),
            "raw text replacements (find/replace) are mends of the document, not normalisations",
            at_key=True,
        )
    ledger = ctx.ledger(doc, epath + ("ledger",), edit["ledger"])
    if "find" in edit:
        return ir.Edit("replace", "", edit["find"], edit["replace"], ledger)
    if "attribute" in edit:
        return ir.Edit("drop_attribute", edit["attribute"], "", "", ledger)
    if edit.get("drop"):
        return ir.Edit("drop", edit["path"], "", "", ledger)
    if "add" in edit:
        return ir.Edit("add", edit["path"], "", edit["add"], ledger)
    return ir.Edit("text", edit["path"], edit["from"], edit["to"], ledger)
