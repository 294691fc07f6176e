"""The `json` protocol: one JSON document per call, POSTed to one URL (Billmate): members in a
fixed order (a credentials object, the message, per-operation constants), the message encoded
as the spec says (PHP's json_encode for Billmate) and optionally signed; answers carry their
own signature and an error code at known paths.

Templates: `templates/python/protocols/json/` and `templates/docs/wire_json.md.j2`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import ir
from ..kinds import pattern_problems
from ..metaschema import LEDGER, STR
from ..naming import constant
from ..view.common import (
    CLOCK_OPTION,
    Option,
    answer_shapes,
    callback_shapes,
    dependency_order,
    php_string,
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
    shape_codecs,
)
from . import rpc

if TYPE_CHECKING:
    from ..build.context import Context
    from ..load import Document, PathKey

NAME = "json"
TEMPLATES = "json"
CALLS = "rpc"  # its client, mock and errors: templates/python/protocols/rpc/

# The runtime modules (generator/runtime/) its packages need besides the shared ones, and what
# those modules need installed.
RUNTIME = ("json.py", "phpjson.py", "signing.py")
# jiter: the runtime's JSON parser (_runtime/json.py; float_mode since 0.6)
DEPENDENCIES: tuple[str, ...] = ("jiter>=0.6,<1",)

# Scalar kinds a member of the message can carry -> the codec macro file for them.
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
    "bool_or_date": "bool_or_date",
    "url": "url",
}

# Parameters its codecs have no wire form for (lint refuses them).
REFUSED_PARAMS = {"url": {"percent_encoded": "a URL member travels as its text"}}

_MEMBER: dict[str, Any] = {
    "type": "object",
    "required": ["key"],
    "properties": {
        "key": STR,
        "object": {"const": "credentials"},
        "message": {"const": True},
        "const": STR,
        "credential": STR,
        "signature": {"const": True},
        "option": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "default": STR,
        "values": {"type": "array", "items": STR, "minItems": 1},
        "type": {"enum": ["string", "map"]},
        "clock": {"enum": ["microtime"]},
        "environment": STR,
        "description": STR,
        "ledger": LEDGER,
    },
    "additionalProperties": False,
}

WIRE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["content_type", "encoding", "strings", "body", "result"],
    "properties": {
        "content_type": STR,
        # What the codecs write: PHP's json_encode, every scalar a string. Other settings were
        # accepted and changed only the docs, so they are refused until a codec writes them.
        "encoding": {"enum": ["php"]},
        "strings": {"enum": [True]},
        "text": {
            "type": "object",
            "required": ["pattern", "description"],
            "properties": {"pattern": STR, "description": STR, "ledger": LEDGER},
            "additionalProperties": False,
        },
        "body": {"type": "array", "minItems": 1, "items": _MEMBER},
        "credentials": {"type": "array", "items": _MEMBER},
        "signature": {
            "type": "object",
            "required": ["algorithm", "key", "over", "response"],
            "properties": {
                "algorithm": {"enum": ["hmac-sha512"]},
                "key": STR,
                "over": STR,
                "response": STR,
                "ledger": LEDGER,
            },
            "additionalProperties": False,
        },
        "result": {
            "type": "object",
            "required": ["error_code", "message"],
            "properties": {
                "error_code": {"type": "array", "items": STR, "minItems": 1},
                "message": {"type": "array", "items": STR, "minItems": 1},
                "ledger": LEDGER,
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

# Where a member's value comes from: the key that says so in the spec, in order of precedence.
_SOURCES = (
    "object",
    "message",
    "const",
    "credential",
    "signature",
    "option",
    "clock",
    "environment",
)


def build_wire(
    ctx: Context,
    doc: Document,
    raw: dict[str, Any],
    credentials: set[str],
    environments: list[ir.Environment],
) -> ir.JsonWire | None:
    if not {"content_type", "encoding", "body", "result"} <= set(raw):
        return None
    env_values = [dict(e.values) for e in environments]

    def members(key: str) -> tuple[ir.JsonMember, ...]:
        out = []
        for i, m in enumerate(raw.get(key, [])):
            mpath: PathKey = ("wire", key, i)
            sources = [s for s in _SOURCES if s in m]
            if len(sources) > 1:
                ctx.report(
                    doc,
                    mpath,
                    f"member {m['key']!r}: one of object / message / const / credential / "
                    f"signature / option / clock / environment, not {sources}",
                )
            source = sources[0] if sources else "operation"
            value = m.get(source) if source not in ("message", "signature", "object") else None
            if source == "object":
                source, value = "credentials", None
            if source == "credential" and value not in credentials:
                ctx.report(
                    doc,
                    mpath + ("credential",),
                    f"member {m['key']!r}: no credential named {value!r}",
                )
            if source == "environment" and any(value not in v for v in env_values):
                ctx.report(
                    doc,
                    mpath + ("environment",),
                    f"member {m['key']!r}: every environment needs `values: {{{value}: ...}}`",
                )
            out.append(
                ir.JsonMember(
                    key=m["key"],
                    source=source,
                    value=value if isinstance(value, str) else None,
                    default=m.get("default"),
                    values=tuple(m.get("values", ())),
                    type=m.get("type", "string"),
                    description=m.get("description", ""),
                    ledger=ctx.ledger(doc, mpath + ("ledger",), m.get("ledger")),
                )
            )
        return tuple(out)

    body, creds = members("body"), members("credentials")
    if sum(m.source == "message" for m in body) != 1:
        ctx.report(doc, ("wire", "body"), "the body needs exactly one member with `message: true`")
    if any(m.source == "credentials" for m in body) and not creds:
        ctx.report(
            doc,
            ("wire", "credentials"),
            "the body has a credentials object: list its members under `credentials`",
        )
    signature = None
    if "signature" in raw:
        sig = raw["signature"]
        if sig["key"] not in credentials:
            ctx.report(
                doc, ("wire", "signature", "key"), f"signature: no credential named {sig['key']!r}"
            )
        if sig["over"] not in {m.key for m in body if m.source == "message"}:
            ctx.report(
                doc, ("wire", "signature", "over"), "signature: `over` must name the message member"
            )
        signature = ir.Signature(
            sig["algorithm"],
            sig["key"],
            sig["over"],
            tuple(sig["response"].split(".")),
            ctx.ledger(doc, ("wire", "signature", "ledger"), sig.get("ledger")),
        )
        if not any(m.source == "signature" for m in creds):
            ctx.report(
                doc,
                ("wire", "signature"),
                "a signed protocol needs a credentials member with `signature: true`",
            )
    text = raw.get("text", {})
    if text:
        for why in pattern_problems(text["pattern"]):
            ctx.report(doc, ("wire", "text", "pattern"), f"text pattern {text['pattern']!r} {why}")
    result = raw["result"]
    return ir.JsonWire(
        content_type=raw["content_type"],
        encoding=raw["encoding"],
        strings=bool(raw.get("strings", False)),
        body=body,
        credentials=creds,
        signature=signature,
        result_error_code=tuple(tuple(p.split(".")) for p in result["error_code"]),
        result_message=tuple(tuple(p.split(".")) for p in result["message"]),
        text=text.get("pattern"),
        text_description=text.get("description", ""),
        text_ledger=ctx.ledger(doc, ("wire", "text", "ledger"), text.get("ledger")),
        result_ledger=ctx.ledger(doc, ("wire", "result", "ledger"), result.get("ledger")),
        mark=doc.key_mark(("wire",)),
    )


def check_operation(
    ctx: Context, doc: Document, data: dict[str, Any], request: ir.Shape, response: ir.Shape
) -> None:
    from ..build.operations import refuse_http_keys, refuse_text_answer

    refuse_http_keys(ctx, doc, data, request)
    refuse_text_answer(ctx, doc, data, response)


def callback_problem(body: str, wire: ir.Wire) -> str | None:
    if body == "signed-header":
        return None
    if not isinstance(wire, ir.JsonWire) or wire.signature is None:
        return "signed callbacks need a JSON protocol with a signature"
    return None


def open_constants(wire: ir.Wire) -> set[str]:
    """Body members with no value of their own: each operation gives them (e.g. `function`)."""
    assert isinstance(wire, ir.JsonWire)
    return {m.key for m in wire.body if m.source == "operation"}


def check_answers(ctx: Context, doc: Document, service: ir.Service, op: ir.Operation) -> None:
    if len(op.outcomes) != 1 or op.outcomes[0].code is not None:
        ctx.report(
            doc,
            ("outcomes",),
            f"operation {op.name}: a JSON protocol answer is a result or an error; give one "
            f"outcome with `code: null`",
        )


# -- client ------------------------------------------------------------------------------------

EMPTY_LIST_IS_OBJECT = True  # its senders are PHP: json_encode writes [] for an empty object
WIRE_FORMAT = "JSON"  # how messages name the wire format
ACCEPT = "application/json"


def raises(service: ir.Service, op: ir.Operation) -> str:
    return rpc.raises(service, op)


def client_operation(service: ir.Service, op: ir.Operation) -> rpc.RpcOperation:
    return rpc.client_operation(service, op)


def _clock(wire: ir.JsonWire) -> bool:
    return any(m.source == "clock" for m in wire.credentials)


def client_options(service: ir.Service, header_clock: bool) -> tuple[Option, ...]:
    """The credentials object's client options, signature checking, and a clock when a member
    carries the time."""
    wire = service.wire
    assert isinstance(wire, ir.JsonWire)
    options: list[Option] = []
    for m in wire.credentials:
        if m.source == "option":
            assert m.value is not None
            if m.type == "map":
                options.append(Option(m.value, "Mapping[str, str] | None", None, m.description))
            else:
                annotation = (
                    "Literal[" + ", ".join(repr(v) for v in m.values) + "]" if m.values else "str"
                )
                options.append(Option(m.value, annotation, m.default, m.description))
    if wire.signature is not None:
        options.append(
            Option(
                "verify_signatures",
                "bool",
                True,
                "check the signature of every answer (constant-time); False only on purpose.",
            )
        )
    if header_clock or _clock(wire):
        options.append(CLOCK_OPTION)
    return tuple(options)


def client_part(service: ir.Service) -> rpc.RpcClient:
    """The wire context gets the client's options, the environment's values and the clock."""
    wire = service.wire
    assert isinstance(wire, ir.JsonWire)
    args: list[rpc.ContextArg] = []
    for m in wire.credentials:
        if m.source == "option":
            assert m.value is not None
            args.append(rpc.ContextArg(m.value))
        elif m.source == "environment":
            assert m.value is not None
            args.append(rpc.ContextArg(m.value, from_environment=True))
    if wire.signature is not None:
        args.append(rpc.ContextArg("verify_signatures"))
    if _clock(wire):
        args.append(rpc.ContextArg("clock"))
    return rpc.RpcClient(context_args=tuple(args))


# -- the codec's view (_wire.py) -----------------------------------------------------------


@dataclass(frozen=True)
class CredentialMember:
    """A member of the credentials object, written in the spec's order. `source`: credential,
    signature, const, option, map (an option holding a mapping, sent only when given), clock
    or environment; `key` is the member's key and colon as PHP writes them."""

    key: str
    source: str
    value: str  # the credential, option or environment value's name; a constant's text
    always: bool  # written in every request (else only when the option is given)
    leading: bool  # among the members the list starts with (every one before is always there)


@dataclass(frozen=True)
class BodyMember:
    """A member of the request body: the credentials object, the message, an operation's
    constant (its variable is the key) or a constant."""

    key: str  # the key and colon as written
    source: str
    name: str  # the body member's key
    value: str = ""  # a constant's text


@dataclass(frozen=True)
class ContextField:
    name: str
    annotation: str
    default: object
    required: bool  # no default


@dataclass(frozen=True)
class SignatureView:
    key: str
    over: str
    algorithm: str
    response: tuple[str, ...]
    error_note: str


@dataclass(frozen=True)
class JsonOperation:
    name: str
    title: str
    request_class: str
    response_class: str
    request_const: str
    response_const: str
    fields: tuple[FieldCodec, ...]
    response_fields: tuple[FieldCodec, ...]
    response_root: FieldCodec | None
    text_answer: bool  # the answer may be bare text, or data wrapped as {wrapped_key: text}
    wrapped_key: str | None
    constants: list[str]


@dataclass(frozen=True)
class JsonWireView:
    body_keys: list[str]
    encoding: str
    strings: bool
    message_key: str
    operation_key: str
    operation_members: tuple[str, ...]
    credential_members: tuple[CredentialMember, ...]
    body: tuple[BodyMember, ...]
    request_signature_path: tuple[str, ...]
    signature: SignatureView | None
    context_fields: tuple[ContextField, ...]
    error_code_paths: tuple[tuple[str, ...], ...]
    message_paths: tuple[tuple[str, ...], ...]
    runtime_imports: list[str]
    error_imports: list[str]
    shapes: tuple[ShapeCodec, ...]
    decode_shapes: tuple[ShapeCodec, ...]
    enums: tuple[EnumTable, ...]
    operations: tuple[JsonOperation, ...]
    callback_messages: tuple[CallbackMessage, ...]
    model_imports: list[str]
    rest: bool = False  # read by the _runtime/json.py template until the runtime is static


def _key(name: str) -> str:
    return php_string(name) + ":"


def wire_view(service: ir.Service) -> JsonWireView:
    w = service.wire
    assert isinstance(w, ir.JsonWire)
    message_key = next(m.key for m in w.body if m.source == "message")
    operation_members = [m for m in w.body if m.source == "operation"]
    signature = w.signature
    callbacks = callback_shapes(service)
    all_shapes = dependency_order(service, [*service.messages(), *callbacks])
    nested = [s for s in all_shapes if s.role == "shape"]
    answers = answer_shapes(service)
    enums = enum_tables(service, all_shapes, answers)

    def codecs(shape: ir.Shape) -> tuple[FieldCodec, ...]:
        return shape_codecs(shape, KINDS, _key, answer=shape.name in answers)

    members: list[CredentialMember] = []
    for m in w.credentials:
        source = "map" if m.source == "option" and m.type == "map" else m.source
        value = m.value or ""
        if m.source == "signature":
            assert signature is not None
            value = signature.key
        always = source != "map"
        leading = always and all(c.always for c in members)
        members.append(CredentialMember(_key(m.key), source, value, always, leading))
    body = tuple(BodyMember(_key(m.key), m.source, m.key, m.value or "") for m in w.body)

    context: list[ContextField] = []
    for m in w.credentials:
        if m.source == "option" and m.type == "map":
            context.append(ContextField(m.value or "", "Mapping[str, str] | None", None, False))
        elif m.source == "option":
            context.append(ContextField(m.value or "", "str", m.default, False))
        elif m.source == "environment":
            context.append(ContextField(m.value or "", "str", None, True))
        elif m.source == "clock":
            context.append(ContextField("clock", "Callable[[], datetime] | None", None, False))
    if signature is not None:
        context.append(ContextField("verify_signatures", "bool", True, False))
    context.sort(key=lambda c: not c.required)  # fields without a default first (dataclass order)

    codecs_used = {
        c
        for s in all_shapes
        for f in codecs(s) + ((field_codec(s.root, KINDS, s.name in answers),) if s.root else ())
        for c in (f.codec, f.item_codec)
    }
    runtime: set[str] = set()  # from _runtime.json (obj and php_string come from _runtime.phpjson)
    if "decimal" in codecs_used:
        runtime.add("plain_decimal")
    if "bool_or_date" in codecs_used:
        runtime.add("flag_or_date")

    operations = []
    for op in service.operations:
        constants = dict(op.constants)
        root = op.response.root
        operations.append(
            JsonOperation(
                name=op.name,
                title=op.title,
                request_class=op.request.name,
                response_class=op.response.name,
                request_const=constant(snake(op.request.name)),
                response_const=constant(snake(op.response.name)),
                fields=codecs(op.request),
                response_fields=codecs(op.response),
                response_root=field_codec(root, KINDS, answer=True) if root else None,
                text_answer=op.text_answer is not None,
                wrapped_key=root.name if root else None,
                constants=[constants[m.key] for m in operation_members],
            )
        )
    if signature is not None:
        credentials_key = next(m.key for m in w.body if m.source == "credentials")
        signature_member = next(m.key for m in w.credentials if m.source == "signature")
        request_signature_path: tuple[str, ...] = (credentials_key, signature_member)
    else:
        request_signature_path = ()
    prefix = service.error_prefix
    return JsonWireView(
        body_keys=[m.key for m in w.body],
        encoding=w.encoding,
        strings=w.strings,
        message_key=message_key,
        operation_key=operation_members[0].key if operation_members else "",
        operation_members=tuple(m.key for m in operation_members),
        credential_members=tuple(members),
        body=body,
        request_signature_path=request_signature_path,
        signature=(
            SignatureView(
                signature.key,
                signature.over,
                signature.algorithm,
                signature.response,
                "the provider's own clients report this as a verification error",
            )
            if signature
            else None
        ),
        context_fields=tuple(context),
        error_code_paths=tuple(w.result_error_code),
        message_paths=tuple(w.result_message),
        runtime_imports=sorted(runtime),
        error_imports=sorted(["api_error"] + ([f"{prefix}SignatureError"] if signature else [])),
        shapes=tuple(ShapeCodec(s.name, codecs(s), func=snake(s.name)) for s in nested),
        decode_shapes=tuple(
            ShapeCodec(s.name, codecs(s), const=constant(snake(s.name)))
            for s in all_shapes
            if s.root is None
        ),
        enums=enums,
        operations=tuple(operations),
        callback_messages=callback_messages(callbacks),
        model_imports=sorted(
            {s.name for s in all_shapes} | {e.class_name for e in enums if e.class_name}
        ),
    )


# -- mock --------------------------------------------------------------------------------------


def mock_error_answer(service: ir.Service, op: ir.Operation, code: str, message: str) -> Any:
    return rpc.mock_error_answer(service, op, code, message)


def mock_part(service: ir.Service) -> rpc.RpcMock:
    """The credential member is checked besides the headers; the operation is found by the
    body member every operation gives its own constant (`function`)."""
    wire = service.wire
    assert isinstance(wire, ir.JsonWire)
    json_id = next(
        ((m.key, m.value) for m in wire.credentials if m.source == "credential" and m.value), None
    )
    route_by = next((m.key for m in wire.body if m.source == "operation"), None)
    return rpc.RpcMock(service.mock_unauthorized, service.mock_invalid, [], json_id, route_by)


# -- docs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberDoc:
    key: str
    value: str
    description: str = ""
    ledger: tuple[str, ...] = ()


@dataclass(frozen=True)
class JsonDocs:
    """The README's wire format section (templates/python/protocols/json/wire.md.j2)."""

    strings: bool
    encoding: str
    message_key: str
    body: tuple[MemberDoc, ...]
    credentials: tuple[MemberDoc, ...]
    signature: str | None
    text: str
    result_paths: rpc.ResultPaths


def protocol_text(service: ir.Service) -> str:
    w = service.wire
    assert isinstance(w, ir.JsonWire)
    signed = f", signed ({w.signature.algorithm})" if w.signature else ""
    return f"json: `{w.content_type}` POST of one JSON object{signed}"


def docs_part(service: ir.Service) -> JsonDocs:
    w = service.wire
    assert isinstance(w, ir.JsonWire)
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
            default = (
                f" (default `{m.default}`)" if m.default is not None else " (sent only when given)"
            )
            return f"client option `{m.value}`{default}"
        if m.source == "clock":
            return "the time of the request (PHP microtime)"
        return "per environment: " + ", ".join(
            f"`{dict(e.values).get(m.value or '')}` ({e.name})" for e in service.environments
        )

    signature = None
    if w.signature is not None:
        member = next(m.key for m in w.credentials if m.source == "signature")
        signature = (
            f"`credentials.{member}` is the "
            f"{w.signature.algorithm} (lowercase hex), keyed with the credential "
            f"`{w.signature.key}`, of the "
            f"`{w.signature.over}` member exactly as sent. Answers carry theirs at "
            f"`{'.'.join(w.signature.response)}`; "
            "the client checks it (constant-time) and raises "
            f"`{service.error_prefix}SignatureError` when it does not verify, unless made with "
            f"`verify_signatures=False`."
            + "".join(f" [{lid}](#ledger-{lid})" for lid in w.signature.ledger)
        )
    return JsonDocs(
        strings=w.strings,
        encoding=w.encoding,
        message_key=message_key,
        body=tuple(MemberDoc(m.key, value(m)) for m in w.body),
        credentials=tuple(
            MemberDoc(m.key, value(m), m.description, m.ledger) for m in w.credentials
        ),
        signature=signature,
        text=w.text_description,
        result_paths=rpc.result_paths(w),
    )
