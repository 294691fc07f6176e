# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""PHP-compatible JSON: json_encode's exact text, HMAC signatures over it, and the text of a
signed member as it was sent.

A signed JSON protocol signs the bytes it sends, and the server may hash the raw text or
re-encode what it decoded; sending PHP's own encoding makes both the same. Encoders are
generated straight-line code (see ``_wire.py``); they need `php_string` and `obj` here. An
answer's signature is checked over the signed member's text as it was sent, or, when that does
not verify (a server that lays out its answer otherwise), over the decoded data re-encoded the
way PHP's json_encode does.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import math
import re
from datetime import datetime
from decimal import Decimal
from json.decoder import scanstring  # type: ignore[attr-defined]
from json.encoder import c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring_ascii as _ascii_json

from . import json as js
from .signing import hex_matches

# -- writing -------------------------------------------------------------------------------


def php_string(text: str) -> str:
    """A JSON string exactly as PHP's json_encode writes it: "/" as "\\/", non-ASCII as lowercase
    \\uXXXX (surrogate pairs beyond the BMP), DEL (0x7f) unescaped."""
    if "\x7f" in text:  # rare: DEL goes as is, while a written "\\u007f" stays escaped
        return '"' + "\x7f".join(php_string(part)[1:-1] for part in text.split("\x7f")) + '"'
    # json.dumps(text) without its Python-level dispatch: the same C function, ~5x faster
    return _ascii_json(text).replace("/", "\\/")


# Python's C encoder writes what PHP writes except "/" (PHP escapes it: done after), an empty
# object ("{}", PHP: "[]"), floats ("10.0", PHP: "10"; see php_float) and DEL ("\\u007f", PHP:
# as is). Inside a container a float token follows "[", ":" or ","; the check may also match
# inside a string, which only costs the careful walk.
_FLOAT_TOKEN = re.compile(r"[\[:,]-?[0-9]+[.eE]")


def _not_json(value: object) -> object:
    raise TypeError(f"not a JSON value: {type(value).__name__}")


try:  # the C encoder's constructor is not public API: json.dumps stands in without it
    _C_ENCODER = c_make_encoder(None, _not_json, _ascii_json, None, ":", ",", False, False, False)
except TypeError:  # pragma: no cover - a Python whose C encoder is missing or changed
    _C_ENCODER = None


def _compact_ascii(value: object) -> str:
    """`value` as compact ASCII JSON by Python's C encoder, built once (json.dumps builds one
    on every call, which costs more than encoding a whole answer)."""
    if _C_ENCODER is None:  # pragma: no cover
        return json.dumps(value, separators=(",", ":"), allow_nan=False, default=_not_json)
    return "".join(_C_ENCODER(value, 0))


def php_encode(value: object) -> str:
    """Any decoded JSON value, re-encoded as PHP's json_encode would (an empty object as [])."""
    text = _compact_ascii(value)
    if isinstance(value, float) or "{}" in text or "\\u007f" in text or _FLOAT_TOKEN.search(text):
        return _php_encode(value)
    return text.replace("/", "\\/")


def _php_encode(value: object) -> str:
    if isinstance(value, str):
        return php_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return php_float(value)
    if isinstance(value, list):
        return "[" + ",".join(_php_encode(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "[]"
        return (
            "{"
            + ",".join(php_string(str(k)) + ":" + _php_encode(v) for k, v in value.items())
            + "}"
        )
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def php_float(value: float) -> str:
    """A (finite) float as PHP's json_encode writes it with serialize_precision -1, PHP's
    php_gcvt: the shortest digits that read back as the value, written out in full unless the
    decimal point falls more than 17 places right or 4 places left of the first digit, then as
    d.ddde+X ("1.0e+25", "1.0e-5"); never a trailing ".0" ("10"); "-0" for negative zero."""
    negative = math.copysign(1.0, value) < 0
    if value == 0:
        return "-0" if negative else "0"
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    assert isinstance(exponent, int)  # finite
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # the decimal point, counted from the first digit
    sign = "-" if negative else ""
    if point < -3 or point > 17:
        mantissa = digits[0] + "." + (digits[1:] or "0")
        power = point - 1
        return f"{sign}{mantissa}e{'-' if power < 0 else '+'}{abs(power)}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if len(digits) <= point:
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def obj(members: list[str]) -> str:
    """A JSON object from "key":value members; PHP writes an empty one as []."""
    return "{" + ",".join(members) + "}" if members else "[]"


@functools.lru_cache(maxsize=16)
def _keyed(key: str) -> hmac.HMAC:
    """HMAC-SHA512 with `key` fed in and nothing else: copied for every signature, which saves
    hashing the key's two pads each time (a third of the cost of signing an answer)."""
    return hmac.new(key.encode("utf-8"), digestmod=hashlib.sha512)


def sign(key: str, text: str) -> str:
    """HMAC-SHA512 of `text` (UTF-8; PHP-encoded JSON is ASCII) keyed with `key`, lowercase hex."""
    mac = _keyed(key).copy()
    mac.update(text.encode("utf-8"))
    return mac.hexdigest()


def signature_matches(key: str, text: str, given: object) -> bool:
    """Whether `given` is the signature of `text` (see `signing.hex_matches`: constant time,
    and anything that is not ASCII hex does not match)."""
    return hex_matches(sign(key, text), given)


def signed_by(key: str, value: object, sent: str | None, given: object) -> bool:
    """Whether `given` signs `value`: over `sent`, the text `value` was decoded from (what a
    PHP server signs and sends is the same text), else over PHP's encoding of `value`. Both
    texts decode to `value`, so either match authenticates it."""
    if sent is not None and signature_matches(key, sent, given):
        return True
    return signature_matches(key, php_encode(value), given)


def microtime(now: datetime) -> str:
    """Seconds since the epoch with four decimals, like PHP's microtime(true) in the examples."""
    return f"{now.timestamp():.4f}"


# -- reading -------------------------------------------------------------------------------


def loads_member(body: bytes, key: str) -> tuple[object, str | None]:
    """`loads(body)`, and the text of the top-level member `key` exactly as it was sent (None
    when the document is not a compact object that has it). The signed member is checked over
    the text that was signed, with no re-encoding."""
    try:
        text = body.decode("utf-8")
        members = _members(text)
    except (ValueError, RecursionError, StopIteration, IndexError):
        members = None
    if members is None:  # not laid out as PHP writes it: loads parses it, or says what is wrong
        return js.loads(body), None
    document = js.within_depth(body, {name: value for name, (value, _, _) in members.items()})
    found = members.get(key)
    return document, None if found is None else text[found[1] : found[2]]


def _members(text: str) -> dict[str, tuple[object, int, int]] | None:
    """The members of `text` when it is a JSON object written as PHP's json_encode writes one
    (no white space between tokens), each value with the start and end of its text; None when
    it is anything else. Values are read by the decoder's own scanner; a duplicate name keeps
    its last value, as json.loads does."""
    scan, last = js.SCAN, len(text) - 1
    members: dict[str, tuple[object, int, int]] = {}
    if text[0] != "{" or text[1] != '"':
        return None
    i = 1
    while text[i] == '"':
        name, i = scanstring(text, i + 1)
        if text[i] != ":":
            return None
        value, end = scan(text, i + 1)
        members[name] = (value, i + 1, end)
        if text[end] == "}":
            return members if end == last else None
        if text[end] != ",":
            return None
        i = end + 1
    return None
