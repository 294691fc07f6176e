"""The views of the provider README (`templates/docs/provider.md.j2`) and the index: every
operation's tables, rules, outcomes, errors and examples, the shapes, enums, error tables,
callbacks and the ledger. The wire format's own section comes from its protocol module
(`docs_part`, `docs.wire` in the templates)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .. import ir
from ..emit_schema import role_scalar
from ..fmt import LINE_LENGTH
from ..kinds import KINDS
from ..naming import constant, pascal
from .common import GENERATOR, dependency_order, outcome_class, scope_shape


def anchor(kind: str, name: str) -> str:
    return f"{kind}-{name.lower().replace('_', '-')}"


def doc_type(service: ir.Service, type_ref: ir.TypeRef) -> str:
    if isinstance(type_ref, ir.Scalar):
        return KINDS[type_ref.kind].doc_type(type_ref.param_map)
    if isinstance(type_ref, ir.EnumRef):
        values = ", ".join(f"`{v.wire}`" for v in service.enum(type_ref.enum).values)
        return f"[{type_ref.enum}](#{anchor('enum', type_ref.enum)}): {values}"
    if isinstance(type_ref, ir.ShapeRef):
        return f"[{type_ref.shape}](#{anchor('shape', type_ref.shape)})"
    inner = doc_type(service, type_ref.item)
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


def _presence(f: ir.Field, rules: list[tuple[ir.Shape, ir.Rule]]) -> str:
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


@dataclass(frozen=True)
class Row:
    """A field's row in a table: wire and Python names, type, location, presence, text."""

    wire: str
    name: str
    type: str
    location: str
    required: str
    description: str


def _field_rows(
    service: ir.Service, shape: ir.Shape, rules: list[tuple[ir.Shape, ir.Rule]], role: str
) -> tuple[Row, ...]:
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
            notes.append("Codes checked before sending: " + "; ".join(codes) + ".")
        if f.codes.server:
            notes.append(
                f"Answered by {service.title.removesuffix(' API')} only: "
                + ", ".join(f.codes.server)
                + "."
            )
        for ledger_id in f.ledger:
            notes.append(f"See [{ledger_id}](#ledger-{ledger_id}).")
        type_text = doc_type(service, f.type)
        if role == "response" and isinstance(
            f.type.item if isinstance(f.type, ir.ListOf) else f.type, ir.EnumRef
        ):
            type_text += "; another value is kept as text"
        if role == "response" and isinstance(f.type, ir.Scalar):
            read = role_scalar(f.type, role)
            type_text = KINDS[read.kind].doc_type(
                {k: v for k, v in read.param_map.items() if k in ("format", "scale")}
            )
        rows.append(
            Row(
                wire=f.wire,
                name=f.name,
                type=type_text,
                location=f.location,
                required=_presence(f, rules)
                if role == "request"
                else ("yes" if f.required else "no"),
                description=" ".join([f.description, *notes]).strip(),
            )
        )
    return tuple(rows)


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


@dataclass(frozen=True)
class Edit:
    text: str
    ledger: list[str]


def _edit_doc(edit: ir.Edit) -> Edit:
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
    return Edit(text, list(edit.ledger))


def _inline(text: str) -> str:
    """Text safe inside an inline code span of a table-free Markdown line."""
    one_line = " ".join(text.split()) if "\n" in text else text
    return one_line.replace("`", "'")


@dataclass(frozen=True)
class ExampleDoc:
    title: str
    language: str
    kind: str
    file: str
    text: str
    mends: tuple[Edit, ...]
    normalisations: tuple[Edit, ...]
    expect: str


@dataclass(frozen=True)
class RuleDoc:
    kind: str
    scope: str
    description: str
    fields: str
    when: str
    pattern: str | None
    code: str | None
    ledger: list[str]


@dataclass(frozen=True)
class RequestDoc:
    class_name: str
    description: str
    rows: tuple[Row, ...]
    rules: tuple[RuleDoc, ...]


@dataclass(frozen=True)
class TextAnswer:
    wrapped_key: str
    ledger: list[str]


@dataclass(frozen=True)
class ResponseDoc:
    class_name: str
    rows: tuple[Row, ...]
    root: str
    text_answer: TextAnswer | None


@dataclass(frozen=True)
class OutcomeDoc:
    code: str
    name: str  # the outcome's name: what `X-Mock-Outcome` asks the mock for
    class_name: str
    returns: str
    item_success: str
    description: str


@dataclass(frozen=True)
class TableRef:
    title: str
    anchor: str
    count: int


@dataclass(frozen=True)
class RetryDoc:
    attempts: int
    idempotency: str
    ledger: list[str]


@dataclass(frozen=True)
class PagingDoc:
    iter_name: str
    page_size: int
    ledger: list[str]


@dataclass(frozen=True)
class FilterDoc:
    class_name: str
    ledger: list[str]


@dataclass(frozen=True)
class ExtraFieldDoc:
    wire: str
    description: str


@dataclass(frozen=True)
class OperationDoc:
    name: str
    title: str
    anchor: str
    path: str
    method: str
    idempotent: bool
    paging: PagingDoc | None
    filter: FilterDoc | None
    summary: str
    description: str
    source: str
    constants: list[tuple[str, str]]
    ledger: list[str]
    request: RequestDoc
    response: ResponseDoc
    outcomes: tuple[OutcomeDoc, ...]
    error_class: str
    error_table: TableRef
    examples: tuple[ExampleDoc, ...]
    retry: RetryDoc | None
    extra_fields: tuple[ExtraFieldDoc, ...]
    extra_ledger: list[str]


@dataclass(frozen=True)
class ShapeDoc:
    name: str
    anchor: str
    description: str
    role: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class CodeRow:
    code: str
    member: str
    message: str
    gloss: str
    hint: str
    note: str


@dataclass(frozen=True)
class ErrorTableDoc:
    title: str
    anchor: str
    source: str
    description: str
    inferred: bool
    enum_class: str
    used_by: list[str]
    rows: tuple[CodeRow, ...]


@dataclass(frozen=True)
class TestDataDoc:
    title: str
    usage: str
    values: list[tuple[str, str]]


@dataclass(frozen=True)
class ParamRow:
    wire: str
    name: str
    type: str
    required: str
    description: str


@dataclass(frozen=True)
class CallbackDoc:
    name: str
    class_name: str
    title: str
    anchor: str
    source: str
    method: str
    description: str
    example: str
    ledger: list[str]
    rows: tuple[ParamRow, ...]
    call: str  # the parser's signature, e.g. "parse_webhook(body, headers, secret, ...)"
    takes: str  # what the parser takes and checks, one sentence
    returns: str  # the class it returns
    make: str  # the helper that makes what the parser accepts, e.g. "make_webhook(body, secret)"


def _callback_call(cb: ir.Callback) -> dict[str, str]:
    """How a callback's parser and its test helper are called, and what the parser takes."""
    n = cb.name
    if cb.body == "signed-header" and cb.signature is not None:
        sig = cb.signature
        return {
            "call": f"parse_{n}(body, headers, secret, *, tolerance={sig.tolerance}, now=None)",
            "takes": (
                f"the raw request body and the request's headers (or the `{sig.header}` value "
                f"alone); `{sig.header}: {sig.timestamp}=<unix time>,{sig.value}=<hex>` holds "
                f"the {sig.algorithm.upper()}, keyed with the webhook's secret, of "
                f"`<{sig.timestamp}>.<body>`, checked in constant time, and a timestamp more "
                "than `tolerance` seconds from `now` is refused"
            ),
            "returns": cb.message or "",
            "make": f"make_{n}(body, secret, *, timestamp=None)",
        }
    if cb.body == "signed-json":
        return {
            "call": f"parse_{n}(body, key, *, verify=True)",
            "takes": (
                "the raw request body, a JSON object whose `data` is signed with your key as "
                "the answers are (see the wire format)"
            ),
            "returns": cb.message or "",
            "make": f"make_{n}(data, key)",
        }
    if cb.body == "signed-form":
        return {
            "call": f"parse_{n}(fields, key, *, verify=True)",
            "takes": (
                "the form fields (POST) or query parameters (GET), raw or as your framework's "
                "mapping: `credentials` and `data`, JSON strings, `data` signed with your key as "
                "the answers are (see the wire format)"
            ),
            "returns": cb.message or "",
            "make": f"make_{n}(data, key)",
        }
    names = ", ".join(p.name for p in cb.params)
    return {
        "call": f"parse_{n}(query, *, allow_extra=False)",
        "takes": "the query string (or your framework's mapping of parameters)",
        "returns": pascal(n),
        "make": f"make_{n}({names})",
    }


@dataclass(frozen=True)
class MemberDoc:
    wire: str
    member: str
    description: str


@dataclass(frozen=True)
class EnumDoc:
    name: str
    anchor: str
    description: str
    members: tuple[MemberDoc, ...]
    aliases: str
    ledger: list[str]


@dataclass(frozen=True)
class MoneyDoc:
    """What one money kind of the package counts and takes."""

    kind: str
    unit: str
    fields: list[str]  # wire names
    text: bool  # whole amounts may be given as their digits


@dataclass(frozen=True)
class ErrorClassDoc:
    """A row of the README's error classes table: the class, its base and when it is raised."""

    name: str
    base: str
    when: str


@dataclass(frozen=True)
class SettingDoc:
    """A client setting that bounds a call: its keyword, its default and what it does."""

    name: str
    default: str
    what: str


@dataclass(frozen=True)
class MockExample:
    """What the README's mock example forces on the first operation: an outcome (the second
    documented one when there is one) and an error code."""

    outcome: str
    outcome_class: str
    error_code: str


@dataclass(frozen=True)
class DocsView:
    operations: tuple[OperationDoc, ...]
    shapes: tuple[ShapeDoc, ...]
    protocol_text: str
    test_data: tuple[TestDataDoc, ...]
    coverage_text: str
    callbacks: tuple[CallbackDoc, ...]
    enums: tuple[EnumDoc, ...]
    error_tables: tuple[ErrorTableDoc, ...]
    ledger: list[ir.Discrepancy]
    coverage: dict[str, int]
    first_op: ir.Operation
    example: ExampleCall  # a small valid request of the first operation
    error_classes: tuple[ErrorClassDoc, ...]
    settings: tuple[SettingDoc, ...]
    mock_example: MockExample
    money: tuple[MoneyDoc, ...]
    wire: object  # the protocol's part: its wire format section (see its `docs_part`)


def _examples(service: ir.Service, op: ir.Operation, root: Path) -> tuple[ExampleDoc, ...]:
    examples = []
    for ex in op.examples:
        for kind in ("request", "response"):
            rel = getattr(ex, kind)
            if rel is None:
                continue
            expect = ""
            if kind == "response" and ex.outcome:
                outcome = next(o for o in op.outcomes if o.name == ex.outcome)
                expect = f"returns `{outcome_class(op, outcome)}`"
            elif kind == "response" and ex.error:
                expect = f"raises `{pascal(op.name)}Error` with code {ex.error}"
            examples.append(
                ExampleDoc(
                    title=ex.title,
                    language={".xml": "xml", ".json": "json"}.get(Path(rel).suffix, "text"),
                    kind=kind,
                    file=f"{service.spec_dir}/{rel}",
                    text=(root / service.spec_dir / rel).read_text(encoding="utf-8").rstrip("\n"),
                    mends=tuple(_edit_doc(e) for e in ex.mends),
                    normalisations=tuple(_edit_doc(e) for e in ex.normalisations),
                    expect=expect,
                )
            )
    return tuple(examples)


def _operation(service: ir.Service, op: ir.Operation, root: Path) -> OperationDoc:
    table = service.error_table(op.errors)
    root_rules = [(m, r) for m, r, _target in _rules_in(service, op.request) if not r.scope]
    wire = service.wire
    return OperationDoc(
        name=op.name,
        title=op.title,
        anchor=anchor("op", op.name),
        path=op.path,
        method=op.method,
        idempotent=op.method in wire.idempotency_methods,
        paging=(
            PagingDoc(
                "iter_" + op.name.removeprefix("list_"), op.paging.page_size, list(op.paging.ledger)
            )
            if op.paging
            else None
        ),
        filter=FilterDoc(op.filter.class_name, list(op.filter.ledger)) if op.filter else None,
        summary=op.summary,
        description=op.description,
        source=op.source,
        constants=list(op.constants),
        ledger=list(op.ledger),
        request=RequestDoc(
            class_name=op.request.name,
            description=op.request.description,
            rows=_field_rows(service, op.request, root_rules, "request"),
            rules=tuple(
                RuleDoc(
                    kind=r.kind,
                    scope=_scope_label(service, op.request, r.scope),
                    description=r.description,
                    fields=(
                        f"{'.'.join(r.target)} = " + " + ".join(".".join(t) for t in r.terms)
                        if r.kind == "sum"
                        else ", ".join(r.fields)
                    ),
                    when=_when_text(r.when),
                    pattern=r.pattern,
                    code=r.code,
                    ledger=list(r.ledger),
                )
                for r in op.request.rules
            ),
        ),
        response=ResponseDoc(
            class_name=op.response.name,
            rows=_field_rows(service, op.response, [], "response"),
            root=doc_type(service, op.response.root.type) if op.response.root else "",
            text_answer=(
                TextAnswer(op.response.root.name if op.response.root else "", list(op.text_answer))
                if op.text_answer is not None
                else None
            ),
        ),
        outcomes=tuple(
            OutcomeDoc(
                code=o.code if o.code is not None else "(none)",
                name=o.name,
                class_name=outcome_class(op, o),
                returns=", ".join(
                    f"`{a}` ← {'.'.join(p)}" + (" (may be absent)" if a in o.optional else "")
                    for a, p in o.returns
                ),
                item_success=", ".join(o.item_success),
                description=o.description,
            )
            for o in op.outcomes
        ),
        error_class=f"{pascal(op.name)}Error",
        error_table=TableRef(
            table.title, anchor("errors", table.name), len({c.code for c in table.codes})
        ),
        examples=_examples(service, op, root),
        retry=RetryDoc(op.retry.attempts, op.retry.idempotency, list(op.retry.ledger))
        if op.retry
        else None,
        extra_fields=tuple(ExtraFieldDoc(e.wire, e.description) for e in op.extra_fields),
        extra_ledger=list(op.extra_ledger),
    )


def docs_view(service: ir.Service, root: Path) -> DocsView:
    from .. import protocols

    protocol = protocols.get(service.protocol)
    all_rules = [x for op in service.operations for x in _rules_in(service, op.request)]
    shapes = []
    for shape in dependency_order(service, service.messages()):
        if shape.role != "shape":
            continue
        in_request = any(
            shape.name in [x.name for x in dependency_order(service, [op.request])]
            for op in service.operations
        )
        role = "request" if in_request else "response"
        scoped = [(m, r) for m, r, target in all_rules if target.name == shape.name and r.scope]
        shapes.append(
            ShapeDoc(
                shape.name,
                anchor("shape", shape.name),
                shape.description,
                role,
                _field_rows(service, shape, scoped, role),
            )
        )
    tables = []
    for table in service.error_tables:
        tables.append(
            ErrorTableDoc(
                title=table.title,
                anchor=anchor("errors", table.name),
                source=table.source,
                description=table.description,
                inferred=table.inferred,
                enum_class=f"{pascal(table.name)}ErrorCode",
                used_by=[op.title for op in service.operations if op.errors == table.name],
                rows=tuple(
                    CodeRow(
                        code=c.code,
                        member=constant(c.name),
                        message=c.message,
                        gloss=c.gloss or "",
                        hint=c.hint or "",
                        note=(f"result `{c.outcome}`, not raised" if c.outcome else "")
                        + "".join(f" [{lid}](#ledger-{lid})" for lid in c.ledger),
                    )
                    for c in table.codes
                ),
            )
        )
    return DocsView(
        operations=tuple(_operation(service, op, root) for op in service.operations),
        shapes=tuple(shapes),
        protocol_text=protocol.protocol_text(service),
        test_data=tuple(TestDataDoc(t.title, t.usage, list(t.values)) for t in service.test_data),
        coverage_text=coverage_text(service),
        callbacks=tuple(
            CallbackDoc(
                name=cb.name,
                class_name=pascal(cb.name),
                title=cb.title,
                anchor=anchor("callback", cb.name),
                source=cb.source,
                method=cb.method,
                description=cb.description,
                example=cb.example,
                ledger=list(cb.ledger),
                rows=tuple(
                    ParamRow(
                        p.wire,
                        p.name,
                        doc_type(service, p.type),
                        "yes" if p.required else "no",
                        p.description,
                    )
                    for p in (
                        cb.params or (service.shape(cb.message).wire_fields if cb.message else ())
                    )
                ),
                **_callback_call(cb),
            )
            for cb in service.callbacks
        ),
        enums=tuple(
            EnumDoc(
                name=e.name,
                anchor=anchor("enum", e.name),
                description=e.description,
                members=tuple(MemberDoc(v.wire, constant(v.name), v.description) for v in e.values),
                aliases=", ".join(f"`{a}` → `{t}`" for a, t in e.decode_aliases),
                ledger=list(e.ledger),
            )
            for e in service.enums
        ),
        error_tables=tuple(tables),
        ledger=list(service.discrepancies),
        coverage=coverage(service),
        first_op=service.operations[0],
        example=example_call(service, service.operations[0].request),
        error_classes=error_classes(service),
        settings=settings(service),
        mock_example=mock_example(service, service.operations[0]),
        money=_money(service),
        wire=protocol.docs_part(service),
    )


@dataclass(frozen=True)
class ExampleCall:
    """A small request the client accepts and the mock answers (`samples.minimal`, strict),
    written twice as typed Python, so the README's examples pass a type checker: as the
    keyword arguments of its model (enum members, nested models) and as the keyword arguments
    of the call (enum values as text, nested dicts: what the dict forms of `params.py` take)."""

    model_args: tuple[str, ...]
    keyword_args: tuple[str, ...]
    stdlib: tuple[str, ...]  # the standard library imports the values need, sorted
    model_names: tuple[str, ...]  # the enums and nested models the model form names, sorted


class _Code(str):
    """Python source that is its own repr, so it nests inside lists and dicts as written."""

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class _Call:
    """A model built with keyword arguments, in an example."""

    name: str
    args: tuple[tuple[str, object], ...]


def _flat(value: object) -> str:
    if isinstance(value, _Call):
        return f"{value.name}({', '.join(f'{k}={_flat(v)}' for k, v in value.args)})"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_flat(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _laid_out(value: object, indent: int, start: int) -> str:
    """`value` as Python source whose first line starts at column `start` and whose other lines
    are indented by `indent`: on one line when it fits, else one item per line, as black lays
    out what it splits."""
    flat = _flat(value)
    if start + len(flat) + 1 <= LINE_LENGTH or not isinstance(value, (_Call, list, dict)):
        return flat
    inner = " " * (indent + 4)
    if isinstance(value, _Call):
        items = [f"{k}={_laid_out(v, indent + 4, indent + 5 + len(k))}" for k, v in value.args]
        opening, closing = f"{value.name}(", ")"
    elif isinstance(value, list):
        items = [_laid_out(v, indent + 4, indent + 4) for v in value]
        opening, closing = "[", "]"
    else:
        items = [
            f"{k!r}: {_laid_out(v, indent + 4, indent + 6 + len(repr(k)))}"
            for k, v in value.items()
        ]
        opening, closing = "{", "}"
    return opening + "\n" + "".join(f"{inner}{item},\n" for item in items) + " " * indent + closing


def _iso(value: str) -> list[int]:
    return [int(part) for part in value.replace("T", "-").replace(":", "-").split("-")]


def _typed_scalar(scalar: ir.Scalar, value: object, stdlib: set[str]) -> object:
    """A sample value (as JSON writes it) as the Python value its model field is typed with."""
    annotation = KINDS[scalar.kind].annotation
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return value
    if annotation == "Decimal":
        stdlib.add("from decimal import Decimal")
        return _Code(f"Decimal({str(value)!r})")
    if annotation == "int":
        return int(value)
    if annotation == "bytes" and isinstance(value, str):
        import base64

        return base64.b64decode(value)
    if isinstance(value, str) and ("date" in annotation or "datetime" in annotation):
        if "T" in value and "datetime" in annotation:
            stdlib.add("from datetime import datetime")
            return _Code(f"datetime({', '.join(str(p) for p in _iso(value))})")
        stdlib.add("from datetime import date")
        return _Code(f"date({', '.join(str(p) for p in _iso(value)[:3])})")
    return value


def example_call(service: ir.Service, message: ir.Shape) -> ExampleCall:
    from ..samples import minimal

    stdlib: set[str] = set()
    names: set[str] = set()

    def typed(type_ref: ir.TypeRef, value: object, models: bool) -> object:
        if isinstance(type_ref, ir.ListOf):
            assert isinstance(value, list)
            return [typed(type_ref.item, v, models) for v in value]
        if isinstance(type_ref, ir.EnumRef):
            if not models:
                return value  # the dict forms take an enum's value as text
            enum = service.enum(type_ref.enum)
            member = next(v for v in enum.values if v.wire == value)
            names.add(enum.name)
            return _Code(f"{enum.name}.{constant(member.name)}")
        if isinstance(type_ref, ir.ShapeRef):
            shape = service.shape(type_ref.shape)
            fields = arguments(shape, value, models)
            if not models:
                return {name: v for name, v in fields}
            names.add(shape.name)
            return _Call(shape.name, tuple(fields))
        return _typed_scalar(type_ref, value, stdlib)

    def arguments(shape: ir.Shape, payload: object, models: bool) -> list[tuple[str, object]]:
        assert shape.root is None and isinstance(payload, dict)
        return [
            (f.name, typed(f.type, payload[f.wire], models))
            for f in shape.fields
            if f.wire in payload
        ]

    if message.root is not None:  # a list or a text: no keywords; the README shows none
        return ExampleCall((), (), (), ())
    sample = minimal(service, message, strict=True)
    # laid out for the README's blocks: arguments one per line at 8 spaces when they are long
    model_args, keyword_args = (
        tuple(f"{n}={_laid_out(v, 8, 9 + len(n))}" for n, v in arguments(message, sample, form))
        for form in (True, False)
    )
    return ExampleCall(model_args, keyword_args, tuple(sorted(stdlib)), tuple(sorted(names)))


def error_classes(service: ir.Service) -> tuple[ErrorClassDoc, ...]:
    """Every error class of the package, base classes first, each with when it is raised."""
    from .errors import errors_view

    view = errors_view(service)
    px = service.error_prefix
    rows = [
        ErrorClassDoc(f"{px}Error", "`Exception`", "Base class of every error the package raises."),
        ErrorClassDoc(
            f"{px}RequestValidationError",
            f"`{px}Error`, `ValueError`",
            "The request breaks a rule of the spec: refused before anything is sent; `issues` "
            "says where and why.",
        ),
        ErrorClassDoc(
            f"{px}TransportError",
            f"`{px}Error`",
            "The request could not be sent or its answer not received (connection refused or "
            "reset, an answer cut short), after the retries allowed; `attempts` counts the "
            "requests tried.",
        ),
        ErrorClassDoc(
            f"{px}TimeoutError",
            f"`{px}TransportError`",
            "No complete answer within `timeout`, or the `deadline` of the whole call passed.",
        ),
        ErrorClassDoc(
            f"{px}HTTPStatusError",
            f"`{px}Error`",
            "The server answered with an HTTP status outside 2xx"
            + (" that is not an error status of the API." if view.rest else "."),
        ),
        ErrorClassDoc(
            f"{px}ResponseError",
            f"`{px}Error`",
            "The answer is not what the documents describe: an HTML error page, a truncated or "
            "hostile document, an unexpected shape or a missing result code.",
        ),
    ]
    if view.has_signature:
        rows.append(
            ErrorClassDoc(
                f"{px}SignatureError",
                f"`{px}ResponseError`",
                "The signature of an answer or callback does not verify; nothing in it should be "
                "trusted.",
            )
        )
    if view.has_callbacks:
        rows.append(
            ErrorClassDoc(
                f"{px}CallbackError",
                f"`{px}Error`",
                "A callback request is not what the provider documents; answer it with an error "
                "status.",
            )
        )
    rows.append(
        ErrorClassDoc(
            f"{px}ApiError",
            f"`{px}HTTPStatusError`" if view.rest else f"`{px}Error`",
            "The API answered with an error: "
            + (
                "an error status, with the answer's errors in `errors`."
                if view.rest
                else "an error code, with its documented member in `.error`."
            ),
        )
    )
    for st in view.statuses:
        rows.append(
            ErrorClassDoc(
                st.class_name, f"`{px}ApiError`", f"HTTP {st.label}: {st.description}".strip()
            )
        )
    if not view.rest and view.operations:
        names = ", ".join(f"`{op.error_class}`" for op in view.operations)
        rows.append(
            ErrorClassDoc(
                "<Operation>Error",
                f"`{px}ApiError`",
                "The operation's answer carries an error code; one class per operation: "
                + names
                + ".",
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class TransportDefaults:
    """The runtime transport's defaults, as its source states them."""

    read: float
    connect: float
    deadline: float
    connect_retries: int
    max_response_bytes: int


def transport_defaults() -> TransportDefaults:
    """The defaults of `runtime/transport.py`, read from its source rather than imported: the
    import would load httpx, a twentieth of what `make generate` after a one-field edit costs,
    for five numbers. tests/test_docs.py holds them equal to the imported module's."""
    source = (Path(__file__).parent.parent / "runtime" / "transport.py").read_text(encoding="utf-8")
    found: dict[str, ast.expr] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.startswith("DEFAULT_"):
                found[target.id] = node.value
    timeout = found["DEFAULT_TIMEOUT"]  # httpx.Timeout(<read>, connect=<connect>)
    assert isinstance(timeout, ast.Call) and len(timeout.args) == 1, "DEFAULT_TIMEOUT changed shape"
    connect = next(k.value for k in timeout.keywords if k.arg == "connect")
    return TransportDefaults(
        read=ast.literal_eval(timeout.args[0]),
        connect=ast.literal_eval(connect),
        deadline=ast.literal_eval(found["DEFAULT_DEADLINE"]),
        connect_retries=ast.literal_eval(found["DEFAULT_CONNECT_RETRIES"]),
        max_response_bytes=_constant_product(found["DEFAULT_MAX_RESPONSE_BYTES"]),
    )


def _constant_product(node: ast.expr) -> int:
    """`10 * 1024 * 1024` (or a plain number) as its value."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _constant_product(node.left) * _constant_product(node.right)
    value = ast.literal_eval(node)
    assert isinstance(value, int), "DEFAULT_MAX_RESPONSE_BYTES changed shape"
    return value


def settings(service: ir.Service) -> tuple[SettingDoc, ...]:
    """The client settings that bound a call, with their real defaults (from the runtime)."""
    t = transport_defaults()
    rows = [
        SettingDoc(
            "timeout",
            f"`{t.read:g}` s (connect `{t.connect:g}` s)",
            "Seconds (or an `httpx.Timeout`) each attempt may wait for the server; cut to the "
            "time left before the deadline.",
        ),
        SettingDoc(
            "deadline",
            f"`{t.deadline:g}` s",
            "Bounds the whole call, retries and pauses included; at the deadline the call "
            f"raises `{service.error_prefix}TimeoutError`.",
        ),
        SettingDoc(
            "connect_retries",
            f"`{t.connect_retries}`",
            "Retries of a request that could not be sent at all (the server never saw it).",
        ),
        SettingDoc(
            "max_response_bytes",
            f"`{t.max_response_bytes}` ({t.max_response_bytes // 2**20} MiB)",
            f"A longer answer is refused with `{service.error_prefix}ResponseError`.",
        ),
    ]
    from .. import protocols
    from .client import auth_view

    protocol = protocols.get(service.protocol)
    for option in protocol.client_options(service, auth_view(service).uses_clock):
        default = "" if option.default is None else f"`{option.default!r}`"
        rows.append(SettingDoc(option.name, default, option.doc[:1].upper() + option.doc[1:]))
    retried = [op for op in service.operations if op.retry]
    if retried:
        rows.append(
            SettingDoc(
                "(per operation)",
                "",
                "Retried after a timeout, by the spec: "
                + ", ".join(
                    f"`{op.name}` ({op.retry.attempts} attempts)" for op in retried if op.retry
                )
                + "; `RequestOptions(max_retries=0)` turns it off for a call.",
            )
        )
    return tuple(rows)


def mock_example(service: ir.Service, op: ir.Operation) -> MockExample:
    codes = [c.code for c in service.error_table(op.errors).codes if not c.outcome]
    code = codes[0] if codes else ""
    if not op.outcomes:
        return MockExample("", "", code)
    outcome = op.outcomes[1] if len(op.outcomes) > 1 else op.outcomes[0]
    return MockExample(outcome.name, outcome_class(op, outcome), code)


def _money(service: ir.Service) -> tuple[MoneyDoc, ...]:
    """The money kinds the package's requests use, each with its unit and fields."""
    from ..kinds import minor_text_pattern, money_unit

    found: dict[tuple[str, str], MoneyDoc] = {}
    shapes = dependency_order(service, [op.request for op in service.operations])
    for shape in shapes:
        for f in shape.fields:
            ref = f.type.item if isinstance(f.type, ir.ListOf) else f.type
            if isinstance(ref, ir.Scalar) and ref.kind in ("money", "money_minor"):
                unit = money_unit(ref.kind, ref.param_map)
                text = ref.kind == "money" or minor_text_pattern(ref.param_map) is not None
                doc = found.setdefault((ref.kind, unit), MoneyDoc(ref.kind, unit, [], text))
                if f.wire not in doc.fields:
                    doc.fields.append(f.wire)
    return tuple(found.values())


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
        "examples": sum(
            (e.request is not None) + (e.response is not None)
            for op in service.operations
            for e in op.examples
        ),
        "discrepancies": len(service.discrepancies),
    }


@dataclass(frozen=True)
class ProviderEntry:
    provider: str
    title: str
    package: str
    client: str
    protocol: str
    source: str
    summary: str
    coverage: dict[str, int]


@dataclass(frozen=True)
class IndexView:
    generator: str
    providers: tuple[ProviderEntry, ...]


def index_view(services: list[ir.Service], root: Path) -> IndexView:
    return IndexView(
        GENERATOR,
        tuple(
            ProviderEntry(
                s.provider,
                s.title,
                s.package,
                s.client,
                s.protocol,
                s.source,
                s.summary,
                coverage(s),
            )
            for s in services
        ),
    )
