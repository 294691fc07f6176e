"""The typed scalars of the spec language, one `Kind` each.

A kind knows the parameters it accepts, its canonical JSON Schema, the Python type that carries
it in generated packages (its name, and how `_types.py` defines it with the macros of
`templates/python/kinds/<template>.j2`), the annotation results show and how the docs describe
it. How a kind travels on each wire is the protocol's business: `generator/protocols/<name>.py`
lists the kinds it can carry and which codec of `templates/python/protocols/<dir>/codecs.j2`
writes and reads each.

The canonical JSON form that schemas and models validate is the same for every protocol:
decimals as strings (exact) or integers, dates as ISO `YYYY-MM-DD`, enums as their wire values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Characters a request string may hold when it travels in XML 1.0: everything except the C0
# controls other than tab, LF and CR, and the non-characters U+FFFE / U+FFFF.
XML_TEXT_PATTERN = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]*$"
# Addresses and URLs that requests carry are ASCII on every wire: mailboxes as RFC 5321 writes them,
# URIs as RFC 3986 does (a signed wire that converts text to Latin-1 could not carry more).
EMAIL_PATTERN = "^[!-?A-~]+@[!-?A-~]+\\.[!-?A-~]+$"
DECIMAL_PATTERN = "^-?[0-9]+(\\.[0-9]+)?$"
ISO_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
LOCAL_DATE_TIME_FORMAT = "local-date-time"
# A local date and time without offset, as .NET writes it (up to 7 fractional digits).
ISO_DATETIME_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,7})?)?$"
BASE64_PATTERN = "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
URL_PATTERN = "^https?://[!-~]+$"
UNIX_TIME_MAX = 2**31 - 1  # xs:int

# Wire formats a date may use, and how to write / read them.
DATE_FORMATS: dict[str, dict[str, str]] = {
    "DD-MM-YYYY": {
        "fstring": "{value.day:02d}-{value.month:02d}-{value.year:04d}",
        "regex": "^([0-9]{2})-([0-9]{2})-([0-9]{4})$",
        "order": "dmy",
    },
    "YYYY-MM-DD": {
        "fstring": "{value.year:04d}-{value.month:02d}-{value.day:02d}",
        "regex": "^([0-9]{4})-([0-9]{2})-([0-9]{2})$",
        "order": "ymd",
    },
}


CORE_SCHEMA = "pydantic_core.core_schema"
"""Among the pydantic names a type needs: pydantic-core's schema builders (natively checked
types)."""


@dataclass(frozen=True)
class TypeDefinition:
    """How `_types.py` defines one Python type: a call of the `definition` macro of
    `templates/python/kinds/<template>.j2` (after its `helpers` macro, once per module, when
    `helpers` is not None), and the imports the definition needs."""

    template: str
    args: tuple[tuple[str, Any], ...]
    imports: frozenset[str] = (
        frozenset()
    )  # module imports: "import re", "from decimal import Decimal"
    pydantic: frozenset[str] = (
        frozenset()
    )  # names imported from pydantic (CORE_SCHEMA: pydantic-core's)
    # (kind macro file, arguments) of the `helpers` macro this definition relies on
    helpers: tuple[str, tuple[tuple[str, Any], ...]] | None = None


Define = Callable[[str, dict[str, Any], "str | None"], TypeDefinition]
"""(Python type name, the kind's parameters, the wire's text pattern) -> its definition."""


@dataclass(frozen=True)
class Kind:
    """One scalar kind of the spec language: everything the generator knows about it except how
    each wire writes and reads it (the protocol's codec macros, `generator/protocols/`)."""

    name: str
    summary: str
    params: frozenset[str]
    python_type: Callable[[dict[str, Any]], str]
    json_schema: Callable[[dict[str, Any], str], dict[str, Any]]
    doc_type: Callable[[dict[str, Any]], str]
    # JSON Schema keywords that the generated pydantic field enforces with Field(...) constraints;
    # the rest of the kind's schema is enforced by its Python type.
    field_keywords: frozenset[str] = frozenset()
    # The annotation results and docs show for a value of this kind.
    annotation: str = "str"
    # How `_types.py` defines the kind's Python type.
    define: Define | None = None
    # The kind an answer's value is read as: answers are checked for types, not for the
    # formats and limits of what we send (an e-mail or URL in an answer is text).
    answer_as: str | None = None


def _string_schema(params: dict[str, Any], charset: str) -> dict[str, Any]:
    """`charset` is the wire's text pattern for request text ("any": no restriction)."""
    schema: dict[str, Any] = {"type": "string"}
    if "min_length" in params:
        schema["minLength"] = params["min_length"]
    if "max_length" in params:
        schema["maxLength"] = params["max_length"]
    pattern = params.get("pattern") or (charset if charset != "any" else None)
    if pattern:
        schema["pattern"] = pattern
    return schema


def _string_doc(params: dict[str, Any]) -> str:
    parts = ["string"]
    lo, hi = params.get("min_length"), params.get("max_length")
    if lo is not None and hi is not None:
        parts.append(f"{lo}-{hi} chars")
    elif hi is not None:
        parts.append(f"max {hi} chars")
    elif lo is not None:
        parts.append(f"min {lo} chars")
    if params.get("pattern"):
        parts.append(params.get("pattern_description") or f"pattern `{params['pattern']}`")
    if params.get("sent_uppercase"):
        parts.append("sent in upper case")
    return ", ".join(parts)


def int_bounds(params: dict[str, Any]) -> tuple[int | None, int | None]:
    """The effective range: explicit minimum / maximum, within the range of `bits` if given."""
    lo, hi = params.get("minimum"), params.get("maximum")
    if "bits" in params:
        width = 2 ** (params["bits"] - 1)
        lo = -width if lo is None else max(lo, -width)
        hi = width - 1 if hi is None else min(hi, width - 1)
    return lo, hi


def _int_schema(params: dict[str, Any], charset: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    lo, hi = int_bounds(params)
    if lo is not None:
        schema["minimum"] = lo
    if hi is not None:
        schema["maximum"] = hi
    return schema


def _int_type(params: dict[str, Any]) -> str:
    """`Int32` (bounds checked by the type itself, natively) for the 32-bit range; other bounds
    are Field(ge=, le=) constraints of an `Integer`."""
    if params.get("bits") == 32 and "minimum" not in params and "maximum" not in params:
        return "Int32"
    return "Integer"


def _int_doc(params: dict[str, Any]) -> str:
    if "bits" in params and "minimum" not in params and "maximum" not in params:
        return f"integer ({params['bits']}-bit)"
    lo, hi = int_bounds(params)
    if lo is not None and hi is not None:
        return f"integer, {lo}..{hi}"
    if hi is not None:
        return f"integer, max {hi}"
    if lo is not None:
        return f"integer, min {lo}"
    return "integer"


def decimal_pattern(params: dict[str, Any]) -> str:
    scale = params.get("scale")
    if scale is None:
        return DECIMAL_PATTERN
    if scale == 0:
        return "^-?[0-9]+$"
    return f"^-?[0-9]+(\\.[0-9]{{1,{scale}}})?$"


def _decimal_schema(params: dict[str, Any], charset: str) -> dict[str, Any]:
    return {"type": ["string", "integer"], "format": "decimal", "pattern": decimal_pattern(params)}


def _decimal_doc(params: dict[str, Any]) -> str:
    scale = params.get("scale")
    return "decimal" if scale is None else f"decimal, max {scale} decimals"


def _decimal_type(params: dict[str, Any]) -> str:
    scale = params.get("scale")
    return "ExactDecimal" if scale is None else f"ExactDecimalScale{scale}"


def _date_schema(params: dict[str, Any], charset: str) -> dict[str, Any]:
    return {"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN}


def _date_doc(params: dict[str, Any]) -> str:
    return f"date, sent as {params['format']}"


def _fixed(schema: dict[str, Any]) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    return lambda params, charset: dict(schema)


def _const(text: str) -> Callable[[dict[str, Any]], str]:
    return lambda params: text


def _define_text(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
    if name == "WireText":
        return TypeDefinition(
            "text",
            (("name", name), ("pattern", text_pattern)),
            pydantic=frozenset({"Strict", "StringConstraints"}),
        )
    return TypeDefinition("text", (("name", name),), pydantic=frozenset({"Strict"}))


def _define_int(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
    lo, hi = int_bounds(params) if name == "Int32" else (None, None)
    return TypeDefinition(
        "int",
        (("name", name), ("lo", lo), ("hi", hi)),
        pydantic=frozenset({"GetPydanticSchema", CORE_SCHEMA}),
        helpers=("int", ()),
    )


def _define_decimal(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
    return TypeDefinition(
        "decimal",
        (("name", name), ("pattern", decimal_pattern(params)), ("scale", params.get("scale"))),
        imports=frozenset({"import re", "from decimal import Decimal"}),
        pydantic=frozenset({"GetPydanticSchema", CORE_SCHEMA}),
        helpers=("decimal", ()),
    )


_DATES = frozenset({"import re", "from datetime import date, datetime"})


def _define_date(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
    return TypeDefinition(
        "date",
        (("name", name), ("pattern", ISO_DATE_PATTERN[1:-1])),
        _DATES,
        frozenset({"BeforeValidator"}),
    )


def _define_date_or_datetime(
    name: str, params: dict[str, Any], text_pattern: str | None
) -> TypeDefinition:
    return TypeDefinition(
        "date_or_datetime",
        (("name", name), ("pattern", ISO_DATE_PATTERN[1:-1])),
        _DATES,
        frozenset({"BeforeValidator"}),
        helpers=("datetime", (("pattern", ISO_DATETIME_PATTERN[1:-1]),)),
    )


def _define_datetime(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
    return TypeDefinition(
        "datetime",
        (("name", name), ("pattern", ISO_DATETIME_PATTERN)),
        frozenset({"from datetime import datetime"}),
        frozenset({"GetPydanticSchema", CORE_SCHEMA}),
    )


def _define_base64(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
    return TypeDefinition(
        "base64",
        (("name", name), ("max_length", params.get("max_length"))),
        frozenset({"import base64", "import re"}),
        frozenset({"BeforeValidator", "PlainSerializer"}),
        helpers=("base64", (("pattern", BASE64_PATTERN[1:-1]),)),
    )


def _simple(
    template: str, imports: frozenset[str] = frozenset(), pydantic: frozenset[str] = frozenset()
) -> Define:
    def define(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
        return TypeDefinition(template, (("name", name),), imports, pydantic)

    return define


# -- money -------------------------------------------------------------------------------------

_DEFAULT_UNITS = {
    "money_minor": "1/100 of the currency (öre, cents)",
    "money": "the currency of the message",
}


def money_unit(kind: str, params: dict[str, Any]) -> str:
    """What an amount of this money kind counts, for messages and docs."""
    unit = params.get("unit")
    return unit if isinstance(unit, str) else _DEFAULT_UNITS[kind]


def _whole_digits(bound: int | None) -> int | None:
    """How many digits a text may have for every such text to be within `bound` (the distance
    from 0 to a bound of the range, >= 0): k digits are at most 10**k - 1. None: any number."""
    return None if bound is None else len(str(bound + 1)) - 1


def minor_text_pattern(params: dict[str, Any]) -> str | None:
    """The digits a whole amount may be given as when it is text: every text the pattern takes
    is within the amount's range (so schemas and models agree without comparing numbers). An
    amount whose range leaves out 0 has no text form ("1" may be below a minimum of 5); one
    whose range ends below 9 on a side has no text on that side ("5" may be above a maximum
    of 0)."""
    lo, hi = int_bounds(params)
    if (lo is not None and lo > 0) or (hi is not None and hi < 0):
        return None
    up, down = _whole_digits(hi), _whole_digits(None if lo is None else -lo)
    if up == 0 and down == 0:
        return None
    positive, negative = ("[0-9]+" if n is None else f"[0-9]{{1,{n}}}" for n in (up, down))
    if down == 0:
        return f"^{positive}$"
    if up == 0:
        return f"^-{negative}$"
    return f"^-?{positive}$" if negative == positive else f"^({positive}|-{negative})$"


def _minor_type(params: dict[str, Any]) -> str:
    """One type per range, which checks the range itself: its text pattern depends on the range
    (and a Field(ge=, le=) on a type that also takes text is dropped by
    datamodel-code-generator)."""
    bounds = {k: params[k] for k in ("minimum", "maximum", "bits") if k in params}
    if not bounds:
        return "MinorUnits"
    if bounds == {"bits": 32}:
        return "MinorUnits32"
    lo, hi = int_bounds(params)

    def number(n: int) -> str:
        return f"Minus{-n}" if n < 0 else str(n)

    return (
        "MinorUnits"
        + ("" if lo is None else f"From{number(lo)}")
        + ("" if hi is None else f"To{number(hi)}")
    )


def _minor_schema(params: dict[str, Any], charset: str) -> dict[str, Any]:
    lo, hi = int_bounds(params)
    pattern = minor_text_pattern(params)
    schema: dict[str, Any] = (
        {"type": ["integer", "string"], "pattern": pattern} if pattern else {"type": "integer"}
    )
    if lo is not None:
        schema["minimum"] = lo
    if hi is not None:
        schema["maximum"] = hi
    return schema


def _money_what(kind: str, params: dict[str, Any], example: str) -> str:
    return f"an amount in {money_unit(kind, params)}: {example}"


def _define_minor(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
    lo, hi = int_bounds(params)
    what = _money_what(
        "money_minor",
        params,
        "an int such as 1995, a Decimal with no fraction or its digits as text ('1995')",
    )
    return TypeDefinition(
        "money_minor",
        (
            ("name", name),
            ("pattern", minor_text_pattern(params)),
            ("what", what),
            ("lo", lo),
            ("hi", hi),
        ),
        imports=frozenset({"from decimal import Decimal"}),
        pydantic=frozenset({"GetPydanticSchema", CORE_SCHEMA}),
    )


def _define_money(name: str, params: dict[str, Any], text_pattern: str | None) -> TypeDefinition:
    scale = params.get("scale")
    example = "a Decimal, an int or a decimal string such as '9.95'" + (
        f" with at most {scale} decimals" if scale is not None else ""
    )
    return TypeDefinition(
        "money",
        (
            ("name", name),
            ("pattern", decimal_pattern(params)),
            ("scale", scale),
            ("what", _money_what("money", params, example)),
        ),
        imports=frozenset({"import re", "from decimal import Decimal"}),
        pydantic=frozenset({"GetPydanticSchema", CORE_SCHEMA}),
        helpers=("decimal", ()),
    )


_STRING_KEYWORDS = frozenset({"minLength", "maxLength", "pattern"})

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "string",
            "text",
            frozenset(
                {"min_length", "max_length", "pattern", "pattern_description", "sent_uppercase"}
            ),
            _const("Text"),
            _string_schema,
            _string_doc,
            _STRING_KEYWORDS,
            annotation="str",
            define=_define_text,
        ),
        Kind(
            "int",
            "whole number; `bits: 32` limits it to a signed 32-bit range (xs:int)",
            frozenset({"minimum", "maximum", "bits"}),
            _int_type,
            _int_schema,
            _int_doc,
            frozenset({"minimum", "maximum"}),
            annotation="int",
            define=_define_int,
        ),
        Kind(
            "decimal",
            "exact decimal number: Decimal, int or a decimal string, never float",
            frozenset({"scale"}),
            _decimal_type,
            _decimal_schema,
            _decimal_doc,
            annotation="Decimal",
            define=_define_decimal,
        ),
        Kind(
            "money_minor",
            "a whole amount of a small unit (`unit`, default 1/100 of the currency: öre, cents): "
            "an int, "
            "a whole Decimal or its digits as text; never float",
            frozenset({"minimum", "maximum", "bits", "unit"}),
            _minor_type,
            _minor_schema,
            lambda params: f"whole amount in {money_unit('money_minor', params)}",
            frozenset(),  # its range: each type checks its own (`_minor_type`)
            annotation="int",
            define=_define_minor,
        ),
        Kind(
            "money",
            "an exact amount in `unit` (default: the currency of the message): Decimal, int or a "
            "decimal "
            "string; never float",
            frozenset({"scale", "unit"}),
            lambda params: (
                "Money" if params.get("scale") is None else f"MoneyScale{params['scale']}"
            ),
            _decimal_schema,
            lambda params: (
                f"amount in {money_unit('money', params)}"
                + (f", max {params['scale']} decimals" if params.get("scale") is not None else "")
            ),
            annotation="Decimal",
            define=_define_money,
        ),
        Kind(
            "bool_or_date",
            "true, false, or a date (e.g. activate now, never, or on that day)",
            frozenset({"wire_true", "wire_false", "format"}),
            _const("BoolOrDate"),
            _fixed(
                {
                    "anyOf": [
                        {"type": "boolean"},
                        {"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN},
                    ]
                }
            ),
            lambda params: (
                f"bool or date, sent as `{params.get('wire_true')}` / `{params.get('wire_false')}` "
                f"/ {params.get('format')}"
            ),
            annotation="bool | date",
            define=_simple("bool_or_date", _DATES, frozenset({"BeforeValidator"})),
        ),
        Kind(
            "date",
            "calendar date; ISO in JSON, the field's `format` on the wire",
            frozenset({"format"}),
            _const("IsoDate"),
            _date_schema,
            _date_doc,
            annotation="date",
            define=_define_date,
        ),
        Kind(
            "datetime",
            "local date and time without offset (ISO 8601, as .NET writes it): a naive datetime",
            frozenset(),
            _const("LocalDateTime"),
            # "local-date-time" is not a standard format (JSON Schema's date-time needs an
            # offset): validators that do not know it check the pattern only, which lets an
            # impossible day such as 02-30 through; the models refuse it.
            _fixed(
                {
                    "type": "string",
                    "format": LOCAL_DATE_TIME_FORMAT,
                    "pattern": ISO_DATETIME_PATTERN,
                }
            ),
            _const("date and time, ISO 8601 without offset"),
            annotation="datetime",
            define=_define_datetime,
        ),
        Kind(
            "date_or_datetime",
            "a date, or a local date and time without offset: date or naive datetime in Python",
            frozenset(),
            _const("DateOrDateTime"),
            _fixed(
                {
                    "anyOf": [
                        {"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN},
                        {
                            "type": "string",
                            "format": LOCAL_DATE_TIME_FORMAT,
                            "pattern": ISO_DATETIME_PATTERN,
                        },
                    ]
                }
            ),
            _const("date, or date and time (ISO 8601, no offset)"),
            annotation="date | datetime",
            define=_define_date_or_datetime,
        ),
        Kind(
            "json",
            "any JSON value, passed through as decoded (for members whose shape the documents do "
            "not fix)",
            frozenset(),
            _const("AnyJson"),
            _fixed({}),
            _const("any JSON value"),
            annotation="JsonValue",
            define=_simple(
                "json",
                frozenset({"from decimal import Decimal"}),
                frozenset({"GetPydanticSchema", "JsonValue", CORE_SCHEMA}),
            ),
        ),
        Kind(
            "email",
            "e-mail address",
            frozenset({"max_length"}),
            _const("Text"),
            lambda params, charset: {
                "type": "string",
                "format": "email",
                "maxLength": params.get("max_length", 254),
                "pattern": EMAIL_PATTERN,
            },
            _const("e-mail address (ASCII)"),
            _STRING_KEYWORDS,
            annotation="str",
            define=_define_text,
            answer_as="string",
        ),
        Kind(
            "country",
            "ISO 3166-1 alpha-2 country code",
            frozenset(),
            _const("Text"),
            _fixed({"type": "string", "pattern": "^[A-Z]{2}$"}),
            _const("country code (ISO 3166-1 alpha-2)"),
            _STRING_KEYWORDS,
            annotation="str",
            define=_define_text,
            answer_as="string",
        ),
        Kind(
            "currency",
            "ISO 4217 currency code",
            frozenset(),
            _const("Text"),
            _fixed({"type": "string", "pattern": "^[A-Z]{3}$"}),
            _const("currency code (ISO 4217)"),
            _STRING_KEYWORDS,
            annotation="str",
            define=_define_text,
            answer_as="string",
        ),
        Kind(
            "language",
            "ISO 639-1 language code",
            frozenset(),
            _const("Text"),
            _fixed({"type": "string", "pattern": "^[a-z]{2}$"}),
            _const("language code (ISO 639-1)"),
            _STRING_KEYWORDS,
            annotation="str",
            define=_define_text,
            answer_as="string",
        ),
        Kind(
            "bool",
            "true or false; `wire_true` / `wire_false` give the wire forms (`wire_false: null`: "
            "False is not sent)",
            frozenset({"wire_true", "wire_false"}),
            _const("Bool"),
            _fixed({"type": "boolean"}),
            lambda params: (
                "bool, sent as "
                + " / ".join(
                    f"`{params[k]}`" if params.get(k) is not None else "(nothing)"
                    for k in ("wire_true", "wire_false")
                )
            ),
            annotation="bool",
            define=_simple("bool", pydantic=frozenset({"Strict"})),
        ),
        Kind(
            "unix_time",
            "a moment as unix time (seconds); Python users may give a date or an aware datetime",
            frozenset(),
            _const("UnixTime"),
            _fixed({"type": "integer", "minimum": 0, "maximum": UNIX_TIME_MAX}),
            _const("unix time (seconds); a date is sent as its midnight UTC"),
            frozenset({"minimum", "maximum"}),
            annotation="int",
            define=_simple(
                "unix_time",
                frozenset({"import calendar", "from datetime import date, datetime"}),
                frozenset({"BeforeValidator"}),
            ),
        ),
        Kind(
            "base64",
            "binary data: bytes in Python, base64 text in JSON and on the wire",
            frozenset({"max_length"}),
            lambda params: (
                f"Base64Data{params['max_length']}" if "max_length" in params else "Base64Data"
            ),
            lambda params, charset: {
                "type": "string",
                "contentEncoding": "base64",
                "pattern": BASE64_PATTERN,
                **({"maxLength": params["max_length"]} if "max_length" in params else {}),
            },
            lambda params: (
                "bytes, sent base64 encoded"
                + (f" (max {params['max_length']} chars encoded)" if "max_length" in params else "")
            ),
            annotation="bytes",
            define=_define_base64,
        ),
        Kind(
            "url",
            "an http(s) URL",
            frozenset({"max_length", "percent_encoded"}),
            _const("Text"),
            lambda params, charset: {
                "type": "string",
                "pattern": URL_PATTERN,
                **({"maxLength": params["max_length"]} if "max_length" in params else {}),
            },
            lambda params: (
                "URL (ASCII: percent-encode other characters)"
                + (", sent percent-encoded" if params.get("percent_encoded") else "")
            ),
            _STRING_KEYWORDS,
            annotation="str",
            define=_define_text,
            answer_as="string",
        ),
        Kind(
            "ip",
            "IPv4 or IPv6 address",
            frozenset(),
            _const("IpAddress"),
            _fixed({"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}),
            _const("IP address (v4 or v6)"),
            annotation="str",
            define=_simple(
                "ip", frozenset({"import ipaddress"}), frozenset({"Strict", "AfterValidator"})
            ),
            answer_as="string",
        ),
    )
}

STRUCTURED_KINDS = {
    "enum": frozenset({"enum"}),
    "object": frozenset({"shape"}),
    "list": frozenset({"of", "item_wire", "min_items", "max_items"}),
}
ALL_TYPE_NAMES = sorted([*KINDS, *STRUCTURED_KINDS])
ALL_PARAMS = sorted(
    {p for k in KINDS.values() for p in k.params}
    | {p for s in STRUCTURED_KINDS.values() for p in s}
)

# A portable regular expression is one that JSON Schema validators (ECMA-262), Python's `re`
# and pydantic's Rust engine all read the same way: explicit character classes instead of
# \d \w \s \b (whose meaning differs between engines on non-ASCII text), no look-around or
# back-references, and `$` only as the final anchor.
_NON_PORTABLE = [
    (
        re.compile(r"(?<!\\)(?:\\\\)*\\[dDwWsSbB]"),
        "uses \\d, \\w, \\s or \\b (engines disagree on non-ASCII)",
    ),
    (re.compile(r"\(\?[=!<]"), "uses look-around"),
    (re.compile(r"(?<!\\)(?:\\\\)*\\[1-9]"), "uses a back-reference"),
]


def pattern_problems(pattern: str) -> list[str]:
    """Why `pattern` is not a portable, anchored regular expression (empty if it is)."""
    problems = []
    try:
        re.compile(pattern)
    except re.error as exc:
        return [f"does not compile: {exc}"]
    if not pattern.startswith("^") or not pattern.endswith("$") or pattern.endswith("\\$"):
        problems.append("must be anchored: start with ^ and end with $")
    if "$" in pattern[:-1].replace("\\$", ""):
        problems.append("may use $ only as the final anchor")
    for regex, why in _NON_PORTABLE:
        if regex.search(pattern):
            problems.append(why)
    return problems
