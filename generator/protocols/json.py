"""The `json` protocol: one JSON document per call, POSTed to one URL (Billmate): members in a
fixed order (a credentials object, the message, per-operation constants), the message encoded
as the spec says (PHP's json_encode for Billmate) and optionally signed; answers carry their
own signature and an error code at known paths.

Templates: `templates/python/protocols/json/` and `templates/docs/wire_json.md.j2`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import ir
from ..view.client import CLOCK_OPTION, Option
from . import rpc
from ..kinds import pattern_problems
from ..metaschema import LEDGER, STR

if TYPE_CHECKING:
    from ..build.context import Context
    from ..load import Document, PathKey

NAME = "json"
TEMPLATES = "json"
CALLS = "rpc"  # its client, mock and errors: templates/python/protocols/rpc/

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
    "date": "date",
    "bool": "bool",
    "bool_or_date": "bool_or_date",
    "url": "url",
}

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
    "required": ["content_type", "encoding", "body", "result"],
    "properties": {
        "content_type": STR,
        "encoding": {"enum": ["php", "standard"]},
        "strings": {"type": "boolean"},
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
_SOURCES = ("object", "message", "const", "credential", "signature", "option", "clock", "environment")


def build_wire(
    ctx: Context, doc: Document, raw: dict[str, Any], credentials: set[str], environments: list[ir.Environment]
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
                ctx.report(doc, mpath, f"member {m['key']!r}: one of object / message / const / credential / signature / option / clock / environment, not {sources}")
            source = sources[0] if sources else "operation"
            value = m.get(source) if source not in ("message", "signature", "object") else None
            if source == "object":
                source, value = "credentials", None
            if source == "credential" and value not in credentials:
                ctx.report(doc, mpath + ("credential",), f"member {m['key']!r}: no credential named {value!r}")
            if source == "environment" and any(value not in v for v in env_values):
                ctx.report(doc, mpath + ("environment",), f"member {m['key']!r}: every environment needs `values: {{{value}: ...}}`")
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
        ctx.report(doc, ("wire", "credentials"), "the body has a credentials object: list its members under `credentials`")
    signature = None
    if "signature" in raw:
        sig = raw["signature"]
        if sig["key"] not in credentials:
            ctx.report(doc, ("wire", "signature", "key"), f"signature: no credential named {sig['key']!r}")
        if sig["over"] not in {m.key for m in body if m.source == "message"}:
            ctx.report(doc, ("wire", "signature", "over"), "signature: `over` must name the message member")
        signature = ir.Signature(
            sig["algorithm"], sig["key"], sig["over"], tuple(sig["response"].split(".")),
            ctx.ledger(doc, ("wire", "signature", "ledger"), sig.get("ledger")),
        )
        if not any(m.source == "signature" for m in creds):
            ctx.report(doc, ("wire", "signature"), "a signed protocol needs a credentials member with `signature: true`")
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
    )


def check_operation(ctx: Context, doc: Document, data: dict[str, Any], request: ir.Shape, response: ir.Shape) -> None:
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
        ctx.report(doc, ("outcomes",), f"operation {op.name}: a JSON protocol answer is a result or an error; give one outcome with `code: null`")


# -- client ------------------------------------------------------------------------------------

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
                annotation = "Literal[" + ", ".join(repr(v) for v in m.values) + "]" if m.values else "str"
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
