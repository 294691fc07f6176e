"""What every protocol's codec view (`_wire.py`) shares: how each field is written by the
straight-line encoders and read by the decoding tables, and the enums' decoding tables.

A field's codec is named by its protocol (`KINDS`: kind -> codec); the arguments each codec's
`_write` and `_read` macros take are computed here from the kind's parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .. import ir
from ..kinds import DATE_FORMATS
from ..naming import constant, local_name
from .common import enum_const, item_ref, snake

Args = dict[str, Any]


def _date(params: dict[str, Any]) -> tuple[Args, Args]:
    fmt = DATE_FORMATS[params["format"]]
    return {"fstring": fmt["fstring"]}, {"order": fmt["order"]}


def _bool(params: dict[str, Any]) -> tuple[Args, Args]:
    forms = {"wire_true": params["wire_true"], "wire_false": params["wire_false"]}
    return forms, dict(forms)


def _bool_or_date(params: dict[str, Any]) -> tuple[Args, Args]:
    order = DATE_FORMATS[params["format"]]["order"]
    forms = {"wire_true": params["wire_true"], "wire_false": params["wire_false"], "order": order}
    return forms, dict(forms)


def _url(params: dict[str, Any]) -> tuple[Args, Args]:
    encoded = {"percent_encoded": bool(params.get("percent_encoded"))}
    return encoded, dict(encoded)


def _text(params: dict[str, Any]) -> tuple[Args, Args]:
    return ({"upper": True} if params.get("sent_uppercase") else {}), {}


# Codec -> its macros' arguments from the kind's parameters (codecs not listed take none).
_CODEC_ARGS: dict[str, Callable[[dict[str, Any]], tuple[Args, Args]]] = {
    "date": _date,
    "bool": _bool,
    "bool_or_date": _bool_or_date,
    "url": _url,
    "text": _text,
}


@dataclass(frozen=True)
class Codec:
    """A codec of the protocol's `codecs.j2` with the arguments of its two macros."""

    name: str
    write: Args = field(default_factory=dict)
    read: Args = field(default_factory=dict)


def codec(ref: ir.Scalar | ir.EnumRef, kinds: Mapping[str, str], answer: bool = False) -> Codec:
    """`answer`: the value is read from (and, by mocks, written into) an answer, where an enum
    keeps what it does not list."""
    if isinstance(ref, ir.EnumRef):
        if answer:
            return Codec("enum", {"open": True}, {"const": enum_const(ref.enum) + "_OPEN"})
        return Codec("enum", {}, {"const": enum_const(ref.enum)})
    name = kinds[ref.kind]
    args = _CODEC_ARGS.get(name)
    if args is None:
        return Codec(name)
    write, read = args(ref.param_map)
    return Codec(name, write, read)


@dataclass(frozen=True)
class Fallback:
    """A value sent when the field is not given: the media type of another field's file name."""

    attr: str
    types: dict[str, str]


@dataclass(frozen=True)
class FieldCodec:
    """How one field is written and read. `shape` is "scalar" (`codec`), "list" (of shapes, or
    of scalars with `item_codec`), "object" or "derived" (computed from `source_attr`)."""

    wire: str
    attr: str
    local: str  # the encoder's local for an optional value
    required: bool
    shape: str
    only_true: bool = False  # a bool whose False has no wire form is written only when True
    codec: str = ""
    codec_args: Args = field(default_factory=dict)
    decode_args: Args = field(default_factory=dict)
    item_wire: str | None = None
    item_is_shape: bool = False
    item_local: str = "item"  # the loop variable of a list of shapes (per shape, see fields_codecs)
    item_func: str = ""
    item_const: str = ""
    item_codec: str = ""
    item_codec_args: Args = field(default_factory=dict)
    item_decode_args: Args = field(default_factory=dict)
    digest: str = ""
    source_attr: str = ""
    source_local: str = ""
    key_prefix: str = ""  # JSON protocols: the member's key and colon, as written
    fallback: Fallback | None = None


def field_codec(f: ir.Field, kinds: Mapping[str, str], answer: bool = False) -> FieldCodec:
    base = FieldCodec(f.wire, f.name, local_name(f.name), f.required, "scalar")
    t = f.type
    if f.derived is not None:
        return replace(base, shape="derived", digest=f.derived.digest, source_attr=f.derived.of)
    if isinstance(t, ir.ListOf):
        if isinstance(t.item, ir.ShapeRef):
            item = snake(t.item.shape)
            return replace(
                base,
                shape="list",
                item_wire=t.item_wire,
                item_is_shape=True,
                item_func=item,
                item_const=constant(item),
            )
        c = codec(t.item, kinds, answer)
        return replace(
            base,
            shape="list",
            item_wire=t.item_wire,
            item_codec=c.name,
            item_codec_args=c.write,
            item_decode_args=c.read,
        )
    if isinstance(t, ir.ShapeRef):
        item = snake(t.shape)
        return replace(base, shape="object", item_func=item, item_const=constant(item))
    c = codec(t, kinds, answer)
    return replace(
        base,
        codec=c.name,
        codec_args=c.write,
        decode_args=c.read,
        only_true=c.name == "bool" and c.write["wire_false"] is None,
    )


def shape_codecs(
    shape: ir.Shape,
    kinds: Mapping[str, str],
    key_prefix: Callable[[str], str] | None = None,
    answer: bool = False,
) -> tuple[FieldCodec, ...]:
    """Field codecs in wire order, derived fields pointing at their source's attribute;
    `key_prefix` gives JSON members their written key; `answer`: the shape is an answer's."""
    return fields_codecs(shape.wire_fields, kinds, key_prefix, shape, answer)


def fields_codecs(
    fields: Iterable[ir.Field],
    kinds: Mapping[str, str],
    key_prefix: Callable[[str], str] | None = None,
    shape: ir.Shape | None = None,
    answer: bool = False,
) -> tuple[FieldCodec, ...]:
    fields = list(fields)
    names = {f.wire: f.name for f in fields}
    views = []
    loops: dict[str, str] = {}  # the loop variable of each shape listed: one type per name
    for f in fields:
        view = field_codec(f, kinds, answer)
        if view.shape == "list" and view.item_is_shape:
            loop = loops.setdefault(
                view.item_func, "item" if not loops else f"item_{view.item_func}"
            )
            view = replace(view, item_local=loop)
        if f.derived is not None:
            assert shape is not None
            source = shape.field(f.derived.of)
            assert source is not None
            view = replace(view, source_attr=source.name, source_local=local_name(source.name))
        if key_prefix is not None:
            view = replace(view, key_prefix=key_prefix(f.wire))
        if f.fallback_of is not None:
            view = replace(view, fallback=Fallback(names[f.fallback_of], dict(f.fallback_types)))
        views.append(view)
    return tuple(views)


@dataclass(frozen=True)
class EnumTable:
    const: str
    choices: list[str]  # written as a list literal
    aliases: dict[str, str]
    class_name: str = ""  # an answer's table (open): reads documented values as this enum's members


def enum_tables(
    service: ir.Service, shapes: Iterable[ir.Shape], answers: set[str] | None = None
) -> tuple[EnumTable, ...]:
    """The decoding table of every enum the shapes use, sorted by name: closed ones for what
    requests carry, open ones (`_OPEN`) for the enums of the shapes named in `answers`."""
    closed: set[str] = set()
    opened: set[str] = set()
    for s in shapes:
        for f in s.wire_fields + ((s.root,) if s.root else ()):
            ref = item_ref(f)
            if isinstance(ref, ir.EnumRef):
                (opened if answers is not None and s.name in answers else closed).add(ref.enum)
    tables = []
    for name in sorted(closed | opened):
        enum = service.enum(name)
        choices, aliases = sorted(v.wire for v in enum.values), dict(enum.decode_aliases)
        if name in closed:
            tables.append(EnumTable(enum_const(name), choices, aliases))
        if name in opened:
            tables.append(EnumTable(enum_const(name) + "_OPEN", choices, aliases, class_name=name))
    return tuple(tables)


@dataclass(frozen=True)
class DerivedCheck:
    wire: str
    digest: str
    of: str


@dataclass(frozen=True)
class ShapeCodec:
    """A shape's encoder (`func`) or decoding table (`const`)."""

    class_name: str
    fields: tuple[FieldCodec, ...]
    func: str = ""
    const: str = ""
    derived: tuple[DerivedCheck, ...] = ()


@dataclass(frozen=True)
class CallbackMessage:
    func: str
    class_name: str
    const: str


def callback_messages(shapes: Iterable[ir.Shape]) -> tuple[CallbackMessage, ...]:
    return tuple(
        CallbackMessage(snake(name), name, constant(snake(name)))
        for name in sorted({s.name for s in shapes})
    )
