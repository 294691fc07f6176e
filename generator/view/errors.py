"""The view of `errors.py`: the error tables as enums, one error class per operation (or per
HTTP status), and which base errors the package has."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..naming import constant, pascal


@dataclass(frozen=True)
class CodeView:
    member: str
    code: str
    message: str
    gloss: str | None
    hint: str | None
    doc: str  # the member's docstring


@dataclass(frozen=True)
class DocumentedMessage:
    code: str
    message: str  # a code listed twice has both texts


@dataclass(frozen=True)
class TableView:
    name: str
    title: str
    heading: str
    source: str
    description: str
    enum_class: str
    has_gloss: bool
    has_hint: bool
    documented: tuple[DocumentedMessage, ...]
    codes: tuple[CodeView, ...]


@dataclass(frozen=True)
class OperationErrors:
    name: str
    title: str
    error_class: str
    enum_class: str
    table_title: str


@dataclass(frozen=True)
class StatusView:
    """An HTTP error status (or range) and its class (rest-json)."""

    class_name: str
    status: int
    up_to: int
    label: str
    description: str


@dataclass(frozen=True)
class ErrorsView:
    rest: bool
    list_key: str
    statuses: tuple[StatusView, ...]
    tables: tuple[TableView, ...]  # the tables operations use
    operations: tuple[OperationErrors, ...]
    has_gloss: bool
    has_hint: bool
    has_callbacks: bool
    has_signature: bool


def enum_class(table: ir.ErrorTable) -> str:
    return f"{pascal(table.name)}ErrorCode"


def heading(table: ir.ErrorTable) -> str:
    """ "Check API error codes", but "Error codes" and "Status Codes" as they are."""
    return table.title if "code" in table.title.lower() else f"{table.title} error codes"


def _code_doc(code: ir.ErrorCode, first: ir.ErrorCode | None) -> str:
    doc = code.message.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if doc.endswith('"'):
        doc += "."  # not '"' before the closing quotes (wrapping drops a trailing space)
    if code.gloss:
        doc += f" ({code.gloss})"
    more = [code.hint] if code.hint else []
    if code.outcome:
        more.append(f"A result, not an error: returned as the {code.outcome!r} outcome.")
    if first is not None:
        more.append(
            f"The document lists code {code.code} twice; this name is an alias of "
            f"{constant(first.name)}."
        )
    if more and not doc.rstrip().endswith((".", "!", "?", ":")):
        doc = doc.rstrip() + "."  # the provider's text often has no full stop; ours follows
    return " ".join([doc, *more])


def _documented(table: ir.ErrorTable) -> tuple[DocumentedMessage, ...]:
    """One documented message per code; a code listed twice gets both texts."""
    messages: dict[str, list[str]] = {}
    for c in table.codes:
        messages.setdefault(c.code, []).append(c.message)
    return tuple(DocumentedMessage(code, " / ".join(texts)) for code, texts in messages.items())


def _table(table: ir.ErrorTable) -> TableView:
    codes = []
    for c in table.codes:
        first = next((d for d in table.codes if d.code == c.code), None) if c.duplicate else None
        codes.append(
            CodeView(constant(c.name), c.code, c.message, c.gloss, c.hint, _code_doc(c, first))
        )
    return TableView(
        name=table.name,
        title=table.title,
        heading=heading(table),
        source=table.source,
        description=table.description,
        enum_class=enum_class(table),
        has_gloss=any(c.gloss for c in table.codes),
        has_hint=any(c.hint for c in table.codes),
        documented=_documented(table),
        codes=tuple(codes),
    )


def has_signature(service: ir.Service) -> bool:
    """Whether anything the package reads is signed (answers, callbacks or webhooks)."""
    wire = service.wire
    return wire.signature is not None or any(cb.body == "signed-header" for cb in service.callbacks)


def errors_view(service: ir.Service) -> ErrorsView:
    tables = [_table(t) for t in service.error_tables]
    by_name = {t.name: t for t in tables}
    operations = tuple(
        OperationErrors(
            name=op.name,
            title=op.title,
            error_class=f"{pascal(op.name)}Error",
            enum_class=by_name[op.errors].enum_class,
            table_title=by_name[op.errors].heading,
        )
        for op in service.operations
    )
    used = {op.errors for op in service.operations}
    w = service.wire
    statuses = tuple(
        StatusView(
            class_name=f"{service.error_prefix}{s.name}Error",
            status=s.status,
            up_to=s.up_to or s.status,
            label=f"{s.status}-{s.up_to}" if s.up_to else str(s.status),
            description=s.description,
        )
        for s in (w.statuses if isinstance(w, ir.RestWire) else ())
    )
    return ErrorsView(
        rest=isinstance(w, ir.RestWire),
        list_key=w.error_list if isinstance(w, ir.RestWire) else "",
        statuses=statuses,
        tables=tuple(t for t in tables if t.name in used),
        operations=operations,
        has_gloss=any(t.has_gloss for t in tables),
        has_hint=any(t.has_hint for t in tables),
        has_callbacks=bool(service.callbacks),
        has_signature=has_signature(service),
    )
