"""Names: case conversions and the legality checks that the linter applies to them."""

from __future__ import annotations

import builtins
import difflib
import keyword
import re
from collections.abc import Iterable

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")

# Names that would shadow something the generated code relies on.
RESERVED_ATTRIBUTES = frozenset(
    {"model_config", "model_fields", "model_computed_fields", "model_extra", "model_fields_set"}
)

# The parameters of a client method besides its fields: a request message's field, which is a
# keyword of the method too (see `params.py`), must not take one of these names.
CALL_KEYWORDS = frozenset({"self", "request", "options", "idempotency_key", "extra_fields"})


# Names the generated wire modules bind (imports, helpers, parameters and locals of encoders and
# decoders; the loop variables of lists of shapes are "item" and "item_<shape>"). An encoder
# holds an optional field's value in a local named like the field; such a local must not hide
# one of these (a test checks every rendered module).
_WIRE_NAMES = frozenset(
    {
        "annotations",
        "answer",
        "api_error",
        "attempts",
        "base64_text",
        "body",
        "ch",
        "check_status",
        "code",
        "constant",
        "credentials",
        "ctx",
        "data",
        "dataclass",
        "datetime",
        "decoded",
        "detail",
        "details",
        "document",
        "envelope",
        "error_details",
        "escape",
        "extra_fields",
        "flag_or_date",
        "found",
        "function",
        "headers",
        "item",
        "items",
        "js",
        "k",
        "key",
        "lowered",
        "md5_hex",
        "members",
        "message",
        "model",
        "name",
        "obj",
        "operation",
        "out",
        "path",
        "paths",
        "php",
        "php_string",
        "plain_decimal",
        "query",
        "quote",
        "redact",
        "request",
        "response",
        "secret",
        "secrets",
        "shape",
        "signature",
        "signed",
        "status_code",
        "status_error",
        "text",
        "timezone",
        "v",
        "value",
        "xml",
    }
)


def local_name(attr: str) -> str:
    """The name of a local variable holding the field `attr` in generated wire code: the
    field's own name unless that would hide a name the module uses."""
    hidden = (
        attr in _WIRE_NAMES
        or hasattr(builtins, attr)
        or attr.startswith(("encode_", "decode_", "item_"))
    )
    return attr + "_" if hidden else attr


def is_snake(name: str) -> bool:
    return bool(_SNAKE.match(name)) and not keyword.iskeyword(name)


def is_pascal(name: str) -> bool:
    return bool(_PASCAL.match(name))


def pascal(name: str) -> str:
    """`start_workflow` / `start-workflow` -> `StartWorkflow`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-\s]+", name) if part)


def constant(name: str) -> str:
    """`private` -> `PRIVATE`, `factor_1_06` -> `FACTOR_1_06`."""
    return name.upper()


def nearest(name: object, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name`, if one is close: equal but for letter case, or else
    difflib's best match with a ratio of at least 0.6 (letter case ignored). None otherwise."""
    if not isinstance(name, str) or not name:
        return None
    by_folded: dict[str, str] = {}
    for candidate in sorted(set(candidates)):
        if candidate != name:
            by_folded.setdefault(candidate.casefold(), candidate)
    folded = name.casefold()
    if folded in by_folded:
        return by_folded[folded]
    close = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.6)
    return by_folded[close[0]] if close else None


def did_you_mean(name: object, candidates: Iterable[str]) -> str:
    """`"; did you mean 'date'?"` when a candidate is close to `name` (see `nearest`), else "".
    Lint messages that look a name up end with it, after the list of what is known."""
    match = nearest(name, candidates)
    return f"; did you mean {match!r}?" if match is not None else ""


def unlisted_type(enum: str) -> str:
    """The `_types.py` type of the text branch of an answer's open enum (`Enum | <it>`)."""
    return enum + "Unlisted"


def open_type(enum: str) -> str:
    """The `_types.py` type of an answer's open enum: a member, or the text of a value the
    document does not list (`Enum | <Enum>Unlisted`, tried in that order)."""
    return "Open" + enum
