"""The scalar types that pydantic-core reads alone agree with the plain Python reading.

Exact decimals and local datetimes are checked by pydantic-core's own validators (no Python
call for the usual inputs: speed, issue 18). Each is held here to a reference written as plain
Python, the reading the packages had before: the same value (type and repr: a Decimal keeps its
exponent), or the same single error, for every input hypothesis makes.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from generator.kinds import ISO_DATETIME_PATTERN, decimal_pattern
from generator.view.types import used_python_types
from support import GENERATED, PROVIDERS, package, service


class _Small(enum.IntEnum):
    THREE = 3


def _outcome(adapter: TypeAdapter[Any], value: object) -> tuple[Any, ...]:
    try:
        result = adapter.validate_python(value)
    except ValidationError as exc:
        return ("error", tuple((e["type"], e["loc"]) for e in exc.errors()))
    return ("value", type(result), repr(result))


# -- exact decimals ------------------------------------------------------------------------------


def _decimal_types() -> list[tuple[str, str, str, int | None]]:
    found = []
    for provider in PROVIDERS:
        for name, scalar in used_python_types(service(provider)).items():
            if scalar.kind in ("decimal", "money"):
                found.append((provider, name, decimal_pattern(scalar.param_map), scalar.param_map.get("scale")))
    return found


def _reference_decimal(value: object, pattern: str, scale: int | None) -> tuple[Any, ...]:
    """What an exact decimal accepts, as plain Python reads it."""
    result: Decimal | None = None
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if value.is_finite() and (scale is None or -int(exponent) <= scale):
            result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, str) and re.fullmatch(pattern, value):
        result = Decimal(value)
    if result is None:
        return ("error", (("exact_decimal", ()),))
    return ("value", Decimal, repr(result))


_DECIMAL_INPUTS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=7, allow_nan=False, allow_infinity=False),
    st.builds(lambda d, e: Decimal(d).scaleb(e), st.integers(-(10**9), 10**9), st.integers(-9, 9)),
    st.from_regex(r"\A-?[0-9]{1,12}(\.[0-9]{1,9})?\Z"),
    st.text(alphabet="0123456789.-+eE \n", max_size=10),
    st.floats(allow_nan=True),
    st.sampled_from([None, b"1", _Small.THREE, Decimal("sNaN"), Decimal("-0"), Decimal("1E+2"), [], "1.5\n"]),
)


@pytest.mark.parametrize("provider, name, pattern, scale", _decimal_types())
@settings(max_examples=300, deadline=None)
@given(value=_DECIMAL_INPUTS)
def test_exact_decimal_reads_as_plain_python_does(provider: str, name: str, pattern: str, scale: int | None, value: object) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(package(provider, "_types"), name))
    assert _outcome(adapter, value) == _reference_decimal(value, pattern, scale)


def test_there_are_decimal_types_with_and_without_a_scale() -> None:
    scales = {scale is None for *_, scale in _decimal_types()}
    assert scales == {True, False}


# -- local datetimes ----------------------------------------------------------------------------


_LOCAL = re.compile(ISO_DATETIME_PATTERN[1:-1])


def _reference_local_datetime(value: object) -> tuple[Any, ...]:
    """A local datetime as plain Python reads it: a naive datetime, or pattern-matching text
    through `datetime.fromisoformat` (with a 7th fractional digit dropped)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return ("error", (("naive_datetime", ()),))
        return ("value", datetime, repr(value))
    if isinstance(value, str) and _LOCAL.fullmatch(value):
        head, _, fraction = value.partition(".")
        try:
            parsed = datetime.fromisoformat(head)
        except ValueError:
            pass
        else:
            if fraction:
                parsed = parsed.replace(microsecond=int(fraction.ljust(6, "0")[:6]))
            return ("value", datetime, repr(parsed))
    return ("error", (("local_datetime", ()),))


def _local_datetime_types() -> list[tuple[str, str]]:
    return [
        (provider, name)
        for provider in PROVIDERS
        for name, scalar in used_python_types(service(provider)).items()
        if scalar.kind == "datetime"
    ]


_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=3)
_DATETIME_TEXT = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac, tail: f"{y}-{mo}-{d}{sep}{h}:{mi}{s}{frac}{tail}",
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.sampled_from(["01", "02", "12", "13", "00", "1"]),
    st.sampled_from(["01", "28", "29", "30", "31", "32", "00"]),
    st.sampled_from(["T", "T", "T", " ", "t"]),
    st.sampled_from(["00", "09", "23", "24", "99", "1"]),
    st.sampled_from(["00", "59", "60", "5"]),
    st.sampled_from(["", ":00", ":59", ":60", ":5"]),
    st.sampled_from(["", ".1", ".123456", ".1234567", ".12345678", "."]) | st.from_regex(r"\A\.[0-9]{1,8}\Z"),
    st.sampled_from(["", "", "", "Z", "+01:00", "\n", " "]),
)
_VALID_TEXT = st.builds(  # what the wire sends: seconds or not, 0 to 7 fractional digits
    lambda d, seconds, frac: d.replace(microsecond=0).isoformat()[: 19 if seconds else 16] + (frac if seconds else ""),
    st.datetimes(),
    st.booleans(),
    st.from_regex(r"\A(\.[0-9]{1,7})?\Z"),
)
_DATETIME_INPUTS = st.one_of(
    _VALID_TEXT,
    _VALID_TEXT,
    _DATETIME_TEXT,
    st.datetimes(),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.datetimes(timezones=st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-600, 600))),
    st.dates().map(str),
    st.text(max_size=12),
    st.sampled_from([None, 1700000000, b"2025-04-25T16:22:25", "1700000000", 1.5]),
)


@pytest.mark.parametrize("provider, name", _local_datetime_types())
@settings(max_examples=400, deadline=None)
@given(value=_DATETIME_INPUTS)
def test_local_datetime_reads_as_plain_python_does(provider: str, name: str, value: object) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(package(provider, "_types"), name))
    assert _outcome(adapter, value) == _reference_local_datetime(value)


def test_some_package_has_a_local_datetime() -> None:
    assert _local_datetime_types()


# -- "" in a JSON answer ---------------------------------------------------------------------


def _fast_path_providers() -> list[str]:
    """The packages whose answers go to their models as decoded when the body holds no `""`
    and no null (`_runtime.json.reads_as_given`)."""
    return [p for p in PROVIDERS if "js.reads_as_given(" in (GENERATED / p / f"{p}_client" / "_wire.py").read_text()]


def _leaf_members(provider: str) -> list[tuple[str, str, bool, bool]]:
    """(shape, wire name, in a list, is text) of every scalar member of every decoding table."""
    wire, js = package(provider, "_wire"), package(provider, "_runtime.json")
    found = []
    for table in vars(wire).values():
        if isinstance(table, js.Shape):
            for key, spec in table.fields.items():
                leaf = spec.item if isinstance(spec, js.Many) else spec
                if isinstance(leaf, js.Leaf):
                    found.append((table.name, key, isinstance(spec, js.Many), leaf.is_text))
    return found


@pytest.mark.parametrize("provider", _fast_path_providers())
def test_models_refuse_empty_text_wherever_the_tables_read_it_as_absent(provider: str) -> None:
    """An answer with "" goes to its model as decoded (the check for `""` in the body was dropped
    for speed), so a model must refuse "" where the tables read it as absent (every member that
    is not text): the answer is then read through the tables, as before."""
    models, validation = package(provider, "models"), package(provider, "_runtime.validation")
    members = _leaf_members(provider)
    assert len(members) > 50 and any(not text for *_, text in members)
    accepted = []
    for shape, key, many, is_text in members:
        if is_text:
            continue
        loc: tuple[Any, ...] = (key, 0) if many else (key,)
        try:
            validation.answer(getattr(models, shape), {key: [""] if many else ""})
        except ValidationError as exc:
            if any(e["loc"][: len(loc)] == loc for e in exc.errors()):
                continue
        accepted.append(f"{shape}.{key}")
    assert accepted == [], accepted
