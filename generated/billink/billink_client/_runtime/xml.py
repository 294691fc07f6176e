# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""XML on the wire: escaping on the way out, hardened parsing and table-driven decoding in.

Encoders are generated straight-line code (see ``_wire.py``); they only need `escape` and
`plain_decimal` from here. Decoding walks a parsed element against a `Shape` table and returns
a dict keyed by wire names, with typed leaf values, ready for ``Model.model_validate``.

Parsing refuses anything with a document type declaration (the door to entity expansion and
external entity attacks), never resolves entities, never touches the network and limits depth.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from urllib.parse import unquote

from lxml import etree

MAX_DEPTH = 32


class XmlError(ValueError):
    """The XML is not well-formed, not allowed, or does not match the expected shape."""

    def __init__(self, reason: str, path: str = "") -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)

    def within(self, where: str) -> XmlError:
        """The same fault with its path (relative to an element) put under `where`, the path
        of that element: decoding builds a path only when a fault travels up, not per element."""
        return XmlError(self.reason, f"{where}.{self.path}" if self.path else where)


def escape(text: str) -> str:
    """Escape text for an XML element's content. A CR becomes a character reference: parsers
    read a literal CR (or CR LF) as LF, so it would not come back."""
    if "&" in text or "<" in text or ">" in text or "\r" in text:  # most text has none: no copies
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text.replace("\r", "&#13;")
    return text


def plain_decimal(value: Decimal | int) -> str:
    """A decimal in plain notation: Decimal("1E+2") is "100", Decimal("9.950") stays "9.950"."""
    text = str(value)  # str() is plain already unless it has an exponent, and much faster
    return format(value, "f") if "E" in text else text


def base64_text(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def md5_hex(value: bytes) -> str:
    """The MD5 digest of binary data, lowercase hex (a checksum the provider asks for)."""
    return hashlib.md5(value, usedforsecurity=False).hexdigest()


_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            collect_ids=False,  # no xml:id table: nothing looks elements up by id
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def parse(body: bytes) -> etree._Element:
    """Parse untrusted XML, refusing DTDs and entity declarations outright."""
    # Both declarations hold a "!", which few answers have: one memchr decides for most, and
    # the search runs only where there is one (two substring scans cost more than the rest).
    # A declaration in an encoding other than ASCII's is refused after the parse, below.
    if body.find(b"!") >= 0 and _DECLARATION.search(body):
        raise XmlError("document type declarations are not accepted (entity attack guard)")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"not well-formed XML ({exc.msg})") from None
    except ValueError as exc:  # e.g. a unicode string with an encoding declaration
        raise XmlError(f"not parseable as XML ({exc})") from None
    # libxml2 keeps an internal subset for every declaration, with or without [...] or an
    # external id (lxml's docinfo.doctype is read from it), so this one check finds them all.
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmlError("document type declarations are not accepted (entity attack guard)")
    return root


# -- leaf decoders: element text -> Python value ------------------------------------------

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DMY = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
_YMD = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def text(raw: str) -> str:
    return raw


def integer(raw: str) -> int:
    if raw.isdigit() and raw.isascii():  # the usual text, without the pattern's call
        return int(raw)
    if not _INTEGER.fullmatch(raw):
        raise ValueError("expected a whole number")
    return int(raw)


def decimal(raw: str) -> Decimal:
    if not _DECIMAL.fullmatch(raw):
        raise ValueError("expected a decimal number such as 9.95")
    return Decimal(raw)


def date_dmy(raw: str) -> date:
    m = _DMY.fullmatch(raw)
    if not m:
        raise ValueError("expected a date as DD-MM-YYYY")
    return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))


def date_ymd(raw: str) -> date:
    m = _YMD.fullmatch(raw)
    if not m:
        raise ValueError("expected a date as YYYY-MM-DD")
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def boolean(wire_true: str, wire_false: str | None) -> Callable[[str], bool]:
    """A decoder for a bool's wire forms."""

    def decode(raw: str) -> bool:
        if raw == wire_true:
            return True
        if wire_false is not None and raw == wire_false:
            return False
        forms = " or ".join(repr(f) for f in (wire_true, wire_false) if f is not None)
        raise ValueError(f"expected {forms}")

    return decode


def percent_decoded(raw: str) -> str:
    return unquote(raw, errors="strict")


def enum_of(values: frozenset[str], aliases: Mapping[str, str]) -> Callable[[str], str]:
    """A decoder that accepts the enum's wire values and maps documented aliases onto them."""

    def decode(raw: str) -> str:
        value = aliases.get(raw, raw)
        if value not in values:
            raise ValueError(f"expected one of {', '.join(sorted(values))}")
        return value

    return decode


def open_enum(enum: type[Enum], aliases: Mapping[str, str]) -> Callable[[str], object]:
    """A decoder for answers: a documented value (or alias) becomes its enum member, any other
    text is kept as it is, so an answer naming a status the document does not list is read,
    not thrown away."""

    members: dict[str, object] = {member.value: member for member in enum}
    members.update({alias: members[value] for alias, value in aliases.items() if value in members})

    def decode(raw: str) -> object:
        return members.get(raw, raw)  # what enum(aliases.get(raw, raw)) is, or the text

    return decode


# -- shape tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """A scalar element. Text kinds keep their text as is; others are stripped, and an
    empty element counts as absent (in an answer, an empty text element too)."""

    decode: Callable[[str], object]
    is_text: bool = False


@dataclass(frozen=True)
class Node:
    """A nested structure."""

    shape: Shape


@dataclass(frozen=True)
class Many:
    """A repeated value: `<CONTAINER><ITEM/>...</CONTAINER>` when `item_tag` is set."""

    item: Leaf | Node
    item_tag: str | None = None


@dataclass(frozen=True)
class Derived:
    """A value the sender computes from another field (`digest` of `of`); checked and dropped."""

    wire: str
    digest: str
    of: str


@dataclass(frozen=True)
class Shape:
    """A message or structure: its elements by local name. `namespace` is the one its elements
    are expected in; `by_tag` finds them by the tag lxml reports ("{namespace}name")."""

    name: str
    fields: Mapping[str, Leaf | Node | Many] = field(default_factory=dict)
    derived: tuple[Derived, ...] = ()
    namespace: str | None = None
    by_tag: Mapping[object, tuple[str, Leaf | Node | Many, int]] = field(  # any lxml tag
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        prefix = "{" + self.namespace + "}" if self.namespace else ""
        index = {prefix + name: (name, spec, _kind(spec)) for name, spec in self.fields.items()}
        object.__setattr__(self, "by_tag", index)


# What `decode` does with an element, decided once per field when a Shape is built: most
# answer elements are text kept as it is, read inline without a call.
_TEXT, _LEAF, _NODE, _MANY, _UNKNOWN = range(5)


def _kind(spec: Leaf | Node | Many) -> int:
    if isinstance(spec, Leaf):
        return _TEXT if spec.is_text and spec.decode is text else _LEAF
    return _NODE if isinstance(spec, Node) else _MANY


def _tag(element: etree._Element, path: str = "") -> str:
    """The local name ("{ns}name" -> "name"); read off the tag string, which is several times
    faster than building an etree.QName for every element. `path`: where it is, for errors."""
    tag = element.tag
    if not isinstance(tag, str):  # not an element (the parser drops comments and PIs)
        raise XmlError("unexpected node in the document", path)
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


def _namespace(element: etree._Element) -> str | None:
    tag = element.tag
    if not isinstance(tag, str):
        raise XmlError("unexpected node in the document")
    return tag[1 : tag.index("}")] if tag[:1] == "{" else None


def _check_derived(result: dict[str, object], shape: Shape, path: str) -> None:
    for d in shape.derived:
        given = result.pop(d.wire, None)
        source = result.get(d.of)
        if given is None or source is None:
            continue
        try:
            data = base64.b64decode(str(source), validate=True)
        except (binascii.Error, ValueError):
            continue  # the field's own validation reports bad base64
        if d.digest == "md5" and given != md5_hex(data):
            raise XmlError(
                f"{d.wire} is not the MD5 of {d.of}", f"{path}.{d.wire}" if path else d.wire
            )


def _leaf(element: etree._Element, leaf: Leaf, path: str = "") -> object:
    """The value of a text element at `path` (relative: where its faults are reported)."""
    if len(element):
        raise XmlError("expected text, found child elements", path)
    raw = element.text or ""
    if not leaf.is_text:
        raw = raw.strip()
        if raw == "":
            return None
    try:
        return leaf.decode(raw)
    except ValueError as exc:
        raise XmlError(str(exc), path) from None


def _value(element: etree._Element, spec: Leaf | Node, strict: bool, depth: int) -> object:
    """An item of a list: a leaf's value or a structure's dict (faults relative to the item)."""
    if isinstance(spec, Leaf):
        return _leaf(element, spec)
    return _decode(element, spec.shape, strict, depth + 1, ())


def _check_namespace(element: etree._Element, parent: etree._Element, path: str) -> None:
    found, expected = _namespace(element), _namespace(parent)
    if found != expected:
        raise XmlError(f"<{_tag(element)}> is in namespace {found!r}, expected {expected!r}", path)


def read(
    body: bytes,
    *,
    root: str,
    namespace: str | None,
    element: str | None,
    shape: Shape,
    envelope: tuple[str, ...],
    strict: bool,
    want_envelope: bool = True,
) -> tuple[dict[str, str], dict[str, object]]:
    """Parse a whole document: its envelope elements (name -> text) and its message data.

    The message is the root's own children, or the single child named `element` (with the
    envelope beside it). Without `want_envelope` the envelope is not read ({} is returned).
    """
    top = parse(body)
    if top.tag != (root if namespace is None else "{" + namespace + "}" + root):
        expected = f"<{root}>" + (f" in namespace {namespace}" if namespace else "")
        actual = f"<{_tag(top)}>" + (f" in namespace {_namespace(top)}" if _namespace(top) else "")
        raise XmlError(f"expected a {expected} document, found {actual}")
    found: dict[str, str] = {}
    message = top if element is None else None
    for child in top if want_envelope or strict or element is not None else ():
        tag = _tag(child)
        if strict and _namespace(child) != namespace:
            raise XmlError(
                f"<{tag}> is in namespace {_namespace(child)!r}, expected {namespace!r}", tag
            )
        if tag in envelope:
            if strict and len(child):
                raise XmlError("expected text, found child elements", tag)
            found[tag] = child.text or ""
        elif element is not None and tag == element:
            if message is not None:
                raise XmlError(f"<{element}> appears twice", tag)
            message = child
        elif element is not None and strict:
            raise XmlError(f"unexpected element <{tag}> in <{root}>", tag)
    if message is None:
        raise XmlError(f"the document has no <{element}>")
    return found, _decode(message, shape, strict, 0, envelope if element is None else ())


def decode(
    element: etree._Element,
    shape: Shape,
    *,
    strict: bool,
    path: str = "",
    depth: int = 0,
    skip: tuple[str, ...] = (),
) -> dict[str, object]:
    """Decode `element` (at `path`, for faults) as `shape` into a wire-keyed dict.

    `strict` (requests) refuses unknown or repeated elements; otherwise (responses) unknown
    elements are ignored and an empty element (``<CODE/>``) counts as absent, as if it were not
    there, whatever its kind. Elements named in `skip` (an envelope) are left to the caller.
    Text between elements, text in a structure, a repeated element and nesting deeper than
    MAX_DEPTH are refused either way.
    """
    try:
        return _decode(element, shape, strict, depth, skip)
    except XmlError as exc:
        if path:
            raise exc.within(path) from None
        raise


def _decode(
    element: etree._Element, shape: Shape, strict: bool, depth: int, skip: tuple[str, ...]
) -> dict[str, object]:
    """`decode`, its faults' paths relative to `element`. This runs for every structure of
    every answer: an element is found by the tag lxml reports, in one lookup (the local name is
    taken apart only for the rest), its kind was decided when the table was built, and a path
    is written only when a fault passes through (`XmlError.within`)."""
    if depth > MAX_DEPTH:
        raise XmlError("nesting too deep")
    content = element.text
    if content and not content.isspace():
        raise XmlError(f"unexpected text in <{_tag(element)}>")
    result: dict[str, object] = {}
    by_tag, fields = shape.by_tag, shape.fields
    spec: Leaf | Node | Many | None
    for child in element:
        known = by_tag.get(child.tag)
        if known is not None:
            tag, spec, kind = known
        else:
            tag = _tag(child)
            spec = fields.get(tag)  # e.g. in another namespace (strict mode refuses it below)
            kind = _UNKNOWN if spec is None else _kind(spec)
        tail = child.tail
        if tail and not tail.isspace():
            raise XmlError("unexpected text between elements", tag)
        if strict:
            _check_namespace(child, element, tag)
        if skip and tag in skip:
            continue
        if kind == _TEXT:  # the usual element, inline: what _leaf does for a text kind
            if len(child):
                raise XmlError("expected text, found child elements", tag)
            if tag in result:
                raise XmlError(f"<{tag}> appears twice", tag)
            raw = child.text
            if raw:
                result[tag] = raw
            elif strict:  # a request's empty text is a value; in an answer it counts as absent
                result[tag] = ""
            continue
        if kind == _UNKNOWN:
            if strict:
                raise XmlError(f"unknown element <{tag}> in {shape.name}", tag)
            continue
        if kind == _MANY:
            assert isinstance(spec, Many)
            items = result.setdefault(tag, [])
            assert isinstance(items, list)
            if spec.item_tag is None:  # the element itself repeats
                try:
                    items.append(_value(child, spec.item, strict, depth))
                except XmlError as exc:
                    raise exc.within(f"{tag}[{len(items)}]") from None
                continue
            if items:
                raise XmlError(f"<{tag}> appears twice", tag)
            content = child.text
            if content and not content.isspace():
                raise XmlError(f"unexpected text in <{tag}>", tag)
            item_tag, item = spec.item_tag, spec.item
            for element_item in child:
                tail = element_item.tail
                if tail and not tail.isspace():
                    raise XmlError("unexpected text between elements", f"{tag}[{len(items)}]")
                if element_item.tag != item_tag and _tag(element_item) != item_tag:
                    if strict:
                        raise XmlError(
                            f"expected <{item_tag}>, found <{_tag(element_item)}>",
                            f"{tag}[{len(items)}]",
                        )
                    continue
                try:
                    items.append(_value(element_item, item, strict, depth))
                except XmlError as exc:
                    raise exc.within(f"{tag}[{len(items)}]") from None
            continue
        if tag in result:
            raise XmlError(f"<{tag}> appears twice", tag)
        if kind == _LEAF:  # inline, what _leaf does
            if len(child):
                raise XmlError("expected text, found child elements", tag)
            raw = child.text
            if not raw:
                if not strict:
                    continue  # an empty element in an answer counts as absent, whatever its kind
                raw = ""
            leaf: Leaf = spec  # type: ignore[assignment]  # the kind says so
            if not leaf.is_text:
                raw = raw.strip()
                if raw == "":
                    continue
            try:
                result[tag] = leaf.decode(raw)
            except ValueError as exc:
                raise XmlError(str(exc), tag) from None
            continue
        assert isinstance(spec, Node)
        try:
            result[tag] = _decode(child, spec.shape, strict, depth + 1, ())
        except XmlError as exc:
            raise exc.within(tag) from None
    if shape.derived:
        _check_derived(result, shape, "")
    return result
