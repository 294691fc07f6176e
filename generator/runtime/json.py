# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""JSON on the wire: value writers, hardened parsing, table-driven decoding.

Encoders are generated straight-line code (see ``_wire.py``); they need the writers here
(standard compact JSON; PHP's encoding, which signed JSON needs, is in ``phpjson.py``).
Answers are parsed with limits (size comes from the transport; depth, numbers and constants
here), numbers with a fraction as Decimal when asked, and read by the decoding tables of
``_wire.py``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring as _utf8_json
from urllib.parse import quote

import jiter

MAX_DEPTH = 32


class JsonError(ValueError):
    """The JSON is not well-formed, not allowed, or does not match the expected shape."""

    def __init__(self, reason: str, path: str = "") -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


# -- writing -------------------------------------------------------------------------------


def obj(members: list[str]) -> str:
    """A JSON object from "key":value members."""
    return "{" + ",".join(members) + "}"


# -- reading -------------------------------------------------------------------------------


def _refuse_constant(name: str) -> object:
    raise JsonError(f"{name} is not JSON")


# Made once: json.loads with options builds a decoder (and its scanner) on every call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
SCAN: Callable[[str, int], tuple[object, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
"""The decoder's own scanner: one JSON value at an index of a text, and where it ends."""
_DECIMAL_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=Decimal)


def loads(body: bytes, *, decimals: bool = False) -> object:
    """Parse untrusted JSON: no NaN / Infinity, bounded depth and number sizes. With
    `decimals`, numbers with a fraction are read as Decimal (exact), not float.

    jiter (pydantic's parser, in Rust) reads the document; it reads less than the standard
    library does (a lone surrogate escape, nesting past about 200), so whatever it refuses is
    read by the standard library, which is the reference: the same values, or its fault
    (tests/test_runtime.py holds the two to the same values on generated documents)."""
    try:
        value = jiter.from_json(
            body,
            allow_inf_nan=False,
            float_mode="decimal" if decimals else "float",
            cache_mode="keys",  # values are seldom repeated: caching them costs more than it saves
        )
    except ValueError:
        value = _stdlib_loads(body, decimals)
    return within_depth(body, value)


def _stdlib_loads(body: bytes, decimals: bool) -> object:
    """`loads` by the standard library's decoder alone (depth not yet checked)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonError("not UTF-8 text") from None
    try:
        value = (_DECIMAL_DECODER if decimals else _DECODER).decode(text)
    except JsonError:
        raise
    except RecursionError:
        raise JsonError("nesting too deep") from None
    except ArithmeticError:  # decimal.InvalidOperation: an exponent past Decimal's limits
        raise JsonError("a number is out of range") from None
    except ValueError as exc:  # JSONDecodeError, or a number too long to convert
        raise JsonError(f"not well-formed JSON ({exc})") from None
    return value


def reads_as_given(body: bytes) -> bool:
    """Whether an answer's decoded JSON can go to its model as it is: the models read every
    member as the shape tables do, except null (absent, so not among the model's set fields),
    which only the tables read. A model that refuses the data as given is then read through the
    tables, which read the wire's other forms (digit text for a number, PHP's [] for an object,
    an enum's alias, "" for a member that is not text: absent) or name the fault; a model
    refuses "" wherever the tables read it as absent (tests/test_core_types.py holds every
    package to that). A false answer costs only speed: `null` is the only JSON for None."""
    return _NULL.search(body) is None


# A literal pattern: the regular expression engine finds it faster than `in` does (0.64 us
# against 1.05 in a 1.6 kB answer), with the same answer.
_NULL = re.compile(b"null")


def within_depth(body: bytes, value: object) -> object:
    """`value`, parsed from `body`, once its nesting is known to be within MAX_DEPTH."""
    # Nesting cannot be deeper than the number of opening brackets (those inside strings only
    # make the count larger): walk the value only when the count says it could be too deep.
    # The brackets are counted as what is left when every other byte is deleted (one pass).
    if len(body.translate(None, _NOT_BRACKETS)) > MAX_DEPTH:
        _check_depth(value, 0)
    return value


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"{[")


def _check_depth(value: object, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise JsonError("nesting too deep")
    if isinstance(value, dict):
        for v in value.values():
            _check_depth(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_depth(v, depth + 1)


def text_answer(body: bytes) -> str | None:
    """The body as text when it is not a JSON document: an answer some operations give as bare
    text (None when it is JSON)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonError("not UTF-8 text") from None
    stripped = text.strip()
    if not stripped:
        raise JsonError("the answer is empty")
    if stripped[0] in "{[":
        return None
    return text


def unwrap(data: object, key: str) -> object:
    """`data`, or its only member when it is an object with just `key`."""
    if isinstance(data, dict) and len(data) == 1 and key in data:
        return data[key]
    return data


def at(value: object, path: tuple[str, ...]) -> object:
    """The value at a path of object keys (None when any step is missing)."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# -- leaf decoders: wire value -> Python value ---------------------------------------------

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_YMD = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DMY = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")


def text(raw: object) -> object:
    if not isinstance(raw, str):
        raise ValueError("expected a string")
    return raw


def integer(raw: object) -> object:
    """A whole number; an integral decimal (1.0, 1E+2) is its int, as JSON Schema's integer and
    the models read it (a fraction is refused, never rounded)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, Decimal) and raw.is_finite() and raw == raw.to_integral_value():
        return int(raw)
    if isinstance(raw, str) and (raw.isdigit() and raw.isascii() or _INTEGER.fullmatch(raw)):
        return int(raw)
    raise ValueError("expected a whole number")


def decimal(raw: object) -> object:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, Decimal) and raw.is_finite():
        return raw
    if isinstance(raw, str) and _DECIMAL.fullmatch(raw):
        return Decimal(raw)
    raise ValueError("expected a decimal number such as 9.95")


def date_ymd(raw: object) -> object:
    if isinstance(raw, str):
        m = _YMD.fullmatch(raw)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError("expected a date as YYYY-MM-DD")


def date_dmy(raw: object) -> object:
    if isinstance(raw, str):
        m = _DMY.fullmatch(raw)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    raise ValueError("expected a date as DD-MM-YYYY")


def boolean(wire_true: str, wire_false: str | None) -> Callable[[object], object]:
    def decode(raw: object) -> object:
        if raw == wire_true:
            return True
        if wire_false is not None and raw == wire_false:
            return False
        forms = " or ".join(repr(f) for f in (wire_true, wire_false) if f is not None)
        raise ValueError(f"expected {forms}")

    return decode


# A date's wire format by its field order ("dmy": DD-MM-YYYY): its reader and its name.
_DATE_FORMATS: dict[str, tuple[Callable[[object], object], str]] = {
    "ymd": (date_ymd, "YYYY-MM-DD"),
    "dmy": (date_dmy, "DD-MM-YYYY"),
}


def bool_or_date(wire_true: str, wire_false: str, order: str) -> Callable[[object], object]:
    """A reader of a true / false / date value whose date is written in `order`."""
    flag = boolean(wire_true, wire_false)
    read_date, written = _DATE_FORMATS[order]

    def decode(raw: object) -> object:
        try:
            return flag(raw)
        except ValueError:
            pass
        try:
            return read_date(raw)
        except ValueError:
            raise ValueError(
                f"expected {wire_true!r}, {wire_false!r} or a date as {written}"
            ) from None

    return decode


def enum_of(values: frozenset[str], aliases: Mapping[str, str]) -> Callable[[object], object]:
    def decode(raw: object) -> object:
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            raise ValueError("expected a string")
        value = aliases.get(raw, raw)
        if value not in values:
            raise ValueError(f"expected one of {', '.join(sorted(values))}")
        return value

    return decode


def open_enum(enum: type[Enum], aliases: Mapping[str, str]) -> Callable[[object], object]:
    """A decoder for answers: a documented value (or alias) becomes its enum member, any other
    text is kept as it is, so an answer naming a status the document does not list is read,
    not thrown away."""

    members: dict[str, object] = {member.value: member for member in enum}
    members.update({alias: members[value] for alias, value in aliases.items() if value in members})

    def decode(raw: object) -> object:
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            raise ValueError("expected a string")
        return members.get(raw, raw)  # what enum(aliases.get(raw, raw)) is, or the text

    return decode


def string_map(raw: object) -> object:
    if not isinstance(raw, dict) or not all(isinstance(v, (str, int)) for v in raw.values()):
        raise ValueError("expected an object of strings")
    return raw


# -- shape tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """A scalar. For text kinds (`is_text`: text, and binary data as base64 text) "" is a value;
    for the others an empty string means absent."""

    decode: Callable[[object], object]
    is_text: bool = False


@dataclass(frozen=True)
class Node:
    shape: Shape


@dataclass(frozen=True)
class Many:
    item: Leaf | Node


@dataclass(frozen=True)
class Shape:
    """A message or structure: its members by wire name. `kept` names the members whose reader
    returns a value of the listed classes as it arrives (text kept as it is, whole numbers,
    decimals, booleans: most members of most answers), which `decode` keeps inline."""

    name: str
    fields: Mapping[str, Leaf | Node | Many] = field(default_factory=dict)
    kept: Mapping[str, tuple[type, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kept: dict[str, tuple[type, ...]] = {}
        for key, spec in self.fields.items():
            # a text Leaf that is not is_text reads "" as absent, so it is not kept inline
            if isinstance(spec, Leaf) and (spec.is_text or spec.decode is not text):
                classes = _KEPT_AS.get(spec.decode)
                if classes:
                    kept[key] = classes
        object.__setattr__(self, "kept", kept)


def _leaf(raw: object, leaf: Leaf, path: str, key: str | None = None) -> object:
    """A scalar (None: absent); `key`, when given, is the member of `path` it is (for errors)."""
    if raw == "" and not leaf.is_text:
        return None
    try:
        return leaf.decode(raw)
    except ValueError as exc:
        where = path if key is None else f"{path}.{key}" if path else key
        raise JsonError(str(exc), where) from None


def value(
    raw: object, spec: Leaf | Node | Many, *, strict: bool, path: str = "", depth: int = 0
) -> object:
    """Decode one wire value as `spec` (None: absent)."""
    if depth > MAX_DEPTH:
        raise JsonError("nesting too deep", path)
    if raw is None:
        return None
    if isinstance(spec, Leaf):
        return _leaf(raw, spec, path)
    if isinstance(spec, Many):
        if raw == [] or raw == "":
            return []
        if not isinstance(raw, list):
            raise JsonError("expected a list", path)
        return [
            value(item, spec.item, strict=strict, path=f"{path}[{i}]", depth=depth + 1)
            for i, item in enumerate(raw)
        ]
    return decode(raw, spec.shape, strict=strict, path=path, depth=depth + 1)


def decode(
    raw: object, shape: Shape, *, strict: bool, path: str = "", depth: int = 0
) -> dict[str, object]:
    """Decode a wire object as `shape` into a wire-keyed dict of typed values.

    `strict` (requests) refuses unknown keys; otherwise (answers) they are ignored. PHP sends an
    empty object as [], which is read as an empty object.
    """
    if raw == [] or raw == "":
        return {}
    if not isinstance(raw, dict):
        raise JsonError(f"expected an object ({shape.name})", path)
    result: dict[str, object] = {}
    fields, kept = shape.fields, shape.kept
    for key, item in raw.items():
        if item.__class__ in kept.get(key, ()):  # what _leaf would do, without the call
            result[key] = item
            continue
        spec = fields.get(key)
        if spec is None:
            if strict:
                raise JsonError(
                    f"unknown key {key!r} in {shape.name}", f"{path}.{key}" if path else key
                )
            continue
        if item is None:
            continue
        if isinstance(spec, Leaf):  # the path is written only for an error: most members are leaves
            decoded = _leaf(item, spec, path, key)
        else:
            decoded = value(
                item, spec, strict=strict, path=f"{path}.{key}" if path else key, depth=depth
            )
        if decoded is not None:
            result[key] = decoded
    return result


def plain_decimal(value: Decimal | int) -> str:
    """A decimal in plain notation: Decimal("1E+2") is "100", Decimal("9.950") stays "9.950"."""
    text = str(value)  # str() is plain already unless it has an exponent, and much faster
    return format(value, "f") if "E" in text else text


def flag_or_date(value: bool | date, when_true: str, when_false: str, order: str) -> str:
    """The JSON token of a true / false / date value, its date written in `order` ("dmy":
    DD-MM-YYYY, "ymd": YYYY-MM-DD)."""
    if isinstance(value, bool):
        return when_true if value else when_false
    if order == "dmy":
        return f'"{value.day:02d}-{value.month:02d}-{value.year:04d}"'
    return f'"{value.isoformat()}"'


# -- REST: standard JSON values, parameters --------------------------------------------------


def json_string(text: str) -> str:
    """A JSON string (UTF-8 text, compact)."""
    return _utf8_json(text)  # json.dumps(text, ensure_ascii=False) without its Python dispatch


def json_value(value: object) -> str:
    """Any JSON value given as Python data (an object passed through), compact; Decimal exact."""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(json_string(str(k)) + ":" + json_value(v) for k, v in value.items())
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(json_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def local_datetime_text(value: datetime) -> str:
    """A naive datetime as ISO 8601 without offset (seconds, microseconds when there are any)."""
    return value.isoformat(timespec="seconds" if not value.microsecond else "microseconds")


def date_or_datetime_text(value: date) -> str:
    return local_datetime_text(value) if isinstance(value, datetime) else value.isoformat()


def base64_text(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def media_type(file_name: str | None, types: Mapping[str, str]) -> str | None:
    """The media type of a file name's extension, from the documented `types` (None: unknown)."""
    if not file_name or "." not in file_name:
        return None
    return types.get(file_name.rsplit(".", 1)[1].lower())


def parameter_text(value: object) -> str:
    """A path, query or header value as text: enums by value, booleans as true / false, dates
    and datetimes ISO, decimals in plain notation."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return local_datetime_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return str(value)


def path_segment(value: object) -> str:
    """A path parameter, percent-encoded so it stays one segment."""
    return quote(parameter_text(value), safe="")


_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,7}))?)?"
)


def local_datetime(raw: object) -> object:
    """An ISO date and time without offset (.NET writes up to 7 fractional digits; the 7th,
    below a microsecond, is dropped). A bare date is read as its midnight."""
    if isinstance(raw, str):
        m = _DATETIME.fullmatch(raw)
        if m:
            year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
            second = int(m.group(6) or 0)
            micro = int((m.group(7) or "0").ljust(6, "0")[:6])
            try:
                return datetime(year, month, day, hour, minute, second, micro)
            except ValueError:
                pass
        elif _YMD.fullmatch(raw):
            day_only = date_ymd(raw)
            assert isinstance(day_only, date)
            return datetime(day_only.year, day_only.month, day_only.day)
    raise ValueError("expected a date and time such as 2025-04-25T16:22:25")


def date_or_datetime(raw: object) -> object:
    """A date ("2024-01-31") or a date and time without offset."""
    if isinstance(raw, str) and _YMD.fullmatch(raw):
        return date_ymd(raw)
    return local_datetime(raw)


def json_bool(raw: object) -> object:
    if isinstance(raw, bool):
        return raw
    raise ValueError("expected true or false")


def base64_bytes(raw: object) -> object:
    if isinstance(raw, str):
        try:
            return base64.b64decode(raw, validate=True)
        except ValueError:
            pass
    raise ValueError("expected base64 text")


def any_json(raw: object) -> object:
    """A value passed through as decoded (an object the documents do not fix)."""
    return raw


# The leaf readers that return values of these classes unchanged (`Shape.kept`). The only
# Decimals `decode` meets come from `loads`, which makes none that is not finite.
_KEPT_AS: dict[Callable[[object], object], tuple[type, ...]] = {
    text: (str,),
    integer: (int,),
    decimal: (int, Decimal),
    json_bool: (bool,),
}
