"""The `xml` protocol: one XML document per request, POSTed as the body (Billink,
Inkassogram): an envelope of fixed elements, then the message's elements in spec order;
answers carry a result code and message at known paths.

Templates: `templates/python/protocols/xml/` (codec `_wire.py.j2`, the client, mock and errors
macros) and `templates/docs/wire_xml.md.j2`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import ir
from ..metaschema import LEDGER, STR
from ..naming import constant
from ..view.common import CLOCK_OPTION, Option, answer_shapes, dependency_order, snake
from ..view.wire import DerivedCheck, EnumTable, FieldCodec, ShapeCodec, enum_tables, shape_codecs
from . import rpc

if TYPE_CHECKING:
    from ..build.context import Context
    from ..load import Document, PathKey

NAME = "xml"
TEMPLATES = "xml"
CALLS = "rpc"  # its client, mock and errors: templates/python/protocols/rpc/

# The runtime modules (generator/runtime/) its packages need besides the shared ones, and what
# those modules need installed.
RUNTIME = ("xml.py",)
DEPENDENCIES: tuple[str, ...] = ("lxml>=5",)

# Scalar kinds an XML element can carry -> the codec macro file that writes and reads them.
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
    "unix_time": "unix_time",
    "base64": "base64",
    "url": "url",
}

# Every parameter of those kinds has its wire form here.
REFUSED_PARAMS: Mapping[str, Mapping[str, str]] = {}

WIRE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["root", "declaration", "content_type", "envelope", "result"],
    "properties": {
        "root": STR,
        "namespace": {"type": "string", "pattern": "^https?://"},
        "request_element": STR,
        "response_element": STR,
        "xsd": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+\\.xsd$"},
        "headers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[A-Za-z0-9-]+$"},
                    "credential": STR,
                    "digest": {"enum": ["md5"]},
                    "of": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "properties": {
                                "credential": STR,
                                "date": {"enum": ["YYYYMMDD"]},
                                "timezone": STR,
                            },
                            "additionalProperties": False,
                            "oneOf": [
                                {"required": ["credential"]},
                                {"required": ["date", "timezone"]},
                            ],
                        },
                    },
                    "description": STR,
                    "ledger": LEDGER,
                },
                "additionalProperties": False,
                "oneOf": [{"required": ["credential"]}, {"required": ["digest", "of"]}],
            },
        },
        "declaration": {"type": "string", "pattern": "^<\\?xml .*\\?>$"},
        "content_type": STR,
        "envelope": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["wire"],
                "properties": {
                    "wire": STR,
                    "const": STR,
                    "credential": STR,
                    "ledger": LEDGER,
                    "in_response": {"type": "boolean"},
                },
                "additionalProperties": False,
                "not": {"required": ["const", "credential"]},
            },
        },
        "result": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "array", "items": STR, "minItems": 1},
                "message": {"type": "array", "items": STR, "minItems": 1},
                "error_code": {"type": "array", "items": STR, "minItems": 1},
                "item_code": STR,
                "item_message": STR,
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
) -> ir.XmlWire | None:
    if not {"root", "declaration", "content_type", "envelope", "result"} <= set(raw):
        return None
    envelope = []
    for i, entry in enumerate(raw["envelope"]):
        if "credential" in entry and entry["credential"] not in credentials:
            ctx.report(
                doc,
                ("wire", "envelope", i, "credential"),
                f"envelope {entry['wire']}: no credential named {entry['credential']!r}",
            )
        envelope.append(
            ir.EnvelopeEntry(
                entry["wire"],
                entry.get("const"),
                entry.get("credential"),
                ctx.ledger(doc, ("wire", "envelope", i, "ledger"), entry.get("ledger")),
                bool(entry.get("in_response", False)),
            )
        )
    headers = []
    for i, h in enumerate(raw.get("headers", [])):
        hpath: PathKey = ("wire", "headers", i)
        parts = []
        for j, part in enumerate(h.get("of", [])):
            if "credential" in part and part["credential"] not in credentials:
                ctx.report(
                    doc,
                    hpath + ("of", j, "credential"),
                    f"header {h['name']}: no credential named {part['credential']!r}",
                )
            parts.append(
                ir.DigestPart(part.get("credential"), part.get("date"), part.get("timezone"))
            )
        if "credential" in h and h["credential"] not in credentials:
            ctx.report(
                doc,
                hpath + ("credential",),
                f"header {h['name']}: no credential named {h['credential']!r}",
            )
        headers.append(
            ir.Header(
                h["name"],
                h.get("credential"),
                h.get("digest"),
                tuple(parts),
                h.get("description", ""),
                ctx.ledger(doc, hpath + ("ledger",), h.get("ledger")),
            )
        )
    if "xsd" in raw and not (ctx.sources.provider_dir / raw["xsd"]).is_file():
        ctx.report(
            doc,
            ("wire", "xsd"),
            f"XSD file {raw['xsd']!r} does not exist in {ctx.sources.display_dir}",
        )
    result = raw["result"]
    return ir.XmlWire(
        root=raw["root"],
        namespace=raw.get("namespace"),
        request_element=raw.get("request_element"),
        response_element=raw.get("response_element"),
        xsd=raw.get("xsd"),
        headers=tuple(headers),
        result_error_code=tuple(tuple(p.split(".")) for p in result.get("error_code", [])),
        declaration=raw["declaration"],
        content_type=raw["content_type"],
        envelope=tuple(envelope),
        result_code=tuple(tuple(p.split(".")) for p in result["code"]),
        result_message=tuple(tuple(p.split(".")) for p in result["message"]),
        item_code=result.get("item_code"),
        item_message=result.get("item_message"),
        mark=doc.key_mark(("wire",)),
    )


def check_operation(
    ctx: Context, doc: Document, data: dict[str, Any], request: ir.Shape, response: ir.Shape
) -> None:
    """No HTTP keys or text answers; a list of scalars names the element of its items."""
    from ..build.operations import fields_to_check, refuse_http_keys, refuse_text_answer
    from ..load import Problem

    refuse_http_keys(ctx, doc, data, request)
    refuse_text_answer(ctx, doc, data, response)
    for f in fields_to_check(ctx, request, response):
        if (
            isinstance(f.type, ir.ListOf)
            and not isinstance(f.type.item, ir.ShapeRef)
            and f.type.item_wire is None
            and f.mark is not None
        ):
            ctx.problems.append(
                Problem(
                    f.mark,
                    f"field {f.wire!r}: an XML list of scalars needs 'item_wire' (the element each "
                    f"item is written in)",
                )
            )


def callback_problem(body: str, wire: ir.Wire) -> str | None:
    if body == "signed-header":
        return "signed-header callbacks carry JSON; the protocol is XML"
    return "signed callbacks need a JSON protocol with a signature"


def open_constants(wire: ir.Wire) -> set[str]:
    """Envelope elements with neither a constant nor a credential: each operation gives them."""
    return {e.wire for e in wire.envelope if e.const is None and e.credential is None}


def check_answers(ctx: Context, doc: Document, service: ir.Service, op: ir.Operation) -> None:
    """The response holds the result code and message where the wire says answers carry them,
    and an outcome judged per item has a returned list whose items carry the item code."""
    from ..build.context import resolve_fields

    wire = service.wire
    for paths, what in (
        (wire.result_code, "code"),
        (wire.result_message, "message"),
        (wire.error_code_paths, "error code"),
    ):
        if not any(resolve_fields(ctx, op.response, ".".join(p)) for p in paths):
            ctx.report(
                doc,
                ("response",),
                f"{op.response.name} holds none of the result {what} paths "
                f"{['.'.join(p) for p in paths]}",
            )
    code_field = wire.item_code
    for outcome in op.outcomes:
        if not outcome.item_success:
            continue
        if code_field is None:
            ctx.report(
                doc,
                ("outcomes",),
                f"outcome {outcome.name}: item_success needs wire.result.item_code in service.yaml",
            )
            continue
        for _attr, path in outcome.returns:
            chain = resolve_fields(ctx, op.response, ".".join(path))
            if chain and isinstance(chain[-1].type, ir.ListOf):
                item = chain[-1].type.item
                shape = ctx.shapes.get(item.shape) if isinstance(item, ir.ShapeRef) else None
                if shape is None or shape.field(code_field) is None:
                    ctx.report(
                        doc,
                        ("outcomes",),
                        f"outcome {outcome.name}: items of {'.'.join(path)} have no {code_field} "
                        f"to judge item_success by",
                    )


# -- client ------------------------------------------------------------------------------------

EMPTY_LIST_IS_OBJECT = False
WIRE_FORMAT = "XML"  # how messages name the wire format
ACCEPT = "text/xml, application/xml"


def raises(service: ir.Service, op: ir.Operation) -> str:
    return rpc.raises(service, op)


def client_operation(service: ir.Service, op: ir.Operation) -> rpc.RpcOperation:
    return rpc.client_operation(service, op)


def client_options(service: ir.Service, header_clock: bool) -> tuple[Option, ...]:
    """A clock for a daily header key; XSD validation when the spec ships an XSD."""
    options = [CLOCK_OPTION] if header_clock else []
    if service.wire.xsd:
        options.append(
            Option(
                "validate_xsd",
                "bool",
                False,
                "validate every request against the shipped XSD before sending it.",
            )
        )
    return tuple(options)


def client_part(service: ir.Service) -> rpc.RpcClient:
    return rpc.RpcClient(xsd=bool(service.wire.xsd))


# -- the codec's view (_wire.py) -----------------------------------------------------------


@dataclass(frozen=True)
class EnvelopeElement:
    """An element every request (or answer) starts with: a constant's text, already escaped,
    or a credential."""

    wire: str
    text: str | None = None
    credential: str | None = None


@dataclass(frozen=True)
class XmlOperation:
    name: str
    title: str
    request_class: str
    response_class: str
    request_const: str
    response_const: str
    envelope: tuple[EnvelopeElement, ...]
    response_envelope: tuple[EnvelopeElement, ...]
    extra_fields: list[str]
    fields: tuple[FieldCodec, ...]
    response_fields: tuple[FieldCodec, ...]


@dataclass(frozen=True)
class XmlWireView:
    root: str
    root_open: str
    namespace: str | None
    request_element: str | None
    response_element: str | None
    uses: list[str]  # helpers the encoders need: base64_text, md5_hex, quote
    declaration: str
    envelope_names: list[str]
    shapes: tuple[ShapeCodec, ...]
    decode_shapes: tuple[ShapeCodec, ...]
    enums: tuple[EnumTable, ...]
    operations: tuple[XmlOperation, ...]
    model_imports: list[str]


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _uses(fields: Iterable[FieldCodec], helper: str) -> bool:
    """Whether the encoders of these fields need a helper (for the module's imports)."""
    if helper == "base64_text":
        return any(f.codec == "base64" for f in fields)
    if helper == "md5_hex":
        return any(f.shape == "derived" for f in fields)
    return any(f.codec == "url" and f.codec_args.get("percent_encoded") for f in fields)


def wire_view(service: ir.Service) -> XmlWireView:
    w = service.wire
    assert isinstance(w, ir.XmlWire)
    all_shapes = dependency_order(service, service.messages())
    nested = [s for s in all_shapes if s.role == "shape"]
    answers = answer_shapes(service)
    operations = []
    for op in service.operations:
        constants = dict(op.constants)

        def element(e: ir.EnvelopeEntry) -> EnvelopeElement:
            if e.credential is not None:
                return EnvelopeElement(e.wire, credential=e.credential)
            return EnvelopeElement(
                e.wire, text=_escaped(e.const if e.const is not None else constants[e.wire])
            )

        operations.append(
            XmlOperation(
                name=op.name,
                title=op.title,
                request_class=op.request.name,
                response_class=op.response.name,
                request_const=constant(snake(op.request.name)),
                response_const=constant(snake(op.response.name)),
                envelope=tuple(element(e) for e in w.envelope),
                response_envelope=tuple(
                    element(e) for e in w.envelope if e.in_response and e.credential is None
                ),
                extra_fields=[e.wire for e in op.extra_fields],
                fields=shape_codecs(op.request, KINDS),
                response_fields=shape_codecs(op.response, KINDS, answer=True),
            )
        )
    encoded = [f for op in operations for f in op.fields + op.response_fields] + [
        f for s in nested for f in shape_codecs(s, KINDS, answer=s.name in answers)
    ]
    return XmlWireView(
        root=w.root,
        root_open=f'<{w.root} xmlns="{w.namespace}">' if w.namespace else f"<{w.root}>",
        namespace=w.namespace,
        request_element=w.request_element,
        response_element=w.response_element,
        uses=[c for c in ("base64_text", "md5_hex", "quote") if _uses(encoded, c)],
        declaration=w.declaration,
        envelope_names=[e.wire for e in w.envelope],
        shapes=tuple(
            ShapeCodec(s.name, shape_codecs(s, KINDS, answer=s.name in answers), func=snake(s.name))
            for s in nested
        ),
        decode_shapes=tuple(
            ShapeCodec(
                s.name,
                shape_codecs(s, KINDS, answer=s.name in answers),
                const=constant(snake(s.name)),
                derived=tuple(
                    DerivedCheck(f.wire, f.derived.digest, f.derived.of)
                    for f in s.wire_fields
                    if f.derived
                ),
            )
            for s in all_shapes
        ),
        enums=(enums := enum_tables(service, all_shapes, answers)),
        operations=tuple(operations),
        model_imports=sorted(
            {op.request.name for op in service.operations}
            | {op.response.name for op in service.operations}
            | {s.name for s in nested}
            | {e.class_name for e in enums if e.class_name}
        ),
    )


# -- mock --------------------------------------------------------------------------------------


def mock_error_answer(service: ir.Service, op: ir.Operation, code: str, message: str) -> Any:
    return rpc.mock_error_answer(service, op, code, message)


def mock_part(service: ir.Service) -> rpc.RpcMock:
    """Credentials in envelope elements are checked besides the headers."""
    wire = service.wire
    assert isinstance(wire, ir.XmlWire)
    envelope = [(e.wire, e.credential) for e in wire.envelope if e.credential]
    return rpc.RpcMock(service.mock_unauthorized, service.mock_invalid, envelope)


# -- docs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvelopeDoc:
    wire: str
    value: str


@dataclass(frozen=True)
class HeaderDoc:
    name: str
    value: str
    description: str
    ledger: list[str]


@dataclass(frozen=True)
class XmlDocs:
    """The README's wire format section (templates/python/protocols/xml/wire.md.j2)."""

    envelope: tuple[EnvelopeDoc, ...]
    headers: tuple[HeaderDoc, ...]
    result_paths: rpc.ResultPaths


def protocol_text(service: ir.Service) -> str:
    w = service.wire
    assert isinstance(w, ir.XmlWire)
    return f"xml: `{w.content_type}` POST of a `<{w.root}>` document"


def _header_doc(h: ir.Header) -> HeaderDoc:
    if h.credential:
        value = f"credential `{h.credential}`"
    else:
        parts = [
            f"`{p.credential}`" if p.credential else f"today's date as {p.date} in {p.timezone}"
            for p in h.parts
        ]
        value = f"{h.digest}({' + '.join(parts)}), lowercase hex"
    return HeaderDoc(h.name, value, h.description, list(h.ledger))


def docs_part(service: ir.Service) -> XmlDocs:
    w = service.wire
    assert isinstance(w, ir.XmlWire)
    envelope = tuple(
        EnvelopeDoc(
            e.wire,
            f"`{e.const}`"
            if e.const
            else (f"credential `{e.credential}`" if e.credential else "per operation"),
        )
        for e in w.envelope
    )
    return XmlDocs(envelope, tuple(_header_doc(h) for h in w.headers), rpc.result_paths(w))
