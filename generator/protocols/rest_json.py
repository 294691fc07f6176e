"""The `rest-json` protocol: REST over HTTP with JSON bodies (Billit): methods, paths, query
and header parameters per operation, credentials in headers, HTTP statuses for errors (with a
list of coded errors in the body), idempotency keys, a rate limit and retries.

Templates: `templates/python/protocols/rest/` and `templates/docs/wire_rest-json.md.j2`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import ir
from ..metaschema import LEDGER, STR, TEXT
from ..naming import constant, pascal
from ..view.common import (
    CLOCK_OPTION,
    Option,
    answer_shapes,
    callback_shapes,
    dependency_order,
    snake,
)
from ..view.wire import (
    CallbackMessage,
    EnumTable,
    FieldCodec,
    ShapeCodec,
    callback_messages,
    enum_tables,
    field_codec,
    fields_codecs,
)

if TYPE_CHECKING:
    from ..build.context import Context
    from ..load import Document

NAME = "rest-json"
TEMPLATES = "rest"
CALLS = "rest"  # its client, mock and errors: templates/python/protocols/rest/

# The runtime modules (generator/runtime/) its packages need besides the shared ones, and what
# those modules need installed.
RUNTIME = ("json.py",)
# jiter: the runtime's JSON parser (_runtime/json.py; float_mode since 0.6)
DEPENDENCIES: tuple[str, ...] = ("jiter>=0.6,<1",)

# Scalar kinds a JSON member, path segment, query or header parameter can carry -> codec macros.
KINDS = {
    "string": "text",
    "email": "text",
    "country": "text",
    "currency": "text",
    "language": "text",
    "ip": "ip",
    "int": "int",
    "money_minor": "int",
    "decimal": "decimal",
    "money": "decimal",
    "date": "date",
    "bool": "bool",
    "base64": "base64",
    "url": "url",
    "datetime": "datetime",
    "date_or_datetime": "date_or_datetime",
    "json": "json",
}

# Parameters its codecs have no wire form for (lint refuses them): booleans are JSON's true and
# false, and a URL travels as its text.
REFUSED_PARAMS = {
    "bool": {
        "wire_true": "a bool is JSON true or false",
        "wire_false": "a bool is JSON true or false",
    },
    "url": {"percent_encoded": "a URL travels as its text"},
}

WIRE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["content_type", "headers", "errors"],
    "properties": {
        "content_type": STR,
        "headers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "credential"],
                "properties": {
                    "name": STR,
                    "credential": STR,
                    "prefix": STR,
                    "description": TEXT,
                    "ledger": LEDGER,
                },
                "additionalProperties": False,
            },
        },
        "idempotency": {
            "type": "object",
            "required": ["header", "methods"],
            "properties": {
                "header": STR,
                "methods": {
                    "type": "array",
                    "items": {"enum": ["POST", "PUT", "PATCH", "DELETE"]},
                    "minItems": 1,
                },
                "description": TEXT,
                "ledger": LEDGER,
            },
            "additionalProperties": False,
        },
        "rate_limit": {
            "type": "object",
            "required": ["requests", "per_seconds"],
            "properties": {
                "requests": {"type": "integer", "minimum": 1},
                "per_seconds": {"type": "number", "exclusiveMinimum": 0},
                "ledger": LEDGER,
            },
            "additionalProperties": False,
        },
        "retry": {
            "type": "object",
            "required": ["attempts", "statuses", "safe_methods"],
            "properties": {
                "attempts": {"type": "integer", "minimum": 1, "maximum": 10},
                "statuses": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 400, "maximum": 599},
                },
                "safe_methods": {
                    "type": "array",
                    "items": {"enum": ["GET", "PUT", "PATCH", "DELETE"]},
                },
                "ledger": LEDGER,
            },
            "additionalProperties": False,
        },
        "errors": {
            "type": "object",
            "required": ["list", "code", "message", "statuses"],
            "properties": {
                "list": STR,
                "code": STR,
                "message": STR,
                "ledger": LEDGER,
                "statuses": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["status", "name", "description"],
                        "properties": {
                            "status": {"type": "integer", "minimum": 400, "maximum": 599},
                            "up_to": {"type": "integer", "minimum": 400, "maximum": 599},
                            "name": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
                            "description": STR,
                            "ledger": LEDGER,
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}


def build_wire(
    ctx: Context,
    doc: Document,
    raw: dict[str, Any],
    credentials: set[str],
    environments: list[ir.Environment],
) -> ir.RestWire | None:
    if not {"content_type", "headers", "errors"} <= set(raw):
        return None
    headers = []
    for i, h in enumerate(raw["headers"]):
        if h["credential"] not in credentials:
            ctx.report(
                doc,
                ("wire", "headers", i, "credential"),
                f"header {h['name']!r}: no credential named {h['credential']!r}",
            )
        headers.append(
            ir.RestHeader(
                h["name"],
                h["credential"],
                h.get("prefix", ""),
                h.get("description", ""),
                ctx.ledger(doc, ("wire", "headers", i, "ledger"), h.get("ledger")),
            )
        )
    errors = raw["errors"]
    statuses = []
    seen: set[int] = set()
    for i, s in enumerate(errors["statuses"]):
        span = range(s["status"], s.get("up_to", s["status"]) + 1)
        if seen & set(span):
            ctx.report(
                doc,
                ("wire", "errors", "statuses", i, "status"),
                f"status {s['status']} overlaps another entry",
            )
        seen |= set(span)
        statuses.append(
            ir.ErrorStatus(
                s["status"],
                s["name"],
                s["description"],
                s.get("up_to"),
                ctx.ledger(doc, ("wire", "errors", "statuses", i, "ledger"), s.get("ledger")),
            )
        )
    idem = raw.get("idempotency", {})
    rate = raw.get("rate_limit")
    retry = raw.get("retry", {})
    return ir.RestWire(
        content_type=raw["content_type"],
        auth_headers=tuple(headers),
        error_list=errors["list"],
        error_code=errors["code"],
        error_message=errors["message"],
        statuses=tuple(statuses),
        idempotency_header=idem.get("header"),
        idempotency_methods=tuple(idem.get("methods", ())),
        idempotency_description=idem.get("description", ""),
        idempotency_ledger=ctx.ledger(doc, ("wire", "idempotency", "ledger"), idem.get("ledger")),
        rate_limit=(rate["requests"], float(rate["per_seconds"])) if rate else None,
        rate_limit_ledger=ctx.ledger(
            doc, ("wire", "rate_limit", "ledger"), rate.get("ledger") if rate else None
        ),
        retry_attempts=retry.get("attempts", 1),
        retry_statuses=tuple(retry.get("statuses", ())),
        retry_safe_methods=tuple(retry.get("safe_methods", ())),
        retry_ledger=ctx.ledger(doc, ("wire", "retry", "ledger"), retry.get("ledger")),
        errors_ledger=ctx.ledger(doc, ("wire", "errors", "ledger"), errors.get("ledger")),
        mark=doc.key_mark(("wire",)),
    )


def check_operation(
    ctx: Context, doc: Document, data: dict[str, Any], request: ir.Shape, response: ir.Shape
) -> None:
    """Path placeholders match path fields, every request has a method, query and header
    parameters are scalars, and GET / DELETE have no body."""
    from ..build.operations import fields_to_check, refuse_text_answer
    from ..load import Problem

    refuse_text_answer(ctx, doc, data, response)
    if "method" not in data:
        ctx.report(
            doc,
            ("path",),
            "a rest-json operation needs a 'method' (GET, POST, PUT, PATCH or DELETE)",
        )
    placeholders = re.findall(r"\{([A-Za-z][A-Za-z0-9_]*)\}", data["path"])
    path_fields = {f.wire: (i, f) for i, f in enumerate(request.fields) if f.location == "path"}
    for name in placeholders:
        if name not in path_fields:
            ctx.report(
                doc,
                ("path",),
                f"path placeholder {{{name}}} has no request field with 'in: path' and wire name "
                f"{name!r}",
            )
    for wire, (i, f) in path_fields.items():
        if wire not in placeholders:
            ctx.report(
                doc,
                ("request", "fields", i),
                f"field {wire!r} is 'in: path' but the path {data['path']!r} has no {{{wire}}}",
            )
        elif not f.required:
            ctx.report(doc, ("request", "fields", i), f"path field {wire!r} must be required")
        if not isinstance(f.type, ir.Scalar) and not isinstance(f.type, ir.EnumRef):
            ctx.report(doc, ("request", "fields", i), f"path field {wire!r} must be a scalar")
    for i, f in enumerate(request.fields):
        if (
            f.location in ("query", "header")
            and not isinstance(f.type, (ir.Scalar, ir.EnumRef))
            and not (isinstance(f.type, ir.ListOf) and not isinstance(f.type.item, ir.ShapeRef))
        ):
            ctx.report(
                doc,
                ("request", "fields", i),
                f"field {f.wire!r}: a {f.location} field must be a scalar or a list of scalars",
            )
    if data.get("method") in ("GET", "DELETE") and any(
        f.location == "body" for f in request.fields
    ):
        ctx.report(
            doc,
            ("method",),
            f"a {data['method']} request has no body; give each field 'in: path', 'in: query' or "
            f"'in: header'",
        )
    for i, f in enumerate(request.fields):
        scalar = f.type.item if isinstance(f.type, ir.ListOf) else f.type
        if (
            f.location != "body"
            and isinstance(scalar, ir.Scalar)
            and scalar.param_map.get("format") not in (None, "YYYY-MM-DD")
        ):
            ctx.report(
                doc,
                ("request", "fields", i, "format"),
                f"field {f.wire!r}: a {f.location} parameter carries a date as YYYY-MM-DD (format: "
                f"YYYY-MM-DD)",
                at_key=True,
            )
    for f in fields_to_check(ctx, request, response):
        if f.derived is not None and f.mark is not None:
            ctx.problems.append(
                Problem(
                    f.mark,
                    f"field {f.wire!r}: the rest-json protocol computes no derived fields (its "
                    f"members are what the message holds)",
                )
            )


def callback_problem(body: str, wire: ir.Wire) -> str | None:
    if body == "signed-header":
        return None
    return "signed callbacks need a JSON protocol with a signature"


def open_constants(wire: ir.Wire) -> set[str]:
    return set()


def check_answers(ctx: Context, doc: Document, service: ir.Service, op: ir.Operation) -> None:
    if len(op.outcomes) != 1 or op.outcomes[0].code is not None:
        ctx.report(
            doc,
            ("outcomes",),
            f"operation {op.name}: a JSON protocol answer is a result or an error; give one "
            f"outcome with `code: null`",
        )


# -- client ------------------------------------------------------------------------------------

EMPTY_LIST_IS_OBJECT = False
WIRE_FORMAT = "JSON"  # how messages name the wire format
ACCEPT = "application/json"


@dataclass(frozen=True)
class RestClient:
    """How the client retries and keys its calls."""

    idempotency_header: str | None
    safe_reason: str
    retries: int
    statuses: list[int]  # gateway errors retried for safe calls (written as a list literal)
    throttled: list[int]  # statuses that mean "slow down" (429)
    safe_methods: list[str]


@dataclass(frozen=True)
class RestOperation:
    """`idempotent`: the call carries an idempotency key; `retry`: the client's retry policy
    attribute for it (safe calls are retried after timeouts and gateway errors too)."""

    idempotent: bool
    retry: str


def raises(service: ir.Service, op: ir.Operation) -> str:
    wire = service.wire
    assert isinstance(wire, ir.RestWire)
    table = service.error_table(op.errors)
    statuses = ", ".join(f"{service.error_prefix}{s.name}Error" for s in wire.statuses)
    return (
        f"{service.error_prefix}ApiError: an error status, as the class of that status "
        f"({statuses}); "
        f"documented codes ({table.title} table) carry a {pascal(table.name)}ErrorCode member in "
        f"`.error`."
    )


def client_operation(service: ir.Service, op: ir.Operation) -> RestOperation:
    wire = service.wire
    assert isinstance(wire, ir.RestWire)
    idempotent = op.method in wire.idempotency_methods
    safe = op.method in wire.retry_safe_methods or idempotent
    return RestOperation(idempotent, "_retry_safe" if safe else "_retry_throttled")


def client_options(service: ir.Service, header_clock: bool) -> tuple[Option, ...]:
    """A rate limiter (when the provider sets a limit) and the number of retries."""
    wire = service.wire
    assert isinstance(wire, ir.RestWire)
    options = [CLOCK_OPTION] if header_clock else []
    if wire.rate_limit:
        requests, seconds = wire.rate_limit
        options.append(
            Option(
                "rate_limiter",
                "RateLimiter | None",
                None,
                f"spaces requests out ({requests} per {seconds:g} s by default); pass one to share "
                f"it between clients.",
            )
        )
    options.append(
        Option(
            "max_retries",
            "int",
            wire.retry_attempts - 1,
            "how often a throttled (429) call, or a safe one that timed out or met a gateway "
            "error, is tried again.",
        )
    )
    return tuple(options)


def client_part(service: ir.Service) -> RestClient:
    wire = service.wire
    assert isinstance(wire, ir.RestWire)
    key = wire.idempotency_header
    return RestClient(
        idempotency_header=key,
        safe_reason="The call changes nothing twice: it reads, or sets the same values again"
        + (f", or carries the same {key}" if key else "")
        + ".",
        retries=wire.retry_attempts - 1,
        statuses=sorted(s for s in wire.retry_statuses if s != 429),
        throttled=sorted(s for s in wire.retry_statuses if s == 429),
        safe_methods=list(wire.retry_safe_methods),
    )


# -- the codec's view (_wire.py) -----------------------------------------------------------


@dataclass(frozen=True)
class PathPart:
    """A literal piece of the path, or the request attribute that fills a placeholder."""

    literal: str = ""
    attr: str = ""
    upper: bool = False  # sent upper-cased (sent_uppercase)


@dataclass(frozen=True)
class Parameter:
    """A query or header parameter."""

    wire: str
    attr: str
    required: bool
    many: bool = False
    upper: bool = False  # sent upper-cased (sent_uppercase; list items have no parameters)


def _upper(f: ir.Field) -> bool:
    return isinstance(f.type, ir.Scalar) and bool(f.type.param_map.get("sent_uppercase"))


def _parameter(f: ir.Field) -> Parameter:
    return Parameter(f.wire, f.name, f.required, isinstance(f.type, ir.ListOf), _upper(f))


@dataclass(frozen=True)
class RestOperationWire:
    name: str
    title: str
    method: str
    path: str
    path_parts: tuple[PathPart, ...]
    request_const: str
    request_class: str
    response_class: str
    response_const: str
    query: tuple[Parameter, ...]
    headers: tuple[Parameter, ...]
    body: tuple[FieldCodec, ...]
    has_body: bool
    answer: str  # "root" (a list or a value), "object" or "empty"
    response_root: FieldCodec | None


@dataclass(frozen=True)
class RestWireView:
    error_list: str
    error_code: str
    error_message: str
    shapes: tuple[ShapeCodec, ...]
    decode_shapes: tuple[ShapeCodec, ...]
    enums: tuple[EnumTable, ...]
    operations: tuple[RestOperationWire, ...]
    callback_messages: tuple[CallbackMessage, ...]
    error_imports: list[str]
    model_imports: list[str]
    rest: bool = True  # read by the _runtime/json.py template until the runtime is static


def _key(name: str) -> str:
    return json.dumps(name, ensure_ascii=False) + ":"


def _path_parts(op: ir.Operation) -> tuple[PathPart, ...]:
    parts = []
    for literal, name in re.findall(r"([^{]*)(?:\{([A-Za-z][A-Za-z0-9_]*)\})?", op.path):
        if literal:
            parts.append(PathPart(literal=literal))
        if name:
            f = op.request.field(name)
            assert f is not None
            parts.append(PathPart(attr=f.name, upper=_upper(f)))
    return tuple(parts)


def wire_view(service: ir.Service) -> RestWireView:
    w = service.wire
    assert isinstance(w, ir.RestWire)
    callbacks = callback_shapes(service)
    all_shapes = dependency_order(service, [*service.messages(), *callbacks])
    request_shapes = [
        s
        for s in dependency_order(service, [op.request for op in service.operations])
        if s.role == "shape"
    ]
    answers = answer_shapes(service)
    enums = enum_tables(service, all_shapes, answers)
    operations = []
    for op in service.operations:
        request, response = op.request, op.response
        by_location: dict[str, list[ir.Field]] = {"path": [], "query": [], "header": [], "body": []}
        for f in request.fields:
            by_location[f.location].append(f)
        answer = "root" if response.root is not None else "object" if response.fields else "empty"
        operations.append(
            RestOperationWire(
                name=op.name,
                title=op.title,
                method=op.method,
                path=op.path,
                path_parts=_path_parts(op),
                request_const=constant(snake(request.name)),
                request_class=request.name,
                response_class=response.name,
                response_const=constant(snake(response.name)),
                query=tuple(_parameter(f) for f in by_location["query"]),
                headers=tuple(_parameter(f) for f in by_location["header"]),
                body=fields_codecs(by_location["body"], KINDS, _key),
                has_body=bool(by_location["body"]) and op.method not in ("GET", "DELETE"),
                answer=answer,
                response_root=field_codec(response.root, KINDS, answer=True)
                if response.root
                else None,
            )
        )
    return RestWireView(
        error_list=w.error_list,
        error_code=w.error_code,
        error_message=w.error_message,
        shapes=tuple(
            ShapeCodec(s.name, fields_codecs(s.wire_fields, KINDS, _key), func=snake(s.name))
            for s in request_shapes
        ),
        decode_shapes=tuple(
            ShapeCodec(
                s.name,
                fields_codecs(s.wire_fields, KINDS, _key, answer=s.name in answers),
                const=constant(snake(s.name)),
            )
            for s in all_shapes
            if s.root is None
        ),
        enums=enums,
        operations=tuple(operations),
        callback_messages=callback_messages(callbacks),
        error_imports=sorted(["detail", "status_error", f"{service.error_prefix}ResponseError"]),
        model_imports=sorted(
            {s.name for s in all_shapes} | {e.class_name for e in enums if e.class_name}
        ),
    )


# -- mock --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestMock:
    """The error answer's members (`list` of items with `code` and `message`)."""

    list: str
    code: str
    message: str


def mock_error_answer(service: ir.Service, op: ir.Operation, code: str, message: str) -> Any:
    return None  # errors are HTTP statuses with the documented error list (see rest/mock.j2)


def mock_part(service: ir.Service) -> RestMock:
    wire = service.wire
    assert isinstance(wire, ir.RestWire)
    return RestMock(wire.error_list, wire.error_code, wire.error_message)


# -- docs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthHeaderDoc:
    name: str
    value: str
    optional: bool
    description: str
    ledger: list[str]


@dataclass(frozen=True)
class IdempotencyDoc:
    header: str
    methods: str
    description: str
    ledger: list[str]


@dataclass(frozen=True)
class RateLimitDoc:
    requests: int
    per_seconds: str
    interval_ms: str
    ledger: list[str]


@dataclass(frozen=True)
class RetryDoc:
    retries: int
    statuses: str
    throttled: bool
    safe_methods: str
    ledger: list[str]


@dataclass(frozen=True)
class StatusDoc:
    label: str
    class_name: str
    description: str
    ledger: list[str]


@dataclass(frozen=True)
class ErrorsDoc:
    list: str
    code: str
    message: str
    ledger: tuple[str, ...]
    statuses: tuple[StatusDoc, ...]


@dataclass(frozen=True)
class RestDocs:
    """The README's wire format section (templates/python/protocols/rest/wire.md.j2)."""

    headers: tuple[AuthHeaderDoc, ...]
    one_of: list[str]
    auth_description: str
    auth_ledger: list[str]
    idempotency: IdempotencyDoc | None
    rate_limit: RateLimitDoc | None
    retry: RetryDoc
    errors: ErrorsDoc


def protocol_text(service: ir.Service) -> str:
    return (
        f"rest-json: HTTP methods, paths and query parameters; `{service.wire.content_type}` bodies"
    )


def docs_part(service: ir.Service) -> RestDocs:
    w = service.wire
    assert isinstance(w, ir.RestWire)
    optional = {c.name for c in service.credentials if c.optional}
    return RestDocs(
        headers=tuple(
            AuthHeaderDoc(
                h.name,
                f"`{h.prefix}` + credential `{h.credential}`"
                if h.prefix
                else f"credential `{h.credential}`",
                h.credential in optional,
                h.description,
                list(h.ledger),
            )
            for h in w.auth_headers
        ),
        one_of=list(service.auth_one_of),
        auth_description=service.auth_description,
        auth_ledger=list(service.auth_ledger),
        idempotency=(
            IdempotencyDoc(
                w.idempotency_header,
                ", ".join(w.idempotency_methods),
                w.idempotency_description,
                list(w.idempotency_ledger),
            )
            if w.idempotency_header
            else None
        ),
        rate_limit=(
            RateLimitDoc(
                w.rate_limit[0],
                f"{w.rate_limit[1]:g}",
                f"{1000 * w.rate_limit[1] / w.rate_limit[0]:g}",
                list(w.rate_limit_ledger),
            )
            if w.rate_limit
            else None
        ),
        retry=RetryDoc(
            retries=w.retry_attempts - 1,
            statuses=", ".join(str(s) for s in w.retry_statuses if s != 429),
            throttled=429 in w.retry_statuses,
            safe_methods=", ".join(w.retry_safe_methods),
            ledger=list(w.retry_ledger),
        ),
        errors=ErrorsDoc(
            list=w.error_list,
            code=w.error_code,
            message=w.error_message,
            ledger=w.errors_ledger,
            statuses=tuple(
                StatusDoc(
                    f"{s.status}-{s.up_to}" if s.up_to else str(s.status),
                    f"{service.error_prefix}{s.name}Error",
                    s.description,
                    list(s.ledger),
                )
                for s in w.statuses
            ),
        ),
    )
